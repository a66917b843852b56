"""A parsed page: its tree, JSON-LD article node, meta tags and visible lines."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from bs4 import BeautifulSoup

from cpcsearch.scrape import layout, visible
from cpcsearch.scrape.visible import Line

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

    @cached_property
    def lines(self) -> list[Line]:
        """Return the page's visible text lines in reading order."""
        return visible.read_lines(self.soup)

    @cached_property
    def site_names(self) -> set[str]:
        """Return the lower-cased names the site goes by, with their initials ("cpc")."""
        names = {layout.SITE_NAME, *(self.first_meta(m) for m in layout.SITE_NAME_METAS)}
        found = set()
        for name in filter(None, map(clean_text, names)):
            found.add(name.lower())
            initials = "".join(w[0] for w in name.split() if w[0].isalnum())
            if len(initials) >= 2:
                found.add(initials.lower())
        return found

    def is_site_name(self, text: str) -> bool:
        """Tell whether `text` is only the site's name ("CPC - Caspian Policy Center" too)."""
        return not self.strip_site_name(text)

    def strip_site_name(self, text: str) -> str:
        """Remove the site's name from either end of a title ("Gas Deal | CPC" → "Gas Deal")."""
        text, before = clean_text(text), ""
        while text != before:  # "Gas Deal | CPC - Caspian Policy Center" has two
            before = text
            for name in sorted(self.site_names, key=len, reverse=True):
                name, sep = re.escape(name), layout.TITLE_SEPARATOR
                text = re.sub(rf"^{name}{sep}(?=\S)|(?<=\S){sep}{name}$", "", text, flags=re.I)
        return "" if text.lower().strip(" |-–—:") in self.site_names else clean_text(text)

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
