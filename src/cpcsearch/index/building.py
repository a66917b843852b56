"""Write a new segment with its postings gathered in memory, by field and term.

Whoosh's writer puts every posting into a pool of tuples, sorts it (spilling sorted runs to
disk and merging them) and then hands the postings one by one to the codec, reading each
document's field length back from disk for each posting. For a rebuild that is most of the
commit's time. `BuildWriter` instead keeps each field's postings in compact arrays, in the
order documents arrive (which is document order), groups them by term with NumPy, and writes
each term's posting list and term info at once (`blocks.py`), in Whoosh 3's format: Whoosh
reads from them what it reads from its own writer's files (a test holds it to that), which are
the same byte for byte but for the posting blocks and their offsets in the table of terms.
Incremental commits use it too: the small segments Whoosh merges into one arrive after its new
documents, a term at a time, and numbered after them, so each term's postings stay in document
order.
"""

from __future__ import annotations

import gc
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import repeat
from typing import Any

import numpy as np
from whoosh.index import Index
from whoosh.system import emptybytes
from whoosh.writing import SegmentWriter

from cpcsearch.index import impacts, vocabulary
from cpcsearch.index.blocks import CHUNK, ByTerm, write_terms
from cpcsearch.index.columns import length_bytes

# The postings of a field's values this short (years, sections, topics, names) are worked out
# once and remembered, so many per field: a corpus repeats them.
SHORT_VALUE = 200
SEEN_VALUES = 2000


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building.

    A build only adds to the pool, so each collection would walk its millions of objects for
    nothing (about a tenth of a rebuild's time). They all stand in the youngest generation at
    the end, which the next collection would walk whole (a tenth of a second, and again in the
    middle one): they are moved to the oldest at once, as if they had survived both.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


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
        # NumPy sorts keys of 16 bits by radix, in linear time: most fields have fewer terms.
        order = np.argsort(ranks.astype(np.uint16) if len(texts) <= 1 << 16 else ranks,
                           kind="stable")
        starts = np.zeros(len(texts) + 1, np.int64)
        np.cumsum(np.bincount(ranks, minlength=len(texts)), out=starts[1:])
        values: Any = None
        if self.value_size > 0:
            values = np.frombuffer(self.values, np.uint8).reshape(-1, self.value_size)[
                order].tobytes()
        elif self.value_size < 0:  # `CHUNK` at a time: all of `order` as Python ints is 24 MB
            values = []
            for start in range(0, len(order), CHUNK):
                values += map(self.values.__getitem__, order[start:start + CHUNK].tolist())
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
    """A segment writer, of a rebuild or of an incremental commit: postings in memory
    (the merged segments' too), written in blocks."""

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
        segment_id = self.newsegment.segment_id()
        try:
            for fieldname in sorted(self.pool.fields):
                postings = self.pool.fields.pop(fieldname)
                if not postings.numbers:
                    continue  # Whoosh numbers only the fields that have terms
                grouped = postings.by_term()
                del postings
                writer.start_field(fieldname, self.schema[fieldname])
                write_terms(writer, grouped, self._lengths(pdr, fieldname), self.codec)
                writer.finish_field()
                if fieldname in impacts.FIELDS:
                    impacts.save(impacts.path_for(self.storage.folder, segment_id, fieldname),
                                 *grouped[:4])
                if fieldname == vocabulary.FIELD:
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
        return (length_bytes(pdr, fieldname, self.docnum) if pdr
                else np.zeros(self.docnum, np.uint8))
