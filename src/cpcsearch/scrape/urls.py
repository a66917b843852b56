"""Canonical URLs and the document ids derived from them."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cpcsearch.scrape.layout import MIRROR_HOSTS, SITE_HOST

TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|share|amp)$", re.I)


def canonical_url(url: str) -> str:
    """Return one spelling of `url`: https, the site's main host, no tracking or fragment.

    >>> canonical_url("http://caspianpolicy.com/research/x/?utm_source=tw#top")
    'https://www.caspianpolicy.org/research/x'
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return url.strip()
    host = (parts.hostname or "").lower()
    host = SITE_HOST if host in MIRROR_HOSTS else host
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    scheme = "https" if host == SITE_HOST else parts.scheme
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/") or "/"
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query) if not TRACKING_PARAMS.match(k))
    )
    return urlunsplit((scheme, host, path, query, ""))


def doc_id_for(url: str) -> str:
    """Return a stable, readable id for a canonical URL: its slug plus a short hash."""
    canonical = canonical_url(url)
    slug = urlsplit(canonical).path.rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-")[:60] or "page"
    return f"{slug}-{hashlib.sha1(canonical.encode('utf-8')).hexdigest()[:8]}"
