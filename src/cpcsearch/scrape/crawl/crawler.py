"""The crawl loop: a frontier of canonical URLs, one outcome per page, and the run's report."""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from tqdm import tqdm

from cpcsearch.config import Config
from cpcsearch.errors import ScrapeError
from cpcsearch.scrape import extract_document, fetch_state
from cpcsearch.scrape.crawl import discover
from cpcsearch.scrape.crawl.fetch import Fetcher, PageSkipped, Response, Tuning, origin
from cpcsearch.scrape.fetch_state import FetchState
from cpcsearch.scrape.layout import SITE_HOST
from cpcsearch.scrape.urls import canonical_url
from cpcsearch.store import Store

log = logging.getLogger(__name__)

PAGE, XML = "page", "xml"  # what a queued URL is expected to hold


@dataclass
class CrawlReport:
    """What one crawl did, page by page counts and the failures with their reasons."""

    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: int = 0
    listings: int = 0
    duplicates: int = 0
    skipped: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """Return the one-line account printed at the end of a crawl."""
        line = (f"crawled {self.fetched} pages: {self.new} new, {self.changed} changed, "
                f"{self.unchanged} unchanged (304), {self.gone} gone, {self.listings} listings, "
                f"{self.duplicates} duplicates, {self.skipped} skipped, {self.failed} failed")
        return line + (" (see log)" if self.failed else "")


class Crawler:
    """One crawl of one site into one store."""

    def __init__(self, store: Store, config: Config, start_urls: list[str],
                 limit: int | None, tuning: Tuning) -> None:
        self.store = store
        self.limit = limit
        self.starts = [canonical_url(u) for u in start_urls]
        self.hosts = {urlsplit(u).netloc for u in self.starts} | {SITE_HOST}
        delay = config.CRAWL_DELAY if tuning.delay is None else tuning.delay
        self.fetcher = Fetcher(config.USER_AGENT, delay, tuning, self.in_scope)
        self.report = CrawlReport()
        self.frontier: deque[tuple[str, str]] = deque()
        self.seen: set[str] = set()

    def in_scope(self, url: str) -> bool:
        """Tell whether `url` belongs to the crawled site (start hosts and the centre's mirrors)."""
        return urlsplit(canonical_url(url)).netloc in self.hosts

    def enqueue(self, url: str, kind: str = PAGE) -> None:
        """Queue the canonical spelling of `url` once, if it is on the site."""
        url = canonical_url(url)
        if url in self.seen or not self.in_scope(url):
            return
        self.seen.add(url)
        if self.fetcher.allowed(url):
            self.frontier.append((url, kind))
        else:
            self.report.skipped += 1
            log.info("skipped %s: forbidden by robots.txt", url)

    def run(self, bar: tqdm) -> CrawlReport:
        """Crawl until the frontier is empty or the limit is reached."""
        started = time.monotonic()
        try:
            self._seed()
            while self.frontier and (self.limit is None or self.report.fetched < self.limit):
                url, kind = self.frontier.popleft()
                self.report.fetched += 1
                try:
                    self._visit(url, kind)
                except PageSkipped as exc:
                    self.report.skipped += 1
                    log.info("skipped %s", exc)
                except ScrapeError as exc:
                    self._fail(url, str(exc))
                except Exception as exc:  # a page that trips a bug costs that page, not the run
                    log.debug("unexpected error on %s", url, exc_info=True)
                    self._fail(url, f"{type(exc).__name__}: {exc}")
                bar.update()
                bar.set_postfix(new=self.report.new, not_modified=self.report.unchanged,
                                skipped=self.report.skipped, failed=self.report.failed,
                                refresh=False)
        finally:
            self.fetcher.close()
        self.report.seconds = time.monotonic() - started
        return self.report

    def _fail(self, url: str, reason: str) -> None:
        self.report.failed += 1
        self.report.failures.append((url, reason))
        log.warning("failed %s: %s", url, reason)

    def _seed(self) -> None:
        for start in self.starts:
            sitemaps = list(self.fetcher.robots(start).sitemaps)
            for sitemap in sitemaps or [f"{origin(start)}/sitemap.xml"]:
                self.enqueue(sitemap, XML)
        for start in self.starts:
            self.enqueue(start)
        # Pages stored before are revisited even when no listing links them any more.
        for url in fetch_state.document_urls(self.store):
            self.enqueue(url)

    def _visit(self, url: str, kind: str) -> None:
        state = fetch_state.get(self.store, url)
        # Only stored articles are asked "changed since?": listings must be read for their links.
        known = state if state is not None and state.doc_id else None
        response = self.fetcher.fetch(
            url, known and known.etag, known and known.last_modified, accept_xml=kind == XML
        )
        if response.status == 304 and known:
            self.report.unchanged += 1
            fetch_state.record(self.store, dataclasses.replace(known, status=304, fetched_at=""))
        elif response.status == 304:
            raise ScrapeError(f"{url}: HTTP 304 to a request that was not conditional")
        elif response.status in (404, 410):
            self._gone(url, known, response)
        elif response.is_xml:
            self._discover(discover.from_xml(response.text, response.url))
            self._record(url, response, None)
        else:
            self._page(url, response)

    def _gone(self, url: str, known: FetchState | None, response: Response) -> None:
        self._record(url, response, None)
        if known and known.doc_id and self.store.mark_gone(known.doc_id):
            self.report.gone += 1
            log.info("gone %s (HTTP %d)", url, response.status)
        elif not known:
            self._fail(url, f"HTTP {response.status} (a broken link)")

    def _discover(self, found: discover.Found) -> None:
        for sitemap in found.sitemaps + found.feeds:
            self.enqueue(sitemap, XML)
        for page in found.pages:
            self.enqueue(page)

    def _page(self, url: str, response: Response) -> None:
        self.seen.add(canonical_url(response.url))
        soup = BeautifulSoup(response.text, "lxml")
        self._discover(discover.from_html(soup, response.url))
        doc = None
        if "noindex" not in discover.robots_meta(soup) and not discover.is_listing(soup):
            try:
                doc = extract_document(response.text, response.url)
            except ScrapeError:
                pass  # a page without an article text is a listing or a section front
        if doc is None:
            self.report.listings += 1
            self._record(url, response, None)
            return
        self.seen.add(doc.url)
        duplicate = self.store.find_by_hash(doc.content_hash)
        if duplicate and duplicate != doc.id:
            self.report.duplicates += 1
            log.info("skipped %s: same text as %s", url, duplicate)
            self._record(url, response, None)
            return
        old = self.store.get(doc.id)
        if old is not None and old == dataclasses.replace(doc, fetched_at=old.fetched_at):
            doc = old  # same article: keep its fetch date so the store sees no change
            self.report.unchanged += 1
        elif old is None:
            self.report.new += 1
        else:
            self.report.changed += 1
        self.store.upsert(doc, response.text)
        self._record(url, response, doc.id)

    def _record(self, url: str, response: Response, doc_id: str | None) -> None:
        fetch_state.record(self.store, FetchState(
            url, response.status, response.etag, response.last_modified, doc_id,
        ))


def crawl(store: Store, config: Config, start_urls: list[str] | None = None,
          limit: int | None = None, progress: bool = True, **tuning: Any) -> CrawlReport:
    """Fetch the site politely into `store`; return what happened.

    `start_urls` defaults to `config.START_URLS`; `tuning` sets `Tuning` fields (delay,
    retries, backoff_base, backoff_cap, max_bytes, timeout, transport...).
    """
    starts = start_urls or config.START_URLS.split()
    crawler = Crawler(store, config, starts, limit, Tuning(**tuning))
    with tqdm(total=limit, unit="page", file=sys.stderr, disable=not progress,
              leave=False) as bar:
        return crawler.run(bar)
