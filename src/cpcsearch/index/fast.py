"""Index text fast: each distinct word goes through the analyzer once, not once per occurrence.

Whoosh runs every token of every document through its generator chain of filters, which is
most of a build's time. Every filter of our analyzers maps one word to terms without looking at
its neighbours, so a word's terms (and the positions they take) can be worked out once, by the
analyzer itself, and reused; only the numbering of positions across words is done here, as
Whoosh's `StopFilter` and `HyphenFilter` do it. Queries still go through the analyzer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whoosh.analysis import (
    CharsetFilter,
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.fields import TEXT
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from cpcsearch.index.analysis import HyphenFilter, NltkStemFilter, PossessiveFilter

# Filters whose output for a word depends on that word alone (StopFilter's renumbering and
# HyphenFilter's shift are the position rules reproduced in `_positions`).
WORDWISE_FILTERS = (CharsetFilter, LowercaseFilter, PossessiveFilter, StopFilter, HyphenFilter,
                    NltkStemFilter)
# Distinct words remembered per field during one build (a few hundred bytes each).
CACHE_WORDS = 500_000

Expansion = tuple[tuple[tuple[int, bytes], ...], int]  # ((offset, term), ...), positions taken


def is_wordwise(analyzer: Any) -> bool:
    """Return whether `analyzer` is a regex tokenizer followed by word-by-word filters only."""
    items = analyzer.items if isinstance(analyzer, CompositeAnalyzer) else [analyzer]
    return (isinstance(items[0], RegexTokenizer) and not items[0].gaps
            and all(isinstance(f, WORDWISE_FILTERS) for f in items[1:])
            and all(getattr(f, "renumber", True) for f in items[1:]))


class WordwiseText(TEXT):
    """A TEXT field indexed through a cache of its analyzer's terms for each distinct word.

    It indexes exactly what TEXT indexes (same terms, frequencies, weights and positions);
    values other than a plain string, and analyzers not made of word-by-word filters, take
    TEXT's own path.
    """

    def __getstate__(self) -> dict[str, Any]:
        # Whoosh pickles the schema into the index: the cache stays out of it.
        return {k: v for k, v in self.__dict__.items() if k not in ("_cache", "_wordwise")}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__getstate__() == self.__getstate__()

    def index(self, value: Any, **kwargs: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
        """Return (term bytes, frequency, weight, encoded value) for each distinct term."""
        if "_wordwise" not in self.__dict__:
            self._wordwise = (type(self.format) in (Positions, Frequency)
                              and is_wordwise(self.analyzer))
        if kwargs or not isinstance(value, str) or not self._wordwise:
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        if type(self.format) is Frequency:
            counts: dict[bytes, int] = {}
            for term, _ in self._positions(value):
                counts[term] = counts.get(term, 0) + 1
            return [(term, freq, freq * boost, pack_uint(freq)) for term, freq in counts.items()]
        poses: dict[bytes, list[int]] = {}
        for term, pos in self._positions(value):
            if term in poses:
                poses[term].append(pos)
            else:
                poses[term] = [pos]
        encode = self.format.encode
        return [(term, len(positions), len(positions) * boost, encode(positions))
                for term, positions in poses.items()]

    def terms(self, value: str) -> list[bytes]:
        """Return the terms indexing makes of `value`, in order (through the word cache)."""
        return [term for term, _ in self._positions(value)]

    def _positions(self, value: str) -> list[tuple[bytes, int]]:
        """Return each term of `value` with its position, in the analyzer's order."""
        cache = self.__dict__.setdefault("_cache", {})
        if len(cache) > CACHE_WORDS:
            cache.clear()
        items = self.analyzer.items if isinstance(self.analyzer, CompositeAnalyzer) else [
            self.analyzer]
        found = []
        pos = 0
        started = False
        for word in items[0].expression.findall(value):
            expansion = cache.get(word)
            if expansion is None:
                expansion = cache[word] = self._expand(word)
            if type(expansion) is bytes:  # the common case: one term, one position
                found.append((expansion, pos))
                pos += 1
                started = True
                continue
            terms, taken = expansion
            if not terms:
                # StopFilter numbers from the first word it keeps, so only leading stop words
                # take a position.
                pos += not started
                continue
            started = True
            found.extend((term, pos + offset) for offset, term in terms)
            pos += taken
        return found

    def _expand(self, word: str) -> bytes | Expansion:
        """Return the terms the analyzer makes of `word` alone, with the positions they take."""
        terms = tuple((t.pos, t.text.encode()) for t in self.analyzer(
            word, positions=True, mode="index") if not t.stopped)
        if len(terms) == 1 and terms[0][0] == 0:
            return terms[0][1]
        return terms, (max(pos for pos, _ in terms) + 1 if terms else 0)
