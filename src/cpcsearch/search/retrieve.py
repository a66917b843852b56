"""Retrieve: run a plan against the index → the ranked document numbers and the matching set."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from whoosh import collectors, sorting
from whoosh.searching import Searcher, TimeLimit

from cpcsearch.search.plan import Plan

# A search stops collecting after this long and answers with what it found, marked partial.
TIME_LIMIT = 2.0
CHECK_EVERY = 512  # matches between two looks at the clock


@dataclass(frozen=True)
class Retrieved:
    """The hits of one search: the first `depth` in order, and every match."""

    ranked: list[tuple[int, float]]  # (document number, score), best first
    total: int
    matches: frozenset[int]
    partial: bool = False


class _Deadline(collectors.WrappingCollector):
    """Stop the search with `TimeLimit` once `seconds` have passed (no timer thread)."""

    def __init__(self, child: collectors.Collector, seconds: float) -> None:
        super().__init__(child)
        self.seconds = seconds

    def prepare(self, top_searcher: Searcher, q: object, context: object) -> None:
        super().prepare(top_searcher, q, context)
        self.deadline = time.monotonic() + self.seconds

    def matches(self) -> Iterator[int]:
        for n, docnum in enumerate(self.child.matches()):
            if not n % CHECK_EVERY and time.monotonic() > self.deadline:
                raise TimeLimit
            yield docnum

    def collect_matches(self) -> None:
        for docnum in self.matches():
            self.collect(docnum)


class _TopAndAll(collectors.TopCollector):
    """The top hits by score, and every match (Whoosh's own would search again for those).

    Built with `replace=0` and `usequality=False`: Whoosh's pruning of documents that cannot
    reach the top would leave them out of the total and the facet counts.
    """

    def _collect(self, global_docnum: int, score: float) -> float:
        self.docset.add(global_docnum)
        return super()._collect(global_docnum, score)

    def all_ids(self) -> set[int]:
        return self.docset


def retrieve(searcher: Searcher, plan: Plan, time_limit: float = TIME_LIMIT) -> Retrieved:
    """Run one Whoosh search for `plan`, keeping the plan's first `depth` hits.

    Every match is scored and collected in this one pass (no block-quality skipping), so the
    total and the facet counts come from it too. A search past `time_limit` seconds answers
    with what it collected so far, marked partial.
    """
    collector: collectors.Collector
    if plan.sortedby:
        collector = collectors.SortingCollector(sorting.FieldFacet(plan.sortedby,
                                                                   reverse=plan.reverse),
                                                limit=plan.depth)
    else:
        collector = _TopAndAll(plan.depth, usequality=False, replace=0)
    collector = _Deadline(collector, time_limit)
    if plan.filter is not None:
        collector = collectors.FilterCollector(collector, allow=plan.filter)
    partial = False
    try:
        searcher.search_with_collector(plan.query, collector)
    except TimeLimit:
        partial = True
    results = collector.results()
    ranked = [(results.docnum(i), float(results.score(i) or 0.0) if not plan.sortedby else 0.0)
              for i in range(results.scored_length())]
    matches = frozenset(results.docs())
    return Retrieved(ranked, len(matches), matches, partial)
