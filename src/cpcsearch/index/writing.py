"""Bring the index up to date with the store: incrementally, or by a rebuild swapped in whole.

Layout of the index folder: one `gen-NNNNNN/` folder per full build and a `current` symlink
naming the live one. A rebuild fills a new generation beside the live one and replaces the
symlink atomically, so readers never see a half-built index; an incremental update is one
Whoosh commit, atomic too. `store_seq` in each generation's `cpcsearch.json` records how far
into the store's history the index has read. Each generation also keeps its trained sentence
splitter.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index, LockError

from cpcsearch.errors import IndexBusy
from cpcsearch.index import sentences
from cpcsearch.index.reading import CURRENT
from cpcsearch.index.schema import build_schema, to_fields
from cpcsearch.store import Store

META = "cpcsearch.json"
BATCH = 500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReindexReport:
    """What a reindex did."""

    full: bool
    indexed: int
    removed: int
    total: int
    generation: str


@contextmanager
def _exclusive(index_dir: Path) -> Iterator[None]:
    """Hold the reindex lock, or raise `IndexBusy` at once if another reindex holds it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".reindex.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy(f"another reindex is running on {index_dir}; try again later") from None
        yield


def _read_seq(generation: Path) -> int:
    try:
        return int(json.loads((generation / META).read_text())["store_seq"])
    except (OSError, ValueError, KeyError):
        return 0


def _write_seq(generation: Path, seq: int) -> None:
    tmp = generation / f"{META}.tmp"
    tmp.write_text(json.dumps({"store_seq": seq}))
    os.replace(tmp, generation / META)


def _apply_changes(ix: Index, store: Store, since: int,
                   progress: Progress | None) -> tuple[int, int]:
    """Write the store's changes after `since` into `ix` in one commit.

    Return (indexed, removed).
    """
    indexed = removed = 0
    total = store.last_seq() - since
    try:
        writer = ix.writer()
    except LockError:
        raise IndexBusy("the index is locked by another writer; try again later") from None
    try:
        for n, stored in enumerate(store.changes_since(since), 1):
            if stored.gone:
                removed += writer.delete_by_term("id", stored.document.id)
            else:
                writer.update_document(**to_fields(stored.document))
                indexed += 1
            if progress and n % BATCH == 0:
                progress(n, total)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return indexed, removed


def reindex(store: Store, index_dir: str | Path, full: bool = False,
            progress: Progress | None = None) -> ReindexReport:
    """Bring the index in `index_dir` up to date with `store`; `full` rebuilds it from scratch."""
    index_dir = Path(index_dir)
    with _exclusive(index_dir):
        link = index_dir / CURRENT
        if full or not link.exists():
            return _rebuild(store, index_dir, progress)
        generation = link.resolve()
        seq = store.last_seq()
        ix = whoosh_index.open_dir(str(generation))
        indexed, removed = _apply_changes(ix, store, _read_seq(generation), progress)
        _write_seq(generation, seq)
        return ReindexReport(False, indexed, removed, ix.doc_count(), generation.name)


def _rebuild(store: Store, index_dir: Path, progress: Progress | None) -> ReindexReport:
    generations = sorted(index_dir.glob("gen-*"))
    number = int(generations[-1].name.split("-")[1]) + 1 if generations else 1
    generation = index_dir / f"gen-{number:06d}"
    generation.mkdir()
    try:
        seq = store.last_seq()
        ix = whoosh_index.create_in(str(generation), build_schema())
        indexed, _ = _apply_changes(ix, store, 0, progress)
        _write_seq(generation, seq)
        sentences.save(sentences.train(store.bodies()), generation)
        tmp_link = index_dir / f".{CURRENT}.tmp"
        tmp_link.unlink(missing_ok=True)
        tmp_link.symlink_to(generation.name)
        os.replace(tmp_link, index_dir / CURRENT)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    # The previous generation stays for searchers that still have it open.
    for old in generations[:-1]:
        shutil.rmtree(old, ignore_errors=True)
    return ReindexReport(True, indexed, 0, ix.doc_count(), generation.name)
