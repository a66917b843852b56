"""Polite HTTP for the crawler: robots.txt, per-host delays, retries, conditional GET, size cap."""

from __future__ import annotations

import email.utils
import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from bs4 import UnicodeDammit
from protego import Protego

from cpcsearch.errors import ScrapeError
from cpcsearch.numbers import digits, whole_number
from cpcsearch.scrape.urls import absolute_url

log = logging.getLogger(__name__)

MB = 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_TYPES = ("application/xml", "text/xml", "application/rss+xml", "application/atom+xml")
# A gzipped sitemap (sitemap.xml.gz) is served as a file, not with Content-Encoding: gzip.
GZIP_TYPES = ("application/gzip", "application/x-gzip", "application/octet-stream")
GZIP_MAGIC = b"\x1f\x8b"


class PageSkipped(ScrapeError):
    """A page was deliberately not read (not HTML, forbidden by robots.txt...)."""


@dataclass(frozen=True)
class Tuning:
    """Knobs of the crawler; the defaults suit the live site, tests shrink the waits."""

    delay: float | None = None  # None: the configured CRAWL_DELAY
    timeout: float = 20.0
    retries: int = 3
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    max_bytes: int = 5 * MB
    max_redirects: int = 5
    transport: httpx.BaseTransport | None = None


@dataclass(frozen=True)
class Response:
    """A fetched page: 200 with its decoded text, 304, or 404/410 without one."""

    url: str  # the URL finally answered, after redirects
    status: int
    text: str = ""
    location: str = ""  # where a redirect points
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def is_xml(self) -> bool:
        """Tell whether the body is a sitemap or feed rather than a page."""
        return self.content_type in XML_TYPES


def origin(url: str) -> str:
    """Return scheme://host[:port] of `url`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Fetcher:
    """An HTTP client that asks robots.txt, waits between requests and retries politely."""

    def __init__(self, user_agent: str, delay: float, tuning: Tuning,
                 in_scope: Callable[[str], bool]) -> None:
        self.user_agent = user_agent
        self.in_scope = in_scope
        self.delay = delay
        self.tuning = tuning
        self.client = httpx.Client(
            headers={"User-Agent": user_agent}, timeout=tuning.timeout,
            follow_redirects=False, transport=tuning.transport,
        )
        self._robots: dict[str, Protego] = {}
        self._unreachable: dict[str, str] = {}  # site → why its robots.txt could not be read
        self._last_request: dict[str, float] = {}

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def robots(self, url: str) -> Protego:
        """Return the parsed robots.txt of the site of `url`, fetching it once."""
        site = origin(url)
        if site not in self._robots:
            self._robots[site] = Protego.parse(self._robots_text(site))
        return self._robots[site]

    def _robots_text(self, site: str) -> str:
        # RFC 9309: no robots.txt (4xx) allows everything; an unreachable one forbids everything.
        try:
            response = self._send(f"{site}/robots.txt", {}, accept=None)
        except ScrapeError as exc:
            log.warning("%s; not crawling this site", exc)
            self._unreachable[site] = str(exc)
            return "User-agent: *\nDisallow: /"
        if response.status == 200:
            return response.text
        return ""

    def allowed(self, url: str) -> bool:
        """Tell whether robots.txt lets our User-Agent fetch `url`."""
        return bool(self.robots(url).can_fetch(url, self.user_agent))

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None,
              accept_xml: bool = False) -> Response:
        """Fetch `url`, following redirects; raise `ScrapeError` when it cannot be read."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        chain = [url]
        while True:
            if not self.allowed(chain[-1]):
                unreachable = self._unreachable.get(origin(chain[-1]))
                if unreachable:
                    raise ScrapeError(f"{chain[-1]}: site unreachable ({unreachable})")
                raise PageSkipped(f"{chain[-1]}: forbidden by robots.txt")
            accept = HTML_TYPES + (XML_TYPES + GZIP_TYPES if accept_xml else ())
            response = self._send(chain[-1], headers, accept)
            if not response.location:
                return response
            target = response.location
            if not self.in_scope(target):
                raise PageSkipped(f"{url}: redirects off-site to {target}")
            if target in chain:
                raise ScrapeError(f"{url}: redirect loop ({' → '.join([*chain, target])})")
            if len(chain) > self.tuning.max_redirects:
                raise ScrapeError(f"{url}: more than {self.tuning.max_redirects} redirects")
            chain.append(target)

    def _send(self, url: str, headers: dict[str, str],
              accept: tuple[str, ...] | None) -> Response:
        """Make one request, retrying 429/5xx and network errors with backoff.

        `accept` lists the content types worth reading (None: any); others are skipped.
        """
        for attempt in range(self.tuning.retries + 1):
            self._wait_turn(url)
            try:
                with self.client.stream("GET", url, headers=headers) as response:
                    if response.status_code not in RETRY_STATUSES:
                        return self._read(url, response, accept)
                    reason = f"HTTP {response.status_code}"
                    wait = retry_after(response.headers.get("Retry-After"))
            except httpx.TransportError as exc:
                reason, wait = f"{type(exc).__name__} ({exc})", None
            except httpx.HTTPError as exc:
                raise ScrapeError(f"{url}: {type(exc).__name__} ({exc})") from exc
            if attempt == self.tuning.retries:
                break
            if wait is None:
                wait = self.tuning.backoff_base * 2 ** attempt
            wait = min(wait, self.tuning.backoff_cap)
            log.info("%s: %s; retrying in %.1f s", url, reason, wait)
            time.sleep(wait)
        raise ScrapeError(f"{url}: {reason} after {self.tuning.retries} retries")

    def _wait_turn(self, url: str) -> None:
        # robots.txt is read before any page of its site, so its Crawl-delay is known here.
        site = origin(url)
        robots = self._robots.get(site)
        delay = max(self.delay, float((robots and robots.crawl_delay(self.user_agent)) or 0))
        wait = self._last_request.get(site, float("-inf")) + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request[site] = time.monotonic()

    def _read(self, url: str, response: httpx.Response,
              accept: tuple[str, ...] | None) -> Response:
        status = response.status_code
        if status in (301, 302, 303, 307, 308):
            location = response.headers.get("Location")
            if not location:
                raise ScrapeError(f"{url}: HTTP {status} redirect without a Location")
            target = absolute_url(location, url)
            if target is None:
                raise ScrapeError(f"{url}: HTTP {status} redirect to {location!r}, not an "
                                  "http(s) URL")
            return Response(url, status, location=target)
        validators = {"etag": response.headers.get("ETag"),
                      "last_modified": response.headers.get("Last-Modified")}
        if status in (304, 404, 410):
            return Response(url, status, **validators)
        if status != 200:
            raise ScrapeError(f"{url}: HTTP {status}")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if accept is not None and content_type not in accept:
            raise PageSkipped(f"{url}: not HTML ({content_type or 'no Content-Type'})")
        body = self._read_capped(url, response)
        if content_type in GZIP_TYPES:
            body, content_type = self._gunzip(url, body), "application/xml"
        text = decode(body, response.charset_encoding, is_html=content_type in HTML_TYPES)
        return Response(url, 200, text, content_type=content_type, **validators)

    def _gunzip(self, url: str, body: bytes) -> bytes:
        """Decompress a gzipped sitemap, within the size cap (a small file may unpack huge)."""
        if not body.startswith(GZIP_MAGIC):
            raise PageSkipped(f"{url}: not HTML, XML or gzip (a binary file)")
        cap = self.tuning.max_bytes
        try:
            unpacked = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, cap + 1)
        except zlib.error as exc:
            raise ScrapeError(f"{url}: broken gzip file ({exc})") from exc
        if len(unpacked) > cap:
            raise ScrapeError(f"{url}: unpacks to more than {cap / MB:g} MB; skipped"
                              " (raise max_bytes to read it)")
        return unpacked

    def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        cap = self.tuning.max_bytes
        too_big = ScrapeError(
            f"{url}: page is larger than {cap / MB:g} MB; skipped (raise max_bytes to read it)"
        )
        declared = response.headers.get("Content-Length", "")
        if _says_more(declared, cap):
            raise too_big
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)


def _says_more(declared: str, cap: int) -> bool:
    """Tell whether a Content-Length header says more than `cap` bytes (a server may send
    anything)."""
    return digits(declared) and whole_number(declared, cap) is None


def retry_after(value: str | None) -> float | None:
    """Read a Retry-After header (seconds or an HTTP date) as seconds to wait."""
    if not value:
        return None
    value = value.strip()
    if digits(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def decode(body: bytes, http_charset: str | None, is_html: bool = True) -> str:
    """Decode a page: the HTTP charset first, then the page's own declaration, then a guess."""
    dammit = UnicodeDammit(
        body, known_definite_encodings=[http_charset] if http_charset else [],
        user_encodings=["utf-8"], is_html=is_html,
    )
    if dammit.unicode_markup is None:
        return body.decode("utf-8", errors="replace")
    return dammit.unicode_markup
