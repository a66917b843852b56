"""Per-field metadata extraction: JSON-LD → meta/OpenGraph → visible page text.

Each `extract_<field>()` takes a parsed `Page` and returns its best value, or an empty one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Tag
from dateutil import parser as dateparser

from cpcsearch.scrape import layout

ARTICLE_TYPES = ("Article", "NewsArticle", "BlogPosting", "Report", "ScholarlyArticle", "WebPage")


@dataclass
class Page:
    """A parsed page and what its metadata cascade reads from."""

    soup: BeautifulSoup
    url: str = ""
    jsonld: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, soup: BeautifulSoup, url: str = "") -> Page:
        """Read a page's JSON-LD article node and its meta tags."""
        return cls(soup, url, _jsonld_article(soup), _meta_tags(soup))

    def first_meta(self, *names: str) -> str:
        """Return the first non-empty value among the meta tags `names`."""
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return value.strip()
        return ""


def _jsonld_article(soup: BeautifulSoup) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = []
    for script in soup.find_all("script", type=re.compile("ld\\+json", re.I)):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError):
            continue  # a broken JSON-LD block costs only its own metadata
        stack = data if isinstance(data, list) else [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, dict):
                nodes.append(node)
                stack.extend(node.get("@graph", []) if isinstance(node.get("@graph"), list) else [])
    for wanted in ARTICLE_TYPES:
        for node in nodes:
            types = node.get("@type")
            if wanted in (types if isinstance(types, list) else [types]):
                return node
    return {}


def _meta_tags(soup: BeautifulSoup) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        name = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        if name and tag.get("content") is not None:
            meta.setdefault(name, []).append(str(tag["content"]))
    return meta


def clean_text(text: str) -> str:
    """Collapse whitespace."""
    return " ".join(text.split())


def _names(value: Any) -> list[str]:
    """Return the names in a JSON-LD value (a string, a Person, or a list of them)."""
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        return _names(value.get("name", ""))
    return [clean_text(str(value))] if value else []


def extract_title(page: Page) -> str:
    """Return the article heading; meta titles lose the site name."""
    for selector in layout.TITLE_SELECTORS:
        heading = page.soup.select_one(selector)
        if heading and clean_text(heading.get_text(" ")):
            return clean_text(heading.get_text(" "))
    candidates = [*_names(page.jsonld.get("headline")),
                  page.first_meta("og:title", "twitter:title")]
    if page.soup.title:
        candidates.append(page.soup.title.get_text())
    for candidate in candidates:
        title = clean_text(layout.TITLE_SITE_SUFFIX.sub("", candidate or ""))
        if title:
            return title
    return ""


def split_authors(line: str) -> list[str]:
    """Split an author line ("Author: A, B and C") into clean names."""
    match = layout.AUTHOR_LINE.match(clean_text(line))
    names = match.group("names") if match else line
    found = []
    for name in layout.AUTHOR_SEPARATORS.split(names):
        name = name.strip(" .:-–—")
        if name and len(name.split()) <= layout.MAX_AUTHOR_WORDS and name not in found:
            found.append(name)
    return found


def extract_authors(page: Page) -> list[str]:
    """Return the authors as separate names (the site itself is no author)."""
    return [n for n in _author_candidates(page) if n.lower() != layout.SITE_NAME.lower()]


def _author_candidates(page: Page) -> list[str]:
    from_jsonld = [n for name in _names(page.jsonld.get("author")) for n in split_authors(name)]
    if from_jsonld:
        return from_jsonld
    from_meta = [n for value in page.meta.get("author", []) for n in split_authors(value)]
    if from_meta:
        return from_meta
    outside = set(page.soup.select(layout.AUTHOR_OUTSIDE))
    for selector in layout.AUTHOR_SELECTORS:
        names: list[str] = []
        for element in page.soup.select(selector):
            text = clean_text(element.get_text(" "))
            if text and len(text) < 200 and not element.find_parent(
                    lambda tag: tag.name in ("aside", "footer") or tag in outside):
                names += [n for n in split_authors(text) if n not in names]
        if names:
            return names
    return []


def parse_date(text: str) -> dt.date | None:
    """Read a date written as ISO 8601, `Apr 25, 2024`, `25 April 2024` or `08/25/2021`."""
    text = clean_text(text)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = layout.VISIBLE_DATE.search(text)
    if not match:
        return None
    try:
        return dateparser.parse(match.group(0), dayfirst=False).date()
    except (ValueError, OverflowError):
        return None


def extract_date(page: Page) -> dt.date | None:
    """Return the publication date."""
    candidates = [
        str(page.jsonld.get("datePublished") or ""),
        page.first_meta("article:published_time", "datepublished", "date", "dc.date",
                        "pubdate", "publish-date", "og:published_time"),
    ]
    for selector in layout.DATE_SELECTORS:
        for element in page.soup.select(selector):
            candidates.append(str(element.get("datetime") or element.get("content") or ""))
            candidates.append(element.get_text(" "))
    for candidate in candidates:
        date = parse_date(candidate)
        if date:
            return date
    heading = page.soup.find("h1")
    for text in heading.find_all_next(string=layout.VISIBLE_DATE, limit=1) if heading else ():
        return parse_date(str(text))
    return None


def extract_section(page: Page) -> str:
    """Return the site's program or category: JSON-LD, meta, breadcrumb, then URL."""
    section = _names(page.jsonld.get("articleSection"))
    if section:
        return section[0]
    from_meta = page.first_meta("article:section")
    if from_meta:
        return from_meta
    for selector in layout.BREADCRUMB_SELECTORS:
        crumbs = [clean_text(a.get_text(" ")) for a in page.soup.select(selector)]
        crumbs = [c for c in crumbs if c and c.lower() not in layout.BREADCRUMB_SKIP]
        if crumbs:
            return crumbs[-1] if len(crumbs) == 1 else crumbs[0]
    match = layout.SECTION_URL.search(page.url)
    if match:
        slug = match.group("section")
        return layout.SECTIONS.get(slug, slug.replace("-", " ").title())
    return ""


def extract_tags(page: Page) -> list[str]:
    """Return the site's own tags for the article."""
    keywords = page.jsonld.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    tags = [clean_text(str(k)) for k in keywords or []]
    tags += page.meta.get("article:tag", [])
    for selector in layout.TAG_SELECTORS:
        tags += [a.get_text(" ") for a in page.soup.select(selector)]
    unique: list[str] = []
    for tag in map(clean_text, tags):
        if tag and tag.lower() not in {u.lower() for u in unique}:
            unique.append(tag)
    return unique


def find_regions(text: str) -> list[str]:
    """Return the regions a text mentions often enough to be a topic, most mentioned first."""
    lowered = text.lower()
    counts = Counter()
    for region, words in layout.REGIONS.items():
        counts[region] = sum(len(re.findall(rf"\b{re.escape(w)}\b", lowered)) for w in words)
    return [r for r, n in counts.most_common() if n >= layout.MIN_REGION_MENTIONS]


def extract_summary(page: Page) -> str:
    """Return the page's own description, if it has one."""
    description = page.jsonld.get("description")
    if isinstance(description, str) and description.strip():
        return clean_text(description)
    return page.first_meta("description", "og:description", "twitter:description")


def extract_canonical(page: Page) -> str:
    """Return the page's canonical URL, if it declares one."""
    link = page.soup.find("link", rel="canonical")
    if isinstance(link, Tag) and link.get("href"):
        return str(link["href"]).strip()
    return page.first_meta("og:url") or str(page.jsonld.get("url") or "")
