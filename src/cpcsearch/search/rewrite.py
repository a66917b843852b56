"""Rewrites of a parsed query tree: Lucene's meaning for its groups, bounds, repeated words.

Each rewrite takes and returns a Whoosh query; `parse.py` applies them in turn before the tree
is normalized.
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable
from itertools import islice
from weakref import WeakKeyDictionary

from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import query as wq
from whoosh.reading import IndexReader, SegmentReader

from cpcsearch.index.lexicon import segment_terms
from cpcsearch.index.schema import AUTHOR_WORDS
from cpcsearch.search import ranking
from cpcsearch.search.dates import DATE_FIELD

# Terms in these fields restrict the results rather than rank them.
RESTRICTION_FIELDS = frozenset({"date", AUTHOR_WORDS, "topic_text", "section_text"})
# Bounds on the terms one wildcard, prefix, fuzzy word or range of words may stand for
# (Elasticsearch's max_expansions), and the letters a wildcard needs before its first `*` (`?` is
# punctuation: `parse.sanitize`).
MAX_EXPANSIONS = 128
MIN_PREFIX = 2
# Edits a fuzzy word may stand for, by the length of its term (Elasticsearch's AUTO fuzziness;
# Lucene allows no more than 2): a short word is within a few edits of every short word.
FUZZY_EDITS = ((6, 2), (3, 1))  # (from this many letters, at most this many edits)
DATE_NOTICE = ("A date term that is not a date was left out: write date:2023, date:2023-05 or "
               "date:[2022 to 2024].")
FUZZY_NOTICE = ("A fuzzy word (word~) allows 1 edit from 3 letters and 2 from 6 letters; a "
                "shorter word is searched as typed.")


class Expanding:
    """A query that stands for some of the index's terms (a bounded pattern, fuzzy word or range
    of words), worked out once per reader: the search and the marking of its hits both ask."""

    def terms(self, ixreader: IndexReader) -> list[str]:
        """Return the terms the query stands for in a commit's or a segment's reader."""
        kept = self.__dict__.get("_terms")
        if kept is None:  # weak: a query kept, or copied, holds no reader open
            kept = self.__dict__["_terms"] = WeakKeyDictionary()
        if ixreader not in kept:
            kept[ixreader] = [text.decode() if isinstance(text, bytes) else text
                              for text in self._btexts(ixreader) if text]  # type: ignore[attr-defined]
        return kept[ixreader]


class _Capped(Expanding):
    """Expand to at most MAX_EXPANSIONS index terms."""

    def _btexts(self, ixreader):  # type: ignore[no-untyped-def]
        return islice(super()._btexts(ixreader), MAX_EXPANSIONS)  # type: ignore[misc]


class CappedPrefix(_Capped, wq.Prefix):
    """A prefix query bounded in the terms it expands to."""


class CappedWildcard(_Capped, wq.Wildcard):
    """A wildcard query bounded in the terms it expands to."""


class CappedRange(_Capped, wq.TermRange):
    """A range of words (`[a TO c]` in a text field) bounded in the terms it expands to."""

    @classmethod
    def of(cls, query: wq.TermRange) -> CappedRange:
        """Return a range's bounded copy."""
        return cls(query.fieldname, query.start, query.end, query.startexcl, query.endexcl,
                   boost=query.boost)

    def normalize(self) -> wq.Query:
        found = super().normalize()  # Whoosh's makes a range a plain TermRange again
        return CappedRange.of(found) if type(found) is wq.TermRange else found


# Each segment's terms of a field, read once for its fuzzy words (a segment's reader lives as
# long as its commit is searched; read holding the searcher's lock, as Whoosh's matchers are)
_SEGMENT_TERMS: WeakKeyDictionary[SegmentReader, dict[str, list[str]]] = WeakKeyDictionary()


def _segment_terms(reader: SegmentReader, fieldname: str) -> list[str]:
    fields = _SEGMENT_TERMS.setdefault(reader, {})
    if fieldname not in fields:
        fields[fieldname] = segment_terms(reader, fieldname)
    return fields[fieldname]


class CappedFuzzy(Expanding, wq.FuzzyTerm):
    """A typo-tolerant term bounded in the terms it expands to, the closest first.

    Whoosh computes the distance of every term of the field in Python (a second a fuzzy word at
    21,600 articles); rapidfuzz compares them all in C++.
    """

    def _btexts(self, ixreader):  # type: ignore[no-untyped-def]
        prefix = self.text[:self.prefixlength]
        close: dict[str, int] = {}
        for reader, _ in ixreader.leaf_readers():  # one segment's, or every segment's
            if isinstance(reader, SegmentReader):  # not the reader of an emptied index
                close.update((term, distance) for term, distance, _ in process.extract(
                    self.text, _segment_terms(reader, self.fieldname), scorer=OSA.distance,
                    score_cutoff=self.maxdist, limit=None) if term.startswith(prefix))
        return sorted(close, key=lambda term: (close[term], term))[:MAX_EXPANSIONS]


def rebuild(query: wq.Query, fn: Callable[[wq.Query], wq.Query]) -> wq.Query:
    """Return `query` with `fn` applied to its children (keeping an Or's coordination scale;
    a binary query, `+a b` or `a -b`, keeps its children as `a` and `b`, so it is rebuilt);
    `query` itself if no child changed."""
    if isinstance(query, wq.CompoundQuery) and not isinstance(query, wq.BinaryQuery):
        children = [fn(child) for child in query.subqueries]
        if all(map(operator.is_, children, query.subqueries)):
            return query
        rebuilt = copy.copy(query)
        rebuilt.subqueries = children
        return rebuilt
    return query.apply(fn)


def fuzzy_edits(term: str) -> int:
    """Return the most edits a fuzzy word may stand for, by the length of its term."""
    return next((edits for letters, edits in FUZZY_EDITS if len(term) >= letters), 0)


def add_notice(notices: list[str], notice: str) -> None:
    """Add a notice to a query's notices, once."""
    if notice not in notices:
        notices.append(notice)


def bounded(query: wq.Query, notices: list[str]) -> wq.Query:
    """Cap the expansions of wildcard, prefix, fuzzy and range terms and a fuzzy word's edits; drop
    too-short wildcards, and date terms that are not dates (the dates plugin makes every date
    a range; what is left, `date:"x"` or `date:[x`, would fail when searched)."""
    if query.is_leaf() and query.field() == DATE_FIELD and not isinstance(query, wq.DateRange):
        add_notice(notices, DATE_NOTICE)
        return wq.NullQuery
    if isinstance(query, (wq.Term, wq.Phrase, wq.MultiTerm)) and query.field() is None:
        return wq.NullQuery  # a boost alone in parentheses, `(^2)`: no word, in no field
    if isinstance(query, (wq.Prefix, wq.Wildcard)):
        literal = query.text.split("*", 1)[0]
        if len(literal) < MIN_PREFIX:
            typed = f"{query.text}*" if isinstance(query, wq.Prefix) else query.text
            add_notice(notices, f"{typed!r} was left out: a wildcard needs at least "
                       f"{MIN_PREFIX} letters before its first *")
            return wq.NullQuery
        capped = CappedPrefix if isinstance(query, wq.Prefix) else CappedWildcard
        return capped(query.fieldname, query.text, boost=query.boost)
    if isinstance(query, wq.TermRange):
        return CappedRange.of(query)
    if isinstance(query, wq.FuzzyTerm):
        edits = min(query.maxdist, fuzzy_edits(query.text))
        if edits < query.maxdist:
            add_notice(notices, FUZZY_NOTICE)
        if not edits:
            return wq.Term(query.fieldname, query.text, boost=query.boost)
        return CappedFuzzy(query.fieldname, query.text, boost=query.boost, maxdist=edits,
                           prefixlength=min(query.prefixlength, len(query.text)))  # gas~1/9
    return rebuild(query, lambda child: bounded(child, notices))


def _leaf_fields(query: wq.Query) -> set[str | None]:
    if query.is_leaf():
        return {query.field()}
    return {f for child in query.children() for f in _leaf_fields(child)}


def _is_restriction(query: wq.Query) -> bool:
    """Tell whether a clause only restricts by date, author, topic or section."""
    fields = _leaf_fields(query)
    return bool(fields) and fields <= RESTRICTION_FIELDS


def semantics(query: wq.Query) -> wq.Query:
    """Give the default (OR) groups of the tree Lucene's meaning, at every level.

    In a group of plain words, `NOT b` excludes b (Whoosh reads it as "or anything but b",
    which matches nearly everything), and a date, author, topic or section term restricts the
    results instead of being one more optional word. Groups joined by an explicit OR are left
    as they are: `date:2022 OR gas` means either.
    """
    query = rebuild(query, semantics)
    if not isinstance(query, ranking.Words):
        return query
    negated = [q.query for q in query.subqueries if isinstance(q, wq.Not)]
    kept = [q for q in query.subqueries if not isinstance(q, wq.Not)]
    required = [q for q in kept if _is_restriction(q)]
    optional = [q for q in kept if not _is_restriction(q)]
    if not (negated or required):
        return query
    positive: list[wq.Query] = list(required)
    if optional:
        words = copy.copy(query)
        words.subqueries = optional
        positive.insert(0, words)
    exclude = negated[0] if len(negated) == 1 else wq.Or(negated)
    if not positive:
        return wq.Not(exclude)
    found = positive[0] if len(positive) == 1 else wq.And(positive)
    return wq.AndNot(found, exclude) if negated else found


def repeats(query: wq.Query, rank: ranking.Ranking) -> wq.Query:
    """Weigh a word typed several times more (the tree's normalize would keep it once)."""
    query = rebuild(query, lambda child: repeats(child, rank))
    if not isinstance(query, wq.Or):
        return query
    counts: dict[wq.Query, int] = {}
    for sub in query.subqueries:
        counts[sub] = counts.get(sub, 0) + 1
    if len(counts) == len(query.subqueries):
        return query
    merged = copy.copy(query)
    merged.subqueries = [sub.with_boost(sub.boost * rank.repeated(n)) if n > 1 else sub
                         for sub, n in counts.items()]
    return merged
