"""Reading one page's HTML from a file, standard input or a URL."""

from __future__ import annotations

import sys
from pathlib import Path

from cpcsearch.config import Config
from cpcsearch.errors import ScrapeError
from cpcsearch.scrape.crawl.fetch import Fetcher, Tuning


def read_page(source: str, url: str = "", config: Config | None = None) -> tuple[str, str]:
    """Return (html, url) of a page named by a path, `-` (stdin) or an http(s) URL."""
    if source == "-":
        return sys.stdin.read(), url
    if source.startswith(("http://", "https://")):
        html, final_url = fetch_page(source, config or Config.load())
        return html, url or final_url
    try:
        return Path(source).read_text(encoding="utf-8", errors="replace"), url
    except OSError as exc:
        raise ScrapeError(f"{source}: cannot read ({exc.strerror})") from exc


def fetch_page(url: str, config: Config, tuning: Tuning | None = None) -> tuple[str, str]:
    """Fetch one page as the crawler does; return its text and the URL that answered.

    The crawler's client sends its User-Agent, asks robots.txt, waits `CRAWL_DELAY` between
    requests to a host, retries politely, caps the size and decodes by the page's charset.
    Redirects may lead anywhere: the user named this page, not a site to stay on.
    """
    tuning = tuning or Tuning()
    delay = config.CRAWL_DELAY if tuning.delay is None else tuning.delay
    fetcher = Fetcher(config.USER_AGENT, delay, tuning, in_scope=lambda _: True)
    try:
        response = fetcher.fetch(url)
    finally:
        fetcher.close()
    if response.status != 200:
        raise ScrapeError(f"{url}: HTTP {response.status}")
    return response.text, response.url
