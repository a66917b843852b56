"""Snippets: the passage with the most distinct query terms, escaped, with matches in `<mark>`.

This is the one place where scraped text becomes HTML: every fragment is escaped here, and
only the `<mark>` tags added here are markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markupsafe import Markup, escape
from whoosh.analysis import Analyzer

SNIPPET_CHARS = 260


def mark_terms(text: str, terms: set[str], analyzer: Analyzer) -> Markup:
    """Return `text` escaped, with every token whose analysed form is in `terms` marked."""
    pieces: list[str] = []
    last = 0
    for token in analyzer(text, chars=True, removestops=False):
        if token.text in terms and token.startchar >= last:
            pieces.append(escape(text[last:token.startchar]))
            pieces.append(Markup("<mark>%s</mark>") % text[token.startchar:token.endchar])
            last = token.endchar
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


def _distinct(text: str, terms: set[str], analyzer: Analyzer) -> set[str]:
    return {t.text for t in analyzer(text) if t.text in terms}


def best_passage(sentences: list[str], terms: set[str], analyzer: Analyzer,
                 limit: int = SNIPPET_CHARS) -> tuple[str, bool, bool]:
    """Return the run of sentences with the most distinct terms, and whether text precedes/follows.

    Among equals, a passage that opens on a matching sentence wins, then the earlier one, so a
    document's lead shows when nothing matches better.
    """
    best, best_score = (0, 1), (-1, False)
    matched = [_distinct(s, terms, analyzer) for s in sentences]
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


def snippet(fields: Iterable[str], terms: set[str], analyzer: Analyzer,
            splitter: Callable[[str], list[str]]) -> Markup:
    """Return the best passage of the given texts (summary, body...) as escaped, marked HTML."""
    sentences = [s for text in fields if text for s in splitter(text)]
    passage, before, after = best_passage(sentences, terms, analyzer)
    html = mark_terms(passage, terms, analyzer)
    return Markup("").join([Markup("… ") if before else Markup(""), html,
                            Markup(" …") if after else Markup("")])
