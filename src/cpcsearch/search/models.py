"""Word-weighting models over a term's arrays: BM25F and InB2 (fused in `arrays.fuse`).

Each model's part that depends on a document's length alone (its `norms`) is computed once per
commit for every document; a term's scores then cost a few operations over its postings.
"""

from __future__ import annotations

from math import log, log2

import numpy as np


def idf(postings: int, documents: int) -> float:
    """Return Whoosh's inverse document frequency of a term with this many postings (deleted
    documents' too) among this many documents (deleted ones too)."""
    return log(documents / (postings + 1)) + 1


def bm25_norms(relative: np.ndarray, k1: float, b: float) -> np.ndarray:
    """Return BM25's length normalization of documents of `relative` lengths (over the mean)."""
    return k1 * ((1 - b) + b * relative)


def bm25(tf: np.ndarray, norms: np.ndarray, idf: float, k1: float) -> np.ndarray:
    """Return a term's BM25F scores as Whoosh computes them.

    `tf` holds its frequency in each document holding it, `norms` those documents'
    `bm25_norms`, `idf` Whoosh's inverse document frequency of the term.
    """
    scores = tf + norms
    np.divide(tf, scores, out=scores)
    scores *= idf * (k1 + 1)
    return scores


def inb2_norms(relative: np.ndarray, c: float) -> np.ndarray:
    """Return InB2's length normalization (normalization 2, with `c`) of documents of
    `relative` lengths: what a frequency is multiplied by (infinite for an empty document,
    which holds no term to score)."""
    with np.errstate(divide="ignore"):
        return np.log2(1 + c / relative)


def inb2(tf: np.ndarray, norms: np.ndarray, documents: int) -> np.ndarray:
    """Return a term's InB2 scores (Amati and van Rijsbergen's DFR model, as Terrier has it).

    The frequency is normalized by length (`norms`: the documents' `inb2_norms`), weighed by the
    term's rarity among the `documents` (inverse document frequency) and by the gain of one
    more occurrence where it is already frequent (Bernoulli after-effect).
    """
    tfn = tf * norms
    df = len(tf)
    scores = tfn + 1
    np.divide(tfn, scores, out=scores)
    scores *= log2((documents + 1) / (df + 0.5)) * (float(tf.sum()) + 1) / df
    return scores
