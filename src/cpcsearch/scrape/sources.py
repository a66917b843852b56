"""Reading one page's HTML from a file, standard input or a URL."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from cpcsearch.errors import ScrapeError

TIMEOUT = 30.0


def read_page(source: str, url: str = "") -> tuple[str, str]:
    """Return (html, url) of a page named by a path, `-` (stdin) or an http(s) URL."""
    if source == "-":
        return sys.stdin.read(), url
    if source.startswith(("http://", "https://")):
        try:
            response = httpx.get(source, follow_redirects=True, timeout=TIMEOUT)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise ScrapeError(f"{source}: could not fetch ({exc})") from exc
        return response.text, url or str(response.url)
    try:
        return Path(source).read_text(encoding="utf-8", errors="replace"), url
    except OSError as exc:
        raise ScrapeError(f"{source}: cannot read ({exc.strerror})") from exc
