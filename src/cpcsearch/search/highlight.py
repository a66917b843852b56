"""Snippets: the passage with the most distinct query terms, escaped, with matches in `<mark>`.

This is the one place where scraped text becomes HTML: every fragment is escaped here, and
only the `<mark>` tags added here are markup. Words are matched by their index terms through
the text analyzer, one distinct word at a time (cached), so a snippet costs a regular-expression
pass over the text rather than a full analysis.
"""

from __future__ import annotations

import re
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


@lru_cache(maxsize=200_000)
def word_terms(word: str) -> frozenset[str]:
    """Return the index terms of one word as the text analyzer makes them."""
    return frozenset(t.text for t in _ANALYZER(word))


def mark_terms(text: str, terms: set[str]) -> Markup:
    """Return `text` escaped, with every word that has one of `terms` marked."""
    pieces: list[str] = []
    last = 0
    for match in TOKEN.finditer(text):
        if word_terms(match.group()) & terms:
            pieces.append(escape(text[last:match.start()]))
            pieces.append(Markup("<mark>%s</mark>") % match.group())
            last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


def _distinct(text: str, terms: set[str]) -> set[str]:
    found: set[str] = set()
    for word in set(TOKEN.findall(text.lower())):  # the analyzer lowercases first
        found |= word_terms(word) & terms
    return found


def _best_paragraph(paragraphs: list[str], terms: set[str]) -> int:
    """Return the paragraph with the most distinct terms (the first, when none has any).

    A cheap first pass, so only that paragraph is split into sentences and weighed closely.
    """
    if not terms or len(paragraphs) < 2:
        return 0
    found = [len(_distinct(p, terms)) for p in paragraphs]
    return max(range(len(paragraphs)), key=lambda i: (found[i], -i))


def best_passage(sentences: list[str], terms: set[str],
                 limit: int = SNIPPET_CHARS) -> tuple[str, bool, bool]:
    """Return the run of sentences with the most distinct terms, and whether text precedes/follows.

    Among equals, a passage that opens on a matching sentence wins, then the earlier one, so a
    document's lead shows when nothing matches better.
    """
    best, best_score = (0, 1), (-1, False)
    matched = [_distinct(s, terms) for s in sentences]
    for start in range(len(sentences)):
        found: set[str] = set()
        length, end = 0, start
        while end < len(sentences) and (end == start or length + len(sentences[end]) <= limit):
            found |= matched[end]
            length += len(sentences[end]) + 1
            end += 1
        score = (len(found), bool(matched[start]))
        if score > best_score:
            best, best_score = (start, end), score
    start, end = best
    passage = " ".join(sentences[start:end]) if sentences else ""
    cut = len(passage) > limit
    if cut:
        passage = passage[:limit].rsplit(" ", 1)[0]
    return passage, start > 0, end < len(sentences) or cut


def _window(paragraph: str, terms: set[str]) -> tuple[str, bool, bool]:
    """Return the part of a long paragraph around its first match, and whether it was cut."""
    if len(paragraph) <= WINDOW_CHARS:
        return paragraph, False, False
    first = next((m.start() for m in TOKEN.finditer(paragraph)
                  if word_terms(m.group()) & terms), 0)
    start = max(0, first - LEAD_CHARS)
    end = start + WINDOW_CHARS
    return paragraph[start:end], start > 0, end < len(paragraph)


def snippet(text: str, terms: set[str], splitter: Callable[[str], list[str]]) -> Markup:
    """Return the best passage of a text (paragraphs apart by blank lines) as marked HTML."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()] or [""]
    best = _best_paragraph(paragraphs, terms)
    window, cut_before, cut_after = _window(paragraphs[best], terms)
    sentences = splitter(window) if window else []
    if cut_before and len(sentences) > 1:
        sentences = sentences[1:]  # the first one starts mid-sentence
    if cut_after and len(sentences) > 1:
        sentences = sentences[:-1]
    passage, before, after = best_passage(sentences, terms)
    before, after = before or cut_before, after or cut_after
    html = mark_terms(passage, terms)
    return Markup("").join([Markup("… ") if before or best > 0 else Markup(""), html,
                            Markup(" …") if after or best < len(paragraphs) - 1 else Markup("")])
