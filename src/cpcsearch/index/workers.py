"""The processes that write the shares of a rebuild besides this one (see `parallel.py`).

A worker is `python -m cpcsearch.index.parallel`, a fresh process: the caller may run threads,
which rules out forking, and `multiprocessing` would re-run the caller's main script. It is
started before this process imports the indexing code, so that it imports its own meanwhile,
and then waits for its share on standard input. On standard output it reports how many
documents it has added ("done N", then "indexed N" once all are) and, at the end, its segment
("segment <base64 pickle>"). A worker given no share ends when its standard input closes.
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# More processes than cores would only take turns; more than 4 gains little and costs memory.
PROCS = min(os.cpu_count() or 1, 4)
# Fewer documents per process are not worth starting a worker (an interpreter and its imports).
MIN_SHARE = 2500


@contextmanager
def started(documents: int) -> Iterator[list[Worker]]:
    """Start the workers that a rebuild of `documents` documents needs; end any left at exit."""
    pool = [Worker() for _ in range(max(1, min(PROCS, documents // MIN_SHARE)) - 1)]
    try:
        yield pool
    finally:
        for worker in pool:
            worker.stop()


class Worker:
    """A process writing the live documents of one range of the store as one segment."""

    def __init__(self) -> None:
        self.share = "its share"
        self.errors = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cpcsearch.index.parallel"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.errors)
        self._done = 0
        self._indexed = False
        self._segment: Any = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def write(self, folder: str, store_path: Path, low: int, high: int) -> None:
        """Give the worker its share: the live documents after `low` up to `high`."""
        self.share = f"documents {low + 1} to {high} of the store"
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(
                [folder, str(store_path), low, high, os.getpid()]).encode() + b"\n")
            self.process.stdin.close()
        except BrokenPipeError:
            pass  # it has ended already: `segment` says how

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
            self._close()
            raise RuntimeError(f"indexing {self.share} failed (exit code "
                               f"{self.process.returncode}): {detail[-1] if detail else ''}")
        self._close()
        return self._segment

    def stop(self) -> None:
        """End the worker if it still runs (its segment's files go with the generation built)."""
        if self.process.poll() is None:
            self.process.kill()
        self._end()
        self._close()

    def _end(self) -> None:
        self.process.wait()
        self._reader.join()

    def _close(self) -> None:
        for stream in (self.process.stdin, self.process.stdout, self.errors):
            if stream is not None and not stream.closed:
                stream.close()
