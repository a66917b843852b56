"""Write a new segment with its postings gathered in memory, by field and term.

Whoosh's writer puts every posting into a pool of tuples, sorts it (spilling sorted runs to
disk and merging them) and then hands the postings one by one to the codec, reading each
document's field length back from disk for each posting. For a rebuild that is most of the
commit's time. `BuildWriter` instead keeps each field's postings in compact arrays per term, in
the order documents arrive (which is document order), and gives the codec whole blocks of them;
the files it writes are the same, byte for byte, as Whoosh's writer's.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.index import Index
from whoosh.system import emptybytes
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

# The codec's field length for a stored length byte (what it reads back for each posting).
LENGTHS = [byte_to_length(b) if b else None for b in range(256)]


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
                for text in sorted(terms):
                    writer.start_term(text)
                    _write_postings(writer._postwriter, terms[text], lengths,
                                    self.pool.sizes[fieldname])
                    writer.finish_term()
                writer.finish_field()
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


def _write_postings(writer: Any, postings: tuple[array, array, Any],
                    lengths: list[int | None] | None, value_size: int) -> None:
    """Give a term's postings to the codec's postings writer, one block at a time.

    Sets the block the writer's `add_posting` would have filled, posting by posting; the last
    block is left for `finish_postings` to write (or inline), as it is after `add_posting`.
    """
    limit = writer._blocklimit
    all_ids, all_weights, values = postings
    count = len(all_ids)
    for start in range(0, count, limit):
        end = min(start + limit, count)
        ids = all_ids[start:end]
        weights = all_weights[start:end]
        writer._ids = ids
        writer._weights = array("f", weights)
        if value_size > 0:
            writer._values = [bytes(values[start * value_size:end * value_size])]
        elif value_size < 0:
            writer._values = [v for v in values[start:end] if v]
        writer._maxweight = max(0, max(weights))
        known = [length for length in map(lengths.__getitem__, ids) if length] if lengths else []
        writer._minlength = min(known) if known else None
        writer._maxlength = max(known) if known else 0
        if end < count:
            writer._write_block()
