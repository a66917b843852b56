"""Security at the web edge: headers, no inline script, ids of any shape, safe links, bounds."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from bs4 import BeautifulSoup

from conftest import ADMIN_TOKEN, ROOT, build_index, make_config
from cpcsearch.web import create_app
from cpcsearch.web.security import CSP, MAX_QUERY_BYTES

PAGES = ["/", "/search?q=gas", "/search?q=zzqqxx", "/search?q=gas&sort=oldest&page=2",
         "/authors/Farid%20Huseynli", "/topics/Energy", "/api/", "/search?from=yesterday",
         "/articles/no-such-id"]
ODD_IDS = ["a/b", "energy/2024/gas", "a?b#c", "ü x", "100%", "/lead", "trail/", "a//b", "a&b=c"]
BAD_URLS = ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>x</script>",
            "//evil.example/x", "vbscript:msgbox", "ftp://files.example/x", "not a url"]


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A client over documents with odd ids and unsafe URLs."""
    folder = tmp_path_factory.mktemp("odd")
    lines = [{"id": i, "title": f"Odd id {n} pipeline", "body": "Pipeline politics. " * 8,
              "url": f"https://www.caspianpolicy.org/research/{n}"} for n, i in enumerate(ODD_IDS)]
    lines += [{"id": f"bad-url-{n}", "title": f"Unsafe link {n} pipeline", "url": url,
               "body": "Pipeline politics. " * 8} for n, url in enumerate(BAD_URLS)]
    docs = folder / "docs.jsonl"
    docs.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in lines), "utf-8")
    return create_app(build_index(make_config(folder), docs)).test_client()


@pytest.mark.parametrize("url", [*PAGES, "/api/search?q=gas", "/api/nothing", "/healthz",
                                 "/search.atom?q=gas", "/search.csv?q=gas", "/opensearch.xml",
                                 "/static/style.css", "/favicon.ico", "/api/openapi.json"])
def test_every_response_has_the_security_headers(client, url: str) -> None:  # type: ignore[no-untyped-def]
    with client.get(url) as response:
        headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP
    assert "'unsafe-inline'" not in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(("url", "readable"), [
    ("/api/search?q=gas", True), ("/api/nothing", True), ("/api/openapi.json", True),
    ("/healthz", True), ("/search?q=gas", False), ("/admin/jobs", False),
    ("/search.csv?q=gas", False)])
def test_only_the_public_api_is_readable_by_other_sites(client, url: str,  # type: ignore[no-untyped-def]
                                                         readable: bool) -> None:
    """CORS: a notebook on another origin may read the JSON API, never the admin API."""
    with client.get(url, headers={"Origin": "https://notebook.example"}) as response:
        allowed = response.headers.get("Access-Control-Allow-Origin")
    assert allowed == ("*" if readable else None)
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_or_style(client, demo_docs, url: str) -> None:  # type: ignore[no-untyped-def]
    soup = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    assert all(s.get("src") and not s.string for s in soup.find_all("script"))
    assert not soup.find_all("style")
    for element in soup.find_all(True):
        assert "style" not in element.attrs, element
        assert not [a for a in element.attrs if a.startswith("on")], element


def test_ids_of_any_shape_open_their_pages_from_their_links(odd) -> None:  # type: ignore[no-untyped-def]
    soup = BeautifulSoup(odd.get("/search?q=odd+id&per_page=50").get_data(as_text=True),
                         "html.parser")
    links = {a.get_text(): a["href"] for a in soup.select("li.hit h2 a")}
    assert len(links) == len(ODD_IDS)
    for n, doc_id in enumerate(ODD_IDS):
        href = urlsplit(links[f"Odd id {n} pipeline"]).path  # without the search's words
        page = odd.get(href)
        assert page.status_code == 200, (doc_id, href)
        assert f"Odd id {n} pipeline" in page.get_data(as_text=True)
        api = odd.get(href.replace("/articles/", "/api/articles/", 1))
        assert api.status_code == 200 and api.get_json()["id"] == doc_id
        related = odd.get(href.replace("/articles/", "/api/articles/", 1) + "/related")
        assert related.status_code == 200 and related.get_json()["id"] == doc_id
        assert unquote(href.removeprefix("/articles/")) == doc_id


def test_the_api_returns_only_http_links(odd) -> None:  # type: ignore[no-untyped-def]
    hits = odd.get("/api/search?q=unsafe+link&per_page=50").get_json()["hits"]
    assert len(hits) == len(BAD_URLS) and all(h["url"] == "" for h in hits)
    for n in range(len(BAD_URLS)):
        assert odd.get(f"/api/articles/bad-url-{n}").get_json()["url"] == ""
        related = odd.get(f"/api/articles/bad-url-{n}/related").get_json()["related"]
        assert all(r["url"] == "" or r["url"].startswith("https://") for r in related)
        soup = BeautifulSoup(odd.get(f"/articles/bad-url-{n}").get_data(as_text=True),
                             "html.parser")
        hrefs = [a["href"] for a in soup.find_all("a")]
        assert all(h.startswith(("/", "http://localhost/")) and not h.startswith("//")
                   for h in hrefs), hrefs
    good = odd.get("/api/articles/a/b").get_json()["url"]
    assert good == "https://www.caspianpolicy.org/research/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The README's commands: `cpcsearch serve` (waitress) and gunicorn with its request-line and
# header limits lifted, so that the app's own, smaller limits answer in the JSON error shape.
SERVERS = {
    "waitress": ["-m", "cpcsearch", "serve", "--port", "{port}"],
    "gunicorn": ["-m", "gunicorn", "-w", "1", "-b", "127.0.0.1:{port}", "--limit-request-line",
                 "0", "--limit-request-field_size", "65536", "wsgi:app"],
}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server_url(request, demo_config) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A production server of the app on the demo corpus, on 127.0.0.1."""
    port = free_port()
    env = {**os.environ, "CPCSEARCH_STORE": demo_config.STORE,
           "CPCSEARCH_INDEX_DIR": demo_config.INDEX_DIR, "CPCSEARCH_ADMIN_TOKEN": ADMIN_TOKEN}
    args = [a.format(port=port) for a in SERVERS[request.param]]
    server = subprocess.Popen([sys.executable, *args], env=env, cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url + "/healthz", timeout=1)
            break
        except httpx.TransportError:
            if server.poll() is not None:
                pytest.fail(f"{request.param} exited: {server.communicate()[0]}")
            time.sleep(0.1)
    yield url
    server.terminate()
    server.communicate(timeout=10)


@pytest.mark.parametrize(("request_", "status"), [
    ({"method": "GET", "url": "/api/search", "params": {"q": "x" * (MAX_QUERY_BYTES + 1)}}, 414),
    ({"method": "GET", "url": "/api/search", "headers": {f"X-Pad-{n}": "y" * 4000
                                                         for n in range(10)}}, 431),
    ({"method": "POST", "url": "/admin/reindex", "content": b"{" + b" " * 100_000 + b"}",
      "headers": {"Authorization": f"Bearer {ADMIN_TOKEN}",
                  "Content-Type": "application/json"}}, 413),
])
def test_oversized_requests_get_the_json_error_shape(server_url: str, request_: dict,  # type: ignore[type-arg]
                                                     status: int) -> None:
    response = httpx.request(**{**request_, "url": server_url + request_["url"]}, timeout=10)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status and "bytes" in error["message"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_normal_search_still_passes_the_bounds(server_url: str) -> None:
    response = httpx.get(server_url + "/api/search", params={"q": "gas " * 2000}, timeout=30)
    assert response.status_code == 200 and response.json()["total"] > 0


def test_oversized_is_checked_without_a_server_too(tmp_path: Path) -> None:
    client = create_app(make_config(tmp_path)).test_client()
    response = client.get("/search?q=" + "x" * (MAX_QUERY_BYTES + 1))
    assert response.status_code == 414 and "16,384" in response.get_data(as_text=True)
