"""A segment's `content` and `title_words` postings as NumPy arrays, beside Whoosh's own
files.

Search scores `content` terms from whole posting lists (`search/arrays.py`), and completions
rank titles by the words typed (`search/suggest.py`, up to 64 words a keystroke); decoding
them from Whoosh's pickled blocks costs a Python call per block and per posting. Every
segment cpcsearch writes (`building.py`: a rebuild's, or an incremental commit's with the small
segments Whoosh merges into it) also saves them here once, and a search maps the file and
slices it. Segments that Whoosh's own writer wrote (earlier versions' incremental commits) have no
such file and are read from their blocks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

FIELDS = ("content", "title_words")
# Terms are kept in a fixed-width array: longer ones (rare; a pasted code or URL) are left to
# Whoosh's blocks, so that one of them cannot widen every entry.
MAX_TERM = 48


def covers(term: bytes) -> bool:
    """Tell whether saved lists answer for a term of a saved field (all but the longest)."""
    return len(term) <= MAX_TERM


def path_for(folder: str | Path, segment_id: str, fieldname: str) -> Path:
    """Return the file of a segment's arrays of one field."""
    return Path(folder) / f"{segment_id}.{fieldname}.npz"


def save(path: Path, texts: list[bytes], starts: np.ndarray, docs: np.ndarray,
         freqs: np.ndarray) -> None:
    """Write the posting lists (document numbers, frequencies) of sorted terms.

    Term i's postings are `docs[starts[i]:starts[i + 1]]`, and the same of `freqs`.
    """
    kept = np.fromiter((len(t) <= MAX_TERM for t in texts), bool, len(texts))
    sizes = np.diff(starts)
    postings = np.repeat(kept, sizes)
    kept_starts = np.zeros(kept.sum() + 1, dtype=np.int64)
    np.cumsum(sizes[kept], out=kept_starts[1:])
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as out:
        np.savez(out, terms=np.array([t for t in texts if len(t) <= MAX_TERM], dtype=bytes),
                 starts=kept_starts, docs=docs[postings].astype(np.uint32),
                 freqs=freqs[postings].astype(np.float32))
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


def load(folder: str | Path, segment_id: str) -> dict[str, Impacts]:
    """Return a segment's saved posting lists by field, of the fields that have them (and are
    readable)."""
    saved = {}
    for fieldname in FIELDS:
        path = path_for(folder, segment_id, fieldname)
        try:
            if path.exists():
                saved[fieldname] = Impacts(path)
        except (OSError, ValueError, KeyError):
            continue
    return saved
