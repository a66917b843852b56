"""The store → index steps that the CLI, the admin API and `serve` share."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cpcsearch import jobs
from cpcsearch.config import Config
from cpcsearch.errors import CpcSearchError, IndexMissing
from cpcsearch.store import Store

if TYPE_CHECKING:
    from cpcsearch.index.writing import Progress, ReindexReport


def run_reindex(config: Config, full: bool = False, progress: Progress | None = None,
                allow_empty: bool = False, job_id: int | None = None) -> ReindexReport:
    """Bring the configured index up to date with the configured store, as a recorded job.

    Without `job_id` the job is claimed here (raising `JobRunning` if another runs); with it,
    this process takes over a job that the admin API queued. The store must exist: an index
    is never built from a store created by mistake.
    """
    from cpcsearch.index.writing import reindex

    with Store(config.STORE, create=False) as store:
        if job_id is None:
            job = jobs.claim(store, "reindex", {"full": full, "allow_empty": allow_empty},
                             os.getpid())
            job_id = job.id
        job = jobs.begin(store, job_id, os.getpid())
        full = bool(job.params.get("full", full))
        allow_empty = bool(job.params.get("allow_empty", allow_empty))

        def both(phase: str, done: int, total: int) -> None:
            recorder(phase, done, total)
            if progress is not None:
                progress(phase, done, total)

        try:
            with jobs.Recorder(config.STORE, job_id) as recorder:
                report = reindex(store, config.INDEX_DIR, full=full, progress=both,
                                 allow_empty=allow_empty)
        except BaseException as exc:
            message = str(exc) if isinstance(exc, CpcSearchError) else (
                f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
            jobs.finish(store, job_id, error=message)
            raise
        jobs.finish(store, job_id, result=asdict(report))
        return report


def ensure_demo_index(config: Config) -> int:
    """Import and index the demo pages when there is no index yet; return how many were added."""
    from cpcsearch.importer import import_paths
    from cpcsearch.index.writing import open_index

    try:
        if open_index(config.INDEX_DIR).doc_count():
            return 0
    except IndexMissing:
        pass
    with Store(config.STORE) as store:
        added = import_paths(store, [config.DEMO_DIR]).added if not store.count() else 0
    run_reindex(config, full=True)
    return added


def collect_stats(config: Config) -> dict[str, Any]:
    """Return counts of the store and the index, whether they agree, and the last reindex.

    Reads the index's bookkeeping file rather than the index itself, so it stays quick.
    """
    from cpcsearch.index.writing import current_path, read_meta

    stats: dict[str, Any] = {"store_documents": 0, "store_seq": 0}
    last: jobs.Job | None = None
    if Path(config.STORE).is_file():
        with Store(config.STORE, create=False) as store:
            stats = {"store_documents": store.count(), "store_seq": store.last_seq()}
            last = jobs.last_finished(store)
    try:
        generation = current_path(config.INDEX_DIR)
        meta = read_meta(generation)
        stats["index_documents"] = meta.get("doc_count")
        stats["index_seq"] = meta.get("store_seq")
        stats["index_generation"] = generation.name
    except IndexMissing:
        stats.update(index_documents=0, index_seq=0, index_generation=None)
    if stats["index_documents"] is None:  # an index built before the count was recorded
        from cpcsearch.index.writing import open_index

        stats["index_documents"] = open_index(config.INDEX_DIR).doc_count()
    stats["in_sync"], stats["disagreement"] = _agreement(stats)
    stats["last_reindex"] = None if last is None else {
        key: getattr(last, key) for key in ("id", "status", "params", "started_at",
                                            "finished_at", "result", "error")}
    return stats


def _agreement(stats: dict[str, Any]) -> tuple[bool, str | None]:
    if stats["store_documents"] != stats["index_documents"]:
        return False, (f"the store has {stats['store_documents']} documents, the index "
                       f"{stats['index_documents']}: run `cpcsearch reindex`")
    if stats["index_seq"] != stats["store_seq"]:
        return False, (f"the store has changes after the index (store seq {stats['store_seq']}, "
                       f"index seq {stats['index_seq']}): run `cpcsearch reindex`")
    return True, None
