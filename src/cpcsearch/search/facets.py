"""Facet counts over a result set: author, topic, section and year, from one column per commit.

The `facets` column (`index/schema.py`) is read once per commit into a list indexed by document
number, so counting a result set touches neither stored fields nor the whole index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from itertools import chain
from typing import Any

from whoosh.searching import Searcher

from cpcsearch.index.schema import read_facets
from cpcsearch.search.request import FACETS

FACET_NAMES = tuple(FACETS)  # in the order of the `facets` column (index/schema.py)
FACET_SIZE = 10


FacetTable = list[list[tuple[str, ...]]]  # per facet, the values of each document number


def facet_table(searcher: Searcher) -> FacetTable:
    """Return the facet values of every document number of the searcher's commit."""
    reader = searcher.reader()
    if not reader.has_column("facets"):
        return [[()] * reader.doc_count_all() for _ in FACET_NAMES]
    parsed: dict[bytes, tuple[tuple[str, ...], ...]] = {}  # documents share few distinct values
    rows = [parsed.get(value) or parsed.setdefault(value, read_facets(value))
            for value in reader.column_reader("facets")]
    return [list(column) for column in zip(*rows, strict=True)] if rows else [
        [] for _ in FACET_NAMES]


def count_facets(table: FacetTable, docnums: Collection[int],
                 selected: dict[str, tuple[str, ...]]) -> dict[str, list[dict[str, Any]]]:
    """Return the top values of each facet in a result set, selected values always included.

    Values are the most frequent first (years: newest first); `selected` marks those the
    request filters by, shown even beyond the top ones when the result set has them.
    """
    counters = [Counter(chain.from_iterable(map(column.__getitem__, docnums)))
                for column in table]
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
