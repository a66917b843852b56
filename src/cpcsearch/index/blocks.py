"""Whoosh 3's posting lists and table of terms, written for a whole field at once.

A posting list is a header then blocks of `blocklimit` postings, each its length (negative for
the last), pickled statistics and the pickled (delta-encoded ids, weights, values), compressed
when long enough; the term info packs the list's statistics and extent. Whoosh reads from these
what it reads from its own writer's, which pickles with protocol 2 (each bytes value as a call
to `_codecs.encode`) and compresses every block.
"""

from __future__ import annotations

import zlib
from bisect import bisect_right
from collections.abc import Iterator
from hashlib import md5
from itertools import accumulate
from pickle import dumps
from typing import Any, NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter, _lengths
from whoosh.system import pack_int, pack_long, pack_ushort

# A block's pickle shorter than this is written uncompressed (each block says whether it is):
# compressing the shorter ones cost a rebuild more than a sixth of its commit, and Reuters'
# postings stay smaller than Whoosh's own writer's (20 MB a segment of 10.8k, against 24).
COMPRESS_FROM = 1000
# Any protocol unpickles alike; from 3 on, bytes are pickled as bytes: a tenth less CPU to write
# a rebuild's postings, and smaller. (4 and later add a frame header to every block.)
PROTOCOL = 3
# Postings turned into Python numbers at once: the whole field's at once took 84 MB more at
# the peak of a rebuild's process (10.8k Reuters articles' `content`, 658k postings).
CHUNK = 1 << 16


class ByTerm(NamedTuple):
    """A field's postings grouped by term: term i's are at `starts[i]:starts[i + 1]`."""

    texts: list[bytes]
    starts: np.ndarray
    docs: np.ndarray
    weights: np.ndarray
    values: Any  # bytes of fixed-size values, a list of variable ones, or None
    value_size: int


def write_terms(writer: Any, grouped: ByTerm, lengths: np.ndarray, codec: Any) -> None:
    """Write each term's posting list and term info as the codec's writers would.

    The statistics are worked out for every block at once; weights are stored as 32-bit
    floats, lengths as bytes. The postings become Python numbers `CHUNK` at a time.
    """
    texts, starts, docs, weights, values, size = grouped
    counts = np.diff(starts)
    per_term = (counts + codec._blocklimit - 1) // codec._blocklimit
    firsts = np.zeros(len(texts) + 1, np.int64)
    np.cumsum(per_term, out=firsts[1:])
    block_starts = (np.repeat(starts[:-1], per_term) + codec._blocklimit * (
        np.arange(firsts[-1]) - np.repeat(firsts[:-1], per_term)))
    block_ends = np.minimum(block_starts + codec._blocklimit, np.repeat(starts[1:], per_term))
    all_deltas = docs.astype(np.int64)
    all_deltas[1:] -= docs[:-1]
    all_deltas[block_starts] = docs[block_starts]
    all_singles = weights.astype(np.float32)
    low_singles, high_singles = (np.minimum.reduceat(all_singles, block_starts),
                                 np.maximum.reduceat(all_singles, block_starts))
    known = lengths[docs]
    unknown = np.where(known == 0, 256, known).astype(np.int16)  # lengths of 0 do not count

    def low(at: np.ndarray) -> list[int]:
        least = np.minimum.reduceat(unknown, at)
        return np.where(least == 256, 0, least).tolist()

    block_low, block_high = low(block_starts), np.maximum.reduceat(known, block_starts).tolist()
    term_low, term_high = low(starts[:-1]), np.maximum.reduceat(known, starts[:-1]).tolist()
    block_top = np.maximum(np.maximum.reduceat(weights, block_starts), 0).tolist()
    term_top = np.maximum(np.maximum.reduceat(weights, starts[:-1]), 0).tolist()
    term_weight = np.add.reduceat(all_singles.astype(np.float64), starts[:-1]).tolist()
    ones = ((low_singles == 1) & (high_singles == 1)).tolist()
    same = (low_singles == high_singles).tolist()
    block_starts, block_ends = block_starts.tolist(), block_ends.tolist()
    firsts, counts, starts = firsts.tolist(), counts.tolist(), starts.tolist()
    compression = codec._compression
    postfile, pack_info = writer._postfile, W3TermInfo._struct.pack
    infos = []
    offset = postfile.tell()
    for first_term, end_term in _chunks(starts, CHUNK):
        base, stop = starts[first_term], starts[end_term]
        ids = docs[base:stop].tolist()
        deltas, singles = all_deltas[base:stop].tolist(), all_singles[base:stop].tolist()
        for term in range(first_term, end_term):
            out = [WHOOSH3_HEADER_MAGIC]
            last = firsts[term + 1] - 1
            for block in range(firsts[term], last + 1):
                start, end = block_starts[block], block_ends[block]
                at, to = start - base, end - base
                mini_weights = (None if ones[block] else singles[at] if same[block]
                                else tuple(singles[at:to]))
                block_values = (tuple(values[start:end]) if size < 0 else
                                values[start * size:end * size] if size else None)
                data = dumps((tuple(deltas[at:to]), mini_weights, block_values), PROTOCOL)
                level = compression if len(data) >= COMPRESS_FROM else 0
                if level:
                    data = zlib.compress(data, level)
                info = dumps((end - start, ids[to - 1], block_top[block], level,
                              block_low[block], block_high[block]), PROTOCOL)
                out += (pack_int(-(len(info) + len(data)) if block == last
                                 else len(info) + len(data)), info, data)
            written = b"".join(out)
            postfile.write(written)
            infos.append(pack_info(
                False, term_weight[term], counts[term], term_low[term], term_high[term],
                term_top[term], ids[starts[term] - base], ids[starts[term + 1] - 1 - base])
                + pack_long(offset) + pack_int(len(written)))
            offset += len(written)
    prefix = pack_ushort(writer._fieldid)
    _add_terms(writer._tindex, [prefix + text for text in texts], infos)


def _chunks(starts: list[int], size: int) -> Iterator[tuple[int, int]]:
    """Yield runs of consecutive terms (first, end) holding at most `size` postings each, or
    one term that holds more (term i's postings are at `starts[i]:starts[i + 1]`)."""
    first = 0
    while first < len(starts) - 1:
        end = max(first + 1, bisect_right(starts, starts[first] + size) - 1)
        yield first, end
        first = end


def _add_terms(table: OrderedHashWriter, keys: list[bytes], values: list[bytes]) -> None:
    """Add increasing keys and their values to Whoosh's table of terms, as its `add` does.

    At once rather than one by one: a call for each term cost a rebuild more than its blocks.
    """
    if keys[0] <= table.lastkey:
        raise ValueError(f"keys must increase: {table.lastkey!r}..{keys[0]!r}")
    records = list(map(b"".join, zip(map(_lengths.pack, map(len, keys), map(len, values)),
                                     keys, values, strict=True)))
    positions = list(accumulate(map(len, records), initial=table.dbfile.tell()))[:-1]
    table.dbfile.write(b"".join(records))
    table.index.extend(positions)
    # Whoosh's MD5 hash (its default, `md5_hash`): the digest's last 4 bytes, big-endian.
    hashes = ([int.from_bytes(md5(key).digest()[-4:]) for key in keys] if table.hashtype == 0
              else list(map(table.hashfn, keys)))
    buckets = table.buckets
    for hashed, position in zip(hashes, positions, strict=True):
        buckets[hashed & 255].append((hashed, position))
    table.lastkey = keys[-1]
