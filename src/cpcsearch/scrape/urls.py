"""Canonical URLs and the document ids derived from them."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan import normalize_url

from cpcsearch.scrape.layout import MIRROR_HOSTS, SITE_HOST, SITE_TRACKING_PARAMS


def canonical_url(url: str) -> str:
    """Return one spelling of `url`: https, the site's main host, no tracking or fragment.

    courlan does the general part (host case, default ports, tracking parameters, query
    order); the site's mirrors, its own share parameters and the trailing slash are ours.

    >>> canonical_url("http://caspianpolicy.com/research/x/?utm_source=tw#top")
    'https://www.caspianpolicy.org/research/x'
    """
    url = url.strip()
    try:
        if urlsplit(url).scheme not in ("http", "https"):
            return url
        parts = urlsplit(normalize_url(url))
    except ValueError:  # an unparsable port or host: keep the URL as written
        return url
    host = (parts.hostname or "").lower()
    host = SITE_HOST if host in MIRROR_HOSTS else parts.netloc.lower()
    scheme = "https" if host == SITE_HOST else parts.scheme
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/") or "/"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query)
                       if not SITE_TRACKING_PARAMS.match(k)])
    return urlunsplit((scheme, host, path, query, ""))


def absolute_url(href: str, base: str = "") -> str | None:
    """Return `href` made absolute against `base`, if that gives an http(s) URL with a host;
    None otherwise (a page's links and a server's headers may hold anything, and some, such as
    `http://[::1`, do not even parse)."""
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def doc_id_for(url: str) -> str:
    """Return a stable, readable id for a canonical URL: its slug plus a short hash."""
    canonical = canonical_url(url)
    slug = urlsplit(canonical).path.rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-")[:60] or "page"
    return f"{slug}-{hashlib.sha1(canonical.encode('utf-8')).hexdigest()[:8]}"
