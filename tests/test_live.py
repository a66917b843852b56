"""A real server on 127.0.0.1: `cpcsearch serve` from an empty index, and reindexes seen live."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from conftest import DEMO_DIR, hammer, make_config, serve_in_thread
from cpcsearch.web import create_app


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "cpcsearch", *args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_serve_fills_an_empty_index_with_the_demo_corpus(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CPCSEARCH_STORE": str(tmp_path / "s.sqlite"),
           "CPCSEARCH_INDEX_DIR": str(tmp_path / "index")}
    server = subprocess.Popen([sys.executable, "-m", "cpcsearch", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(300):
            try:
                health = get_json(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError(f"server exited:\n{server.stdout.read()}") from None
                time.sleep(0.1)
        else:
            server.kill()
            raise AssertionError(f"server did not start:\n{server.stdout.read()}")
        assert health["status"] == "ok"
        assert health["index_documents"] == len(list(DEMO_DIR.glob("*.html")))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?q=caspian", timeout=10) as page:
            assert "results" in page.read().decode()
    finally:
        server.terminate()
        server.wait(10)
        server.stdout.close()


def test_a_running_server_sees_cli_reindexes_and_never_fails_meanwhile(tmp_path: Path) -> None:
    pages = sorted(DEMO_DIR.glob("*.html"))
    config = make_config(tmp_path)
    env = {**os.environ, "CPCSEARCH_STORE": config.STORE, "CPCSEARCH_INDEX_DIR": config.INDEX_DIR}
    cli(env, "import", *map(str, pages[:10]))
    cli(env, "reindex", "--full")
    statuses: list[int] = []
    stop = threading.Event()

    with serve_in_thread(create_app(config)) as base:
        paths = ["/api/search?q=caspian"]
        thread = threading.Thread(target=hammer, args=(base, paths, statuses, stop))
        thread.start()
        try:
            assert get_json(f"{base}/api/stats")["index_documents"] == 10
            cli(env, "import", *map(str, pages[10:20]))
            cli(env, "reindex")  # incremental
            deadline = time.monotonic() + 5
            while get_json(f"{base}/api/stats")["index_documents"] != 20:
                assert time.monotonic() < deadline, "incremental reindex not seen within 5 s"
                time.sleep(0.1)
            cli(env, "import", *map(str, pages[20:25]))
            cli(env, "reindex", "--full")  # a new generation swapped in
            deadline = time.monotonic() + 5
            while get_json(f"{base}/api/search?q=caspian&per_page=1")["total"] == 0 or \
                    get_json(f"{base}/api/stats")["index_documents"] != 25:
                assert time.monotonic() < deadline, "full reindex not seen within 5 s"
                time.sleep(0.1)
        finally:
            stop.set()
            thread.join(10)
    assert statuses and set(statuses) == {200}
