"""Hybrid ranking: the BM25 hits re-ranked with the corpus's semantic model.

BM25 rewards the query's exact words; the LSA model (`index/semantic.py`) rewards documents
about the same subject in other words. Three steps, all leaving the set of hits as BM25 found it:

1. Blend: each score is rescaled to [0, 1] over the hits (min-max, as Elasticsearch's and
   OpenSearch's hybrid search normalize) and the two are averaged with the configured weight
   (`SEMANTIC_WEIGHT`, by default equal weights).
2. Regularize: each hit then takes a share of its nearest neighbours' blended scores (Diaz,
   "Regularizing ad hoc retrieval scores", 2005), since documents close to other good answers
   tend to be good answers too (the cluster hypothesis).
3. Hits whose title holds the whole query as a phrase stay first, as BM25 ranks them: a reader
   who types (part of) an article's title is looking for that article.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from whoosh import query as wq

from cpcsearch.index.semantic import SemanticModel
from cpcsearch.search import ranking

# How many of BM25's top hits are re-ranked (all of them, but for huge result sets); the rest
# keep BM25's order below them.
WINDOW = 5000
# The share of a hit's final score that comes from its neighbours' scores.
NEIGHBOR_SHARE = 0.3


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
    """Return scores mapped onto [0, 1] (all 1 if they are equal); NaN stays NaN."""
    low, high = np.nanmin(scores), np.nanmax(scores)
    if high > low:
        return (scores - low) / (high - low)
    return np.where(np.isnan(scores), np.nan, 1.0)


def blend(lexical: Sequence[float], semantic: np.ndarray, weight: float) -> np.ndarray:
    """Return the blended scores of hits; a hit without a semantic score gets the lowest one."""
    lexical_scaled = _rescale(np.asarray(lexical, dtype=float))
    if np.isnan(semantic).all():
        return lexical_scaled
    semantic_scaled = np.nan_to_num(_rescale(semantic), nan=0.0)
    return (1 - weight) * lexical_scaled + weight * semantic_scaled


def rerank(model: SemanticModel | None, query: wq.Query, ids: Sequence[str],
           scores: Sequence[float], weight: float,
           title_matches: Collection[str] = ()) -> list[tuple[int, float]]:
    """Return (position, score) of hits in the order of their final scores.

    `ids` and `scores` are the hits in BM25 order, `title_matches` the ids whose title holds
    the query as a phrase. The first `WINDOW` are re-ranked; with no weight, no model or no
    known query term the BM25 order and scores come back unchanged.
    """
    vector = model.query_vector(query_terms(query)) if model is not None and weight else None
    if model is None or vector is None or len(ids) < 2:
        return list(enumerate(scores))
    window = min(WINDOW, len(ids))
    rows = model.rows(ids[:window])
    blended = blend(scores[:window], model.similarities(vector, rows), weight)
    final = ((1 - NEIGHBOR_SHARE) * blended
             + NEIGHBOR_SHARE * model.neighbor_means(blended, rows))
    titled = [i for i in range(window) if ids[i] in title_matches]
    final[titled] = 2 + np.asarray(scores, dtype=float)[titled] / scores[0]  # above the rest
    order = sorted(range(window), key=lambda i: (-final[i], i))
    # Hits beyond the window stay below it, in BM25 order.
    return [(i, float(final[i])) for i in order] + [(i, 0.0) for i in range(window, len(ids))]
