"""Reindex jobs in the store: one at a time, dead ones failed, progress that moves, admin API."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ADMIN_TOKEN, DEMO_DIR, FILLER, build_index, filler_documents, make_config
from cpcsearch import jobs
from cpcsearch.config import Config
from cpcsearch.errors import JobRunning
from cpcsearch.importer import import_paths
from cpcsearch.store import Store
from cpcsearch.web import create_app

PAGES = sorted(DEMO_DIR.glob("*.html"))
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def cli(config: Config, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CPCSEARCH_STORE": config.STORE, "CPCSEARCH_INDEX_DIR": config.INDEX_DIR}
    return subprocess.run([sys.executable, "-m", "cpcsearch", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_one_reindex_at_a_time_and_a_dead_job_is_failed_with_the_reason(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), *PAGES[:3])
    with Store(config.STORE) as store:
        running = jobs.claim(store, "reindex", {"full": True}, os.getpid())
        with pytest.raises(JobRunning, match=f"job {running.id} .*queued") as refused:
            jobs.claim(store, "reindex", {}, os.getpid())
        assert refused.value.job["id"] == running.id
        done = cli(config, "reindex")
        assert done.returncode == 1
        assert f"a reindex is already running: job {running.id}" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        jobs.hand_over(store, running.id, dead_pid())
    done = cli(config, "reindex")
    assert done.returncode == 0, done.stderr
    with Store(config.STORE) as store:
        failed = jobs.get(store, running.id)
        latest = jobs.recent(store, 1)[0]
    assert failed is not None and failed.status == "failed"
    assert "ended without finishing the job; it was killed or crashed" in failed.error
    assert latest.status == "done" and latest.result["total"] == 3
    listing = cli(config, "jobs").stdout.splitlines()
    assert listing[0].startswith(f"job {latest.id} (reindex") and "done" in listing[0]
    assert f"job {running.id}" in listing[1] and "failed" in listing[1]


def test_a_job_that_stops_reporting_is_failed(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), *PAGES[:2])
    with Store(config.STORE) as store:
        job = jobs.claim(store, "reindex", {}, os.getpid())
        long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=jobs.STALE_SECONDS + 5))
        store.db.execute("UPDATE jobs SET updated_at = ? WHERE id = ?",
                         (long_ago.isoformat(), job.id))
        found = jobs.get(store, job.id)
    assert found is not None and found.status == "failed" and "reported nothing" in found.error


def test_progress_moves_through_the_phases_at_least_every_second(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    with Store(config.STORE) as store:
        import_paths(store, [DEMO_DIR])
        store.upsert_many((doc, None) for doc in filler_documents(FILLER))
    total = len(PAGES) + FILLER
    env = {**os.environ, "CPCSEARCH_STORE": config.STORE, "CPCSEARCH_INDEX_DIR": config.INDEX_DIR}
    process = subprocess.Popen([sys.executable, "-m", "cpcsearch", "reindex", "--full"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[jobs.Job] = []
    with Store(config.STORE) as store:
        while process.poll() is None:
            found = jobs.recent(store, 1)
            if found and (not seen or found[0] != seen[-1]):
                seen.append(found[0])
            time.sleep(0.05)
        seen.append(jobs.recent(store, 1)[0])
    out, err = process.communicate()
    assert process.returncode == 0, err
    running = [j for j in seen if j.status == "running"]
    phases = list(dict.fromkeys(j.phase for j in running))
    assert {"indexing", "fitting models"} <= set(phases), phases
    assert phases.index("indexing") < phases.index("fitting models")
    stamps = [dt.datetime.fromisoformat(j.updated_at) for j in seen if j.updated_at]
    gaps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:], strict=False)]
    assert gaps and max(gaps) <= 1.0, gaps
    assert any(j.phase == "indexing" and j.total == total for j in running)
    assert seen[-1].status == "done" and seen[-1].result["total"] == total
    assert "reindex: indexing" in err and f"{total} indexed" in out


@pytest.mark.parametrize(("body", "message"), [
    (b"{not json", "the body is not JSON"),
    (b"[true]", "must be a JSON object"),
    (b'{"fulll": true}', "unknown key 'fulll'"),
    (b'{"full": "yes"}', 'full must be true or false, not "yes"'),
    (b'{"full": 1}', "full must be true or false, not 1"),
    (b'{"allow_empty": null}', "allow_empty must be true or false, not null"),
])
def test_a_bad_reindex_body_is_a_400(tmp_path: Path, body: bytes, message: str) -> None:
    client = create_app(build_index(make_config(tmp_path), *PAGES[:2])).test_client()
    response = client.post("/admin/reindex", data=body, headers=AUTH,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"error": {"status": 400, "message": response.get_json()[
        "error"]["message"]}}
    assert message in response.get_json()["error"]["message"]
    assert client.get("/admin/jobs", headers=AUTH).get_json()["jobs"][0]["status"] == "done", \
        "no job started"


@pytest.mark.parametrize("header", ["Bearer \xff", "Bearer t\u00e9st", "\xff\xfe", "Bearer "])
def test_odd_authorization_headers_are_a_401(tmp_path: Path, header: str) -> None:
    client = create_app(make_config(tmp_path)).test_client()
    response = client.post("/admin/reindex", headers={"Authorization": header.encode("latin-1")})
    assert response.status_code == 401
    assert response.get_json()["error"]["status"] == 401


def test_a_second_reindex_through_the_api_is_a_409_with_the_running_job(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), *PAGES[:3])
    client = create_app(config).test_client()
    with Store(config.STORE) as store:
        held = jobs.claim(store, "reindex", {"full": True}, os.getpid())
    refused = client.post("/admin/reindex", json={"full": True}, headers=AUTH)
    assert refused.status_code == 409
    data = refused.get_json()
    assert data["error"]["status"] == 409 and f"job {held.id}" in data["error"]["message"]
    assert data["job"]["id"] == held.id and data["job"]["status"] == "queued"
    assert {"phase", "done", "total", "eta_seconds", "created_at"} <= set(data["job"])
    with Store(config.STORE) as store:
        jobs.finish(store, held.id, error="given up by the test")
    started = client.post("/admin/reindex", headers=AUTH)
    assert started.status_code == 202
    job_url = started.get_json()["status_url"]
    deadline = time.monotonic() + 60
    while (job := client.get(job_url, headers=AUTH).get_json())["status"] in jobs.ACTIVE:
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["status"] == "done" and job["result"]["total"] == 3, job
    assert client.get("/admin/jobs/999", headers=AUTH).status_code == 404
    assert client.get("/admin/jobs/x", headers=AUTH).status_code == 404
    for beyond in ("9" * 40, "9" * 5000, "\u00b2", str(2**63)):  # past SQLite's integers; ²
        assert client.get(f"/admin/jobs/{beyond}", headers=AUTH).status_code == 404


def test_healthz_reports_generation_counts_disagreement_and_last_reindex(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), *PAGES[:3])
    client = create_app(config).test_client()
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["index_generation"] == "gen-000001"
    assert health["store_documents"] == health["index_documents"] == 3
    assert health["in_sync"] is True and health["disagreement"] is None
    assert health["last_reindex"]["status"] == "done"
    assert health["last_reindex"]["result"]["total"] == 3
    with Store(config.STORE) as store:
        import_paths(store, PAGES[3:5])
    health = client.get("/healthz").get_json()
    assert health["in_sync"] is False
    assert "the store has 5 documents, the index 3" in health["disagreement"]
    assert json.loads(cli(config, "stats", "--json").stdout)["in_sync"] is False
