"""Generic main-text extraction for news and blog article pages.

Trafilatura (precision mode) is the base extractor; readability-lxml is a second opinion
used to repair trafilatura's two typical failures: stopping early on long articles and
keeping page furniture before or after the article. Generic boilerplate lines are then
dropped by the patterns in `layout`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml import etree
from readability import Document

from cpcsearch.scrape import layout

# These libraries log the pages they cannot parse as errors, tracebacks included; the scraper
# reports such a page once, as a ScrapeError naming it.
for _library in ("trafilatura", "readability", "htmldate", "courlan"):
    logging.getLogger(_library).setLevel(logging.CRITICAL)

LIST_ITEM = re.compile(r"^[-•*]\s+")
# Longer paragraphs are article prose even when they contain a boilerplate-like phrase.
MAX_BOILERPLATE_WORDS = 30

WORD = re.compile(r"\w+")
NGRAM = 3


@dataclass(frozen=True)
class Thresholds:
    """When readability's second opinion changes trafilatura's text.

    The defaults are the shipped ones; `python -m cpcsearch.benchmarks.extraction` re-tunes
    them on half the shared pages and scores the other half, to show they are not overfitted.
    """

    # Share of a paragraph's n-grams found in the other extraction for it to count as "shared".
    paragraph_match: float = 0.5
    # Readability contains trafilatura's text but is much longer: trafilatura stopped early.
    contained_share: float = 0.9
    truncated_share: float = 0.6
    # Both extractors must broadly agree before readability may trim trafilatura's edges.
    agreement_share: float = 0.8


SHIPPED = Thresholds()


@dataclass(frozen=True)
class Comparison:
    """How much of each extraction the other one holds, paragraph by paragraph."""

    base_in_other: float
    other_in_base: float
    paragraph_shares: tuple[float, ...]  # of each base paragraph, found in the other text


def extract_main_text(html: str, url: str | None = None) -> str:
    """Return the main text of an article page as blank-line-separated paragraphs.

    Both extractors parse with libxml2's limits, which leave out what lies deeper than 255
    elements: a page that gives no text, nested that deep by unclosed tags, is read again by
    trafilatura from a tree parsed without them (up to 2,048 deep).
    """
    text = combine(trafilatura_paragraphs(html, url), readability_paragraphs(html, url))
    tree = _deep_tree(html) if html.strip() and not text else None
    return text if tree is None else "\n\n".join(clean(trafilatura_paragraphs(tree, url)))


def _deep_tree(html: str) -> lxml.html.HtmlElement | None:
    """Return the page parsed without libxml2's depth limit, as trafilatura parses it (no
    comments or processing instructions); None if it does not parse."""
    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def combine(base: list[str], other: list[str], thresholds: Thresholds = SHIPPED,
            comparison: Comparison | None = None) -> str:
    """Return the text of trafilatura's paragraphs (base) repaired with readability's (other)."""
    if base and other:
        chosen = choose(base, other, comparison or compare(base, other), thresholds)
    else:
        chosen = base or other
    return "\n\n".join(clean(chosen))


def trafilatura_paragraphs(html: str | lxml.html.HtmlElement, url: str | None) -> list[str]:
    """Return trafilatura's paragraphs (headings and list items each on their own) of a page's
    HTML or parsed tree."""
    if isinstance(html, str) and not html.strip():
        return []  # trafilatura would log an empty page as an error
    try:
        text = trafilatura.extract(
            html, url=url, favor_precision=True, include_comments=False, include_tables=True
        )
    # Third-party parsers fail in varied ways on malformed markup; no text is the fallback.
    except Exception:
        return []
    return _split(text or "")


def readability_paragraphs(html: str, url: str | None) -> list[str]:
    """Return readability's article HTML flattened into paragraphs."""
    if not html.strip():
        return []  # readability would log an empty page's parse error with a traceback
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


def compare(base: list[str], other: list[str]) -> Comparison:
    """Measure how the two extractions overlap (the costly part, done once per page)."""
    base_grams, other_grams = _ngrams(" ".join(base)), _ngrams(" ".join(other))
    return Comparison(_share(base_grams, other_grams), _share(other_grams, base_grams),
                      tuple(_share(_ngrams(p), other_grams) for p in base))


def choose(base: list[str], other: list[str], comparison: Comparison,
           thresholds: Thresholds) -> list[str]:
    """Merge trafilatura's paragraphs (base) with readability's (other)."""
    t = thresholds
    if (comparison.base_in_other >= t.contained_share
            and comparison.other_in_base < t.truncated_share):
        return other
    if comparison.other_in_base < t.agreement_share:
        return base
    # Trafilatura's extra paragraphs inside the article are usually real content (quotes,
    # embeds), but at the edges they are usually bylines, footers and teasers.
    shared = [share >= t.paragraph_match for share in comparison.paragraph_shares]
    if not any(shared):
        return base
    first = shared.index(True)
    last = len(shared) - 1 - shared[::-1].index(True)
    return base[first:last + 1]


def clean(paragraphs: list[str]) -> list[str]:
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
