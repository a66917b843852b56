"""Start reindex jobs from the web app in their own process, outside every web worker.

The job is claimed in the store (so every worker sees it, and a second one is refused), then
a `cpcsearch reindex --job ID` process does the work in its own session: restarting or
stopping a web worker does not stop the reindex.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

from cpcsearch import jobs
from cpcsearch.config import Config
from cpcsearch.store import Store


def start_reindex(config: Config, params: dict[str, Any]) -> jobs.Job:
    """Queue a reindex with `params` and start its process; raise `JobRunning` if one runs."""
    with Store(config.STORE, create=False) as store:
        job = jobs.claim(store, "reindex", params, os.getpid())
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "cpcsearch", "reindex", "--job", str(job.id)],
                env={**os.environ, **config.environment()}, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            jobs.finish(store, job.id, error=f"the reindex process could not start: {exc}")
            raise
        jobs.hand_over(store, job.id, process.pid)
    # Reap the process when it ends, so it never lingers as a zombie of this worker.
    threading.Thread(target=process.wait, daemon=True).start()
    return job
