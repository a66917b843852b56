"""Fixtures that build real components in temporary folders: store, index, app, live server."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from cpcsearch.config import Config
from cpcsearch.document import Document
from cpcsearch.importer import import_paths
from cpcsearch.pipeline import run_reindex
from cpcsearch.search.engine import SearchEngine
from cpcsearch.store import Store
from cpcsearch.web import create_app

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "scraper" / "demo"
EXPECTED_DIR = Path(__file__).parent / "expected_pages"
FIXTURES_DIR = Path(__file__).parent / "fixtures"
SHARED = ROOT.parent / "shared"
ADMIN_TOKEN = "test-token"


def expected_pages() -> list[dict[str, Any]]:
    """Return the expected extraction of every demo and fixture page, with its path."""
    pages = []
    for path in sorted(EXPECTED_DIR.glob("*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        for folder in (DEMO_DIR, FIXTURES_DIR):
            if (folder / expected["file"]).exists():
                expected["path"] = folder / expected["file"]
        pages.append(expected)
    return pages


def make_config(folder: Path, **overrides: Any) -> Config:
    """Return settings whose store and index live in `folder`."""
    defaults = {"STORE": str(folder / "store.sqlite"), "INDEX_DIR": str(folder / "index"),
                "DEMO_DIR": str(DEMO_DIR), "ADMIN_TOKEN": ADMIN_TOKEN, "RELOAD_SECONDS": 0.2}
    return Config.load(env={}, **{**defaults, **overrides})


def build_index(config: Config, *paths: Path | str) -> Config:
    """Import `paths` into the config's store and build its index."""
    with Store(config.STORE) as store:
        report = import_paths(store, list(paths))
    assert not report.failed, report.problems
    run_reindex(config, full=True)
    return config


@pytest.fixture(scope="session")
def demo_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """Settings of a store and index holding the demo corpus (shared: do not write to it)."""
    return build_index(make_config(tmp_path_factory.mktemp("demo")), DEMO_DIR)


@pytest.fixture(scope="session")
def demo_engine(demo_config: Config) -> SearchEngine:
    """A search engine over the demo corpus."""
    return SearchEngine(demo_config.INDEX_DIR)


@pytest.fixture(scope="session")
def demo_docs(demo_config: Config) -> dict[str, Any]:
    """Every demo document, by id."""
    with Store(demo_config.STORE) as store:
        return {stored.document.id: stored.document for stored in store.changes_since(0)}


@pytest.fixture()
def config(tmp_path: Path) -> Config:
    """Settings of an empty store and index in `tmp_path`."""
    return make_config(tmp_path)


@pytest.fixture()
def client(demo_config: Config):  # type: ignore[no-untyped-def]
    """A Flask test client of the app over the demo corpus."""
    return create_app(demo_config).test_client()


# Filler documents make a rebuild last long enough to watch its phases (and kill it in one).
FILLER = 3000
FILLER_WORDS = ("caspian", "freight", "tariff", "corridor", "pipeline", "harbour", "grain",
                "railway", "customs", "ferry", "steppe", "border", "uranium", "reservoir")


def filler_documents(count: int) -> list[Document]:
    """Return `count` short documents of varied words, different for every one."""
    docs = []
    for n in range(count):
        picked = [FILLER_WORDS[(n * 7 + i * 3) % len(FILLER_WORDS)] for i in range(40)]
        body = " ".join(f"{w}{n % 97}." if i % 8 == 7 else w for i, w in enumerate(picked))
        docs.append(Document(id=f"filler-{n}", title=f"Filler note {n}", body=body))
    return docs


def hammer(base: str, paths: Sequence[str], statuses: list[int], stop: threading.Event) -> None:
    """Request `paths` of the server at `base` in turn until `stop`, recording every status."""
    while not stop.is_set():
        for path in paths:
            try:
                with urllib.request.urlopen(f"{base}{path}", timeout=20) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)


@contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """Serve `app` on a free port of 127.0.0.1; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture()
def live_server(demo_config: Config) -> Iterator[str]:
    """A real HTTP server over the demo corpus."""
    with serve_in_thread(create_app(demo_config)) as url:
        yield url
