"""Write a new segment with its postings gathered in memory, by field and term.

Whoosh's writer puts every posting into a pool of tuples, sorts it (spilling sorted runs to
disk and merging them) and then hands the postings one by one to the codec, reading each
document's field length back from disk for each posting. For a rebuild that is most of the
commit's time. `BuildWriter` instead keeps each field's postings in compact arrays per term, in
the order documents arrive (which is document order), and writes each term's posting list and
term info itself, in Whoosh 3's format: its files are the same, byte for byte, as those of
Whoosh's writer when its pool fits in memory (a test holds it to that; runs spilled to disk and
read back only unshare equal values, which pickle then writes in full).
"""

from __future__ import annotations

import gc
import zlib
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3TermInfo, _lenfield
from whoosh.compat import dumps
from whoosh.index import Index
from whoosh.system import emptybytes, pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util.numlists import delta_encode
from whoosh.writing import SegmentWriter

from cpcsearch.index import impacts

# The codec's field length for a stored length byte (what it reads back for each posting).
LENGTHS = [byte_to_length(b) if b else None for b in range(256)]
# A block's pickle shorter than this is written uncompressed (each block says whether it is):
# zlib hardly shrinks it, and compressing it cost a rebuild more than a tenth of its commit.
COMPRESS_FROM = 100


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


class MemoryPool:
    """Gather postings per field and term, for a segment small enough to fit in memory.

    A term's postings are (document numbers, weights, values), values being one byte string
    for a format of fixed-size values, a list for variable ones and None for no values.
    """

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.fields: dict[str, dict[bytes, tuple[array, array, Any]]] = {}
        self.sizes: dict[str, int] = {}

    def add_field(self, fieldname: str, docnum: int,
                  items: Iterable[tuple[bytes, int, float, bytes | None]]) -> int:
        """Add one document's postings of one field; return the field's length in it."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            size = self.schema[fieldname].format.fixed_value_size()
            self.sizes[fieldname] = -1 if size is None else size
        size = self.sizes[fieldname]
        length = 0
        for text, freq, weight, value in items:
            length += freq
            postings = terms.get(text)
            if postings is None:
                postings = terms[text] = (array("I"), array("d"),
                                          bytearray() if size > 0 else [] if size < 0 else None)
            postings[0].append(docnum)
            postings[1].append(weight)
            if size > 0:
                postings[2].extend(value or emptybytes)
            elif size < 0:
                postings[2].append(value or emptybytes)
        return length

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
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

    def add_document(self, **fields: Any) -> None:
        """Add a document as SegmentWriter does, one field's postings at a time."""
        self._check_state()
        names = sorted(fields)
        self._check_fields(self.schema, names)
        if any(name.startswith("_") or self.schema[name].vector
               or self.schema[name].separate_spelling() for name in names):
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
            length = self.pool.add_field(name, docnum, field.index(value)) if field.indexed else 0
            perdoc.add_field(name, field, value if field.stored else None,
                             length if field.scorable else 0)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        writer = self.fieldwriter
        try:
            for fieldname in sorted(self.pool.fields):
                terms = self.pool.fields[fieldname]
                if not terms:
                    continue  # Whoosh numbers only the fields that have terms
                lengths = self._lengths(pdr, fieldname)
                writer.start_field(fieldname, self.schema[fieldname])
                size = self.pool.sizes[fieldname]
                for text in sorted(terms):
                    _write_term(writer, text, terms[text], lengths, size, self.codec)
                writer.finish_field()
                if fieldname == impacts.FIELD:
                    impacts.save(impacts.path_for(self.storage.folder,
                                                  self.newsegment.segment_id()), terms)
                terms.clear()
            writer.close()
        finally:
            if pdr:
                pdr.close()

    def _lengths(self, pdr: Any, fieldname: str) -> list[int | None] | None:
        """Return the field's length in each document, as the codec reads it back."""
        reader = pdr and pdr._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if reader is None:
            return None
        return [LENGTHS[reader[docnum]] for docnum in range(self.docnum)]


def _write_term(writer: Any, text: bytes, postings: tuple[array, array, Any],
                lengths: list[int | None] | None, value_size: int, codec: Any) -> None:
    """Write a term's posting list and term info as the codec's writers would.

    Whoosh 3's format: the posting list is a header then blocks of `blocklimit` postings,
    each its length (negative for the last), pickled statistics and pickled, compressed
    (delta-encoded ids, weights, values); the term info packs the list's statistics and extent.
    """
    all_ids, all_weights, all_values = postings
    count = len(all_ids)
    out = [WHOOSH3_HEADER_MAGIC]
    weight: float = 0
    minlength = None
    maxlength = maxweight = 0
    for start in range(0, count, codec._blocklimit):
        end = min(start + codec._blocklimit, count)
        ids = all_ids[start:end]
        weights = array("f", all_weights[start:end])
        weight += sum(weights)
        known = [length for length in map(lengths.__getitem__, ids) if length] if lengths else []
        low, high = (min(known), max(known)) if known else (None, 0)
        minlength = low if minlength is None else min(minlength, low)
        maxlength = max(maxlength, high)
        top = max(0, max(all_weights[start:end]))
        maxweight = max(maxweight, top)
        if all(w == 1.0 for w in weights):
            mini_weights: Any = None
        elif all(w == weights[0] for w in weights):
            mini_weights = weights[0]
        else:
            mini_weights = tuple(weights)
        if value_size > 0:
            values: Any = bytes(all_values[start * value_size:end * value_size])
        elif value_size < 0:
            values = tuple(v for v in all_values[start:end] if v)
        else:
            values = None
        data = dumps((tuple(delta_encode(ids)), mini_weights, values), 2)
        compression = codec._compression if len(data) >= COMPRESS_FROM else 0
        if compression:
            data = zlib.compress(data, compression)
        info = dumps((len(ids), ids[-1], top, compression, length_to_byte(low),
                      length_to_byte(high)), 2)
        out += (pack_int(-(len(info) + len(data)) if end == count else len(info) + len(data)),
                info, data)
    written = b"".join(out)
    offset = writer._postfile.tell()
    writer._postfile.write(written)
    terminfo = W3TermInfo._struct.pack(
        False, weight, count, 0 if minlength is None else length_to_byte(minlength),
        length_to_byte(maxlength), maxweight, all_ids[0], all_ids[-1])
    writer._tindex.add(pack_ushort(writer._fieldid) + text,
                       terminfo + pack_long(offset) + pack_int(len(written)))
