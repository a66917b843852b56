"""Index text fast: each distinct word goes through the analyzer once, not once per occurrence.

Whoosh runs every token of every document through its generator chain of filters, which is
most of a build's time. Every filter of our analyzers maps one word to terms without looking at
its neighbours, so a word's terms (and the positions they take) can be worked out once, by the
analyzer itself, and reused; only the numbering of positions across words is done here, as
Whoosh's `StopFilter` and `HyphenFilter` do it. A query's plain word is worked out the same way.
"""

from __future__ import annotations

import re
import string
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import chain
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
from whoosh.support.charset import accent_map
from whoosh.system import pack_uint

from cpcsearch.index.analysis import HyphenFilter, NltkStemFilter, PossessiveFilter, stem

# Filters whose output for a word depends on that word alone (StopFilter's renumbering and
# HyphenFilter's shift are the position rules reproduced in `_positions`)..
WORDWISE_FILTERS = (CharsetFilter, LowercaseFilter, PossessiveFilter, StopFilter, HyphenFilter,
                    NltkStemFilter)
# Distinct words remembered per field during one build (a few hundred bytes each).
CACHE_WORDS = 500_000

Expansion = tuple[tuple[tuple[int, bytes], ...], int]  # ((offset, term), ...), positions taken
STOPPED: Expansion = ((), 0)


def is_wordwise(analyzer: Any) -> bool:
    """Return whether `analyzer` is a regex tokenizer followed by word-by-word filters only."""
    items = analyzer.items if isinstance(analyzer, CompositeAnalyzer) else [analyzer]
    return (isinstance(items[0], RegexTokenizer) and not items[0].gaps
            and all(isinstance(f, WORDWISE_FILTERS) for f in items[1:])
            and all(getattr(f, "renumber", True) for f in items[1:]))


def lowercases_first(analyzer: Any) -> bool:
    """Return whether an ASCII text may be lowercased before tokenizing without changing its terms.

    So it may when the analyzer lowercases before any filter that minds case; folding accents
    (Whoosh's `accent_map`) maps ASCII letters as lowercasing does.
    """
    for item in analyzer.items[1:] if isinstance(analyzer, CompositeAnalyzer) else []:
        if isinstance(item, LowercaseFilter):
            return True
        if not (isinstance(item, CharsetFilter) and item.charmap == accent_map):
            return False
    return False


# A word of these characters only (no capitals, hyphens or apostrophes) passes each filter of
# WORDWISE_FILTERS unchanged, or stopped, or stemmed: its terms can be worked out without the
# analyzer's chain of generators.
PLAIN_CHARS = string.ascii_lowercase + string.digits + "._"
PLAIN_WORD = re.compile(f"[{re.escape(PLAIN_CHARS)}]+")


def plain_terms(analyzer: Any) -> Callable[[str], bytes | Expansion | None] | None:
    """Return a function giving the analyzer's terms of a plain word (None for another word).

    None if a filter could do more to a plain word than leave it as it is, stop or stem it.
    """
    tokenizer, *filters = analyzer.items if isinstance(analyzer, CompositeAnalyzer) else [
        analyzer]
    steps: list[Callable[[str], str | None]] = []
    for item in filters:
        if isinstance(item, StopFilter):
            steps.append(partial(_unless_stopped, item))
        elif isinstance(item, NltkStemFilter):
            steps.append(partial(stem, item.algorithm))
        elif not isinstance(item, WORDWISE_FILTERS) or isinstance(item, CharsetFilter) and (
                PLAIN_CHARS.translate(item.charmap) != PLAIN_CHARS):
            return None

    def terms(word: str) -> bytes | Expansion | None:
        if not PLAIN_WORD.fullmatch(word) or tokenizer.expression.findall(word) != [word]:
            return None
        for step in steps:
            stepped = step(word)
            if stepped is None:
                return STOPPED
            word = stepped
        return word.encode()

    return terms


def _unless_stopped(stop: StopFilter, word: str) -> str | None:
    too_long = stop.max is not None and len(word) > stop.max
    return None if len(word) < stop.min or too_long or word in stop.stops else word


class Words(dict[str, bytes | Expansion]):
    """Map each word to the analyzer's terms for it, worked out on first sight.

    A word is usually one term at one position (its bytes); otherwise an `Expansion`.
    `alone` keeps the encoded value of a term found at one position only.
    """

    def __init__(self, analyzer: Any) -> None:
        super().__init__()
        self.analyzer = analyzer
        self.alone: dict[int, bytes] = {}
        # The last text looked up and its words' terms: a document's content is read twice
        # (its term vector, then its postings).
        self.last: tuple[str, list[bytes | Expansion]] = ("", [])
        self.lowercase = lowercases_first(analyzer)
        # An analyzer that only lowercases after tokenizing makes a lowered word its own term.
        self.verbatim = self.lowercase and len(analyzer.items) == 2
        self.plain = plain_terms(analyzer)

    def __missing__(self, word: str) -> bytes | Expansion:
        if len(self) > CACHE_WORDS:
            self.clear()
        plain = self.plain and self.plain(word)
        if plain is not None:
            self[word] = plain
            return plain
        terms = tuple((t.pos, t.text.encode()) for t in self.analyzer(
            word, positions=True, mode="index") if not t.stopped)
        if len(terms) == 1 and terms[0][0] == 0:
            self[word] = terms[0][1]
        else:
            self[word] = (terms, max(pos for pos, _ in terms) + 1) if terms else STOPPED
        return self[word]


# The words of every live field, for fields with equal analyzers to share them (content and
# title, words and title_words); they go with the schema that holds them.
_LIVE: list[weakref.ref[Words]] = []


def shared_words(analyzer: Any) -> Words:
    """Return the words of a live field whose analyzer equals `analyzer`, or new ones."""
    for ref in list(_LIVE):
        words = ref()
        if words is None:
            _LIVE.remove(ref)
        elif words.analyzer == analyzer:
            return words
    words = Words(analyzer)
    _LIVE.append(weakref.ref(words))
    return words


class Joined(str):
    """A text joined from parts, whose tokens are read part by part and kept a while.

    A document's fields share parts (its body is in `content` and in `words`), so each part is
    tokenized once; when a tokenizer could take the separator into a token, the whole text is.
    """

    parts: tuple[str, ...]
    separator: str

    def __new__(cls, separator: str, parts: Iterable[str]) -> Joined:
        parts = tuple(parts)
        text = super().__new__(cls, separator.join(parts))
        text.parts, text.separator = parts, separator
        return text


# The tokens of the last parts read, by (tokenizer, lowered?, part): a few documents' worth.
_PART_TOKENS: dict[tuple[int, bool, int], tuple[re.Pattern[str], str, list[str]]] = {}
PART_TOKENS = 32


def _tokens(expression: re.Pattern[str], text: str, lowered: bool) -> list[str]:
    """Return the tokens of `text` (lowercased first if `lowered`), those of a `Joined`'s parts
    read once."""
    if type(text) is not Joined or expression.findall(f"a{text.separator}a") != ["a", "a"]:
        return expression.findall(text.lower() if lowered else text)
    tokens: list[str] = []
    for part in text.parts:
        key = (id(expression), lowered, id(part))
        known = _PART_TOKENS.get(key)
        if known is None or known[0] is not expression or known[1] is not part:
            if len(_PART_TOKENS) >= PART_TOKENS:
                _PART_TOKENS.clear()
            known = _PART_TOKENS[key] = (
                expression, part, expression.findall(part.lower() if lowered else part))
        tokens += known[2]
    return tokens


class WordwiseText(TEXT):
    """A TEXT field indexed through a cache of its analyzer's terms for each distinct word.

    It indexes exactly what TEXT indexes (same terms, frequencies, weights and positions);
    values other than a plain string, and analyzers not made of word-by-word filters, take
    TEXT's own path.
    """

    def __getstate__(self) -> dict[str, Any]:
        # Whoosh pickles the schema into the index: the caches stay out of it.
        return {k: v for k, v in self.__dict__.items() if k not in ("_words", "_plain")}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__getstate__() == self.__getstate__()

    def seen_words(self) -> Words | None:
        """Return the words this field's cache has analysed so far (None before any)."""
        return self.__dict__.get("_words")

    def _found(self, value: Any) -> Iterator[bytes | Expansion] | None:
        """Return the cached terms of each word of `value` (None: the cache cannot serve it)."""
        words = self.seen_words()
        if words is None and type(self.format) in (Positions, Frequency) and is_wordwise(
                self.analyzer):
            words = self._words = shared_words(self.analyzer)
        if not isinstance(value, str) or words is None:
            return None
        last = words.last  # read once: another thread may replace it
        if last[0] is not value:
            items = self.analyzer.items if isinstance(self.analyzer, CompositeAnalyzer) else [
                self.analyzer]
            lowered = words.lowercase and value.isascii()
            tokens = _tokens(items[0].expression, value, lowered)
            lookup = str.encode if lowered and words.verbatim else words.__getitem__
            last = words.last = (value, list(map(lookup, tokens)))
        return iter(last[1])

    def process_text(self, qstring: Any, mode: str = "", **kwargs: Any) -> Iterable[str]:
        """Return the terms TEXT makes of a text (a query's word, mostly); those of a plain
        word without the analyzer's chain of generators (`plain_terms`)."""
        if "_plain" not in self.__dict__:
            self._plain = plain_terms(self.analyzer) if is_wordwise(self.analyzer) else None
        as_usual = kwargs.get("tokenize", True) and kwargs.get("removestops", True) and not (
            kwargs.keys() - {"tokenize", "removestops"})
        terms = (self._plain(qstring) if self._plain and as_usual and isinstance(qstring, str)
                 else None)
        if terms is None:
            return super().process_text(qstring, mode=mode, **kwargs)
        return [] if terms == STOPPED else [terms.decode()]

    def counts(self, value: str) -> Counter[bytes]:
        """Return how many times each term occurs in `value`, as indexing counts them."""
        found = self._found(value)
        if found is None:
            return Counter(t.text.encode() for t in self.analyzer(value, mode="index"))
        return _count(found)

    def index(self, value: Any, **kwargs: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
        """Return (term bytes, frequency, weight, encoded value) for each distinct term."""
        found = None if kwargs else self._found(value)
        if found is None:
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        if type(self.format) is Frequency:
            return [(term, freq, freq * boost, pack_uint(freq))
                    for term, freq in _count(found).items()]
        encode = self.format.encode
        alone = self._words.alone
        items = []
        for term, positions in _positions(found).items():
            if len(positions) == 1:  # most terms occur once in a text: encode each position once
                value = alone.get(positions[0]) or alone.setdefault(positions[0], encode(positions))
            else:
                value = encode(positions)
            items.append((term, len(positions), len(positions) * boost, value))
        return items


def _count(found: Iterable[bytes | Expansion]) -> Counter[bytes]:
    """Return how many times each term occurs."""
    counts: Counter[Any] = Counter(found)
    for expansion in [key for key in counts if type(key) is not bytes]:
        times = counts.pop(expansion)
        for _, term in expansion[0]:
            counts[term] += times
    return counts


def _positions(found: Iterator[bytes | Expansion]) -> dict[bytes, list[int]]:
    """Return the positions of each term, numbered as StopFilter and HyphenFilter number them."""
    poses: defaultdict[bytes, list[int]] = defaultdict(list)
    pos = 0
    # StopFilter numbers from the first word it keeps: only leading stop words take a position.
    for first in found:
        if first is not STOPPED:
            break
        pos += 1
    else:
        return poses
    for expansion in chain([first], found):
        if type(expansion) is bytes:
            poses[expansion].append(pos)
            pos += 1
        elif expansion is not STOPPED:
            terms, taken = expansion
            for offset, term in terms:
                poses[term].append(pos + offset)
            pos += taken
    return poses
