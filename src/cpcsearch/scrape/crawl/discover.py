"""Finding URLs: in sitemaps and sitemap indexes, RSS/Atom feeds and the links of HTML pages.

Sitemaps and feeds are read by trafilatura's `sitemaps` and `feeds` modules; this module
fetches nothing (the crawler's polite client does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag
from courlan import get_hostinfo
from trafilatura.feeds import FeedParameters, extract_links
from trafilatura.sitemaps import SitemapObject

from cpcsearch.scrape.urls import absolute_url

SITEMAP_ROOT = re.compile(r"<(?:\w+:)?(?:urlset|sitemapindex)\b")
SNIFF_CHARS = 2000  # the root element of a sitemap comes within its first characters
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml"})
# Links to these are files, never pages: not worth a request.
FILE_EXTENSIONS = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|css|js|mp[34]|zip|docx?|xlsx?|pptx?)$", re.IGNORECASE
)
LISTING_ARTICLES = 2  # a page with this many <article> elements may be a listing...
LISTING_LEAD_SHARE = 0.7  # ...unless one of them holds more than this share of their text
LISTING_LINK_SHARE = 0.5  # ...as is one whose main text is mostly link text


@dataclass
class Found:
    """URLs found in one fetched resource, by what they lead to."""

    pages: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)


def from_xml(text: str, base_url: str) -> Found:
    """Read a sitemap index, a sitemap, an RSS or an Atom feed, with trafilatura's readers."""
    domain, base = get_hostinfo(base_url)
    found = Found()
    if SITEMAP_ROOT.search(text[:SNIFF_CHARS]):
        reader = SitemapObject(base or base_url, domain or "", [])
        reader.current_url, reader.content = base_url, text
        reader.process()
        found.pages, found.sitemaps = reader.urls, reader.sitemap_urls
    else:
        found.pages = extract_links(text, FeedParameters(base or base_url, domain or "", base_url))
    return found


def from_html(soup: BeautifulSoup, base_url: str) -> Found:
    """Return the page's links and feeds, unless its robots meta says nofollow."""
    if "nofollow" in robots_meta(soup):
        return Found()
    base = soup.find("base", href=True)
    if isinstance(base, Tag):
        base_url = absolute_url(str(base["href"]), base_url) or base_url
    found = Found()
    for link in soup.find_all(["a", "link"], href=True):
        rel = {r.lower() for r in link.get("rel") or ()}
        href = absolute_url(str(link["href"]), base_url)
        if href is None:  # mailto:, javascript:, or no URL at all
            continue
        if link.name == "link":
            if "alternate" in rel and str(link.get("type", "")).lower() in FEED_TYPES:
                found.feeds.append(href)
            elif rel & {"next", "prev"}:
                found.pages.append(href)
        elif "nofollow" not in rel and is_page_link(href):
            found.pages.append(href)
    return found


def is_page_link(url: str) -> bool:
    """Tell whether `url` may be a web page (http(s), not a known file type)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and not FILE_EXTENSIONS.search(parts.path)


def robots_meta(soup: BeautifulSoup) -> set[str]:
    """Return the directives of `<meta name=robots>` (noindex, nofollow...)."""
    meta = soup.find("meta", attrs={"name": re.compile(r"^robots$", re.I)})
    content = str(meta.get("content", "")) if isinstance(meta, Tag) else ""
    return {d.strip().lower() for d in content.split(",") if d.strip()}


def is_listing(soup: BeautifulSoup) -> bool:
    """Tell whether a page lists articles rather than being one.

    Archive pages hold several `<article>` teasers with none standing out (an article page's
    related-article cards are dwarfed by the article itself), or text that is mostly links.
    """
    sizes = [len(a.get_text(" ", strip=True)) for a in soup.find_all("article")]
    if len(sizes) >= LISTING_ARTICLES and max(sizes) <= LISTING_LEAD_SHARE * sum(sizes):
        return True
    root = soup.find("main") or soup.body
    if not isinstance(root, Tag):
        return False
    blocks = [b for b in root.find_all(["p", "li", "h2", "h3", "h4"])
              if not b.find_parent(["nav", "header", "footer", "aside"])]
    text = sum(len(b.get_text(strip=True)) for b in blocks)
    links = sum(len(a.get_text(strip=True)) for b in blocks for a in b.find_all("a"))
    return text > 0 and links / text > LISTING_LINK_SHARE
