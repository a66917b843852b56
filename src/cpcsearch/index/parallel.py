"""Build a new index on every core: one segment per process, all committed at once.

The store's live documents are cut into consecutive shares, one per process, so that document
numbers keep the store's order. The shares hold as much text each, but for this process's,
lighter by what the work it does alongside costs (training the sentence splitter), so that
every process finishes at once. Each worker (`workers.py`) writes its share as a segment of
the new index without committing; this process writes the last share, then commits one table
of contents listing every segment in order. Nothing is visible before that commit, and the
generation being built is thrown away whole if any process fails, as with a single writer.
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import sys
import time
from bisect import bisect_left
from collections.abc import Callable
from itertools import accumulate, pairwise

from whoosh import index as whoosh_index
from whoosh.index import Index, LockError

from cpcsearch.errors import IndexBusy
from cpcsearch.index.building import BuildWriter, paused_gc
from cpcsearch.index.schema import to_fields
from cpcsearch.index.workers import Worker
from cpcsearch.index.writing import Progress
from cpcsearch.store import Store

TICK_SECONDS = 0.2
PROGRESS_EVERY = 50


def build(ix: Index, store: Store, seq: int, report: Progress, workers: list[Worker],
          alongside: Callable[[], object] | None = None, alongside_cost: int = 0) -> int:
    """Index the store's live documents up to `seq` into the new, empty `ix`; return how many.

    The `workers` write all shares but the last; this process writes that one and then runs
    `alongside`, whose cost is counted as that many characters of stored documents.
    """
    report("reading store", 0, 1)
    sizes = store.live_sizes(seq)
    report("reading store", 1, 1)
    shares = list(pairwise(_bounds(sizes, len(workers) + 1, alongside_cost, seq)))
    try:
        writer = BuildWriter(ix, compound=False)
    except LockError:
        raise IndexBusy("the index is locked by another writer; try again later") from None

    def progress() -> None:
        report("indexing", writer.doc_count() + sum(w.done() for w in workers), len(sizes))

    with paused_gc():
        try:
            for worker, (low, high) in zip(workers, shares[:-1], strict=True):
                worker.write(ix.storage.folder, store.path, low, high)
            progress()
            for stored in store.changes_since(*shares[-1]):
                if not stored.gone:
                    writer.add_document(**to_fields(stored.document))
                    progress()
            if alongside is not None:
                alongside()
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
            writer.cancel()
            raise
    return sum(segment.doc_count_all() for segment in segments)


def _bounds(sizes: list[tuple[int, int]], parts: int, lighter: int, seq: int) -> list[int]:
    """Return the sequence numbers that cut the documents into `parts` shares of equal size,
    but the last, lighter by `lighter`: share k holds those after bound k up to bound k + 1."""
    ends = list(accumulate(size for _, size in sizes))
    each = ((ends[-1] if ends else 0) + lighter) / parts
    cuts = [bisect_left(ends, each * k) for k in range(1, parts)]
    return [0, *(sizes[cut][0] if cut < len(sizes) else seq for cut in cuts), seq]


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
    share = sys.stdin.readline()
    if share:  # none: the rebuild ended before this worker had its share
        write_share(*json.loads(share))
    # Its segment written and reported, the worker ends without freeing its millions of objects
    # one by one (a sixth of a second the rebuild would wait for).
    sys.stdout.flush()
    os._exit(0)
