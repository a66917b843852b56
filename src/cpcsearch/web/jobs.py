"""Background jobs started by the admin API (reindexing), with their progress."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

log = logging.getLogger(__name__)
Work = Callable[[Callable[[int, int], None]], Any]


@dataclass
class Job:
    """One job's state, as `GET /admin/jobs/<id>` shows it."""

    id: str
    kind: str
    status: str = "queued"
    done: int = 0
    total: int = 0
    started_at: str = ""
    finished_at: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the job as JSON-ready data."""
        return asdict(self)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class JobRunner:
    """Run jobs one at a time in background threads and remember their outcome."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def start(self, kind: str, work: Work) -> Job:
        """Start `work(progress)` in a thread; its return value (a dataclass) becomes the result."""
        job = Job(id=str(next(self._ids)), kind=kind)
        with self._lock:
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, work), daemon=True).start()
        return job

    def _run(self, job: Job, work: Work) -> None:
        job.status, job.started_at = "running", _now()

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        try:
            result = work(progress)
            job.result = asdict(result) if result is not None else {}
            job.status = "done"
        except Exception as exc:  # a failed job reports its error; the server stays up
            log.exception("job %s failed", job.id)
            job.status, job.error = "failed", str(exc)
        job.finished_at = _now()

    def get(self, job_id: str) -> Job | None:
        """Return a job by id."""
        return self._jobs.get(job_id)
