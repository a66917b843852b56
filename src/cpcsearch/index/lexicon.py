"""A field's terms (all, or by first letter, with how many documents hold each), read from each
segment's term table in one read.

Whoosh iterates a term table with a seek and two reads a term (4 µs each: 20 ms for one letter's
terms at 21,600 documents). The table keeps a field's terms sorted and back to back, each entry
its key and value lengths, its key (the field's number and the term) and its value (the term's
info, its document count at byte 5), so one read of the letter's stretch holds them all.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

from whoosh.reading import SegmentReader
from whoosh.searching import Searcher

_LENGTHS = struct.Struct("!ii")  # an entry's key and value lengths (whoosh.filedb.filetables)
_FIELD_NUMBER = 2  # bytes before the term in a key (whoosh.codec.whoosh3.W3TermsReader)
_DOC_FREQUENCY = struct.Struct("!I")  # in a term's info (whoosh.codec.whoosh3.W3TermInfo)
_DOC_FREQUENCY_AT = 5

Lexicon = Callable[[str, str], tuple[list[str], list[int]]]  # `lexicon` of a field and letter


def _entries(reader: SegmentReader, fieldname: str, prefix: bytes) -> Iterator[tuple[str, int]]:
    """Yield a segment's terms of `fieldname` that begin with `prefix` (every term, for b""),
    sorted, and how many documents hold each."""
    terms = reader._terms  # the codec's term table (see above)
    if fieldname not in terms._fieldmap:  # a field none of the segment's documents has
        return
    table = terms._tindex
    first = terms._keycoder(fieldname, prefix)
    start = table.closest_key_pos(first)
    if start is None:
        return
    # the first key after every key that begins with `first` (UTF-8 has no byte 0xFF; with no
    # prefix, the next field's number)
    end = table.closest_key_pos(first[:-1] + bytes([first[-1] + 1]))
    data = table.dbfile.get(start, (table.endofdata if end is None else end) - start)
    at = 0
    while at < len(data):
        key_length, value_length = _LENGTHS.unpack_from(data, at)
        key = at + _LENGTHS.size
        value = key + key_length
        yield (data[key + _FIELD_NUMBER:value].decode(),
               _DOC_FREQUENCY.unpack_from(data, value + _DOC_FREQUENCY_AT)[0])
        at = value + value_length


def segment_terms(reader: SegmentReader, fieldname: str) -> list[str]:
    """Return every term of a segment's field, sorted."""
    return [term for term, _ in _entries(reader, fieldname, b"")]


def lexicon(searcher: Searcher, fieldname: str, letter: str) -> tuple[list[str], list[int]]:
    """Return a field's terms that begin with `letter`, sorted, and how many documents hold
    each (deleted ones too); none in an index built before the field was."""
    counts: dict[str, int] = {}
    if fieldname in searcher.schema:
        for sub, _ in searcher.leaf_searchers():
            reader = sub.reader()
            if isinstance(reader, SegmentReader):  # not the reader of an emptied index
                for term, found in _entries(reader, fieldname, letter.encode()):
                    counts[term] = counts.get(term, 0) + found
    words = sorted(counts)
    return words, [counts[word] for word in words]
