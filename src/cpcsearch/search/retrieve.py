"""Retrieve: run a plan against one commit → the ranked document numbers and the matching set."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cpcsearch.search.arrays import Evaluator, Postings, Scored, fuse, restrict
from cpcsearch.search.plan import Plan
from cpcsearch.search.ranking import BM25

# A search stops matching after this long and answers with what it found, marked partial.
TIME_LIMIT = 2.0


@dataclass(frozen=True)
class Retrieved:
    """The hits of one search: the first `depth` in order, and every match."""

    ranked: list[tuple[int, float]]  # (document number, score), best first
    total: int
    matches: np.ndarray  # every matching document number, sorted
    partial: bool = False


NOTHING = Retrieved([], 0, np.empty(0, np.int64))


def by_column(ids: np.ndarray, values: np.ndarray, depth: int,
              reverse: bool) -> list[tuple[int, float]]:
    """Return the first `depth` of `ids` ordered by a column's values, ties by document order."""
    keys = values[ids]
    order = np.lexsort((ids, -keys if reverse else keys))[:depth]
    return [(docnum, 0.0) for docnum in ids[order].tolist()]


def retrieve(postings: Postings, plan: Plan, time_limit: float = TIME_LIMIT,
             weights: dict[str, float] | None = None,
             feedback: Callable[[dict[str, Scored]], Scored] | None = None) -> Retrieved:
    """Match and rank `plan` against one commit, keeping the plan's first `depth` hits.

    Every match is scored (no pruning), so the total and the facet counts come from the same
    pass; each model of `weights` (BM25F alone by default) scores them in that pass, and their
    scores are fused, or `feedback` scores them again (`feedback.py`). A search past
    `time_limit` seconds answers with what it matched so far, marked partial.
    """
    weights = weights or {BM25: 1.0}
    models = tuple(weights)[:1] if plan.sortedby else tuple(weights)  # a sort needs no scores
    evaluate = Evaluator(postings, time.monotonic() + time_limit, models)
    found = evaluate(plan.query)
    if plan.filter is not None:
        found = restrict(found, evaluate(plan.filter), postings.size)
    if plan.sortedby:
        ranked = by_column(found.ids, postings.column(plan.sortedby), plan.depth, plan.reverse)
    elif not len(found.ids):
        ranked = []
    else:
        rows = [found.scores] if len(models) == 1 else found.scores
        runs = {model: Scored(found.ids, row)
                for model, row in zip(models, rows, strict=True)}
        ranked = (feedback(runs) if feedback else fuse(runs, weights)).best(plan.depth)
    return Retrieved(ranked, len(found.ids), found.ids, evaluate.partial)
