"""Phrases: which documents hold a phrase's words next to each other, in order.

A word's positions are decoded once per commit (`Postings.positions`), block by block of its
postings (Whoosh 2.7's W3 blocks, as `arrays.block_postings` reads them), as one sorted array
of (document << 32 | position) keys; a phrase is then found with array operations, where
Whoosh's span matchers spend several calls on every posting of every word, for every query.
A match is what Whoosh's `Phrase` matches with its default slop of 1: each word at the position
after the previous one.
"""

from __future__ import annotations

import pickle
import time
from itertools import accumulate

import numpy as np
from whoosh.matching import Matcher

POSITION_BITS = 32


def positions(matcher: Matcher, offset: int, deadline: float) -> np.ndarray | None:
    """Return the sorted (document << 32 | position) keys of a segment's postings of one word,
    its documents numbered from `offset`, or None when the deadline passed first."""
    docs: list[int] = []
    found: list[int] = []
    while matcher.is_active():
        if time.monotonic() > deadline:
            return None
        matcher._read_ids()
        matcher._read_values()
        for docnum, value in zip(matcher._ids, matcher._values, strict=True):
            # Whoosh's Positions format: a 4-byte count, then the pickled gaps (its final
            # STOP byte may have been stripped; a second one is ignored)
            at = list(accumulate(pickle.loads(value[4:] + b".")))
            found.extend(at)
            docs.extend([docnum + offset] * len(at))
        matcher._next_block()
    return (np.asarray(docs, dtype=np.int64) << POSITION_BITS) | np.asarray(found, dtype=np.int64)


def holding(keys: list[np.ndarray]) -> np.ndarray:
    """Return the documents (sorted) where the words of `keys` (each word's position keys, in
    the phrase's order) stand in order, each at the position after the previous one."""
    starts = keys[0]
    for i, word in enumerate(keys[1:], 1):
        # the i-th word at position p + i for a start p: shifted back by i, the keys meet
        shifted = word - i
        at = np.searchsorted(shifted, starts)
        starts = starts[shifted[np.minimum(at, len(shifted) - 1)] == starts] if len(
            shifted) else shifted
    return np.unique(starts >> POSITION_BITS)
