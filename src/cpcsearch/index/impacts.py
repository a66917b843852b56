"""A rebuilt segment's `content` postings as NumPy arrays, beside Whoosh's own files.

Search scores `content` terms from whole posting lists (`search/arrays.py`); decoding them from
Whoosh's pickled blocks costs a Python call per block and per posting. A segment written by a
rebuild (`building.py`) also saves them here once, and a search maps the file and slices it.
Segments written by incremental commits have no such file and are read from their blocks.
"""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any

import numpy as np

FIELD = "content"
SUFFIX = ".content.npz"
# Terms are kept in a fixed-width array: longer ones (rare; a pasted code or URL) are left to
# Whoosh's blocks, so that one of them cannot widen every entry.
MAX_TERM = 48


def covers(fieldname: str, term: bytes) -> bool:
    """Tell whether saved lists answer for a term (`content` terms, but the longest ones)."""
    return fieldname == FIELD and len(term) <= MAX_TERM


def path_for(folder: str | Path, segment_id: str) -> Path:
    """Return the file of a segment's arrays."""
    return Path(folder) / f"{segment_id}{SUFFIX}"


def save(path: Path, terms: dict[bytes, tuple[array, array, Any]]) -> None:
    """Write the posting lists (document numbers, frequencies) of every term, sorted by term."""
    texts = sorted(t for t in terms if len(t) <= MAX_TERM)
    sizes = np.fromiter((len(terms[t][0]) for t in texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    docs = np.concatenate([np.frombuffer(terms[t][0], dtype=np.uint32) for t in texts]) if (
        texts) else np.empty(0, np.uint32)
    freqs = np.concatenate([np.frombuffer(terms[t][1], dtype=np.float64) for t in texts]) if (
        texts) else np.empty(0)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as out:
        np.savez(out, terms=np.array(texts, dtype=bytes), starts=starts, docs=docs,
                 freqs=freqs.astype(np.float32))
    tmp.replace(path)


class Impacts:
    """A segment's saved posting lists, looked up by term."""

    def __init__(self, path: Path) -> None:
        with np.load(path) as data:
            self.terms, self.starts = data["terms"], data["starts"]
            self.docs, self.freqs = data["docs"], data["freqs"]

    def postings(self, text: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """Return a term's document numbers and frequencies, or None if it has none here."""
        at = int(np.searchsorted(self.terms, text))
        if at == len(self.terms) or self.terms[at] != text:
            return None
        start, end = self.starts[at], self.starts[at + 1]
        return self.docs[start:end].astype(np.int64), self.freqs[start:end].astype(np.float64)


def load(folder: str | Path, segment_id: str) -> Impacts | None:
    """Return a segment's saved posting lists, or None if it has none (or they are unreadable)."""
    path = path_for(folder, segment_id)
    try:
        return Impacts(path) if path.exists() else None
    except (OSError, ValueError, KeyError):
        return None
