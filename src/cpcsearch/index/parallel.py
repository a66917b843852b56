"""Build a new index on every core: one segment per process, all committed at once.

The store's live documents are cut into consecutive shares, one per process, so that document
numbers keep the store's order. Each worker (`python -m cpcsearch.index.parallel`, a fresh
process: the caller may run threads, which rules out forking, and `multiprocessing` would re-run
the caller's main script) writes its share as a segment of the new index without committing;
this process writes the last share, then commits one table of contents listing every segment in
order. Nothing is visible before that commit, and the generation being built is thrown away
whole if any process fails, as with a single writer.
"""

from __future__ import annotations

import base64
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import Index, LockError

from cpcsearch.errors import IndexBusy
from cpcsearch.index.building import BuildWriter, paused_gc
from cpcsearch.index.schema import to_fields
from cpcsearch.index.writing import Progress
from cpcsearch.store import Store

# More processes than cores would only take turns; more than 4 gains little and costs memory.
PROCS = min(os.cpu_count() or 1, 4)
# Fewer documents per process are not worth starting a worker (an interpreter and its imports).
MIN_SHARE = 2500
TICK_SECONDS = 0.2
PROGRESS_EVERY = 50


def build(ix: Index, store: Store, seq: int, report: Progress) -> int:
    """Index the store's live documents up to `seq` into the new, empty `ix`; return how many."""
    report("reading store", 0, 1)
    seqs = store.live_seqs(seq)
    report("reading store", 1, 1)
    parts = max(1, min(PROCS, len(seqs) // MIN_SHARE))
    bounds = [0, *(seqs[len(seqs) * k // parts - 1] for k in range(1, parts)), seq]
    shares = list(pairwise(bounds))
    try:
        writer = BuildWriter(ix, compound=False)
    except LockError:
        raise IndexBusy("the index is locked by another writer; try again later") from None
    workers: list[Worker] = []

    def progress() -> None:
        report("indexing", writer.doc_count() + sum(w.done() for w in workers), len(seqs))

    with paused_gc():
        try:
            for low, high in shares[:-1]:
                workers.append(Worker(ix, store.path, low, high))
            progress()
            for stored in store.changes_since(*shares[-1]):
                if not stored.gone:
                    writer.add_document(**to_fields(stored.document))
                    progress()
            while any(worker.indexing() for worker in workers):
                time.sleep(TICK_SECONDS)
                progress()
            report("committing", 0, 1)
            # This process writes its segment while the workers write theirs.
            own = writer._finalize_segment() if writer.doc_count() else None
            if own is None:
                writer._close_segment()
            segments = [s for s in (*(worker.segment() for worker in workers), own) if s]
            writer._commit_toc(segments)
            writer._finish()
            report("committing", 1, 1)
        except BaseException:
            for worker in workers:
                worker.stop()
            writer.cancel()
            raise
    return sum(segment.doc_count_all() for segment in segments)


class Worker:
    """A process writing the live documents of one range of the store as one segment.

    It runs `python -m cpcsearch.index.parallel`, which reports on standard output how many
    documents it has added ("done N", then "indexed N" once all are) and, at the end, its
    segment ("segment <base64 pickle>").
    """

    def __init__(self, ix: Index, store_path: Path, low: int, high: int) -> None:
        self.share = f"documents {low + 1} to {high} of the store"
        self.errors = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, ix.storage.folder, str(store_path), str(low),
             str(high), str(os.getpid())], stdout=subprocess.PIPE, stderr=self.errors)
        self._done = 0
        self._indexed = False
        self._segment: Any = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            kind, _, value = line.partition(b" ")
            if kind in (b"done", b"indexed"):
                self._done = int(value)
                self._indexed = kind == b"indexed"
            elif kind == b"segment":
                self._segment = pickle.loads(base64.b64decode(value))

    def done(self) -> int:
        """Return how many documents the worker has added so far."""
        return self._done

    def indexing(self) -> bool:
        """Return whether the worker is still adding documents."""
        return not self._indexed and self.process.poll() is None

    def segment(self) -> Any:
        """Wait for the worker's segment and return it (None if it had no documents)."""
        self._end()
        if self.process.returncode:
            self.errors.seek(0)
            detail = self.errors.read().decode(errors="replace").strip().splitlines()
            self.errors.close()
            raise RuntimeError(f"indexing {self.share} failed (exit code "
                               f"{self.process.returncode}): {detail[-1] if detail else ''}")
        self.errors.close()
        return self._segment

    def stop(self) -> None:
        """End the worker (its segment's files go with the generation being built)."""
        if self.process.poll() is None:
            self.process.kill()
        self._end()
        self.errors.close()

    def _end(self) -> None:
        self.process.wait()
        self._reader.join()
        assert self.process.stdout is not None
        self.process.stdout.close()


def write_share(folder: str, store_path: str, low: int, high: int, parent: int) -> None:
    """Write the live documents after `low` up to `high` as one uncommitted segment."""
    writer = BuildWriter(whoosh_index.open_dir(folder), _lk=False, compound=False)
    with Store(store_path, create=False) as store, paused_gc():
        for stored in store.changes_since(low, high):
            if os.getppid() != parent:
                raise SystemExit("the build was killed: nobody will commit this segment")
            if not stored.gone:
                writer.add_document(**to_fields(stored.document))
                if writer.doc_count() % PROGRESS_EVERY == 0:
                    print("done", writer.doc_count(), flush=True)
        print("indexed", writer.doc_count(), flush=True)
        segment = writer._finalize_segment() if writer.doc_count() else None
    if segment is None:
        writer._close_segment()
    # No writer._finish(): it removes the folder of temporary files that all the writers share.
    print("segment", base64.b64encode(pickle.dumps(segment)).decode(), flush=True)


if __name__ == "__main__":
    folder, store_path, low, high, parent = sys.argv[1:]
    write_share(folder, store_path, int(low), int(high), int(parent))
