"""Word-weighting models over a term's arrays: BM25F and InB2 (fused in `arrays.fuse`)."""

from __future__ import annotations

from math import log

import numpy as np


def idf(postings: int, documents: int) -> float:
    """Return Whoosh's inverse document frequency of a term with this many postings (deleted
    documents' too) among this many documents (deleted ones too)."""
    return log(documents / (postings + 1)) + 1


def bm25(tf: np.ndarray, relative: np.ndarray, idf: float, k1: float, b: float) -> np.ndarray:
    """Return a term's BM25F scores as Whoosh computes them.

    `tf` holds its frequency in each document holding it, `relative` those documents' lengths
    over the mean, `idf` Whoosh's inverse document frequency of the term.
    """
    return idf * tf * (k1 + 1) / (tf + k1 * ((1 - b) + b * relative))


def inb2(tf: np.ndarray, relative: np.ndarray, c: float, documents: int) -> np.ndarray:
    """Return a term's InB2 scores (Amati and van Rijsbergen's DFR model, as Terrier has it).

    The frequency is normalized by length (normalization 2, with `c`), weighed by the term's
    rarity among the `documents` (inverse document frequency) and by the gain of one more
    occurrence where it is already frequent (Bernoulli after-effect).
    """
    tfn = tf * np.log2(1 + c / relative)
    df, total = len(tf), tf.sum()
    return tfn * np.log2((documents + 1) / (df + 0.5)) * (total + 1) / (df * (tfn + 1))
