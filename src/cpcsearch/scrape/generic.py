"""Generic main-text extraction for news and blog article pages.

Trafilatura (precision mode) is the base extractor; readability-lxml is a second opinion
used to repair trafilatura's two typical failures: stopping early on long articles and
keeping page furniture before or after the article. Generic boilerplate lines are then
dropped by the patterns in `layout`.
"""

from __future__ import annotations

import re

import lxml.html
import trafilatura
from readability import Document

from cpcsearch.scrape import layout

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
    if tag in layout.SKIPPED_TAGS:
        return
    block = tag in layout.FLATTEN_BLOCK_TAGS
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
        if short and layout.RELATED_LINK_LINE.match(paragraph):
            in_link_list = True
            continue
        if in_link_list and LIST_ITEM.match(paragraph):
            continue
        in_link_list = False
        if short and layout.GENERIC_BOILERPLATE_LINE.match(paragraph):
            continue
        kept.append(LIST_ITEM.sub("", paragraph))
    return kept
