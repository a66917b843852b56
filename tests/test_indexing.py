"""Index writes are all-or-nothing: busy writers, crashes halfway, incremental updates."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest

from conftest import DEMO_DIR, build_index, make_config
from cpcsearch.errors import IndexBusy
from cpcsearch.index.reading import current_path, open_index
from cpcsearch.index.writing import reindex
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.request import SearchRequest
from cpcsearch.store import Store

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

        def crash_after_one(seq: int):  # type: ignore[no-untyped-def]
            for n, stored in enumerate(real(seq)):
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
