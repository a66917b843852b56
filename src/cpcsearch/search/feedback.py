"""Pseudo-relevance feedback (RM3): the words of the top hits re-weigh the ranking of the matches.

The first hits of a query (by the fused score of its models) are taken as relevant: the words they
use most (each hit weighing by its rank) join the reader's words, and every match is scored again
with them, by each model, and fused again. Only the order changes: the matches, their total and the
facets stay those of the reader's query.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from operator import itemgetter

import numpy as np
from whoosh.searching import Searcher

from cpcsearch.index.columns import column_values
from cpcsearch.index.reading import per_document
from cpcsearch.index.schema import read_vector
from cpcsearch.search.arrays import EMPTY, Postings, Scored, fuse
from cpcsearch.search.ranking import CONTENT, Ranking

# Documents whose terms a commit keeps read (a few kB each): the first hits of one query are
# often those of another (70% of them at 1,000 documents, 27% at 5,000). A commit of no more
# documents reads them all when first asked.
CACHED_VECTORS = 2048
Vector = tuple[list[str], list[int], int]  # a document's commonest terms, their counts, its length


class DocTerms:
    """The most frequent `content` terms of each document, from the index's `vector` column,
    read whole when made (a few hundred bytes a document: one read of a file, not one seek and
    read a hit; make it holding the searcher's lock)."""

    def __init__(self, searcher: Searcher) -> None:
        reader = searcher.reader()
        # an index built before vectors were kept ranks without feedback
        self.values = (column_values(reader, "vector") if "vector" in searcher.schema
                       and reader.has_column("vector") else None)
        self._read: Callable[[int], Vector] = (
            per_document(self._read_vector, len(self.values), CACHED_VECTORS)
            if self.values is not None else lambda _: ([], [], 0))

    def __call__(self, docnum: int) -> Vector:
        """Return a document's terms, their counts and its length in terms (nothing, before
        vectors)."""
        return self._read(docnum)

    def _read_vector(self, docnum: int) -> Vector:
        return read_vector(self.values[docnum])


def expansion(ranked: list[int], doc_terms: Callable[[int], Vector], size: int) -> dict[str, float]:
    """Return the `size` likeliest words of the top hits, as weights summing to 1.

    A hit at rank r (from 1) weighs 1/r; a word's weight is the weighted mean of its share of
    each hit's words (the relevance model of RM3).
    """
    weights = [1.0 / rank for rank in range(1, len(ranked) + 1)]
    total = sum(weights)
    model: dict[str, float] = {}
    get = model.get  # a plain dict: a Counter's missing keys cost a Python call each
    for docnum, weight in zip(ranked, weights, strict=True):
        words, counts, length = doc_terms(docnum)
        share = weight / total / (length or 1)
        for word, count in zip(words, counts, strict=True):
            model[word] = get(word, 0.0) + share * count
    best = heapq.nlargest(size, model.items(), key=itemgetter(1))
    norm = sum(value for _, value in best) or 1.0
    return {word: value / norm for word, value in best}


def rerank(runs: dict[str, Scored], query_weight: float, postings: Postings,
           doc_terms: Callable[[int], Vector], rank: Ranking) -> Scored:
    """Return the matches scored by the reader's words and the expansion of the first hits.

    `runs` holds the matches as each model scores them; `query_weight` is the total weight of
    the reader's words, so both parts are on one scale.
    """
    weights = rank.models()
    first = [docnum for docnum, _ in fuse(runs, weights).best(rank.feedback_docs)]
    words = expansion(first, doc_terms, rank.feedback_terms)
    # A word in many articles says little about this topic: it keeps its share of the weight
    # but is left out.
    common = rank.feedback_common * postings.documents
    kept = {word: weight for word, weight in words.items()
            if postings.count(CONTENT, word) <= common}
    models = tuple(runs)
    terms = [(postings.term_by(CONTENT, word, models), weight) for word, weight in kept.items()]
    ids = np.concatenate([EMPTY.ids, *(term.ids for term, _ in terms)])
    reranked = {}
    for row, (model, found) in enumerate(runs.items()):
        # each document's sum over the words, added in their order (one call, not one a word)
        added = np.bincount(ids, np.concatenate([EMPTY.scores, *(
            weight * np.atleast_2d(term.scores)[row] for term, weight in terms)]),
            minlength=postings.size)
        original = found.scores * ((1 - rank.feedback_weight) / query_weight)
        reranked[model] = Scored(found.ids, original + rank.feedback_weight * added[found.ids])
    return fuse(reranked, weights)


def query_weight(leaves: list[object]) -> float:
    """Return the total boost of a query's positive `content` terms (0: nothing to expand)."""
    return sum(leaf.boost for leaf in leaves if leaf.field() == CONTENT)
