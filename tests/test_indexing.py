"""Index writes are all-or-nothing: busy writers, crashes and kills halfway, incremental updates,
generations that never eat the live one."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import (
    DEMO_DIR,
    FILLER,
    build_index,
    filler_documents,
    hammer,
    make_config,
    serve_in_thread,
)
from cpcsearch import jobs
from cpcsearch.config import Config
from cpcsearch.errors import EmptyRebuild, IndexBusy
from cpcsearch.index import writing
from cpcsearch.index.writing import current_path, open_index, reindex
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.request import SearchRequest
from cpcsearch.store import Store
from cpcsearch.web import create_app

PAGES = sorted(DEMO_DIR.glob("*.html"))


def test_a_second_reindex_is_told_the_index_is_busy(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), *PAGES[:3])
    with open(Path(config.INDEX_DIR) / ".reindex.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with Store(config.STORE) as store, pytest.raises(IndexBusy, match="try again later"):
            reindex(store, config.INDEX_DIR, full=True)


def test_a_crash_halfway_through_a_rebuild_leaves_the_live_index_intact(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = build_index(make_config(tmp_path), *PAGES[:6])
    live = current_path(config.INDEX_DIR)
    with Store(config.STORE) as store:
        docs = [s.document for s in store.changes_since(0)]
        store.upsert(docs[0].replace(body="A zanzibarian rewrite."))
        store.upsert(docs[1].replace(body="Another zanzibarian rewrite."))
        real = store.changes_since

        def crash_after_one(*seqs: int):  # type: ignore[no-untyped-def]
            for n, stored in enumerate(real(*seqs)):
                if n == 1:
                    raise RuntimeError("power cut")
                yield stored

        monkeypatch.setattr(store, "changes_since", crash_after_one)
        for full in (True, False):
            with pytest.raises(RuntimeError, match="power cut"):
                reindex(store, config.INDEX_DIR, full=full)
    assert current_path(config.INDEX_DIR) == live
    assert sorted(p.name for p in Path(config.INDEX_DIR).glob("gen-*")) == [live.name]
    assert open_index(config.INDEX_DIR).doc_count() == 6
    engine = SearchEngine(config.INDEX_DIR)
    assert engine.search(SearchRequest(q="caspian")).total > 0
    assert engine.search(SearchRequest(q="zanzibarian")).total == 0, "no half-applied update"


def test_incremental_reindex_applies_adds_changes_and_removals(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), *PAGES[:4])
    engine = SearchEngine(config.INDEX_DIR, reload_seconds=0)
    with Store(config.STORE) as store:
        first = next(s.document for s in store.changes_since(0))
        store.upsert(first.replace(body=first.body + "\n\nA zanzibarian postscript."))
        store.mark_gone(next(s.document.id for s in store.changes_since(0) if s.document.id
                             != first.id))
        report = reindex(store, config.INDEX_DIR)
    assert (report.full, report.indexed, report.removed, report.total) == (False, 1, 1, 3)
    assert [h.id for h in engine.search(SearchRequest(q="zanzibarian")).hits] == [first.id]


def filled_index(tmp_path: Path) -> Config:
    """Return the config of an index of the demo pages whose store has `FILLER` documents more
    (enough for a reindex to last a few seconds)."""
    config = build_index(make_config(tmp_path), *PAGES)
    with Store(config.STORE) as store:
        store.upsert_many((doc, None) for doc in filler_documents(FILLER))
    return config


def reindex_killed_in(config: Config, phase: str, *options: str) -> tuple[int, jobs.Job]:
    """Run `cpcsearch reindex *options`, kill it (SIGKILL) once its job is in `phase`, and
    return its pid and job."""
    killed = subprocess.Popen([sys.executable, "-m", "cpcsearch", "reindex", *options],
                              env={**os.environ, **config.environment()},
                              stderr=subprocess.DEVNULL)
    with Store(config.STORE) as store:
        while (job := jobs.recent(store, 1)[0]).phase != phase:
            assert killed.poll() is None, f"the reindex ended before {phase}"
            time.sleep(0.005)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    return killed.pid, job


@pytest.mark.parametrize("kill_in", ["indexing", "fitting models"])
def test_a_rebuild_after_a_killed_one_keeps_the_live_generation(tmp_path: Path,
                                                                kill_in: str) -> None:
    config = filled_index(tmp_path)
    index_dir = Path(config.INDEX_DIR)
    env = {**os.environ, **config.environment()}
    statuses: list[int] = []
    stop = threading.Event()

    with serve_in_thread(create_app(config)) as base:
        paths = ["/api/search?q=caspian+gas", "/api/stats"]
        thread = threading.Thread(target=hammer, args=(base, paths, statuses, stop))
        thread.start()
        try:
            pid, job = reindex_killed_in(config, kill_in, "--full")
            assert current_path(index_dir).name == "gen-000001"
            assert (index_dir / "gen-000002").is_dir(), "the killed build left its folder"
            done = subprocess.run([sys.executable, "-m", "cpcsearch", "reindex", "--full"],
                                  env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            time.sleep(0.5)  # the server moves to the new generation within RELOAD_SECONDS
        finally:
            stop.set()
            thread.join(30)
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    assert current_path(index_dir).name == "gen-000003"
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001", "gen-000003"], \
        "the leftover is removed; the retired live generation stays for its readers"
    with Store(config.STORE) as store:
        killed_job = jobs.get(store, job.id)
    assert killed_job is not None and killed_job.status == "failed"
    assert f"pid {pid}" in killed_job.error
    assert open_index(index_dir).doc_count() == len(PAGES) + FILLER


@pytest.mark.parametrize("kill_in", ["indexing", "committing"])
def test_an_incremental_reindex_after_a_killed_one_applies_every_change(tmp_path: Path,
                                                                        kill_in: str) -> None:
    config = filled_index(tmp_path)
    index_dir = Path(config.INDEX_DIR)
    reindex_killed_in(config, kill_in)
    engine = SearchEngine(config.INDEX_DIR)
    # a commit is all or nothing: killed while committing, it may have just ended
    applied = open_index(index_dir).doc_count() - len(PAGES)
    assert applied in ((0, FILLER) if kill_in == "committing" else (0,)), "nothing half-applied"
    before = engine.search(SearchRequest(q="uranium")).total - applied
    assert engine.search(SearchRequest(q="caspian gas")).total > 0
    done = subprocess.run([sys.executable, "-m", "cpcsearch", "reindex"],
                          env={**os.environ, **config.environment()}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert open_index(index_dir).doc_count() == len(PAGES) + FILLER
    assert SearchEngine(config.INDEX_DIR).search(SearchRequest(q="uranium")).total == (
        before + FILLER)
    with open_index(index_dir).searcher() as searcher:
        segments = {sub.reader().segment().segment_id() for sub, _ in searcher.leaf_searchers()}
    assert {path.name.split(".")[0] for path in (index_dir / "current").iterdir()
            if path.suffix == ".npz"} == segments, "the killed commit's files are gone"


def test_retired_generations_go_after_their_grace_period(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), *PAGES[:3])
    index_dir = Path(config.INDEX_DIR)
    with Store(config.STORE) as store:
        reindex(store, index_dir, full=True)
        assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001", "gen-000002"]
        long_ago = time.time() - 2 * writing.GRACE_SECONDS
        os.utime(index_dir / "gen-000001" / writing.RETIRED, (long_ago, long_ago))
        reindex(store, index_dir, full=True)
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000002", "gen-000003"]


def test_a_rebuild_replaces_an_index_copied_without_its_link(tmp_path: Path) -> None:
    """`cp -r` of an index folder turns `current` into a copy of the live generation."""
    config = build_index(make_config(tmp_path), *PAGES[:3])
    index_dir = Path(config.INDEX_DIR)
    copied = tmp_path / "copied"
    shutil.copytree(index_dir, copied)  # follows the link, as `cp -r` does
    assert not (copied / writing.CURRENT).is_symlink()
    with Store(config.STORE) as store:
        reindex(store, copied, full=True)
        title = next(iter(store.changes_since(0))).document.title
    assert (copied / writing.CURRENT).is_symlink()
    assert open_index(copied).doc_count() == 3
    retired = next(copied.glob("gen-*-copied"))
    assert (retired / writing.RETIRED).exists()  # kept for its searchers' grace period
    assert SearchEngine(copied).search(SearchRequest(q=title)).total


def test_a_rebuild_that_would_empty_the_index_needs_allow_empty(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), *PAGES[:3])
    with Store(tmp_path / "empty.sqlite") as empty:
        with pytest.raises(EmptyRebuild, match="no documents and the live index 3"):
            reindex(empty, config.INDEX_DIR, full=True)
        assert open_index(config.INDEX_DIR).doc_count() == 3
        assert reindex(empty, config.INDEX_DIR, full=True, allow_empty=True).total == 0
    engine = SearchEngine(config.INDEX_DIR)  # an emptied index answers, with nothing
    found = engine.search(SearchRequest(q="gas pipeline"))
    assert (found.total, found.hits) == (0, [])
    assert engine.search(SearchRequest(q="*", sort="newest")).total == 0
    for q in ("", "*", "date:2023"):  # browsing reads the dates of no segment
        assert engine.search(SearchRequest(q=q)).total == 0
    assert engine.suggest("ga") == []


def test_reindex_reports_each_phase_with_document_counts(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), *PAGES[:5])
    seen: list[tuple[str, int, int]] = []
    with Store(config.STORE) as store:
        reindex(store, config.INDEX_DIR, full=True, progress=lambda *step: seen.append(step))
    phases = list(dict.fromkeys(phase for phase, _, _ in seen))
    assert phases == ["reading store", "indexing", "committing", "fitting models", "swapping"]
    assert ("indexing", 5, 5) in seen and seen[-1] == ("swapping", 1, 1)
