"""Retrieve: run a plan against the index → the ranked document numbers and the matching set."""

from __future__ import annotations

from dataclasses import dataclass

from whoosh.searching import Searcher

from cpcsearch.search.plan import Plan


@dataclass(frozen=True)
class Retrieved:
    """The hits of one search: the first `depth` in order, and every match."""

    ranked: list[tuple[int, float]]  # (document number, score), best first
    total: int
    matches: frozenset[int]


def retrieve(searcher: Searcher, plan: Plan, depth: int) -> Retrieved:
    """Run one Whoosh search for `plan`, keeping the first `depth` hits.

    Every match is collected with the ranking (not skipped by block-quality pruning), so the
    total and the facet counts come from this same pass.
    """
    results = searcher.search(plan.query, filter=plan.filter, limit=depth,
                              sortedby=plan.sortedby, reverse=plan.reverse, optimize=False)
    ranked = [(results.docnum(i), float(results.score(i) or 0.0))
              for i in range(results.scored_length())]
    matches = frozenset(results.docs())
    return Retrieved(ranked, len(matches), matches)
