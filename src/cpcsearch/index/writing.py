"""Bring the index up to date with the store: incrementally, or by a rebuild swapped in whole.

Layout of the index folder: one `gen-NNNNNN/` folder per full build and a `current` symlink
naming the live one. A rebuild fills a new generation beside the live one, marks it complete,
and replaces the symlink atomically, so readers never see a half-built index; an incremental
update is one Whoosh commit, atomic too. A folder without the completion marker is the
leftover of a killed build: it is removed, never chosen. The generation a swap retires stays
`GRACE_SECONDS` for the searchers that still have it open. `cpcsearch.json` in each generation
records how far into the store's history the index has read and how many documents it holds.
Each generation also keeps its trained sentence splitter.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from whoosh import index as whoosh_index
from whoosh.index import Index, LockError

from cpcsearch.errors import EmptyRebuild, IndexBusy, IndexMissing
from cpcsearch.index.reading import CURRENT, REBUILD_HINT, current_path, open_index
from cpcsearch.store import Store

if TYPE_CHECKING:
    from cpcsearch.index.workers import Worker

META = "cpcsearch.json"
COMPLETE = ".complete"
RETIRED = ".retired"
GRACE_SECONDS = 60.0
TICK_SECONDS = 0.2


# progress(phase, done, total): phases are "reading store", "indexing", "committing",
# "fitting models" and "swapping"; done/total count documents (or steps) of the phase.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ReindexReport:
    """What a reindex did."""

    full: bool
    indexed: int
    removed: int
    total: int
    generation: str


def read_meta(generation: Path) -> dict[str, object]:
    """Return a generation's bookkeeping: `store_seq`, `doc_count`, `updated_at` (may be empty)."""
    try:
        data = json.loads((generation / META).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_seq(generation: Path) -> int:
    value = read_meta(generation).get("store_seq", 0)
    return value if isinstance(value, int) else 0


def _write_meta(generation: Path, seq: int, doc_count: int) -> None:
    tmp = generation / f"{META}.tmp"
    tmp.write_text(json.dumps({
        "store_seq": seq, "doc_count": doc_count,
        "updated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}))
    os.replace(tmp, generation / META)


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


class _Reporter:
    """Pass progress on at each new phase, at the end of one, and every `TICK_SECONDS`."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.phase = ""
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if phase != self.phase or done >= total or now - self.last >= TICK_SECONDS:
            self.phase, self.last = phase, now
            self.progress(phase, done, total)


def _apply_changes(ix: Index, store: Store, since: int, report: _Reporter) -> tuple[int, int]:
    """Write the store's changes after `since` into `ix` in one commit: (indexed, removed)."""
    from cpcsearch.index.building import BuildWriter
    from cpcsearch.index.schema import to_fields

    report("reading store", 0, 1)
    total = store.count_since(since)
    report("reading store", 1, 1)
    indexed = removed = 0
    try:
        writer = BuildWriter(ix, compound=False)
    except LockError:
        raise IndexBusy("the index is locked by another writer; try again later") from None
    try:
        report("indexing", 0, total)
        # An index built by an earlier version lacks later fields (until `reindex --full`).
        known = set(ix.schema.names())
        # One searcher for every deletion: Whoosh's update_document opens one per document.
        with writer.searcher() as searcher:
            for n, stored in enumerate(store.changes_since(since), 1):
                deleted = writer.delete_by_term("id", stored.document.id, searcher=searcher)
                removed += deleted if stored.gone else 0
                if not stored.gone:
                    fields = to_fields(stored.document)
                    writer.add_document(**{k: v for k, v in fields.items() if k in known})
                    indexed += 1
                report("indexing", n, total)
        report("committing", 0, 1)
        writer.commit()
        report("committing", 1, 1)
    except BaseException:
        writer.cancel()
        raise
    return indexed, removed


def reindex(store: Store, index_dir: str | Path, full: bool = False,
            progress: Progress | None = None, allow_empty: bool = False) -> ReindexReport:
    """Bring the index in `index_dir` up to date with `store`; `full` rebuilds it from scratch.

    A rebuild that would replace a non-empty index with an empty one raises `EmptyRebuild`
    unless `allow_empty`.
    """
    index_dir = Path(index_dir).absolute()
    report = _Reporter(progress)
    with _exclusive(index_dir):
        if full or not (index_dir / CURRENT).exists():
            return _rebuild(store, index_dir, report, allow_empty)
        ix = open_index(index_dir)
        generation = current_path(index_dir)
        seq = store.last_seq()
        indexed, removed = _apply_changes(ix, store, _read_seq(generation), report)
        _write_meta(generation, seq, ix.doc_count())
        return ReindexReport(False, indexed, removed, ix.doc_count(), generation.name)


def _live(index_dir: Path) -> Path | None:
    try:
        return current_path(index_dir)
    except IndexMissing:
        return None


def _live_count(generation: Path) -> int:
    count = read_meta(generation).get("doc_count")
    if isinstance(count, int):
        return count
    try:
        return int(whoosh_index.open_dir(str(generation)).doc_count())
    except Exception:  # an unreadable index holds nothing worth keeping
        return 0


def _remove_leftovers(index_dir: Path, live: Path | None) -> None:
    """Remove generations that never went live, and retired ones past their grace period.

    Only called under the reindex lock, so no other build is filling any of them.
    """
    for generation in index_dir.glob("gen-*"):
        if live is not None and generation.resolve() == live.resolve():
            continue
        retired = generation / RETIRED
        if retired.exists() and time.time() - retired.stat().st_mtime < GRACE_SECONDS:
            continue
        shutil.rmtree(generation, ignore_errors=True)


def _rebuild(store: Store, index_dir: Path, report: _Reporter,
             allow_empty: bool) -> ReindexReport:
    from cpcsearch.index import workers

    # The workers start first, to import the indexing code while this process does.
    with workers.started(store.count()) as pool:
        return _build_generation(store, index_dir, report, allow_empty, pool)


def _build_generation(store: Store, index_dir: Path, report: _Reporter, allow_empty: bool,
                      pool: list[Worker]) -> ReindexReport:
    from cpcsearch.index import parallel, sentences
    from cpcsearch.index.schema import build_schema

    live = _live(index_dir)
    if not allow_empty and live is not None and store.count() == 0:
        replaced = _live_count(live)
        if replaced:
            raise EmptyRebuild(
                f"the store {store.path} has no documents and the live index {replaced}: "
                "refusing to replace it with an empty one (check CPCSEARCH_STORE / --store, "
                "or pass --allow-empty)")
    # Numbers only grow, so a folder name never means two different builds.
    numbers = [int(p.name.split("-")[1]) for p in index_dir.glob("gen-*")
               if p.name.split("-")[1].isdigit()]
    generation = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    _remove_leftovers(index_dir, live)
    generation.mkdir()
    try:
        seq = store.last_seq()
        ix = whoosh_index.create_in(str(generation), build_schema())
        train = partial(sentences.train_store, store, generation)
        # With workers, this process trains the sentence splitter while they finish their shares.
        indexed = parallel.build(ix, store, seq, report, pool, train if pool else None,
                                 sentences.TRAINING_COST)
        report("fitting models", 0, 1)
        if not pool:
            train()
        report("fitting models", 1, 1)
        _write_meta(generation, seq, ix.doc_count())
        (generation / COMPLETE).touch()
        report("swapping", 0, 1)
        if live is not None:
            (live / RETIRED).touch()
            if not (index_dir / CURRENT).is_symlink():  # an index copied without its link
                os.replace(index_dir / CURRENT, index_dir / f"{generation.name}-copied")
        tmp_link = index_dir / f".{CURRENT}.tmp"
        tmp_link.unlink(missing_ok=True)
        tmp_link.symlink_to(generation.name)
        os.replace(tmp_link, index_dir / CURRENT)
    except BaseException:
        for worker in pool:  # before their segments' folder goes
            worker.stop()
        shutil.rmtree(generation, ignore_errors=True)
        if live is not None:
            (live / RETIRED).unlink(missing_ok=True)
        raise
    _remove_leftovers(index_dir, generation)
    report("swapping", 1, 1)
    return ReindexReport(True, indexed, 0, ix.doc_count(), generation.name)


def check_index(index_dir: str | Path) -> list[str]:
    """Open the live index and read every segment; return one line per problem found."""
    from whoosh.reading import SegmentReader

    try:
        ix = open_index(index_dir)
    except IndexMissing as exc:
        return [str(exc)]
    generation = current_path(index_dir)
    problems = []
    for segment in ix._segments():
        name = generation / f"{ix.indexname}_{segment.segment_id()}.*"
        try:
            with SegmentReader(ix.storage, ix.schema, segment) as reader:
                for _ in reader.all_stored_fields():
                    pass
                for fieldname, text in reader.all_terms():
                    sum(1 for _ in reader.postings(fieldname, text).all_ids())
        except Exception as exc:  # any failure to read is what the check reports
            problems.append(f"segment {name} cannot be read ({type(exc).__name__}: {exc}): "
                            f"{REBUILD_HINT}")
    return problems
