"""Facet counts over a result set: author, topic, section and year, from one column per commit.

The `facets` column (`index/schema.py`) is read once per commit into arrays of value ids indexed
by document number, so counting a result set is one gather and one `bincount` for all facets.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from whoosh.searching import Searcher
from whoosh.support.charset import accent_map

from cpcsearch.index.columns import column_values
from cpcsearch.index.schema import read_facets
from cpcsearch.search.request import FACETS

FACET_NAMES = tuple(FACETS)  # in the order of the `facets` column (index/schema.py)
# Values offered for one no article has: at most 5, as close as two letters swapped in a name.
SIMILAR, SIMILAR_SCORE = 5, 80


@dataclass(frozen=True)
class FacetTable:
    """Every facet's value ids per document number, as compressed rows (CSR); each facet's
    values are numbered in name order from its own first id, so one gather counts them all."""

    names: list[list[str]]  # each facet's values, sorted
    first: list[int]  # each facet's first value id, and then the number of ids
    starts: np.ndarray  # document d's values are ids[starts[d]:starts[d + 1]]
    ids: np.ndarray

    def value(self, facet: str, written: str) -> str | None:
        """Return the value of `facet` that `written` names: itself, or else one written with
        other capitals or accents."""
        names = self.names[FACET_NAMES.index(facet)]
        if written in names:
            return written
        key = folded(written)
        return next((name for name in names if folded(name) == key), None)

    def similar(self, facets: tuple[str, ...], written: str, limit: int = SIMILAR) -> list[str]:
        """Return the values of `facets` closest to `written`, closest first: those that differ
        by a few letters, or hold its words (`Marsh` for Elena Marsh), capitals and accents
        aside."""
        names = {name for facet in facets for name in self.names[FACET_NAMES.index(facet)]}
        found = process.extract(written, sorted(names), scorer=fuzz.token_set_ratio,
                                processor=folded, score_cutoff=SIMILAR_SCORE, limit=limit)
        return [name for name, _, _ in found]

    def counts(self, docnums: np.ndarray) -> np.ndarray:
        """Return how many of `docnums` have each value, by value id."""
        first = self.starts[docnums]
        at = _spans(first, self.starts[docnums + 1] - first)
        return np.bincount(self.ids[at], minlength=self.first[-1])


def _spans(firsts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Return the positions of spans that start at `firsts` and hold `sizes`, span after span."""
    return np.repeat(firsts - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())


def folded(value: str) -> str:
    """Return a facet value as a reader may write it: without capitals or accents."""
    return value.translate(accent_map).casefold()


Row = tuple[tuple[str, ...], ...]  # a document's values of each facet


def _table(rows: list[Row], which: np.ndarray) -> FacetTable:
    """Return the table of documents whose values are `rows[which[d]]` (documents share few
    distinct rows, so each row's value ids are worked out once)."""
    names = [sorted({v for row in rows for v in row[f]}) for f in range(len(FACET_NAMES))]
    first = np.cumsum([0] + [len(values) for values in names]).tolist()
    number = [{name: first[f] + i for i, name in enumerate(values)}
              for f, values in enumerate(names)]
    row_ids = [[number[f][v] for f, values in enumerate(row) for v in values] for row in rows]
    row_starts = np.cumsum([0] + [len(ids) for ids in row_ids])
    sizes = np.diff(row_starts)[which]
    starts = np.zeros(len(which) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    ids = np.array([i for row in row_ids for i in row], dtype=np.int64)
    return FacetTable(names, first, starts, ids[_spans(row_starts[:-1][which], sizes)])


def facet_table(searcher: Searcher) -> FacetTable:
    """Return the facet values of every document number of the searcher's commit (none for a
    deleted document: a value only they had names no article)."""
    reader = searcher.reader()
    if not reader.has_column("facets"):
        return _table([((),) * len(FACET_NAMES)], np.zeros(reader.doc_count_all(), np.int64))
    values = column_values(reader, "facets")
    if reader.has_deletions():
        live = set(reader.all_doc_ids())
        values = [value if docnum in live else b"" for docnum, value in enumerate(values)]
    distinct: dict[bytes, int] = {}
    which = np.fromiter((distinct.setdefault(value, len(distinct)) for value in values),
                        dtype=np.int64, count=len(values))
    return _table(list(map(read_facets, distinct)), which)


def count_facets(table: FacetTable, docnums: np.ndarray, selected: dict[str, tuple[str, ...]],
                 size: int) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """Return the `size` top values of each facet in a result set, selected ones always included,
    and every year (a histogram, newest first: a year left out would look like a gap); and how
    many values each facet has in the result set.

    Values are the most frequent first; `selected` marks those the request filters by, shown
    even beyond the top ones when the result set has them.
    """
    tally = table.counts(docnums)
    facets, totals = {}, {}
    for f, name in enumerate(FACET_NAMES):
        names, counts = table.names[f], tally[table.first[f]:table.first[f + 1]]
        found = np.flatnonzero(counts)
        totals[name] = len(found)
        limit = len(found) if name == "year" else size
        top = found[np.lexsort((found, -counts[found]))[:limit]]  # ties by name
        count = dict(zip([names[i] for i in top.tolist()], counts[top].tolist(), strict=True))
        chosen = selected.get(name, ())
        for value in chosen:
            at = bisect_left(names, value)
            if at < len(names) and names[at] == value and counts[at]:
                count[value] = int(counts[at])
        shown = sorted(count, reverse=True) if name == "year" else list(count)
        facets[name] = [{"value": v, "count": count[v], "selected": v in chosen} for v in shown]
    return facets, totals
