"""A fake www.caspianpolicy.org served by a real HTTP server on 127.0.0.1, for crawler tests.

Routes are plain data on `FakeSite.routes` (path with query → `Route`), so a test can change
the site between two crawls; every request is logged with its host, path, headers and time.
"""

from __future__ import annotations

import hashlib
import html
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

HOST = "www.caspianpolicy.org"
BASE = f"https://{HOST}"
LAST_MODIFIED = "Wed, 01 May 2024 10:00:00 GMT"


@dataclass
class Route:
    """How the fake site answers one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    validators: bool = False  # send ETag/Last-Modified and answer 304 to a matching revisit
    fail_first: int = 0  # answer this many requests with `fail_status` first
    fail_status: int = 429
    stream_bytes: int = 0  # stream this many bytes of filler HTML instead of `body`


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    host: str
    path: str
    headers: dict[str, str]
    at: float


class FakeSite:
    """The routes, the request log and the server thread."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.streamed = 0
        self._lock = threading.Lock()
        self.server = _QuietServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def paths(self) -> list[str]:
        """Return the requested paths in order."""
        return [r.path for r in self.requests]

    def transport(self) -> httpx.HTTPTransport:
        """Return an httpx transport that sends every request to this server."""
        return _ToLocal(self.port)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up mid-page (the size cap) is expected, not worth a traceback


class _ToLocal(httpx.HTTPTransport):
    """Connect to the fake server whatever the URL's host; the Host header stays the site's."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return super().handle_request(request)


def _handler(site: FakeSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # the test reads `site.requests` instead

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            with site._lock:
                site.requests.append(Request(self.headers.get("Host", ""), self.path,
                                             dict(self.headers.items()), time.monotonic()))
                route = site.routes.get(self.path)
                failing = route is not None and route.fail_first > 0
                if failing:
                    route.fail_first -= 1
            if route is None:
                return self._send(404, b"<h1>Not found</h1>", "text/html")
            if failing:
                return self._send(route.fail_status, b"busy", "text/plain", {"Retry-After": "1"})
            if route.stream_bytes:
                return self._stream(route.stream_bytes)
            headers = dict(route.headers)
            if route.validators:
                etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                headers.update(ETag=etag, **{"Last-Modified": LAST_MODIFIED})
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, b"", "", headers)
            self._send(route.status, route.body, route.content_type, headers)

        def _send(self, status: int, body: bytes, content_type: str,
                  headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)) if status != 304 else "0")
            self.end_headers()
            self.wfile.write(body)

        def _stream(self, size: int) -> None:
            # Chunked, with no Content-Length: only the client's byte count can stop it.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<p>" + b"filler " * 9360 + b"</p>\n"
            try:
                while site.streamed < size:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    site.streamed += len(chunk)
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                self.close_connection = True  # the crawler hung up, as it should

    return Handler


def article(path: str, title: str, keyword: str, *, canonical: str | None = "",
            charset: str = "utf-8", lang: str = "en", words: str = "") -> str:
    """Return an article page in the centre's layout; `keyword` makes its text unique.

    `canonical` "" links the page to itself, None leaves the link out.
    """
    link = canonical or BASE + path
    head_link = "" if canonical is None else f'<link rel="canonical" href="{link}">'
    words = words or (
        f"The {keyword} question matters for the Caspian region and its neighbours. "
        "Governments, investors and analysts watch the route, the ports and the pipelines "
        "closely, because every decision there shapes trade between Europe and Asia."
    )
    paragraphs = "".join(f"<p>{html.escape(words)} ({n})</p>" for n in range(3))
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="{charset}">
<title>{html.escape(title)} | Caspian Policy Center</title>{head_link}
<meta property="og:type" content="article">
<meta property="article:published_time" content="2024-04-25T10:00:00+00:00">
</head><body class="single single-post">
<header><nav><a href="/research">Research</a></nav></header>
<main><article class="post">
<h1 class="post-title">{html.escape(title)}</h1>
<div class="post-meta"><span class="author">Author: Jane Doe</span></div>
<div class="post-content">{paragraphs}</div>
</article></main>
<footer><a href="https://www.facebook.com/caspianpolicy">Facebook</a></footer>
</body></html>"""


def listing(title: str, links: list[tuple[str, str]], next_url: str = "",
            feed: str = "") -> str:
    """Return a listing page: one `<article>` teaser per (href, text), then pagination."""
    teasers = "".join(
        f'<article class="teaser"><h2><a href="{href}">{html.escape(text)}</a></h2>'
        f"<p>{html.escape(text)}: a short teaser.</p></article>" for href, text in links
    )
    head = f'<link rel="alternate" type="application/rss+xml" href="{feed}">' if feed else ""
    head += f'<link rel="next" href="{next_url}">' if next_url else ""
    more = f'<a class="next" href="{next_url}">Next</a>' if next_url else ""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Caspian Policy Center</title>{head}</head>
<body class="archive"><main><h1>{title}</h1>{teasers}<nav class="pagination">{more}</nav></main>
</body></html>"""


def sitemap_index(urls: list[str]) -> str:
    """Return a sitemap index naming `urls`."""
    items = "".join(f"<sitemap><loc>{html.escape(u)}</loc></sitemap>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>')


def sitemap(urls: list[str]) -> str:
    """Return a sitemap listing `urls`."""
    items = "".join(f"<url><loc>{html.escape(u)}</loc></url>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>')


def rss(urls: list[str]) -> str:
    """Return an RSS 2.0 feed with one item per URL."""
    items = "".join(f"<item><title>Item</title><link>{html.escape(u)}</link></item>"
                    for u in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>CPC</title><link>{BASE}</link>{items}</channel></rss>")


def iter_gaps(requests: list[Request]) -> Iterator[float]:
    """Yield the seconds between consecutive requests."""
    for before, after in zip(requests, requests[1:], strict=False):
        yield after.at - before.at
