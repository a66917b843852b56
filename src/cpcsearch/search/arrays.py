"""Score a query tree with NumPy over each commit's postings; Whoosh's matchers do the rest.

Words and their boolean and synonym combinations (nearly all that readers type) are scored from
per-term arrays read once per commit: BM25F exactly as Whoosh computes it (or InB2, fused with
it: `models.py`), but a query costs a few array operations instead of several Python calls per
posting; phrases are matched on their words' positions (`phrases.py`); a pattern, fuzzy word or
range of words is scored as the terms it stands for. Any other node (date ranges, phrases with
slop) is matched by Whoosh itself, per segment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from cachetools import LRUCache
from whoosh import formats
from whoosh import query as wq
from whoosh.matching import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader
from whoosh.searching import Searcher, TimeLimit

from cpcsearch.index import impacts
from cpcsearch.index.columns import column_numbers, field_lengths
from cpcsearch.index.reading import segments
from cpcsearch.search import models, phrases
from cpcsearch.search.ranking import BM25, INB2, DisMax
from cpcsearch.search.rewrite import Expanding

CACHED_TERMS = 20_000  # per commit; a term's arrays take 12 bytes a posting (20 with InB2's)
# A commit with no more postings in a field reads every term of the field at once, and scores
# them at once, when it is first searched (11 ms for the 62,000 of 1,000 Reuters articles; 32
# bytes a posting): a term read and scored alone costs some 25 µs of Python and NumPy calls, most
# of a new query's words.
TABLE_POSTINGS = 500_000
CACHED_POSITIONS = 32 << 20  # bytes of words' positions kept per commit, for phrases
CHECK_EVERY = 512  # matches between two looks at the clock, in Whoosh's matchers


@dataclass(frozen=True)
class Scored:
    """Matching document numbers (sorted, unique) and their scores: one a document, or a row of
    them a model when several models score the same matches (the last axis: the documents)."""

    ids: np.ndarray
    scores: np.ndarray

    def scaled(self, factor: float) -> Scored:
        """Return the same matches with scores multiplied by `factor`."""
        return self if factor == 1.0 else Scored(self.ids, self.scores * factor)

    def best(self, depth: int) -> list[tuple[int, float]]:
        """Return the `depth` best (document number, score), best first, ties by document order."""
        ids, scores = self.ids, self.scores
        if len(ids) > depth:  # only the candidates that can reach the top are sorted
            kth = np.partition(scores, len(scores) - depth)[len(scores) - depth]
            keep = scores >= kth
            ids, scores = ids[keep], scores[keep]
        order = np.lexsort((ids, -scores))[:depth]
        return list(zip(ids[order].tolist(), scores[order].tolist(), strict=True))


EMPTY = Scored(np.empty(0, np.int64), np.empty(0))


def segment_postings(reader: IndexReader, fieldname: str, text: str) -> Matcher:
    """Return a segment's matcher of a term over all its postings, deleted documents' too.

    Whoosh wraps a segment with deletions in a filter that skips them one posting at a time and
    hides the blocks; the live mask removes them at once. The filter has moved past the deleted
    documents a list starts with, so its matcher is taken back to the start (else a term of a
    deleted document alone would count no postings, where Whoosh's idf counts one).
    """
    matcher = reader.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
        matcher.reset()
    return matcher


def block_postings(matcher: Matcher) -> tuple[np.ndarray, np.ndarray]:
    """Return the document numbers and weights (frequencies) of a segment's term, block by block.

    Reads Whoosh 2.7's W3 posting blocks whole (the version is pinned), where its public
    iteration costs several calls per posting.
    """
    ids, weights = [], []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.append(np.asarray(matcher._ids, dtype=np.int64))
        weights.append(np.asarray(matcher._weights, dtype=np.float64))
        matcher._next_block()
    if not ids:
        return EMPTY.ids, EMPTY.scores
    return np.concatenate(ids), np.concatenate(weights)


class Postings:
    """One commit's term arrays (weighted by BM25F, and by InB2 if it has its `c`), field
    lengths and live documents."""

    def __init__(self, searcher: Searcher, k1: float, b: float, c: float | None = None,
                 reading: threading.RLock | None = None) -> None:
        self.searcher = searcher
        self.k1, self.b, self.c = k1, b, c
        self.size = searcher.reader().doc_count_all()
        self.leaves = list(searcher.leaf_searchers())
        # each segment's saved postings by field, where cpcsearch's writer saved them
        self.saved = [impacts.load(*segment) if segment else {} for segment in segments(searcher)]
        live = np.zeros(self.size, dtype=bool)
        for sub, offset in self.leaves:
            live[np.fromiter(sub.reader().all_doc_ids(), dtype=np.int64) + offset] = True
        self.live = live
        self.deletions = not live.all()
        self.documents = searcher.doc_count()  # live ones
        self._arrays: dict[Hashable, np.ndarray] = {}
        self._tables: dict[str, _Table | None] = {}
        self._terms: LRUCache[tuple[str, str], _Term] = LRUCache(CACHED_TERMS)
        self._positions: LRUCache[tuple[str, str], np.ndarray] = LRUCache(
            CACHED_POSITIONS, getsizeof=lambda keys: keys.nbytes or 1)
        # Whoosh's files are read with a seek, so one thread at a time reads them: the lock of
        # every read of the searcher's files (`reading.Snapshot`), or one of its own
        self.reading = reading or threading.RLock()

    def _array(self, key: Hashable, make: Callable[[], np.ndarray]) -> np.ndarray:
        """Return the per-document array `key`, made once per commit."""
        with self.reading:
            if key not in self._arrays:
                self._arrays[key] = make()
            return self._arrays[key]

    def saturation(self, fieldname: str, models_: tuple[str, ...]) -> np.ndarray:
        """Return every document's m in a field by each of `models_` (`models.py`), a row a
        model, from its length as Whoosh stores it over the mean."""

        def make() -> np.ndarray:
            relative = (field_lengths(self.searcher.reader(), fieldname)
                        / (self.searcher.avg_field_length(fieldname) or 1))
            return np.vstack([models.inb2_saturation(relative, self.c) if model == INB2
                              else models.bm25_saturation(relative, self.k1, self.b)
                              for model in models_])

        return self._array(("saturation", fieldname, models_), make)

    def column(self, fieldname: str) -> np.ndarray:
        """Return a sortable column's raw values (what Whoosh sorts by), per document number.

        As floats: a date's microseconds stay exact to a few, and a missing value's marker
        (2^64 - 1) fits.
        """

        def make() -> np.ndarray:
            return column_numbers(self.searcher.reader(), fieldname)

        return self._array(("column", fieldname), make)

    def term(self, fieldname: str, text: str, model: str = BM25) -> Scored:
        """Return the live documents holding a term and the term's score in each, by `model`
        (its frequencies, in a field without lengths)."""
        return self.term_by(fieldname, text, (model,))

    def term_by(self, fieldname: str, text: str, models_: tuple[str, ...]) -> Scored:
        """Return `term` scored by each of `models_`, a row a model (by one: as `term`)."""
        found = self._term(fieldname, text)
        scored = found.scored.get(models_)
        if scored is None:
            rows = self._scores(fieldname, found, models_)
            scored = found.scored[models_] = Scored(found.ids,
                                                    rows if len(models_) > 1 else rows[0])
        return scored

    def count(self, fieldname: str, text: str) -> int:
        """Return how many live documents hold a term (no scores computed)."""
        return len(self._term(fieldname, text).ids)

    def _term(self, fieldname: str, text: str) -> _Term:
        key = (fieldname, text)
        with self.reading:
            found = self._terms.get(key)
            if found is None:
                term = self.searcher.schema[fieldname].to_bytes(text)
                table = self._table(fieldname)
                found = self._terms[key] = (table.term(term) if table and impacts.covers(term)
                                            else self._read(fieldname, term))
        return found

    def _table(self, fieldname: str) -> _Table | None:
        """Return every term of a field read at once (made when first asked for), if a segment
        saved the field's arrays and the commit has no more than `TABLE_POSTINGS` postings in
        it (a segment without them counts its field's length)."""
        if fieldname not in self._tables:
            self._tables[fieldname] = None
            if any(fieldname in saved for saved in self.saved) and sum(
                    len(saved[fieldname].docs) if fieldname in saved
                    else sub.reader().field_length(fieldname)
                    for (sub, _), saved in zip(self.leaves, self.saved, strict=True)
            ) <= TABLE_POSTINGS:
                self._tables[fieldname] = _Table(
                    [self._segment_field(fieldname, sub.reader(), offset, saved)
                     for (sub, offset), saved in zip(self.leaves, self.saved, strict=True)],
                    self.live if self.deletions else None)
        return self._tables[fieldname]

    @staticmethod
    def _segment_field(fieldname: str, reader: IndexReader, offset: int,
                       saved: dict[str, impacts.Impacts]) -> _Field:
        """Return a segment's postings of a field: the arrays saved beside it, else every term
        `impacts.covers` read from Whoosh's blocks."""
        if fieldname in saved:
            found = saved[fieldname]
            return _Field(found.terms, found.starts, found.docs + offset, found.freqs)
        terms = [term for term in reader.lexicon(fieldname) if impacts.covers(term)]
        lists = [block_postings(segment_postings(reader, fieldname, term)) for term in terms]
        starts = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum([len(docs) for docs, _ in lists], out=starts[1:])
        return _Field(np.array(terms, dtype=bytes), starts,
                      np.concatenate([EMPTY.ids, *(docs for docs, _ in lists)]) + offset,
                      np.concatenate([EMPTY.scores, *(tf for _, tf in lists)]))

    def positions(self, fieldname: str, text: str, deadline: float) -> np.ndarray | None:
        """Return a word's (document << 32 | position) keys in every document, deleted ones
        too, or None if reading them passed the deadline."""
        key = (fieldname, text)
        with self.reading:
            found = self._positions.get(key)
            if found is None:
                parts = []
                for sub, offset in self.leaves:
                    if (fieldname, text) in sub.reader():
                        part = phrases.positions(segment_postings(sub.reader(), fieldname, text),
                                                 offset, deadline)
                        if part is None:
                            return None
                        parts.append(part)
                found = np.concatenate(parts) if parts else EMPTY.ids
                self._positions[key] = found
        return found

    def _read(self, fieldname: str, term: bytes) -> _Term:
        """Return a term's live documents and frequencies."""
        ids, tfs = [], []
        for (sub, offset), saved in zip(self.leaves, self.saved, strict=True):
            reader = sub.reader()
            if fieldname in saved and impacts.covers(term):
                found = saved[fieldname].postings(term)
            elif (fieldname, term) in reader:
                found = block_postings(segment_postings(reader, fieldname, term))
            else:
                found = None
            if found is not None:
                ids.append(found[0] + offset)
                tfs.append(found[1])
        if not ids:
            return _Term(EMPTY.ids, EMPTY.scores, 0)
        docs, tf = (ids[0], tfs[0]) if len(ids) == 1 else (np.concatenate(ids), np.concatenate(tfs))
        listed = len(docs)
        if self.deletions:
            keep = self.live[docs]
            docs, tf = docs[keep], tf[keep]
        return _Term(docs, tf, listed)

    def _scores(self, fieldname: str, term: _Term, models_: tuple[str, ...]) -> np.ndarray:
        """Return a term's scores by each of `models_`, a row a model."""
        if not len(term.tf) or not self.searcher.schema[fieldname].scorable:
            return np.tile(term.tf, (len(models_), 1))
        if term.span is not None:  # scored with every term of its table
            table = self._tables[fieldname]
            rows = table.rows.get(models_)
            if rows is None:
                rows = table.rows[models_] = self._scored(
                    fieldname, table.tf, table.docs, models_, table.listed.tolist(),
                    np.diff(table.starts).tolist(), table.occurrences().tolist())
            return rows[:, term.span[0]:term.span[1]]
        return self._scored(fieldname, term.tf, term.ids, models_, [term.listed], [len(term.tf)],
                            [float(term.tf.sum())])

    def _scored(self, fieldname: str, tf: np.ndarray, ids: np.ndarray, models_: tuple[str, ...],
                listed: list[int], df: list[int], occurrences: list[float]) -> np.ndarray:
        """Return the scores by each of `models_` of the postings `tf` (of the documents `ids`)
        of consecutive terms, each term's postings in a run (`listed`: each term's postings,
        deleted documents' too; `df`: its live ones; `occurrences`: its frequencies' sum)."""
        factors = np.array([
            [models.inb2_factor(live, total, self.documents) if live else 0.0
             for live, total in zip(df, occurrences, strict=True)] if model == INB2
            else [models.bm25_factor(postings, self.size, self.k1) for postings in listed]
            for model in models_])
        return models.saturated(tf, self.saturation(fieldname, models_)[:, ids],
                                factors if len(df) == 1 else np.repeat(factors, df, axis=1))

@dataclass
class _Term:
    """A term's live documents and frequencies in one commit (`listed`: its postings, deleted
    documents' too), and its scores by each model or models, computed when first asked for
    (`span`: where its postings stand in its field's `_Table`, if it has one)."""

    ids: np.ndarray
    tf: np.ndarray
    listed: int
    span: tuple[int, int] | None = None
    scored: dict[tuple[str, ...], Scored] = field(default_factory=dict)


class _Field(NamedTuple):
    """A segment's postings of a field: its sorted terms, where each term's postings start, and
    their documents (numbered in the commit) and frequencies."""

    terms: np.ndarray
    starts: np.ndarray
    docs: np.ndarray
    freqs: np.ndarray


class _Table:
    """Every term of a field of a commit: the postings of all its segments, grouped by term in
    segment order (as a term read alone has them), their live documents and their frequencies as
    floats, in one array each."""

    def __init__(self, segments: list[_Field], live: np.ndarray | None) -> None:
        terms, at = np.unique(np.concatenate([part.terms for part in segments]),
                              return_inverse=True)
        self.index = {term: number for number, term in enumerate(terms.tolist())}
        # each posting's term, grouped by a stable sort: within a term, segment by segment
        term_of = np.repeat(at, np.concatenate([np.diff(part.starts) for part in segments]))
        order = np.argsort(term_of, kind="stable")
        docs = np.concatenate([part.docs for part in segments]).astype(np.int64)[order]
        tf = np.concatenate([part.freqs for part in segments]).astype(np.float64)[order]
        starts = np.searchsorted(term_of[order], np.arange(len(terms) + 1))
        self.listed = np.diff(starts)
        if live is not None:  # where each term's live postings start, once the others are out
            keep = live[docs]
            docs, tf = docs[keep], tf[keep]
            starts = np.concatenate(([0], np.cumsum(keep)))[starts]
        self.docs, self.tf, self.starts = docs, tf, starts
        self.rows: dict[tuple[str, ...], np.ndarray] = {}  # by the models that scored them

    def term(self, text: bytes) -> _Term:
        """Return a term's live documents and frequencies (none, if the field has no such
        term)."""
        at = self.index.get(text)
        if at is None:
            return _Term(EMPTY.ids, EMPTY.scores, 0)
        start, end = int(self.starts[at]), int(self.starts[at + 1])
        return _Term(self.docs[start:end], self.tf[start:end], int(self.listed[at]), (start, end))

    def occurrences(self) -> np.ndarray:
        """Return each term's live frequencies summed (exact: frequencies are whole numbers)."""
        return np.diff(np.concatenate(([0.0], np.cumsum(self.tf)))[self.starts])


def fuse(runs: dict[str, Scored], weights: dict[str, float]) -> Scored:
    """Return the matches (the same in every run) scored by the weighted sum of each run's
    scores over its largest; a single run is returned as it is.

    The largest in absolute value, so that a word the reader weighed 0 or less (`gas^0`) keeps
    its order and no score becomes NaN.
    """
    if len(runs) == 1:
        return next(iter(runs.values()))
    ids = next(iter(runs.values())).ids
    return Scored(ids, sum(weights[model] * run.scores / (np.abs(run.scores).max() or 1.0)
                           for model, run in runs.items()))


def union(parts: list[Scored], size: int, best: bool = False) -> Scored:
    """Return the documents of any part, scored by the sum of the parts (or the best one)."""
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate([p.ids for p in parts])
    scores = np.concatenate([p.scores for p in parts], axis=-1)
    matched = np.flatnonzero(np.bincount(ids, minlength=size))
    totals = []
    for row in np.atleast_2d(scores):  # a model's scores
        if best:
            total = np.full(size, -np.inf)
            np.maximum.at(total, ids, row)
        else:
            total = np.bincount(ids, weights=row, minlength=size)
        totals.append(total[matched])
    return Scored(matched, totals[0] if scores.ndim == 1 else np.vstack(totals))


def _mask(b: Scored, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[b.ids] = True
    return mask


def _dense(b: Scored, size: int) -> np.ndarray:
    scores = np.zeros((*b.scores.shape[:-1], size))
    scores[..., b.ids] = b.scores
    return scores


# Set operations over the document numbers of one commit (`size` of them): a mask or a dense
# score array of the second operand costs less than sorting both, whatever their sizes.
def intersection(a: Scored, b: Scored, size: int) -> Scored:
    """Return the documents of both, scored by the sum."""
    keep = _mask(b, size)[a.ids]
    ids = a.ids[keep]
    return Scored(ids, a.scores[..., keep] + _dense(b, size)[..., ids])


def restrict(a: Scored, b: Scored, size: int) -> Scored:
    """Return the documents of `a` that are in `b`, with their scores in `a`."""
    keep = _mask(b, size)[a.ids]
    return Scored(a.ids[keep], a.scores[..., keep])


def difference(a: Scored, b: Scored, size: int) -> Scored:
    """Return the documents of `a` that are not in `b`, with their scores in `a`."""
    keep = ~_mask(b, size)[a.ids]
    return Scored(a.ids[keep], a.scores[..., keep])


def plus(a: Scored, b: Scored, size: int) -> Scored:
    """Return the documents of `a`, adding the score in `b` where they match it too."""
    return Scored(a.ids, a.scores + _dense(b, size)[..., a.ids])


class Evaluator:
    """Evaluate query trees against one commit, within a deadline, scoring words by one model or
    several at once (a row of scores each: one pass over the tree matches for all).

    What Whoosh's own matchers match (dates, phrases with slop) has Whoosh's BM25F scores in
    every row, and so has what a NOT matches (1).
    """

    def __init__(self, postings: Postings, deadline: float,
                 models: tuple[str, ...] = (BM25,)) -> None:
        self.postings = postings
        self.deadline = deadline
        self.models = models
        self.partial = False  # a Whoosh matcher ran out of time: its matches are incomplete
        # what Whoosh matched, by query node (kept with it, so its id stays its own)
        self._matched: dict[int, tuple[wq.Query, Scored]] = {}

    def __call__(self, q: wq.Query) -> Scored:
        """Return the live documents matching `q` and their scores."""
        p = self.postings
        kind = type(q)
        if q is wq.NullQuery:
            return EMPTY
        if kind is wq.Term:
            return p.term_by(q.fieldname, q.text, self.models).scaled(q.boost)
        if kind is wq.Every and q.fieldname is None:
            return self._every()
        if kind is wq.Not:  # Whoosh scores what a NOT matches 1
            return difference(self._every(), self(q.query), p.size)
        if kind is wq.Phrase and q.slop == 1 and self._positions(q.fieldname):
            return self._phrase(q)
        if isinstance(q, Expanding):
            return self._expanded(q)
        combine = _COMBINE.get(kind) or (_COMBINE[wq.Or] if isinstance(q, wq.Or) else None)
        if combine is None or any(getattr(q, name, None) for name in ("scale", "minmatch",
                                                                      "tiebreak")):
            return self._whoosh(q)
        return combine(self, q).scaled(q.boost)

    def _every(self) -> Scored:
        ids = np.flatnonzero(self.postings.live)
        return Scored(ids, self._for_every_model(np.ones(len(ids))))

    def _for_every_model(self, scores: np.ndarray) -> np.ndarray:
        """Return one model's scores as those of every model."""
        return scores if len(self.models) == 1 else np.tile(scores, (len(self.models), 1))

    def _positions(self, fieldname: str) -> bool:
        """Return whether a field keeps plain word positions, as `phrases` decodes them (if
        it keeps none, Whoosh says so of a phrase)."""
        schema = self.postings.searcher.schema
        return fieldname in schema and type(schema[fieldname].format) is formats.Positions

    def _phrase(self, q: wq.Phrase) -> Scored:
        """Score a phrase as Whoosh does: the sum of its words' scores where they stand in order."""
        p = self.postings
        words = _fold(intersection, [p.term_by(q.fieldname, word, self.models)
                                     for word in q.words], p.size)
        if not len(words.ids):
            return EMPTY
        keys = {word: p.positions(q.fieldname, word, self.deadline)
                for word in dict.fromkeys(q.words)}
        if any(found is None for found in keys.values()):
            self.partial = True
            return EMPTY
        docs = phrases.holding([keys[word] for word in q.words])
        return restrict(words, Scored(docs, np.ones(len(docs))), p.size).scaled(q.boost)

    def _expanded(self, q: Expanding) -> Scored:
        """Score a pattern, fuzzy word or range of words by the best of the terms it stands for
        in the commit (their number capped in `rewrite.py`), by each model, as a group of
        synonyms is: it stands for one word the reader meant. (Whoosh scores one term by BM25F
        and several as 1 each, an order of document numbers, and drops the boost.)"""
        p = self.postings
        with p.reading:
            terms = q.terms(p.searcher.reader())
        return union([p.term_by(q.fieldname, term, self.models) for term in terms],
                     p.size, best=True).scaled(q.boost)

    def _whoosh(self, q: wq.Query) -> Scored:
        """Match `q` with Whoosh's own matchers, segment by segment (once per query node)."""
        kept = self._matched.get(id(q))
        if kept is None:
            kept = self._matched[id(q)] = (q, self._match_whoosh(q))
        return kept[1]

    def _match_whoosh(self, q: wq.Query) -> Scored:
        ids: list[int] = []
        scores: list[float] = []
        with self.postings.reading:
            self._match(q, ids, scores)
        if not ids:
            return EMPTY
        docs, inverse = np.unique(np.asarray(ids, dtype=np.int64), return_inverse=True)
        return Scored(docs, self._for_every_model(np.bincount(inverse, weights=scores)))

    def _match(self, q: wq.Query, ids: list[int], scores: list[float]) -> None:
        try:
            for sub, offset in self.postings.leaves:
                matcher = q.matcher(sub, sub.context())
                while matcher.is_active():
                    ids.append(matcher.id() + offset)
                    scores.append(matcher.score())
                    if len(ids) % CHECK_EVERY == 1 and time.monotonic() > self.deadline:
                        raise TimeLimit
                    matcher.next()
        except TimeLimit:
            self.partial = True


_COMBINE: dict[type, Callable[[Evaluator, wq.Query], Scored]] = {
    wq.Or: lambda ev, q: union([ev(s) for s in q.subqueries], ev.postings.size),
    DisMax: lambda ev, q: union([ev(s) for s in q.subqueries], ev.postings.size, best=True),
    wq.And: lambda ev, q: _fold(intersection, [ev(s) for s in q.subqueries], ev.postings.size),
    wq.AndNot: lambda ev, q: difference(ev(q.a), ev(q.b), ev.postings.size),
    wq.AndMaybe: lambda ev, q: plus(ev(q.a), ev(q.b), ev.postings.size),
    wq.Require: lambda ev, q: restrict(ev(q.a), ev(q.b), ev.postings.size),
}


def _fold(step: Callable[[Scored, Scored, int], Scored], parts: list[Scored],
          size: int) -> Scored:
    result = parts[0] if parts else EMPTY
    for part in parts[1:]:
        result = step(result, part, size)
    return result
