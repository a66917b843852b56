"""Production serving: gunicorn with 2 workers, a reindex started through one and followed
through the others, while searches keep answering."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ADMIN_TOKEN, DEMO_DIR, FILLER, ROOT, build_index, filler_documents, make_config
from cpcsearch.importer import import_paths
from cpcsearch.store import Store
from test_live import free_port

PAGES = sorted(DEMO_DIR.glob("*.html"))
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def call(url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method=method, headers={
        **AUTH, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


@pytest.fixture()
def gunicorn(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str], Path]]:
    """Serve a store of 30 demo articles (44 once reindexed) with `gunicorn -w 2 wsgi:app`."""
    config = build_index(make_config(tmp_path), *PAGES[:30])
    with Store(config.STORE) as store:
        import_paths(store, PAGES[30:])
        store.upsert_many((doc, None) for doc in filler_documents(FILLER))
    port = free_port()
    env = {**os.environ, **config.environment(), "CPCSEARCH_RELOAD_SECONDS": "0.2"}
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
             "--chdir", str(ROOT), "--access-logfile", "-",
             "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "wsgi:app"],
            env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield base, server, log
    finally:
        server.terminate()
        server.wait(20)


def test_a_reindex_started_on_one_worker_is_followed_on_all(
        gunicorn: tuple[str, subprocess.Popen[str], Path]) -> None:
    base, _, log = gunicorn
    searches: list[int] = []
    stop = threading.Event()

    def search() -> None:
        while not stop.is_set():
            searches.append(call(f"{base}/api/search?q=caspian+pipeline")[0])

    hammer = threading.Thread(target=search)
    hammer.start()
    try:
        status, started = call(f"{base}/admin/reindex", "POST", b'{"full": true}')
        assert status == 202, started
        job_url = f"{base}{started['status_url']}"
        second = call(f"{base}/admin/reindex", "POST", b"{}")
        assert second[0] == 409 and second[1]["job"]["id"] == started["job"], second
        polls: list[tuple[int, dict]] = []
        deadline = time.monotonic() + 120
        while not polls or polls[-1][1].get("status") in ("queued", "running"):
            assert time.monotonic() < deadline, polls[-1]
            polls.append(call(job_url))
            time.sleep(0.05)
        for _ in range(20):  # a few more, so that every worker answers for the finished job
            polls.append(call(job_url))
    finally:
        stop.set()
        hammer.join(30)
    assert {status for status, _ in polls} == {200}, [p for p in polls if p[0] != 200][:3]
    final = polls[-1][1]
    assert final["status"] == "done" and final["result"]["total"] == len(PAGES) + FILLER, final
    assert "indexing" in {job["phase"] for _, job in polls}
    served_by = {found[1] for line in log.read_text().splitlines()  # "<pid> GET /path 200"
                 if (found := re.match(rf"<(\d+)> GET /admin/jobs/{started['job']} 200$", line))}
    assert len(served_by) == 2, f"the job was followed through {len(served_by)} worker(s)"
    assert searches and set(searches) == {200}, sorted(set(searches))
    deadline = time.monotonic() + 10
    while (health := call(f"{base}/healthz")[1])["index_documents"] != len(PAGES) + FILLER:
        assert time.monotonic() < deadline, health
        time.sleep(0.2)
    assert health["in_sync"] is True and health["last_reindex"]["id"] == started["job"]


def test_a_reindex_outlives_the_worker_that_started_it(
        gunicorn: tuple[str, subprocess.Popen[str], Path]) -> None:
    base, server, _ = gunicorn
    status, started = call(f"{base}/admin/reindex", "POST", b'{"full": true}')
    assert status == 202, started
    job_url = f"{base}{started['status_url']}"
    deadline = time.monotonic() + 60
    while (job := call(job_url)[1])["status"] == "queued":
        assert time.monotonic() < deadline, job
        time.sleep(0.02)
    stat = Path(f"/proc/{job['pid']}/stat").read_text()
    worker = int(stat.rsplit(")", 1)[1].split()[1])  # the reindex process's parent
    assert worker != server.pid, "the reindex runs in its own process, started by a worker"
    os.kill(worker, 9)
    while (job := call(job_url)[1])["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["status"] == "done" and job["result"]["total"] == len(PAGES) + FILLER, job
