"""Latent semantic analysis (LSA) of the indexed text, learned from the corpus itself.

No embedding model can be downloaded here, so the index learns its own: a truncated SVD of the
document-term matrix (Deerwester et al., 1990) places words that occur in the same contexts, and
the documents that use them, near each other ("yawed cylinder" near "swept cylinder"). The
projection is fitted at each full rebuild; every commit then maps each document through it
(LSA's "fold-in") and links each document to its nearest neighbours, so the vectors and the
neighbour graph always match the committed documents. Everything is saved in one file beside
the index it was computed from.
"""

from __future__ import annotations

import os
import zipfile
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import norm, svds
from whoosh.reading import IndexReader

from cpcsearch.search.ranking import K1, B

MODEL_FILE = "semantic.npz"
FIELD = "content"
# A few hundred dimensions is LSA's usual range. A small corpus gets one per few documents:
# with about as many dimensions as documents the SVD reduces nothing, and a document lacking a
# query's word would stay as far from it as in plain word matching.
DIMENSIONS = 200
DOCUMENTS_PER_DIMENSION = 4
# A word seen in one document co-occurs with nothing elsewhere; the cap bounds the model's size.
MIN_DOCUMENTS = 2
MAX_TERMS = 50_000
# Below this size a dense SVD is quicker and steadier than ARPACK's iterations.
DENSE_SVD_CELLS = 4_000_000
# Each document's nearest neighbours by cosine, for score regularization (search/hybrid.py).
NEIGHBORS = 10
NEIGHBOR_BLOCK = 256  # rows of the similarity matrix computed at a time, to bound memory


@dataclass(frozen=True)
class SemanticModel:
    """A fitted projection plus the vectors of the documents committed with it."""

    terms: dict[str, int]  # stemmed term -> row of `projection`
    idf: np.ndarray  # (terms,) inverse document frequency at fit time
    avg_length: float  # average document length at fit time, for BM25 weights
    projection: np.ndarray  # (terms, dimensions): term weights -> latent space
    ids: dict[str, int]  # document id -> row of `vectors`
    vectors: np.ndarray  # (documents, dimensions), unit rows
    neighbors: np.ndarray  # (documents, NEIGHBORS) rows of each document's nearest neighbours
    neighbor_weights: np.ndarray  # (documents, NEIGHBORS) their cosines, each row summing to 1

    def query_vector(self, terms: Iterable[str]) -> np.ndarray | None:
        """Return the unit latent vector of a query's terms, or None if none is known."""
        rows = [self.terms[t] for t in set(terms) if t in self.terms]
        if not rows:
            return None
        vector = self.idf[rows] @ self.projection[rows]
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else None

    def rows(self, ids: Iterable[str]) -> np.ndarray:
        """Return the row of each document id, -1 for documents the model has no vector for."""
        return np.array([self.ids.get(i, -1) for i in ids], dtype=np.int64)

    def similarities(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Return the cosine of each document row with a query vector; NaN for row -1."""
        scores = np.full(len(rows), np.nan)
        known = rows >= 0
        scores[known] = self.vectors[rows[known]] @ query
        return scores

    def neighbor_means(self, scores: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Return, for each document row, the weighted mean score of its neighbours.

        `scores` belong to `rows`; a neighbour outside `rows` counts as scoring 0, and a row of
        -1 gets 0.
        """
        by_row = np.zeros(len(self.vectors))
        known = rows >= 0
        by_row[rows[known]] = scores[known]
        means = np.zeros(len(rows))
        neighbors = self.neighbors[rows[known]]
        means[known] = (by_row[neighbors] * self.neighbor_weights[rows[known]]).sum(axis=1)
        return means

    def embed(self, reader: IndexReader) -> SemanticModel:
        """Return this projection with vectors for every document in `reader`."""
        counts = TermCounts.read(reader)
        columns = np.array([self.terms.get(t, -1) for t in counts.vocabulary], dtype=np.int64)
        kept = counts.matrix[:, np.flatnonzero(columns >= 0)].tocsr()
        # the same counts, their columns renumbered into the model's terms
        known = sparse.csr_matrix((kept.data, columns[columns >= 0][kept.indices], kept.indptr),
                                  shape=(len(counts.ids), len(self.terms)))
        return self._with_documents(counts.ids, _weights(known, counts.lengths, self.idf,
                                                         self.avg_length))

    def _with_documents(self, ids: list[str], weights: sparse.csr_matrix) -> SemanticModel:
        vectors = _unit_rows(weights @ self.projection)
        return SemanticModel(self.terms, self.idf, self.avg_length, self.projection,
                             {doc_id: row for row, doc_id in enumerate(ids)}, vectors,
                             *_nearest_neighbors(vectors))


def _nearest_neighbors(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each row's nearest other rows by cosine, and their cosines scaled to sum to 1."""
    count = min(NEIGHBORS, len(vectors) - 1)
    neighbors = np.zeros((len(vectors), max(count, 0)), np.int32)
    weights = np.zeros(neighbors.shape, np.float32)
    if count < 1:
        return neighbors, weights
    for start in range(0, len(vectors), NEIGHBOR_BLOCK):
        block = vectors[start:start + NEIGHBOR_BLOCK] @ vectors.T
        own = np.arange(len(block))
        block[own, own + start] = -np.inf
        top = np.argpartition(-block, count - 1, axis=1)[:, :count]
        neighbors[start:start + len(block)] = top
        weights[start:start + len(block)] = np.take_along_axis(block, top, axis=1).clip(0)
    totals = weights.sum(axis=1, keepdims=True)
    return neighbors, weights / np.where(totals > 0, totals, 1)


def doc_ids(reader: IndexReader) -> dict[int, str]:
    """Return the id of each live document by document number (read from the `id` postings)."""
    found = {}
    for text in reader.lexicon("id"):
        postings = reader.postings("id", text)
        if postings.is_active():
            found[postings.id()] = text.decode("utf-8")
    return found


@dataclass(frozen=True)
class TermCounts:
    """The term counts of every live document, read from the index's term vectors."""

    ids: list[str]
    vocabulary: list[str]
    matrix: sparse.csr_matrix  # (documents, vocabulary) counts
    lengths: np.ndarray  # (documents,) number of terms

    @classmethod
    def read(cls, reader: IndexReader) -> TermCounts:
        """Read the counts of the documents in `reader`."""
        ids: list[str] = []
        vocabulary: dict[str, int] = {}
        rows, cols, values = array("i"), array("i"), array("f")
        for docnum, doc_id in sorted(doc_ids(reader).items()):
            if reader.has_vector(docnum, FIELD):
                for term, count in reader.vector_as("weight", docnum, FIELD):
                    rows.append(len(ids))
                    cols.append(vocabulary.setdefault(term, len(vocabulary)))
                    values.append(count)
            ids.append(doc_id)
        matrix = sparse.csr_matrix((np.frombuffer(values, np.float32),
                                    (np.frombuffer(rows, np.int32), np.frombuffer(cols, np.int32))),
                                   shape=(len(ids), len(vocabulary)))
        return cls(ids, list(vocabulary), matrix, np.asarray(matrix.sum(axis=1)).ravel())


def _weights(counts: sparse.csr_matrix, lengths: np.ndarray, idf: np.ndarray,
             avg_length: float) -> sparse.csr_matrix:
    """Return the documents' BM25 term weights (the ranking's own), each row of unit length."""
    weights = counts.astype(np.float64)
    rows = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
    tf = weights.data
    weights.data = idf[weights.indices] * tf * (K1 + 1) / (
        tf + K1 * (1 - B + B * lengths[rows] / avg_length))
    norms = norm(weights, axis=1)
    return sparse.diags(1 / np.where(norms > 0, norms, 1)) @ weights


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    lengths = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(lengths > 0, lengths, 1)).astype(np.float32)


def fit(reader: IndexReader) -> SemanticModel | None:
    """Fit the projection on the documents in `reader`; None if there are too few to learn from."""
    counts = TermCounts.read(reader)
    documents = len(counts.ids)
    df = np.diff(counts.matrix.tocsc().indptr)
    kept = sorted(np.flatnonzero(df >= MIN_DOCUMENTS), key=lambda c: (-df[c], counts.vocabulary[c]))
    kept = kept[:MAX_TERMS]
    dimensions = min(DIMENSIONS, documents // DOCUMENTS_PER_DIMENSION, len(kept) - 1)
    if dimensions < 1:
        return None
    idf = np.log1p((documents - df[kept] + 0.5) / (df[kept] + 0.5))
    avg_length = max(1.0, float(counts.lengths.mean()))
    weights = _weights(counts.matrix[:, kept].tocsr(), counts.lengths, idf, avg_length)
    if weights.shape[0] * weights.shape[1] <= DENSE_SVD_CELLS:
        _, _, vt = np.linalg.svd(weights.toarray(), full_matrices=False)
        vt = vt[:dimensions]
    else:
        _, values, vt = svds(weights, k=dimensions, random_state=0)
        vt = vt[np.argsort(-values)]
    empty = np.zeros((0, dimensions), np.float32)
    model = SemanticModel({counts.vocabulary[c]: i for i, c in enumerate(kept)}, idf, avg_length,
                          vt.T.astype(np.float32), {}, empty, empty.astype(np.int32), empty)
    return model._with_documents(counts.ids, weights)


def save(model: SemanticModel, folder: Path) -> None:
    """Write a model beside the index it was computed from."""
    tmp = folder / f"{MODEL_FILE}.tmp"
    with open(tmp, "wb") as out:
        np.savez(out, terms=np.array(list(model.terms)), idf=model.idf,
                 avg_length=np.array(model.avg_length), projection=model.projection,
                 ids=np.array(list(model.ids)), vectors=model.vectors,
                 neighbors=model.neighbors, neighbor_weights=model.neighbor_weights)
    os.replace(tmp, folder / MODEL_FILE)


def load(folder: Path) -> SemanticModel | None:
    """Return the model saved beside an index, or None if it has none (or an unreadable one)."""
    try:
        with open(folder / MODEL_FILE, "rb") as file, np.load(file, allow_pickle=False) as data:
            return SemanticModel(
                {str(t): i for i, t in enumerate(data["terms"])}, data["idf"],
                float(data["avg_length"]), data["projection"],
                {str(d): i for i, d in enumerate(data["ids"])}, data["vectors"],
                data["neighbors"], data["neighbor_weights"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def refresh(reader: IndexReader, folder: Path, refit: bool) -> None:
    """Bring the model beside an index up to date with its latest commit.

    `refit` learns a new projection (a full rebuild); otherwise the saved projection maps the
    committed documents, or a first one is fitted if the index has none yet.
    """
    model = None if refit else load(folder)
    model = fit(reader) if model is None else model.embed(reader)
    if model is None:
        (folder / MODEL_FILE).unlink(missing_ok=True)
    else:
        save(model, folder)
