"""Generic main-text extraction for news and blog article pages.

Trafilatura (precision mode) is the base extractor; readability-lxml is a second opinion
used to repair trafilatura's two typical failures: stopping early on long articles and
keeping page furniture before or after the article. Generic boilerplate lines are then
dropped by pattern.
"""

from __future__ import annotations

import re

import lxml.html
import trafilatura
from readability import Document

# Elements that start a new paragraph when readability's HTML is flattened to text.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
})
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})

# A whole paragraph that is only a call to action, a credit or a pointer to other content.
BOILERPLATE_LINE = re.compile(
    r"""^(?:
        subscribe\b.* | sign\ up\b.*newsletter.* | get\ the\ latest\b.*\binbox\b.*
      | (?:tell\ us\ what\ you\ think|you\ may\ also\ like|user\ comments|comments?)\W*
      | (?:more|also|related(?:\ (?:stories|articles|content))?)\s*:?
      | more\ .{0,40}\ stories | advertisement | share\ (?:this\ (?:article|story|post)|on\ \w+)\W*
      | (?:follow|email)\b.*\b(?:twitter|facebook|instagram|@\w+).*
      | (?:filed\ under|tags?|categories)\s*:.*
      | (?:photo|image|picture|credit|source)s?\s*(?:credit)?\s*:.{0,120}
      | .{0,80}\(\s*(?:photo|image|credit)s?\b[^)]{0,80}\)
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Paragraphs that point at other articles; list items right after them point there too.
RELATED_LINK_LINE = re.compile(
    r"^(?:related|read\ (?:more|also|next)|also\ read|see\ also|more)\s*:\s*\S", re.I | re.X
)
LIST_ITEM = re.compile(r"^[-•*]\s+")
# Longer paragraphs are article prose even when they contain a boilerplate-like phrase.
MAX_BOILERPLATE_WORDS = 30

WORD = re.compile(r"\w+")
NGRAM = 3
# Share of a paragraph's n-grams found in the other extraction for it to count as "shared".
PARAGRAPH_MATCH = 0.5
# Readability contains trafilatura's text but is much longer: trafilatura stopped early.
CONTAINED_SHARE = 0.9
TRUNCATED_SHARE = 0.6
# Both extractors must broadly agree before readability may trim trafilatura's edges.
AGREEMENT_SHARE = 0.8


def extract_main_text(html: str, url: str | None = None) -> str:
    """Return the main text of an article page as blank-line-separated paragraphs."""
    base = _trafilatura_paragraphs(html, url)
    other = _readability_paragraphs(html, url)
    return "\n\n".join(_clean(_combine(base, other)))


def _trafilatura_paragraphs(html: str, url: str | None) -> list[str]:
    """Return trafilatura's paragraphs (headings and list items each on their own)."""
    try:
        text = trafilatura.extract(
            html, url=url, favor_precision=True, include_comments=False, include_tables=True
        )
    # Third-party parsers fail in varied ways on malformed markup; no text is the fallback.
    except Exception:
        return []
    return _split(text or "")


def _readability_paragraphs(html: str, url: str | None) -> list[str]:
    """Return readability's article HTML flattened into paragraphs."""
    try:
        summary = Document(html, url=url).summary(html_partial=True)
        return _split(fragment_text(summary))
    except Exception:
        return []


def fragment_text(fragment: str) -> str:
    """Return the text of an HTML fragment with a blank line around each block element."""
    parts: list[str] = []
    _flatten(lxml.html.fromstring(fragment), parts)
    return "".join(parts)


def _flatten(element: lxml.html.HtmlElement, parts: list[str]) -> None:
    """Append the text of element to parts, with blank lines around block elements."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in SKIPPED_TAGS:
        return
    block = tag in BLOCK_TAGS
    if block:
        parts.append("\n\n")
    if element.text and tag:
        parts.append(element.text)
    for child in element:
        _flatten(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append("\n\n")


def _split(text: str) -> list[str]:
    """Split text on line breaks into whitespace-collapsed paragraphs that contain a word."""
    paragraphs = (" ".join(line.split()) for line in text.splitlines())
    return [p for p in paragraphs if WORD.search(p)]


def _ngrams(text: str) -> set[tuple[str, ...]]:
    """Return the lower-cased word n-grams of text (one short n-gram if text is short)."""
    words = [w.lower() for w in WORD.findall(text)]
    if not words:
        return set()
    return {tuple(words[i:i + NGRAM]) for i in range(max(1, len(words) - NGRAM + 1))}


def _share(part: set[tuple[str, ...]], whole: set[tuple[str, ...]]) -> float:
    """Return the share of part's n-grams that occur in whole."""
    return len(part & whole) / len(part) if part else 1.0


def _combine(base: list[str], other: list[str]) -> list[str]:
    """Merge trafilatura's paragraphs (base) with readability's (other)."""
    if not base or not other:
        return base or other
    base_grams, other_grams = _ngrams(" ".join(base)), _ngrams(" ".join(other))
    base_in_other = _share(base_grams, other_grams)
    other_in_base = _share(other_grams, base_grams)
    if base_in_other >= CONTAINED_SHARE and other_in_base < TRUNCATED_SHARE:
        return other
    if other_in_base < AGREEMENT_SHARE:
        return base
    # Trafilatura's extra paragraphs inside the article are usually real content (quotes,
    # embeds), but at the edges they are usually bylines, footers and teasers.
    shared = [_share(_ngrams(p), other_grams) >= PARAGRAPH_MATCH for p in base]
    if not any(shared):
        return base
    first = shared.index(True)
    last = len(shared) - 1 - shared[::-1].index(True)
    return base[first:last + 1]


def _clean(paragraphs: list[str]) -> list[str]:
    """Drop boilerplate paragraphs and the link lists that follow 'related' pointers."""
    kept: list[str] = []
    in_link_list = False
    for paragraph in paragraphs:
        short = len(paragraph.split()) <= MAX_BOILERPLATE_WORDS
        if short and RELATED_LINK_LINE.match(paragraph):
            in_link_list = True
            continue
        if in_link_list and LIST_ITEM.match(paragraph):
            continue
        in_link_list = False
        if short and BOILERPLATE_LINE.match(paragraph):
            continue
        kept.append(LIST_ITEM.sub("", paragraph))
    return kept
