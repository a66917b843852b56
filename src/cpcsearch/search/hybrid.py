"""Hybrid ranking: the top BM25 hits re-ranked by a blend of BM25 and semantic similarity.

BM25 rewards the query's exact words; the corpus's LSA model (`index/semantic.py`) rewards
documents about the same subject in other words. Each score is rescaled to [0, 1] over the
re-ranked hits (min-max, as Elasticsearch's and OpenSearch's hybrid search normalize) and the two
are averaged with equal weight. Only the order changes: the set of hits is BM25's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from whoosh import query as wq

from cpcsearch.index.semantic import SemanticModel
from cpcsearch.search import ranking

# How many of BM25's top hits are re-ranked; the rest keep BM25's order below them.
WINDOW = 1000
SEMANTIC_WEIGHT = 0.5


def query_terms(query: wq.Query) -> list[str]:
    """Return the terms a query looks for in the ranked text fields, leaving out NOT clauses."""
    if isinstance(query, wq.Not):
        return []
    if isinstance(query, wq.AndNot):
        return query_terms(query.a)
    if isinstance(query, wq.Term):
        return [query.text] if query.fieldname in ranking.FIELD_BOOSTS else []
    if isinstance(query, wq.Phrase):
        return list(query.words) if query.fieldname in ranking.FIELD_BOOSTS else []
    return [t for child in query.children() for t in query_terms(child)]


def _rescale(scores: np.ndarray) -> np.ndarray:
    low, high = np.nanmin(scores), np.nanmax(scores)
    return (scores - low) / (high - low) if high > low else np.ones_like(scores)


def blend(lexical: Sequence[float], semantic: np.ndarray) -> np.ndarray:
    """Return the blended scores of hits; a hit without a semantic score gets the lowest one."""
    lexical_scaled = _rescale(np.asarray(lexical, dtype=float))
    if np.isnan(semantic).all():
        return lexical_scaled
    semantic_scaled = np.nan_to_num(_rescale(semantic), nan=0.0)
    return (1 - SEMANTIC_WEIGHT) * lexical_scaled + SEMANTIC_WEIGHT * semantic_scaled


def rerank(model: SemanticModel | None, query: wq.Query, ids: Sequence[str],
           scores: Sequence[float]) -> list[tuple[int, float]]:
    """Return (position, score) of hits ranked by BM25 order and `scores`, blended.

    `ids` and `scores` are the hits in BM25 order. The first `WINDOW` are re-ranked; without a
    model or any known query term the BM25 order and scores come back unchanged.
    """
    vector = model.query_vector(query_terms(query)) if model is not None else None
    if vector is None or len(ids) < 2:
        return list(enumerate(scores))
    window = min(WINDOW, len(ids))
    blended = blend(scores[:window], model.similarities(vector, ids[:window]))
    order = sorted(range(window), key=lambda i: (-blended[i], i))
    # Hits beyond the window stay below it, in BM25 order.
    return [(i, float(blended[i])) for i in order] + [(i, 0.0) for i in range(window, len(ids))]
