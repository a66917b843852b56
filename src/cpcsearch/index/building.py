"""Write a new segment with its postings gathered in memory, by field and term.

Whoosh's writer puts every posting into a pool of tuples, sorts it (spilling sorted runs to
disk and merging them) and then hands the postings one by one to the codec, reading each
document's field length back from disk for each posting. For a rebuild that is most of the
commit's time. `BuildWriter` instead keeps each field's postings in compact arrays, in the
order documents arrive (which is document order), groups them by term with NumPy, and writes
each term's posting list and term info itself, in Whoosh 3's format: Whoosh reads from them
what it reads from its own writer's files (a test holds it to that), which are the same byte
for byte but for the posting blocks (pickled with protocol 3, where Whoosh's protocol 2 pickles
each bytes value as a call to `_codecs.encode`; left uncompressed when too short to be worth
it) and the offsets that follow from them.
"""

from __future__ import annotations

import gc
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from hashlib import md5
from itertools import accumulate, repeat
from pickle import dumps
from typing import Any, NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3TermInfo, _lenfield
from whoosh.filedb.filetables import OrderedHashWriter, _lengths
from whoosh.index import Index
from whoosh.system import emptybytes, pack_int, pack_long, pack_ushort
from whoosh.writing import SegmentWriter

from cpcsearch.index import impacts, vocabulary

# A block's pickle shorter than this is written uncompressed (each block says whether it is):
# compressing the shorter ones cost a rebuild more than a sixth of its commit, and Reuters'
# postings stay smaller than Whoosh's own writer's (20 MB a segment of 10.8k, against 24).
COMPRESS_FROM = 1000
# The postings of a field's values this short (years, sections, topics, names) are worked out
# once and remembered, so many per field: a corpus repeats them.
SHORT_VALUE = 200
SEEN_VALUES = 10_000
# Any protocol unpickles alike; from 3 on, bytes are pickled as bytes: a tenth less CPU to write
# a rebuild's postings, and smaller. (4 and later add a frame header to every block.)
PROTOCOL = 3


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building.

    A build only adds to the pool, so each collection would walk its millions of objects for
    nothing (about a tenth of a rebuild's time).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ByTerm(NamedTuple):
    """A field's postings grouped by term: term i's are at `starts[i]:starts[i + 1]`."""

    texts: list[bytes]
    starts: np.ndarray
    docs: np.ndarray
    weights: np.ndarray
    values: Any  # bytes of fixed-size values, a list of variable ones, or None
    value_size: int


class FieldPostings:
    """One field's postings in the order documents arrive (document order), terms numbered.

    `value_size` is the format's: the size of its fixed-size values, -1 for variable ones
    (kept as a list), 0 for none.
    """

    def __init__(self, value_size: int) -> None:
        self.value_size = value_size
        self.numbers: defaultdict[bytes, int] = defaultdict()
        self.numbers.default_factory = self.numbers.__len__  # a new term takes the next number
        self.terms = array("I")
        self.docs = array("I")
        self.weights = array("d")
        self.values: Any = bytearray() if value_size > 0 else [] if value_size < 0 else None

    def add(self, docnum: int, items: Iterable[tuple[bytes, int, float, bytes]]) -> int:
        """Add one document's (term, frequency, weight, value) postings; return their length."""
        columns = list(zip(*items, strict=True))
        if not columns:
            return 0
        texts, freqs, weights, values = columns
        self.terms.extend(map(self.numbers.__getitem__, texts))
        self.docs.extend(repeat(docnum, len(texts)))
        self.weights.extend(weights)
        if self.value_size > 0:
            self.values += emptybytes.join(values)
        elif self.value_size < 0:
            self.values.extend(values)
        return sum(freqs)

    def by_term(self) -> ByTerm:
        """Return the postings grouped by term, terms sorted, each one's in document order."""
        texts = sorted(self.numbers)
        rank = np.empty(len(texts), np.int64)
        rank[np.fromiter(map(self.numbers.__getitem__, texts), np.int64, len(texts))] = (
            np.arange(len(texts)))
        ranks = rank[np.frombuffer(self.terms, np.uint32)]
        order = np.argsort(ranks, kind="stable")
        starts = np.zeros(len(texts) + 1, np.int64)
        np.cumsum(np.bincount(ranks, minlength=len(texts)), out=starts[1:])
        values: Any = None
        if self.value_size > 0:
            values = np.frombuffer(self.values, np.uint8).reshape(-1, self.value_size)[
                order].tobytes()
        elif self.value_size < 0:
            values = list(map(self.values.__getitem__, order.tolist()))
        return ByTerm(texts, starts, np.frombuffer(self.docs, np.uint32)[order],
                      np.frombuffer(self.weights)[order], values, self.value_size)


class MemoryPool:
    """Gather postings per field, for a segment small enough to fit in memory."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.fields: dict[str, FieldPostings] = {}

    def add_field(self, fieldname: str, docnum: int,
                  items: Iterable[tuple[bytes, int, float, bytes]]) -> int:
        """Add one document's postings of one field; return the field's length in it."""
        postings = self.fields.get(fieldname)
        if postings is None:
            size = self.schema[fieldname].format.fixed_value_size()
            postings = self.fields[fieldname] = FieldPostings(-1 if size is None else size)
        return postings.add(docnum, items)

    def add(self, item: tuple[str, bytes, int, float, bytes]) -> None:
        """Add one (fieldname, term, docnum, weight, value) posting."""
        fieldname, text, docnum, weight, value = item
        self.add_field(fieldname, docnum, [(text, 0, weight, value)])

    def cleanup(self) -> None:
        """Drop the postings (the writer's interface for removing temporary files)."""
        self.fields.clear()


class BuildWriter(SegmentWriter):
    """A segment writer for building a new index: postings in memory, written in blocks."""

    def __init__(self, ix: Index, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool.cleanup()
        self.pool = MemoryPool(self.schema)
        self.seen: defaultdict[str, dict[str, list[Any]]] = defaultdict(dict)
        self.plain: dict[tuple[str, ...], bool] = {}

    def add_document(self, **fields: Any) -> None:
        """Add a document as SegmentWriter does, one field's postings at a time."""
        self._check_state()
        names = tuple(sorted(fields))
        plain = self.plain.get(names)
        if plain is None:  # checked once for each set of fields
            self._check_fields(self.schema, names)
            plain = self.plain[names] = not any(
                name.startswith("_") or self.schema[name].vector
                or self.schema[name].separate_spelling() for name in names)
        if not plain:
            super().add_document(**fields)  # boosts, custom stored values, vectors, spelling
            return
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = self.schema[name]
            length = self.pool.add_field(name, docnum, self._postings(name, field, value)) if (
                field.indexed) else 0
            if field.stored or length and field.scorable:
                perdoc.add_field(name, field, value if field.stored else None,
                                 length if field.scorable else 0)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _postings(self, name: str, field: Any,
                  value: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
        """Return the postings of a field's value; a short string's are worked out once."""
        if type(value) is not str or len(value) > SHORT_VALUE:
            return field.index(value)
        seen = self.seen[name]
        postings = seen.get(value)
        if postings is None:
            if len(seen) >= SEEN_VALUES:
                seen.clear()
            postings = seen[value] = list(field.index(value))
        return postings

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        writer = self.fieldwriter
        try:
            for fieldname in sorted(self.pool.fields):
                postings = self.pool.fields.pop(fieldname)
                if not postings.numbers:
                    continue  # Whoosh numbers only the fields that have terms
                grouped = postings.by_term()
                del postings
                writer.start_field(fieldname, self.schema[fieldname])
                _write_terms(writer, grouped, self._lengths(pdr, fieldname), self.codec)
                writer.finish_field()
                if fieldname == impacts.FIELD:
                    segment_id = self.newsegment.segment_id()
                    impacts.save(impacts.path_for(self.storage.folder, segment_id),
                                 *grouped[:4])
                    words = self.schema[fieldname].seen_words()
                    if words is not None:
                        vocabulary.save(vocabulary.path_for(self.storage.folder, segment_id),
                                        words)
            writer.close()
        finally:
            if pdr:
                pdr.close()

    def _lengths(self, pdr: Any, fieldname: str) -> np.ndarray:
        """Return the field's length byte in each document (0: none), as the codec stores it."""
        reader = pdr and pdr._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if reader is None:
            return np.zeros(self.docnum, np.uint8)
        return np.array(reader.load(), np.uint8)


def _write_terms(writer: Any, grouped: ByTerm, lengths: np.ndarray, codec: Any) -> None:
    """Write each term's posting list and term info as the codec's writers would.

    Whoosh 3's format: a posting list is a header then blocks of `blocklimit` postings, each
    its length (negative for the last), pickled statistics and the pickled (delta-encoded ids,
    weights, values), compressed when long enough; the term info packs the list's statistics
    and extent. The statistics are worked out for every block at once; weights are stored
    as 32-bit floats, lengths as bytes.
    """
    texts, starts, docs, weights, values, size = grouped
    counts = np.diff(starts)
    per_term = (counts + codec._blocklimit - 1) // codec._blocklimit
    firsts = np.zeros(len(texts) + 1, np.int64)
    np.cumsum(per_term, out=firsts[1:])
    block_starts = (np.repeat(starts[:-1], per_term) + codec._blocklimit * (
        np.arange(firsts[-1]) - np.repeat(firsts[:-1], per_term)))
    block_ends = np.minimum(block_starts + codec._blocklimit, np.repeat(starts[1:], per_term))
    deltas = docs.astype(np.int64)
    deltas[1:] -= docs[:-1]
    deltas[block_starts] = docs[block_starts]
    singles = weights.astype(np.float32)
    low_singles, high_singles = (np.minimum.reduceat(singles, block_starts),
                                 np.maximum.reduceat(singles, block_starts))
    known = lengths[docs]
    unknown = np.where(known == 0, 256, known).astype(np.int16)  # lengths of 0 do not count

    def low(at: np.ndarray) -> list[int]:
        least = np.minimum.reduceat(unknown, at)
        return np.where(least == 256, 0, least).tolist()

    block_low, block_high = low(block_starts), np.maximum.reduceat(known, block_starts).tolist()
    term_low, term_high = low(starts[:-1]), np.maximum.reduceat(known, starts[:-1]).tolist()
    block_top = np.maximum(np.maximum.reduceat(weights, block_starts), 0).tolist()
    term_top = np.maximum(np.maximum.reduceat(weights, starts[:-1]), 0).tolist()
    term_weight = np.add.reduceat(singles.astype(np.float64), starts[:-1]).tolist()
    ones = ((low_singles == 1) & (high_singles == 1)).tolist()
    same = (low_singles == high_singles).tolist()
    ids, deltas, singles = docs.tolist(), deltas.tolist(), singles.tolist()
    block_starts, block_ends = block_starts.tolist(), block_ends.tolist()
    firsts, counts, starts = firsts.tolist(), counts.tolist(), starts.tolist()
    compression = codec._compression
    postfile, pack_info = writer._postfile, W3TermInfo._struct.pack
    infos = []
    offset = postfile.tell()
    for term in range(len(texts)):
        out = [WHOOSH3_HEADER_MAGIC]
        last = firsts[term + 1] - 1
        for block in range(firsts[term], last + 1):
            start, end = block_starts[block], block_ends[block]
            mini_weights = (None if ones[block] else singles[start] if same[block]
                            else tuple(singles[start:end]))
            block_values = (tuple(values[start:end]) if size < 0 else
                            values[start * size:end * size] if size else None)
            data = dumps((tuple(deltas[start:end]), mini_weights, block_values), PROTOCOL)
            level = compression if len(data) >= COMPRESS_FROM else 0
            if level:
                data = zlib.compress(data, level)
            info = dumps((end - start, ids[end - 1], block_top[block], level, block_low[block],
                          block_high[block]), PROTOCOL)
            out += (pack_int(-(len(info) + len(data)) if block == last
                             else len(info) + len(data)), info, data)
        written = b"".join(out)
        postfile.write(written)
        infos.append(pack_info(
            False, term_weight[term], counts[term], term_low[term], term_high[term],
            term_top[term], ids[starts[term]], ids[starts[term + 1] - 1])
            + pack_long(offset) + pack_int(len(written)))
        offset += len(written)
    prefix = pack_ushort(writer._fieldid)
    _add_terms(writer._tindex, [prefix + text for text in texts], infos)


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
