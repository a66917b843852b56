"""Per-field metadata extraction: JSON-LD, meta/OpenGraph and markup, then visible text last.

Each `extract_<field>()` takes a parsed `Page` and returns its best value, or an empty one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from itertools import repeat
from typing import Any

import htmldate
from bs4 import Tag
from dateutil import parser as dateparser

from cpcsearch.scrape import layout, visible
from cpcsearch.scrape.page import Page, clean_text
from cpcsearch.scrape.urls import absolute_url

Steps = tuple[Callable[[Page], Any], ...]  # a field's cascade: the first step to find it wins


def _names(value: Any) -> list[str]:
    """Return the names in a JSON-LD value (a string, a Person, or a list of them)."""
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        return _names(value.get("name", ""))
    return [clean_text(str(value))] if value else []


def extract_title(page: Page, steps: Steps | None = None) -> str:
    """Return the article heading, JSON-LD and meta titles, `<title>`, then visible text.

    The site's own name is never a title: titles lose it, and a heading that is only the
    site's name is passed over.
    """
    return first_found(page, steps or TITLE_STEPS) or ""


def first_found(page: Page, steps: Steps) -> Any:
    """Return the first value a step of a cascade finds, or None."""
    for step in steps:
        value = step(page)
        if value:
            return value
    return None


def title_from_markup(page: Page) -> str:
    """Return the text of the first article heading the layout's selectors find."""
    for selector in layout.TITLE_SELECTORS:
        heading = page.soup.select_one(selector)
        text = clean_text(heading.get_text(" ")) if heading else ""
        if text and not page.is_site_name(text):
            return _capitalized(page, text)
    return ""


def title_from_metadata(page: Page) -> str:
    """Return the JSON-LD headline, the OpenGraph title or the `<title>`, minus the site name."""
    for candidate in (*_names(page.jsonld.get("headline")),
                      page.first_meta("og:title", "twitter:title"), _title_tag(page)):
        title = page.strip_site_name(candidate or "")
        if title:
            return title
    return ""


def _capitalized(page: Page, heading: str) -> str:
    """Return the capitalized spelling of an all-lower-case heading shown nearby, if any.

    Some layouts put a slug-like lower-case label above the title in the title's own element.
    """
    if not heading.islower():
        return heading
    wanted = visible.words(heading)
    for line in page.lines[:layout.TOP_LINES]:
        if not line.text.islower() and visible.words(line.text) == wanted:
            return line.text
    return heading


def _title_tag(page: Page) -> str:
    return page.soup.title.get_text() if page.soup.title else ""


def visible_title(page: Page) -> str:
    """Return the most prominent heading-like line near the top that names the article.

    It must share most words with the URL's slug or the `<title>` (minus the site name)
    when either says anything; otherwise the line just above the byline is the title.
    """
    top = page.lines[:layout.TOP_LINES]
    byline = next((i for i, line in enumerate(top) if visible.is_byline(line.text)
                   or layout.BYLINE_LABEL.match(line.text)), None)
    region = top[:byline] if byline else top
    candidates = [(i, line) for i, line in enumerate(region) if _could_be_title(page, line.text)]
    references = [ref for ref in (visible.slug_words(page.url),
                                  visible.words(page.strip_site_name(_title_tag(page))))
                  if len(ref) >= layout.MIN_TITLE_WORDS]
    matching = [(max(visible.overlap(line.text, ref) for ref in references), i, line)
                for i, line in candidates if references]
    matching = [m for m in matching if m[0] >= layout.TITLE_MATCH]
    if matching:
        return max(matching, key=lambda m: (m[2].rank, m[0], m[1]))[2].text
    if byline is not None and candidates:
        return max(candidates, key=lambda c: (c[1].rank, c[0]))[1].text
    ranked = [c for c in candidates if c[1].rank]
    return max(ranked, key=lambda c: (c[1].rank, -c[0]))[1].text if ranked else ""


def _could_be_title(page: Page, text: str) -> bool:
    return (visible.is_heading_like(text) and not page.is_site_name(text)
            and not visible.is_date_line(text) and not layout.BOILERPLATE_LINES.match(text)
            and not layout.RELATED_HEADING.match(text))


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


def extract_authors(page: Page, steps: Steps | None = None) -> list[str]:
    """Return the authors as separate names (the site itself is no author)."""
    names = first_found(page, steps or AUTHOR_STEPS) or []
    return [n for n in names if n.lower() != layout.SITE_NAME.lower()]


def authors_from_jsonld(page: Page) -> list[str]:
    """Return the JSON-LD article's authors."""
    return [n for name in _names(page.jsonld.get("author")) for n in split_authors(name)]


def authors_from_meta(page: Page) -> list[str]:
    """Return the names in `<meta name=author>`."""
    return [n for value in page.meta.get("author", []) for n in split_authors(value)]


def authors_from_markup(page: Page) -> list[str]:
    """Return the names in the first author elements the layout's selectors find."""
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


def authors_from_byline(page: Page) -> list[str]:
    """Return the names of the visible byline near the title."""
    found = find_byline(page)
    return split_authors(found[1]) if found else []


def title_index(page: Page) -> int | None:
    """Return the index of the visible line that shows the article's title, if one does."""
    title = visible.words(extract_title(page))
    for i, line in enumerate(page.lines[:layout.TOP_LINES]):
        if title and visible.words(line.text) == title:
            return i
    return None


def find_byline(page: Page) -> tuple[int, str] | None:
    """Return the index of the byline's last line and its text, just after the title (or
    among the top lines); a label alone on its line ("Authors:") takes the next line's names.
    """
    start = title_index(page)
    window = (range(start + 1, start + 1 + layout.BYLINE_WINDOW) if start is not None
              else range(layout.TOP_LINES))
    lines = [line.text for line in page.lines]
    for i in window:
        if i >= len(lines):
            break
        if visible.is_byline(lines[i]):
            return i, lines[i]
        if layout.BYLINE_LABEL.match(lines[i]) and i + 1 < len(lines):
            joined = f"{lines[i]} {lines[i + 1]}"
            if visible.is_byline(joined):
                return i + 1, joined
    return None


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


def extract_date(page: Page, steps: Steps | None = None) -> dt.date | None:
    """Return the publication date."""
    return first_found(page, steps or DATE_STEPS)


def date_from_metadata(page: Page) -> dt.date | None:
    """Return the JSON-LD or meta publication date."""
    return parse_date(str(page.jsonld.get("datePublished") or "")) or parse_date(
        page.first_meta("article:published_time", "datepublished", "date", "dc.date",
                        "pubdate", "publish-date", "og:published_time"))


def date_from_markup(page: Page) -> dt.date | None:
    """Return the date of the first date element, else the first date after the `<h1>`."""
    for selector in layout.DATE_SELECTORS:
        for element in page.soup.select(selector):
            for text in (str(element.get("datetime") or element.get("content") or ""),
                         element.get_text(" ")):
                date = parse_date(text)
                if date:
                    return date
    heading = page.soup.find("h1")
    for text in heading.find_all_next(string=layout.VISIBLE_DATE, limit=1) if heading else ():
        return parse_date(str(text))
    return None


def date_from_htmldate(page: Page) -> dt.date | None:
    """Return the date htmldate finds in markup this module does not know (other meta names,
    `itemprop` variants, a dated URL), when nothing else gave one.

    Its search of the visible text stays off: the visible-text step reads that more narrowly.
    """
    try:
        found = htmldate.find_date(str(page.soup), url=page.url or None, original_date=True,
                                   extensive_search=False, outputformat="%Y-%m-%d")
    except Exception:  # the library fails in varied ways on odd markup; no date is the fallback
        return None
    return parse_date(found or "")


def visible_date(page: Page) -> dt.date | None:
    """Return the date of a date-only line just after the byline (or the title)."""
    byline = find_byline(page)
    anchor = title_index(page) if byline is None else byline[0]
    if anchor is None:
        return None
    for line in page.lines[anchor + 1:anchor + 1 + layout.DATE_WINDOW]:
        if visible.is_date_line(line.text):
            return parse_date(line.text)
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
    """Return the page's canonical URL, if it declares one that is an http(s) URL (a relative
    one read against the page's own URL)."""
    link = page.soup.find("link", rel="canonical")
    declared = [str(link.get("href") or "") if isinstance(link, Tag) else "",
                page.first_meta("og:url"), str(page.jsonld.get("url") or "")]
    return next((url for url in map(absolute_url, filter(None, declared),
                                    repeat(page.url)) if url), "")


# Each field's cascade, visible text last. The metadata benchmark inserts library steps here.
TITLE_STEPS: Steps = (title_from_markup, title_from_metadata, visible_title)
AUTHOR_STEPS: Steps = (authors_from_jsonld, authors_from_meta, authors_from_markup,
                       authors_from_byline)
DATE_STEPS: Steps = (date_from_metadata, date_from_markup, visible_date, date_from_htmldate)
