"""Word-weighting models over a term's arrays: BM25F and InB2 (fused in `arrays.fuse`).

Both saturate a term's frequency the same way, tf / (tf + m), where m depends on a document's
length alone, and weigh that by a factor of the term. Each model's m is computed once per commit
for every document (`saturation`), so a term's scores by both models cost a few operations over
its postings.
"""

from __future__ import annotations

from math import log, log2

import numpy as np


def idf(postings: int, documents: int) -> float:
    """Return Whoosh's inverse document frequency of a term with this many postings (deleted
    documents' too) among this many documents (deleted ones too)."""
    return log(documents / (postings + 1)) + 1


def bm25_saturation(relative: np.ndarray, k1: float, b: float) -> np.ndarray:
    """Return BM25's m of documents of `relative` lengths (over the mean): its length
    normalization, k1 ((1 - b) + b relative)."""
    return k1 * ((1 - b) + b * relative)


def inb2_saturation(relative: np.ndarray, c: float) -> np.ndarray:
    """Return InB2's m of documents of `relative` lengths: one over its normalization 2 (with
    `c`), log2(1 + c / relative), by which the model multiplies a frequency (0 for an empty
    document, which holds no term to score)."""
    with np.errstate(divide="ignore"):
        return 1 / np.log2(1 + c / relative)


def bm25_factor(postings: int, documents: int, k1: float) -> float:
    """Return BM25F's factor of a term as Whoosh computes it: its idf (from its `postings` among
    `documents`, deleted ones too) times k1 + 1."""
    return idf(postings, documents) * (k1 + 1)


def inb2_factor(df: int, occurrences: float, documents: int) -> float:
    """Return InB2's factor of a term in `df` of the live `documents`, `occurrences` times in
    all (Amati and van Rijsbergen's DFR model, as Terrier has it): the term's rarity (inverse
    document frequency) times the gain of one more occurrence where it is already frequent
    (Bernoulli after-effect)."""
    return log2((documents + 1) / (df + 0.5)) * (occurrences + 1) / df


def saturated(tf: np.ndarray, m: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Return postings' scores by each model, a row a model: tf / (tf + m) times the model's
    factor of the term (`m`: the documents' m, and `factors`, a row a model; a factor a
    posting, or one for all)."""
    scores = m + tf
    np.divide(tf, scores, out=scores)
    scores *= factors
    return scores
