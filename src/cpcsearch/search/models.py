"""Word-weighting models over a term's arrays: BM25F and InB2 (fused in `arrays.fuse`).

A term's score in a document is its saturation there, which depends on its frequency and the
document's length alone, times the term's weight, which depends on the term's statistics
alone. A document's length normalization (`*_norms`) is computed once per commit, and the
saturation of every posting a rebuild saved once per segment (`arrays.Postings`): a term's
scores then cost a multiplication.
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


def bm25_saturation(tf: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """Return BM25's saturation of frequencies `tf` in documents of `norms` (`bm25_norms`)."""
    saturation = tf + norms
    np.divide(tf, saturation, out=saturation)
    return saturation


def bm25_weight(idf: float, k1: float) -> float:
    """Return a term's BM25F weight as Whoosh computes it, from Whoosh's `idf` of it."""
    return idf * (k1 + 1)


def inb2_norms(relative: np.ndarray, c: float) -> np.ndarray:
    """Return InB2's length normalization (normalization 2, with `c`) of documents of
    `relative` lengths: what a frequency is multiplied by (infinite for an empty document,
    which holds no term to score)."""
    with np.errstate(divide="ignore"):
        return np.log2(1 + c / relative)


def inb2_saturation(tf: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """Return InB2's saturation of frequencies `tf` in documents of `norms` (`inb2_norms`):
    the gain of one more occurrence where the normalized frequency is already high (Bernoulli
    after-effect)."""
    tfn = tf * norms
    saturation = tfn + 1
    np.divide(tfn, saturation, out=saturation)
    return saturation


def inb2_weight(df: int, total: float, documents: int) -> float:
    """Return a term's InB2 weight (Amati and van Rijsbergen's DFR model, as Terrier has it):
    its rarity among the live `documents` (inverse document frequency, from the `df` documents
    holding it), times its after-effect's normalization (`total`: its occurrences)."""
    return log2((documents + 1) / (df + 0.5)) * (total + 1) / df
