"""Snippets: the passage with the most distinct query terms, escaped, with matches in `<mark>`.

This is the one place where scraped text becomes HTML: every fragment is escaped here, and
only the `<mark>` tags added here are markup. Words are matched by their index terms through
the text analyzer, one distinct word at a time (cached), so a snippet costs a regular-expression
pass over the text rather than a full analysis.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache

from markupsafe import Markup, escape

from cpcsearch.index.analysis import TOKEN_PATTERN, text_analyzer

SNIPPET_CHARS = 260
# Only this much of a long paragraph, from half a snippet before its first match, is split
# into sentences: Punkt's cost grows with the text, and most of a snippet's time was Punkt's.
WINDOW_CHARS = 2 * SNIPPET_CHARS
LEAD_CHARS = SNIPPET_CHARS // 2
TOKEN = re.compile(TOKEN_PATTERN)
_ANALYZER = text_analyzer()
Span = tuple[int, int]  # a stretch of a text: its first character and the one after its last
Match = tuple[int, int, frozenset[str]]  # a word's span in a text, and its query terms


# Words whose terms a rebuild saved (`index/vocabulary.py`): lowercase if ASCII, since the
# analyzer lowercases first. The analyzer is the same for every index, so one map serves all.
_KNOWN: dict[str, str] = {}


def learn(words: dict[str, str]) -> None:
    """Remember words' terms (space-separated) as a rebuild with this analyzer saved them."""
    _KNOWN.update(words)


@lru_cache(maxsize=200_000)
def word_terms(word: str) -> frozenset[str]:
    """Return the index terms of one word as the text analyzer makes them."""
    known = _KNOWN.get(word.lower() if word.isascii() else word)
    if known is not None:
        return frozenset(known.split())
    return frozenset(t.text for t in _ANALYZER(word))


def _matches(text: str, terms: set[str], start: int = 0, end: int | None = None) -> list[Match]:
    """Return every word of `text[start:end]` that has one of `terms`, with its span and those
    terms."""
    found = []
    for match in TOKEN.finditer(text, start, len(text) if end is None else end):
        word = word_terms(match.group())
        if not word.isdisjoint(terms):
            found.append((match.start(), match.end(), word & terms))
    return found


def _marked(text: str, found: list[Match], start: int, end: int) -> Markup:
    """Return `text[start:end]` escaped, with the words of `found` in that span marked."""
    pieces: list[str] = []
    last = start
    for word_start, word_end, _ in found:
        if start <= word_start and word_end <= end:
            pieces.append(escape(text[last:word_start]))
            pieces.append(Markup("<mark>%s</mark>") % text[word_start:word_end])
            last = word_end
    pieces.append(escape(text[last:end]))
    return Markup("").join(pieces)


def mark_terms(text: str, terms: set[str]) -> Markup:
    """Return `text` escaped, with every word that has one of `terms` marked."""
    return _marked(text, _matches(text, terms), 0, len(text))


def _distinct(text: str, terms: set[str]) -> set[str]:
    found: set[str] = set()
    for word in set(TOKEN.findall(text.lower())):  # the analyzer lowercases first
        terms_of_word = word_terms(word)
        if not terms_of_word.isdisjoint(terms):
            found |= terms_of_word & terms
    return found


def _best_paragraph(paragraphs: list[str], terms: set[str]) -> int:
    """Return the paragraph with the most distinct terms (the first, when none has any).

    A cheap first pass, so only that paragraph is split into sentences and weighed closely; it
    stops at the first paragraph that has every term.
    """
    if not terms or len(paragraphs) < 2:
        return 0
    best, most = 0, 0
    for i, paragraph in enumerate(paragraphs):
        found = len(_distinct(paragraph, terms))
        if found > most:
            best, most = i, found
            if most == len(terms):
                break
    return best



def best_passage(sentences: list[Span], found: list[Match],
                 limit: int = SNIPPET_CHARS) -> tuple[Span, bool, bool]:
    """Return the run of sentences with the most distinct terms (its first and last character),
    and whether sentences precede/follow it.

    Among equals, a passage that opens on a matching sentence wins, then the earlier one, so a
    document's lead shows when nothing matches better.
    """
    if not sentences:
        return (0, 0), False, False
    starts = [start for start, _ in sentences]
    matched: list[set[str]] = [set() for _ in sentences]
    for word_start, _, terms in found:
        i = bisect_right(starts, word_start) - 1
        if i >= 0 and word_start < sentences[i][1]:
            matched[i] |= terms
    best, best_score = (0, 1), (-1, False)
    for first in range(len(sentences)):
        distinct: set[str] = set()
        end = first
        while end < len(sentences) and (end == first
                                        or sentences[end][1] - starts[first] <= limit):
            distinct |= matched[end]
            end += 1
        score = (len(distinct), bool(matched[first]))
        if score > best_score:
            best, best_score = (first, end), score
    first, end = best
    return (starts[first], sentences[end - 1][1]), first > 0, end < len(sentences)


def _window(paragraph: str, terms: set[str]) -> tuple[Span, bool, bool]:
    """Return the part of a long paragraph around its first match, and whether it was cut."""
    if len(paragraph) <= WINDOW_CHARS:
        return (0, len(paragraph)), False, False
    first = next((m.start() for m in TOKEN.finditer(paragraph)
                  if not word_terms(m.group()).isdisjoint(terms)), 0)
    start = max(0, first - LEAD_CHARS)
    end = min(len(paragraph), start + WINDOW_CHARS)
    return (start, end), start > 0, end < len(paragraph)


def snippet(text: str, terms: set[str], sentences: Callable[[str], list[Span]]) -> Markup:
    """Return the best passage of a text (paragraphs apart by blank lines) as marked HTML.

    `sentences` returns the sentence spans of a text.
    """
    paragraphs = [p for p in text.split("\n\n") if p.strip()] or [""]
    best = _best_paragraph(paragraphs, terms)
    paragraph = paragraphs[best]
    (start, end), cut_before, cut_after = _window(paragraph, terms)
    found = _matches(paragraph, terms, start, end)
    spans = [(start + a, start + b) for a, b in sentences(paragraph[start:end])]
    if cut_before and len(spans) > 1:
        spans = spans[1:]  # the first one starts mid-sentence
    if cut_after and len(spans) > 1:
        spans = spans[:-1]
    (start, end), before, after = best_passage(spans, found)
    if end - start > SNIPPET_CHARS:  # one long sentence: cut at a space
        space = paragraph.rfind(" ", start, start + SNIPPET_CHARS)
        end, after = (space if space > start else start + SNIPPET_CHARS), True
    html = _marked(paragraph, found, start, end)
    before = before or cut_before or best > 0
    after = after or cut_after or best < len(paragraphs) - 1
    return Markup("").join([Markup("… ") if before else Markup(""), html,
                            Markup(" …") if after else Markup("")])
