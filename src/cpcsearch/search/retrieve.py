"""Retrieve: run a plan against the index → the ranked document numbers and the matching set."""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import collectors, sorting
from whoosh.searching import Searcher

from cpcsearch.search.plan import Plan


@dataclass(frozen=True)
class Retrieved:
    """The hits of one search: the first `depth` in order, and every match."""

    ranked: list[tuple[int, float]]  # (document number, score), best first
    total: int
    matches: frozenset[int]


class _TopAndAll(collectors.TopCollector):
    """The top hits by score, and every match (Whoosh's own would search again for those)."""

    def _collect(self, global_docnum: int, score: float) -> float:
        self.docset.add(global_docnum)
        return super()._collect(global_docnum, score)

    def all_ids(self) -> set[int]:
        return self.docset


def retrieve(searcher: Searcher, plan: Plan, depth: int) -> Retrieved:
    """Run one Whoosh search for `plan`, keeping the first `depth` hits.

    Every match is scored and collected in this one pass (no block-quality skipping), so the
    total and the facet counts come from it too.
    """
    collector: collectors.Collector
    if plan.sortedby:
        collector = collectors.SortingCollector(sorting.FieldFacet(plan.sortedby,
                                                                   reverse=plan.reverse),
                                                limit=depth)
    else:
        collector = _TopAndAll(depth, usequality=False)
    if plan.filter is not None:
        collector = collectors.FilterCollector(collector, allow=plan.filter)
    searcher.search_with_collector(plan.query, collector)
    results = collector.results()
    ranked = [(results.docnum(i), float(results.score(i) or 0.0) if not plan.sortedby else 0.0)
              for i in range(results.scored_length())]
    matches = frozenset(results.docs())
    return Retrieved(ranked, len(matches), matches)
