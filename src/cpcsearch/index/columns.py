"""A segment's per-document values (field lengths, columns) read whole, in one read.

Whoosh reads them a document at a time, with a seek and a read each (3 µs: 65 ms for a field's
lengths at 21,600 documents). Its codec keeps them back to back: a field's lengths as a byte a
document up to the last that has one (`whoosh.codec.whoosh3`), a column of numbers likewise, each
packed big-endian (`whoosh.columns.NumericColumn`), and a column of bytes as its values in
document order followed by their lengths (`whoosh.columns.VarBytesColumn`).
"""

from __future__ import annotations

from itertools import accumulate
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.reading import IndexReader, SegmentReader
from whoosh.util.numeric import byte_to_length

# The length each byte stands for; 0: no length.
_LENGTH_OF_BYTE = np.array([0, *map(byte_to_length, range(1, 256))], dtype=float)


def length_bytes(perdoc: Any, fieldname: str, doccount: int) -> np.ndarray:
    """Return each document's length byte in a field (0: none) from a per-document reader."""
    lengths = np.zeros(doccount, np.uint8)
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is not None:
        lengths[:column._count] = np.frombuffer(
            column._dbfile.get(column._basepos, column._count), np.uint8)
    return lengths


def _segments(reader: IndexReader) -> list[SegmentReader]:
    """Return the reader's segments (an emptied index has none: its one leaf reads nothing)."""
    return [leaf for leaf, _ in reader.leaf_readers() if isinstance(leaf, SegmentReader)]


def field_lengths(reader: IndexReader, fieldname: str) -> np.ndarray:
    """Return each document's length in a field, as Whoosh's scoring reads it
    (`doc_field_length`), 0 for none; deleted documents included."""
    parts = [_LENGTH_OF_BYTE[length_bytes(leaf._perdoc, fieldname, leaf.doc_count_all())]
             for leaf in _segments(reader)]
    return np.concatenate(parts) if parts else np.zeros(reader.doc_count_all())


def column_values(reader: IndexReader, fieldname: str) -> list[bytes]:
    """Return each document's value in a column of bytes, deleted documents included."""
    values: list[bytes] = []
    for leaf in _segments(reader):
        column = leaf.column_reader(fieldname, translate=False)
        if isinstance(column, VarBytesColumn.Reader):
            lengths = column._lengths
            data = column._dbfile.get(column._basepos, sum(lengths))
            ends = accumulate(lengths)
            values += [data[end - length:end] for end, length in zip(ends, lengths, strict=True)]
        else:
            values += column
    return values


def column_numbers(reader: IndexReader, fieldname: str) -> np.ndarray:
    """Return each document's value in a column of numbers, as floats, deleted documents
    included (a document without one: the column's default)."""
    parts = []
    for leaf in _segments(reader):
        column = leaf.column_reader(fieldname, translate=False)
        if not isinstance(column, NumericColumn.Reader):
            parts.append(np.fromiter(column, dtype=float, count=leaf.doc_count_all()))
            continue
        code, size = column._typecode, column._fixedlen
        kind = "f" if code in "fd" else "u" if code.isupper() else "i"
        values = np.full(leaf.doc_count_all(), column._default, dtype=float)
        values[:column._count] = np.frombuffer(
            column._dbfile.get(column._basepos, column._count * size), f">{kind}{size}")
        parts.append(values)
    return np.concatenate(parts) if parts else np.zeros(reader.doc_count_all())
