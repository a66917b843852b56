"""Reindex jobs as rows of the store's `jobs` table, shared by every process.

A job is claimed in one transaction, so two web workers, or a worker and a cron run, never
start two reindexes; the process doing the work records its phase and counts at least every
second, so any worker, or `cpcsearch jobs`, can follow it. A job whose process died is marked
failed, with the reason, by the next one that looks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cpcsearch.errors import CpcSearchError, JobRunning
from cpcsearch.store import Store

ACTIVE = ("queued", "running")
HEARTBEAT_SECONDS = 0.25
# A live job writes every HEARTBEAT_SECONDS; one silent this long has hung or died.
STALE_SECONDS = 120
COLUMNS = ("id", "kind", "params", "status", "pid", "phase", "done", "total", "eta_seconds",
           "created_at", "started_at", "updated_at", "finished_at", "result", "error")


@dataclass
class Job:
    """One job's row, as `GET /admin/jobs/<id>` and `cpcsearch jobs` show it."""

    id: int
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    status: str = "queued"
    pid: int | None = None
    phase: str = ""
    done: int = 0
    total: int = 0
    eta_seconds: float | None = None
    created_at: str = ""
    started_at: str | None = None
    updated_at: str | None = None
    finished_at: str | None = None
    result: dict[str, Any] | None = None
    error: str = ""

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Job:
        """Build a job from a row of `COLUMNS`."""
        values = dict(zip(COLUMNS, row, strict=True))
        values["params"] = json.loads(values["params"] or "{}")
        values["result"] = json.loads(values["result"]) if values["result"] else None
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Return the job as JSON-ready data."""
        return asdict(self)

    def describe(self) -> str:
        """Return one line saying what the job is doing or did."""
        line = f"job {self.id} ({self.kind} {json.dumps(self.params)}): {self.status}"
        if self.status in ACTIVE:
            line += f" since {self.started_at or self.created_at}"
            if self.phase:
                line += f", {self.phase} {self.done}/{self.total}"
            if self.eta_seconds is not None:
                line += f", about {self.eta_seconds:.0f} s left"
        elif self.finished_at:
            line += f" at {self.finished_at}"
        return line + (f": {self.error}" if self.error else "")


def now() -> str:
    """Return the current UTC time as ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie has exited; its parent has not reaped it yet
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _death(job: Job) -> str | None:
    """Return why an active job is dead, or None while its process runs."""
    if not _alive(job.pid):
        return (f"its process (pid {job.pid}) ended without finishing the job; "
                "it was killed or crashed")
    seen = dt.datetime.fromisoformat(job.updated_at or job.created_at)
    if (dt.datetime.now(dt.UTC) - seen).total_seconds() > STALE_SECONDS:
        return f"its process (pid {job.pid}) reported nothing for {STALE_SECONDS} s"
    return None


def _select(db: sqlite3.Connection, where: str, args: tuple[Any, ...] = ()) -> list[Job]:
    rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM jobs WHERE {where}", args)
    return [Job.from_row(row) for row in rows]


def _fail_dead(db: sqlite3.Connection, jobs: list[Job]) -> list[Job]:
    """Mark the dead among active `jobs` failed; return those still running."""
    running = []
    for job in jobs:
        reason = _death(job)
        if reason is None:
            running.append(job)
        else:
            db.execute("UPDATE jobs SET status = 'failed', error = ?, finished_at = ?"
                       " WHERE id = ? AND status IN ('queued', 'running')",
                       (reason, now(), job.id))
    return running


def claim(store: Store, kind: str, params: dict[str, Any], pid: int) -> Job:
    """Create a queued job for process `pid`, or raise `JobRunning` if one is active."""
    with closing(store.db.cursor()) as cur:
        cur.execute("BEGIN IMMEDIATE")
        try:
            running = _fail_dead(store.db, _select(store.db, "status IN ('queued', 'running')"))
            if running:
                cur.execute("COMMIT")  # keep the dead jobs marked
                job = running[0]
                raise JobRunning(f"a reindex is already running: {job.describe()}; wait for it "
                                 "(cpcsearch jobs) and try again", job.to_dict())
            stamp = now()
            cur.execute("INSERT INTO jobs (kind, params, status, pid, created_at, updated_at)"
                        " VALUES (?, ?, 'queued', ?, ?, ?)",
                        (kind, json.dumps(params, sort_keys=True), pid, stamp, stamp))
            job_id = int(cur.lastrowid or 0)
            cur.execute("COMMIT")
        except JobRunning:
            raise
        except BaseException:
            cur.execute("ROLLBACK")
            raise
    found = get(store, job_id)
    assert found is not None
    return found


def hand_over(store: Store, job_id: int, pid: int) -> None:
    """Record that process `pid` now does the queued job."""
    store.db.execute("UPDATE jobs SET pid = ?, updated_at = ? WHERE id = ?", (pid, now(), job_id))


def begin(store: Store, job_id: int, pid: int) -> Job:
    """Mark a queued job as running in process `pid`; raise `CpcSearchError` if it is not."""
    stamp = now()
    updated = store.db.execute(
        "UPDATE jobs SET status = 'running', pid = ?, started_at = ?, updated_at = ?"
        " WHERE id = ? AND status = 'queued'", (pid, stamp, stamp, job_id)).rowcount
    job = get(store, job_id)
    if not updated or job is None:
        raise CpcSearchError(f"job {job_id} is not waiting to run"
                          + (f" ({job.status})" if job else ": no job has this id"))
    return job


def finish(store: Store, job_id: int, result: dict[str, Any] | None = None,
           error: str = "") -> None:
    """Record a job's outcome: its result, or the error that ended it."""
    stamp = now()
    store.db.execute(
        "UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ?, updated_at = ?,"
        " eta_seconds = NULL WHERE id = ?",
        ("failed" if error else "done", json.dumps(result) if result is not None else None,
         error, stamp, stamp, job_id))


def get(store: Store, job_id: int) -> Job | None:
    """Return a job by id, marking it failed first if its process died."""
    found = _select(store.db, "id = ?", (job_id,))
    if found and found[0].status in ACTIVE and not _fail_dead(store.db, found):
        found = _select(store.db, "id = ?", (job_id,))
    return found[0] if found else None


def recent(store: Store, limit: int = 20) -> list[Job]:
    """Return the latest jobs, newest first."""
    _fail_dead(store.db, _select(store.db, "status IN ('queued', 'running')"))
    return _select(store.db, "1 ORDER BY id DESC LIMIT ?", (limit,))


def last_finished(store: Store) -> Job | None:
    """Return the latest job that ended, done or failed."""
    found = _select(store.db, "finished_at IS NOT NULL ORDER BY id DESC LIMIT 1")
    return found[0] if found else None


class Recorder:
    """A progress callback that writes a job's phase, counts and ETA to its row.

    The writes happen in a thread, every `HEARTBEAT_SECONDS`, so the row keeps moving (and
    shows the job alive) even through a long step that reports nothing.
    """

    def __init__(self, store_path: str | Path, job_id: int) -> None:
        self.store_path = store_path
        self.job_id = job_id
        self._state: tuple[str, int, int] = ("starting", 0, 0)
        self._phase_started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._write_loop, daemon=True)

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self._state[0]:
            self._phase_started = time.monotonic()
        self._state = (phase, done, total)

    def eta(self) -> float | None:
        """Return the seconds the current phase still needs at its pace so far."""
        _, done, total = self._state
        if not 0 < done < total:
            return None
        return (time.monotonic() - self._phase_started) / done * (total - done)

    def _write_loop(self) -> None:
        with closing(sqlite3.connect(self.store_path, timeout=30, isolation_level=None)) as db:
            while True:
                stopping = self._stop.wait(HEARTBEAT_SECONDS)
                phase, done, total = self._state
                try:
                    db.execute("UPDATE jobs SET phase = ?, done = ?, total = ?, eta_seconds = ?,"
                               " updated_at = ? WHERE id = ?",
                               (phase, done, total, self.eta(), now(), self.job_id))
                except sqlite3.OperationalError:
                    pass  # the store is busy: the next beat writes the newer state anyway
                if stopping:
                    return
