"""Running cpcsearch as an admin does: settings, quick start, refusals, damaged files, backups."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DEMO_DIR, build_index, make_config
from cpcsearch.cli.indexing import progress_drawer
from cpcsearch.config import Config

PAGES = sorted(DEMO_DIR.glob("*.html"))
COMMANDS = ("extract", "import", "crawl", "reextract", "reindex", "jobs", "search", "serve",
            "stats", "check", "backup")


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
        ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "cpcsearch", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd,
                          env=env if env is not None else clean_env())
    assert (done.returncode == 0) == ok, done.stderr
    if not ok:
        assert "Traceback" not in done.stderr and "Aborted" not in done.stderr, done.stderr
    return done


def clean_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPCSEARCH_")}
    return {**env, **{f"CPCSEARCH_{k}": v for k, v in settings.items()}}


def paths_env(config: Config) -> dict[str, str]:
    return clean_env(STORE=config.STORE, INDEX_DIR=config.INDEX_DIR)


def test_the_cli_and_stats_do_not_load_the_heavy_libraries(demo_config: Config) -> None:
    code = ("import sys; from cpcsearch.cli import main\n"
            "try: main(['stats', '--json'])\n"
            "except SystemExit: pass\n"
            "heavy = ('nltk', 'numpy', 'scipy', 'trafilatura', 'flask', 'bs4', 'lxml')\n"
            "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=paths_env(demo_config), timeout=60)
    assert done.stderr.strip() == "[]", done.stderr
    assert json.loads(done.stdout)["index_documents"] == len(PAGES)


@pytest.mark.parametrize(("variable", "value", "accepts"), [
    ("CRAWL_DELAY", "fast", "a number from 0 up"),
    ("RELOAD_SECONDS", "-1", "a number from 0 up"),
    ("STORE", "", "a path"),
])
def test_a_bad_setting_names_the_variable_and_what_it_accepts(
        variable: str, value: str, accepts: str) -> None:
    done = cli("stats", env=clean_env(**{variable: value}), ok=False)
    assert f"CPCSEARCH_{variable}={value!r} is not accepted: use {accepts}" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_store_and_index_default_to_the_current_folder(tmp_path: Path) -> None:
    cli("import", str(PAGES[0]), cwd=tmp_path)
    cli("reindex", cwd=tmp_path)
    assert (tmp_path / "scraper" / "documents.sqlite").is_file()
    assert (tmp_path / "index" / "current").is_symlink()
    assert json.loads(cli("stats", "--json", cwd=tmp_path).stdout)["index_documents"] == 1


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_store_and_index_dir(command: str) -> None:
    usage = cli(command, "--help").stdout
    assert "--store" in usage and "--index-dir" in usage


def test_store_and_index_dir_options_override_the_environment(tmp_path: Path) -> None:
    env = clean_env(STORE=str(tmp_path / "wrong.sqlite"), INDEX_DIR=str(tmp_path / "wrong"))
    paths = ["--store", str(tmp_path / "s.sqlite"), "--index-dir", str(tmp_path / "ix")]
    cli("import", str(PAGES[0]), *paths, env=env)
    cli(*paths, "reindex", env=env)  # before the command too
    assert json.loads(cli("stats", "--json", *paths, env=env).stdout)["index_documents"] == 1
    assert not (tmp_path / "wrong.sqlite").exists() and not (tmp_path / "wrong").exists()


@pytest.mark.parametrize("command", [["reindex"], ["reindex", "--full"], ["jobs"], ["check"],
                                     ["backup", "copy.sqlite"], ["reextract"]])
def test_only_import_and_crawl_create_a_store(tmp_path: Path, command: list[str]) -> None:
    env = clean_env(STORE=str(tmp_path / "mistyped.sqlite"), INDEX_DIR=str(tmp_path / "ix"))
    done = cli(*command, env=env, cwd=tmp_path, ok=False)
    assert f"no document store at {tmp_path / 'mistyped.sqlite'}" in done.stderr
    assert "cpcsearch import" in done.stderr
    assert not (tmp_path / "mistyped.sqlite").exists() and not (tmp_path / "ix").exists()


def test_a_rebuild_from_an_empty_store_needs_allow_empty(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), *PAGES[:3])
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    env = clean_env(STORE=str(tmp_path / "other.sqlite"), INDEX_DIR=config.INDEX_DIR)
    cli("import", str(empty), env=env)
    done = cli("reindex", "--full", env=env, ok=False)
    assert "has no documents and the live index 3" in done.stderr and "--allow-empty" in done.stderr
    assert json.loads(cli("stats", "--json", env=paths_env(config)).stdout)[
        "index_documents"] == 3
    assert "0 in total" in cli("reindex", "--full", "--allow-empty", env=env).stdout


def _damaged(tmp_path: Path, damage: str) -> tuple[Config, dict[str, str]]:
    config = build_index(make_config(tmp_path), *PAGES[:4])
    generation = Path(config.INDEX_DIR) / "current"
    if damage == "segment":
        postings = next(generation.glob("*.pst"))  # a segment's postings file
        postings.write_bytes(postings.read_bytes()[:16])
    elif damage == "toc":
        next(generation.glob("_MAIN_*.toc")).unlink()
    elif damage == "store":
        store = Path(config.STORE)
        for extra in ("-wal", "-shm"):
            Path(f"{store}{extra}").unlink(missing_ok=True)
        store.write_bytes(store.read_bytes()[:3000])
    elif damage == "not sqlite":
        Path(config.STORE).write_bytes(b"this is no database\n" * 400)
    return config, paths_env(config)


@pytest.mark.parametrize(("damage", "command", "message"), [
    # a phrase's positions come from the damaged postings file (plain words read the
    # rebuild's saved arrays)
    ("segment", ["search", '"central asia"'], "cannot be read"),
    ("segment", ["check"], "cannot be read"),
    ("toc", ["search", "gas"], "has no table of contents"),
    ("toc", ["check"], "has no table of contents"),
    ("toc", ["reindex"], "has no table of contents"),
    ("store", ["stats"], "is not a readable SQLite store"),
    ("store", ["check"], "is not a readable SQLite store"),
    ("not sqlite", ["stats"], "is not a readable SQLite store (file is not a database)"),
    ("not sqlite", ["reindex"], "is not a readable SQLite store"),
])
def test_damaged_files_give_one_clear_line(tmp_path: Path, damage: str, command: list[str],
                                           message: str) -> None:
    _, env = _damaged(tmp_path, damage)
    done = cli(*command, env=env, ok=False)
    assert message in done.stderr, done.stderr
    remedy = "cpcsearch reindex --full" if damage in ("segment", "toc") else "restore it from"
    assert remedy in done.stderr
    assert str(tmp_path) in done.stderr, "the message names the file"


def test_a_damaged_index_is_rebuilt_by_reindex_full(tmp_path: Path) -> None:
    config, env = _damaged(tmp_path, "segment")
    cli("reindex", "--full", env=env)
    assert "ok" in cli("check", env=env).stdout


def test_backup_copies_the_store_while_it_is_open(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), *PAGES[:5])
    holder = sqlite3.connect(config.STORE)
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM documents").fetchone()  # a reader mid-transaction
    (tmp_path / "copies").mkdir()
    try:
        done = cli("backup", str(tmp_path / "copies"), env=paths_env(config))
    finally:
        holder.close()
    copy = tmp_path / "copies" / Path(config.STORE).name
    assert "(5 documents)" in done.stdout and str(copy) in done.stdout
    restored = clean_env(STORE=str(copy), INDEX_DIR=str(tmp_path / "restored"))
    assert "5 in total" in cli("reindex", env=restored).stdout
    shutil.rmtree(tmp_path / "restored")


def test_progress_is_plain_lines_off_a_terminal_and_a_bar_on_one() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    lines, screen = io.StringIO(), Terminal()
    for stream in (lines, screen):
        draw = progress_drawer(stream)
        for phase, done, total in [("reading store", 0, 1), ("indexing", 0, 3),
                                   ("indexing", 3, 3), ("swapping", 1, 1)]:
            draw(phase, done, total)
    assert lines.getvalue().splitlines() == [
        "reindex: reading store 0/1", "reindex: indexing 0/3", "reindex: indexing 3/3",
        "reindex: swapping 1/1"]
    assert "indexing: 100%" in screen.getvalue() and "3/3" in screen.getvalue()


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs mounted in `tmp_path` (skipped where this process may not mount one)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a size-limited tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_is_one_line_and_the_live_index_keeps_serving(tmp_path: Path,
                                                                  small_disk: Path) -> None:
    env = clean_env(STORE=str(tmp_path / "s.sqlite"), INDEX_DIR=str(small_disk / "index"))
    cli("import", *map(str, PAGES[:3]), env=env)
    cli("reindex", "--full", env=env)
    cli("import", str(DEMO_DIR), env=env)
    done = cli("reindex", "--full", env=env, ok=False)
    assert f"no space left on the disk of {small_disk / 'index'}" in done.stderr
    assert sorted(p.name for p in (small_disk / "index").glob("gen-*")) == ["gen-000001"]
    title = json.loads(cli("extract", str(PAGES[0]), "--json").stdout)["title"]
    hits = json.loads(cli("search", title, "--json", env=env).stdout)["hits"]
    assert hits and hits[0]["title"] == title, "the live index still answers"
    with open(small_disk / "filler", "ab") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
    full = clean_env(STORE=str(small_disk / "s.sqlite"), INDEX_DIR=str(tmp_path / "ix"))
    done = cli("import", str(DEMO_DIR), env=full, ok=False)
    assert "is full" in done.stderr and str(small_disk / "s.sqlite") in done.stderr


def test_a_crawl_that_reaches_nothing_fails_and_indexes_nothing(tmp_path: Path) -> None:
    from test_live import free_port

    env = clean_env(STORE=str(tmp_path / "s.sqlite"), INDEX_DIR=str(tmp_path / "ix"),
                    CRAWL_DELAY="0")
    done = cli("crawl", f"http://127.0.0.1:{free_port()}/research", "--limit", "2", env=env,
               ok=False)
    assert "crawled 0 pages" in done.stdout
    assert "Error: no page could be fetched" in done.stderr
    assert not (tmp_path / "ix").exists(), "crawl leaves indexing to `cpcsearch reindex`"
