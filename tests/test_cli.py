"""The command line, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import DEMO_DIR, expected_pages
from cpcsearch.config import Config
from cpcsearch.store import Store
from cpcsearch.web import create_app

COMMANDS = ("extract", "import", "crawl", "reextract", "reindex", "jobs", "search", "serve",
            "stats", "check", "backup")
CPC_PAGE = next(p for p in expected_pages()
                if p["path"].parent == DEMO_DIR and len(p["authors"]) > 1)


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
        ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "cpcsearch", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode == 0) == ok, done.stderr
    return done


def store_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "CPCSEARCH_STORE": str(tmp_path / "s.sqlite"),
            "CPCSEARCH_INDEX_DIR": str(tmp_path / "index")}


@pytest.fixture()
def demo_env(demo_config: Config) -> dict[str, str]:
    """The environment of a CLI reading the shared demo store and index."""
    return {**os.environ, "CPCSEARCH_STORE": demo_config.STORE,
            "CPCSEARCH_INDEX_DIR": demo_config.INDEX_DIR}


def test_extract_prints_the_clean_document() -> None:
    out = run("extract", str(CPC_PAGE["path"])).stdout
    assert f"title     {CPC_PAGE['title']}" in out
    assert f"authors   {', '.join(CPC_PAGE['authors'])}" in out
    assert f"date      {CPC_PAGE['date']}" in out
    for phrase in ("Related Articles", "Image source", "All rights reserved", "Author:"):
        assert phrase not in out


def test_extract_json_and_text_from_stdin() -> None:
    html = CPC_PAGE["path"].read_text(encoding="utf-8")
    data = json.loads(run("extract", "-", "--json", stdin=html).stdout)
    assert data["authors"] == CPC_PAGE["authors"] and data["date"] == CPC_PAGE["date"]
    text = run("extract", "-", "--text", stdin=html).stdout
    assert text.startswith(CPC_PAGE["body_first_words"])


def test_extract_reports_a_broken_page_and_goes_on(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body></body></html>")
    done = run("extract", str(empty), str(CPC_PAGE["path"]), ok=False)
    assert "empty.html" in done.stderr and "has no title" in done.stderr
    assert CPC_PAGE["title"] in done.stdout


def test_import_jsonl_keeps_ids_and_reports_bad_lines(tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text("\n".join([
        json.dumps({"id": "n-1", "title": "Grain trade", "body": "Wheat crosses the Caspian."}),
        json.dumps({"id": "n-2", "title": "Oil", "body": "Crude moves west.", "url": "",
                    "date": "yesterday"}),
        "{not json",
        json.dumps({"title": "no id", "body": "x"}),
        json.dumps({"id": "n-3", "title": "Ports", "body": "Aktau grows.",
                    "date": "2023-05-04T10:00:00"}),
        json.dumps({"id": "n-4", "title": "Bad", "body": "x", "authors": [1, 2]}),
        json.dumps({"id": "n-5", "title": "Bad", "body": "x", "url": "javascript:alert(1)"}),
        json.dumps({"id": "n-6", "title": ["a"], "body": "x", "topics": "Energy"}),
        json.dumps(["a", "list"]),
    ]), encoding="utf-8")
    env = store_env(tmp_path)
    done = run("import", str(docs), env=env, ok=False)
    assert "added 4, changed 0, unchanged 0, failed 5" in done.stdout
    assert f"{docs}:2: date: 'yesterday' is not an ISO 8601 date" in done.stderr
    assert "stored without date" in done.stderr
    assert f"{docs}:3: skipped, not JSON" in done.stderr
    assert f"{docs}:4: skipped, id: a document needs a non-empty id" in done.stderr
    assert f"{docs}:6: skipped, authors: a number 1 in a list of strings" in done.stderr
    assert (f"{docs}:7: url: 'javascript:alert(1)' is not an http(s) URL; stored without url"
            in done.stderr)
    assert f"{docs}:8: skipped, title: a list where a string is expected" in done.stderr
    assert f"{docs}:9: skipped, a JSON list where an object" in done.stderr
    assert "Traceback" not in done.stderr
    run("reindex", env=env)
    result = json.loads(run("search", "caspian wheat", "--json", env=env).stdout)
    assert [h["id"] for h in result["hits"]] == ["n-1"]
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "q1", "text": "crude oil?"}\n{"id": "q2", "text": "AKTAU"}\n')
    lines = [json.loads(x) for x in
             run("search", "--queries", str(queries), "--limit", "5", "--json", env=env)
             .stdout.splitlines()]
    assert [(x["id"], [h["id"] for h in x["hits"]]) for x in lines] == [("q1", ["n-2"]),
                                                                         ("q2", ["n-3"])]
    assert all(isinstance(h["score"], float) for x in lines for h in x["hits"])


def test_import_jsonl_keeps_text_that_no_store_or_feed_could_hold(tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text("\n".join([  # JSON escapes: a lone half of a UTF-16 pair, controls
        '{"id": "s-1", "title": "Gas\\ud800 west", "body": "Pipes\\u001f and\\u000b ports.",'
        ' "authors": ["A\\u0000B"]}',
        json.dumps({"id": "s-2", "title": "Grain", "body": "Wheat crosses the Caspian."}),
    ]), encoding="utf-8")
    env = store_env(tmp_path)
    assert "added 2, changed 0, unchanged 0, failed 0" in run("import", str(docs), env=env).stdout
    with Store(tmp_path / "s.sqlite") as store:
        kept = store.get("s-1")
    assert (kept.title, kept.body, kept.authors) == ("Gas\ufffd west", "Pipes  and  ports.",
                                                     ("A B",))
    run("reindex", env=env)
    atom = create_app(Config.load(env=env)).test_client().get("/search.atom?q=pipes")
    assert atom.status_code == 200 and "Gas\ufffd west" in ET.fromstring(atom.data).findtext(
        "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title")


def test_reimporting_unchanged_documents_costs_the_index_nothing(tmp_path: Path) -> None:
    env = store_env(tmp_path)
    pages = sorted(DEMO_DIR.glob("*.html"))[:6]
    assert "added 6, changed 0, unchanged 0, failed 0" in run(
        "import", *map(str, pages), env=env).stdout
    run("reindex", env=env)
    again = run("import", *map(str, pages), env=env).stdout
    assert "added 0, changed 0, unchanged 6, failed 0" in again
    assert "run `cpcsearch reindex`" not in again
    assert "0 indexed, 0 removed, 6 in total" in run("reindex", env=env).stdout
    edited = tmp_path / "edited.jsonl"
    first = json.loads(run("extract", str(pages[0]), "--json").stdout)
    edited.write_text(json.dumps({**first, "body": first["body"] + " A postscript."}) + "\n")
    assert "added 0, changed 1, unchanged 0" in run("import", str(edited), env=env).stdout
    assert "1 indexed, 0 removed, 6 in total" in run("reindex", env=env).stdout


@pytest.mark.parametrize(("lines", "problem"), [
    (['{"id": "q1", "text": "gas"}', '{"id": "q2", "text": "oil"'], "q.jsonl:2: not JSON"),
    (['{"id": "q1"}'], 'q.jsonl:1: a query line is a JSON object with a string "id"'),
    (['["gas"]'], "q.jsonl:1: a query line is a JSON object"),
])
def test_a_bad_queries_line_is_one_clear_error(demo_env: dict[str, str], tmp_path: Path,
                                               lines: list[str], problem: str) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text("\n".join(lines) + "\n")
    done = run("search", "--queries", str(queries), env=demo_env, ok=False)
    assert problem in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_limit_beyond_the_cap_says_so(demo_env: dict[str, str]) -> None:
    done = run("search", "gas", "--limit", "150", env=demo_env, ok=False)
    assert "150 is beyond the cap of 100 hits a page" in done.stderr
    assert len(json.loads(run("search", "gas", "--limit", "100", "--json",
                              env=demo_env).stdout)["hits"]) > 10


def test_search_without_an_index_says_how_to_build_one(tmp_path: Path) -> None:
    done = run("search", "gas", env=store_env(tmp_path), ok=False)
    assert "cpcsearch reindex --full" in done.stderr


def test_every_command_has_an_example() -> None:
    for command in COMMANDS:
        assert "Example" in run(command, "--help").stdout, command


def test_search_counts_one_result_in_the_singular(demo_config, demo_docs) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "CPCSEARCH_STORE": demo_config.STORE,
           "CPCSEARCH_INDEX_DIR": demo_config.INDEX_DIR}
    by_author: dict[str, int] = {}
    for doc in demo_docs.values():
        for name in doc.authors:
            by_author[name] = by_author.get(name, 0) + 1
    for count in (1, 2):
        name = min(a for a, n in by_author.items() if n == count)
        first = run("search", "", "--author", name, env=env).stdout.splitlines()[0]
        assert first.startswith(f"{count} result{'s' if count > 1 else ''} ("), first
