"""Facet counts over a result set: author, topic, section and year, from one column per commit.

The `facets` column (`index/schema.py`) is read once per commit into arrays of value ids indexed
by document number, so counting a result set is one gather and one `bincount` per facet.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from cpcsearch.index.schema import read_facets
from cpcsearch.search.request import FACETS

FACET_NAMES = tuple(FACETS)  # in the order of the `facets` column (index/schema.py)
FACET_SIZE = 10


@dataclass(frozen=True)
class Facet:
    """One facet's value ids per document number, as compressed rows (CSR)."""

    names: list[str]
    starts: np.ndarray  # document d's values are ids[starts[d]:starts[d + 1]]
    ids: np.ndarray

    def counts(self, docnums: np.ndarray) -> Counter[str]:
        """Return how many of `docnums` have each value."""
        first = self.starts[docnums]
        sizes = self.starts[docnums + 1] - first
        # the positions of every value of every document, row after row
        at = np.repeat(first - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        tally = np.bincount(self.ids[at], minlength=len(self.names))
        return Counter({self.names[i]: int(tally[i]) for i in np.flatnonzero(tally)})


def _facet(values: list[tuple[str, ...]]) -> Facet:
    names = sorted({v for row in values for v in row})
    number = {name: i for i, name in enumerate(names)}
    starts = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum([len(row) for row in values], out=starts[1:])
    ids = np.fromiter((number[v] for row in values for v in row), dtype=np.int64,
                      count=int(starts[-1]))
    return Facet(names, starts, ids)


def facet_table(searcher: Searcher) -> list[Facet]:
    """Return the facet values of every document number of the searcher's commit."""
    reader = searcher.reader()
    if not reader.has_column("facets"):
        return [_facet([()] * reader.doc_count_all()) for _ in FACET_NAMES]
    parsed: dict[bytes, tuple[tuple[str, ...], ...]] = {}  # documents share few distinct values
    rows = [parsed.get(value) or parsed.setdefault(value, read_facets(value))
            for value in reader.column_reader("facets")]
    return [_facet(list(column)) for column in zip(*rows, strict=True)] if rows else [
        _facet([]) for _ in FACET_NAMES]


def count_facets(table: list[Facet], docnums: np.ndarray,
                 selected: dict[str, tuple[str, ...]]) -> dict[str, list[dict[str, Any]]]:
    """Return the top values of each facet in a result set, selected values always included.

    Values are the most frequent first (years: newest first); `selected` marks those the
    request filters by, shown even beyond the top ones when the result set has them.
    """
    counters = [facet.counts(docnums) for facet in table]
    facets = {}
    for name, counter in zip(FACET_NAMES, counters, strict=True):
        chosen = selected.get(name, ())
        top = [value for value, _ in sorted(counter.items(), key=lambda vc: (-vc[1], vc[0]))]
        shown = top[:FACET_SIZE] + [v for v in chosen if v in counter and v not in top[:FACET_SIZE]]
        if name == "year":
            shown.sort(reverse=True)
        facets[name] = [{"value": v, "count": counter.get(v, 0), "selected": v in chosen}
                        for v in shown]
    return facets
