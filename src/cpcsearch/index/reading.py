"""The reading side of the index: which generation is live, and one shared searcher on it.

A searcher is opened once per generation and commit and shared by every request (opening one
reads the segment's term index and columns, tens of milliseconds on a large index), and a new
one is opened when a reindex has swapped in a new generation or committed to the live one.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh.index import EmptyIndexError, Index
from whoosh.reading import SegmentReader
from whoosh.scoring import WeightingModel
from whoosh.searching import Searcher

from cpcsearch.errors import IndexCorrupt, IndexMissing

CURRENT = "current"
log = logging.getLogger(__name__)
REBUILD_HINT = "run `cpcsearch reindex --full` to rebuild it from the store"
T = TypeVar("T")


def current_path(index_dir: str | Path) -> Path:
    """Return the folder of the live generation; raise `IndexMissing` if there is none."""
    link = Path(index_dir) / CURRENT
    if not link.exists():
        raise IndexMissing(f"no index in {index_dir}: run `cpcsearch reindex --full`")
    return link.resolve()


def segments(searcher: Searcher) -> list[tuple[str, str] | None]:
    """Return the folder and id of each of the searcher's segments, in the order of its
    leaves (None for the reader of an index without segments: an emptied one)."""
    return [(str(sub.reader().storage().folder), sub.reader().segment().segment_id())
            if isinstance(sub.reader(), SegmentReader) else None
            for sub, _ in searcher.leaf_searchers()]


def per_document(read: Callable[[int], T], size: int, kept: int) -> Callable[[int], T]:
    """Return `read` of a commit's `size` documents by number: every document read at once, now,
    if there are no more than `kept` (one pass, not a read a hit), else the last `kept` read
    kept."""
    if size <= kept:
        return list(map(read, range(size))).__getitem__
    return lru_cache(maxsize=kept)(read)


def open_index(index_dir: str | Path) -> Index:
    """Open the live index read-only; raise `IndexCorrupt` naming the file that fails."""
    path = current_path(index_dir)
    try:
        return whoosh_index.open_dir(str(path))
    except EmptyIndexError:
        raise IndexCorrupt(f"index {path} has no table of contents (_MAIN_*.toc): "
                           f"{REBUILD_HINT}") from None
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError, ImportError,
            MemoryError) as exc:
        raise IndexCorrupt(f"index {path} cannot be read ({type(exc).__name__}: {exc}): "
                           f"{REBUILD_HINT}") from None


@dataclass
class Snapshot:
    """One commit of the live index: its shared searcher and what was derived from it.

    The searcher's files are closed when the last request holding the snapshot lets it go
    (hold the snapshot, not just its searcher, while searching). Whoosh reads a file with a seek
    and then a read, so every read of the shared searcher's files holds `reading` (one lock, so
    no two locks are ever taken in turns); `derived` holds it too.
    """

    searcher: Searcher
    folder: Path
    _derived: dict[str, Any] = field(default_factory=dict)
    reading: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        weakref.finalize(self, self.searcher.close)
        # Whoosh opens a column's file on first use without a lock: two requests reading stored
        # fields at once could both open it, and one file would never be closed.
        for sub, _ in self.searcher.leaf_searchers():
            if sub.reader().doc_count_all():
                sub.reader().stored_fields(0)

    def derived(self, key: str, make: Callable[[Searcher], Any]) -> Any:
        """Return `make(searcher)`, computed once per commit (facet columns, the splitter)."""
        with self.reading:
            if key not in self._derived:
                self._derived[key] = make(self.searcher)
            return self._derived[key]


class LiveIndex:
    """The live generation of one index folder, with one snapshot shared across threads.

    At most every `reload_seconds` it checks whether the `current` link or the generation's
    latest commit changed, and if so opens a new snapshot; requests holding the old one finish
    on it (Whoosh's files stay readable until they close).
    """

    def __init__(self, index_dir: str | Path, weighting: WeightingModel,
                 reload_seconds: float = 2.0) -> None:
        self.index_dir = Path(index_dir)
        self.weighting = weighting
        self.reload_seconds = reload_seconds
        self._lock = threading.Lock()
        self._checked = 0.0
        self._stamp: tuple[Path, int] | None = None
        self._snapshot: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        """Return the snapshot of the latest commit; raise `IndexMissing` without an index."""
        with self._lock:
            now = time.monotonic()
            if self._snapshot is None or now - self._checked > self.reload_seconds:
                self._checked = now
                self._refresh()
            assert self._snapshot is not None
            return self._snapshot

    def _refresh(self) -> None:
        """Open the latest commit; if it cannot be read, keep serving the one already open."""
        try:
            folder = current_path(self.index_dir)
            ix = open_index(self.index_dir)
            stamp = (folder, ix.latest_generation())
            if stamp != self._stamp:
                self._snapshot = Snapshot(ix.searcher(weighting=self.weighting), folder)
                self._stamp = stamp
        except IndexMissing as exc:
            if self._snapshot is None:
                raise
            log.warning("still serving %s: %s", self._snapshot.folder, exc)
