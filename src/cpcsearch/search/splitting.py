"""Sentence spans for snippets, from the splitter trained for the commit (`index/sentences.py`).

A commit of few and short enough articles has every paragraph a snippet may show split once,
when a snippet first needs sentences (about 40 ms for 1,000 Reuters articles): a snippet then
looks them up, where splitting cost it some 20 µs a hit. Otherwise only the window of a paragraph
that a snippet shows is split (Punkt's cost grows with the text), and the last windows are kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from functools import lru_cache, partial

from nltk.tokenize.punkt import PunktSentenceTokenizer

from cpcsearch.index.sentences import sentence_spans, trimmed

Span = tuple[int, int]  # a stretch of a text: its first character and the one after its last
# The most characters of text a commit splits whole (about 50 ms).
WHOLE_CHARS = 1_000_000
# Sentence spans of snippet windows a commit keeps: a hit recurs across queries, and a short
# paragraph (or one matched near its start) is the same window whatever the query.
CACHED_SPANS = 4096


def paragraphs(text: str) -> list[str]:
    """Return the paragraphs of a text (apart by blank lines) that a snippet chooses from."""
    return [p for p in text.split("\n\n") if p.strip()] or [""]


class SentenceSpans:
    """The sentences of the paragraphs snippets show, in one commit.

    `texts` gives the text of each of its articles that snippets are made from, or None if the
    commit has too many to split whole.
    """

    def __init__(self, tokenizer: PunktSentenceTokenizer,
                 texts: Callable[[], Iterable[str]] | None) -> None:
        self.split = partial(sentence_spans, tokenizer=tokenizer)
        self.window = lru_cache(CACHED_SPANS)(self.split)
        self._texts = texts
        self._whole: dict[str, tuple[Span, ...]] = {}
        self._splitting = threading.Lock()

    def __call__(self, paragraph: str, start: int, end: int) -> list[Span]:
        """Return the spans of the sentences of `paragraph` from `start` to `end`, the first and
        the last cut there if they go on beyond."""
        whole = self._paragraphs().get(paragraph)
        if whole is None:
            return [(start + a, start + b) for a, b in self.window(paragraph[start:end])]
        cut = (trimmed(paragraph, max(a, start), min(b, end))  # at the window's edges
               for a, b in whole if b > start and a < end)
        return [span for span in cut if span is not None]

    def _paragraphs(self) -> dict[str, tuple[Span, ...]]:
        """Return every paragraph's sentences, split when first asked for, if the commit's
        articles hold no more than `WHOLE_CHARS` characters."""
        if self._texts is not None:
            with self._splitting:
                if self._texts is not None:
                    texts = list(self._texts())
                    if sum(map(len, texts)) <= WHOLE_CHARS:
                        self._whole = {p: self.split(p) for text in texts
                                       for p in paragraphs(text)}
                    self._texts = None
        return self._whole
