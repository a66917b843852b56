"""The scraper: page HTML → `Document`."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from cpcsearch.document import Document
from cpcsearch.errors import ScrapeError
from cpcsearch.scrape import body, layout, metadata
from cpcsearch.scrape.generic import extract_main_text
from cpcsearch.scrape.urls import canonical_url, doc_id_for

SUMMARY_CHARS = 300


def extract_document(html: str, url: str = "", fetched_at: str = "") -> Document:
    """Turn one page's HTML into a normalized document.

    Pages of the centre's site are read with its layout rules; any other page (or a centre
    page whose layout the rules do not recognize) gets the generic main-text extractor.
    Either way the body then loses captions, credits, the repeated title, byline and date,
    and the related-article teasers. The body is read before the metadata and neither
    changes the parsed tree. Raises `ScrapeError` when the page has no title or no text.
    """
    soup = BeautifulSoup(html, "lxml")
    page = metadata.Page.parse(soup, url)
    url = canonical_url(metadata.extract_canonical(page) or url)
    page.url = url
    paragraphs = _paragraphs(page, html)
    title = metadata.extract_title(page)
    authors = metadata.extract_authors(page)
    date = metadata.extract_date(page)
    section = metadata.extract_section(page)
    tags = metadata.extract_tags(page)
    summary = metadata.extract_summary(page)
    paragraphs = body.trim(paragraphs, page, title)
    text = "\n\n".join(p for p in paragraphs if p.strip())
    if not title or not text:
        raise ScrapeError(f"page {url or '(no URL)'} has no {'title' if not title else 'text'}")
    regions = metadata.find_regions(f"{title}\n{text}")
    known = {t.lower() for t in tags}
    return Document(
        id=doc_id_for(url or title),
        url=url,
        title=title,
        authors=tuple(authors),
        date=date,
        section=section,
        topics=tuple(tags + [r for r in regions if r.lower() not in known]),
        summary=summary or _lead(text),
        body=text,
        language=_language(soup),
        fetched_at=fetched_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def _paragraphs(page: metadata.Page, html: str) -> list[str]:
    """Return the body's paragraphs: the centre's layout rules, else the generic extractor."""
    container = body.find_body(page.soup) if _is_centre_page(page) else None
    if container is not None:
        return body.body_paragraphs(container)
    return extract_main_text(html, page.url or None).split("\n\n")


def _is_centre_page(page: metadata.Page) -> bool:
    """Tell whether a page comes from the centre's site, whose layout rules then apply."""
    host = urlsplit(page.url).hostname or ""
    names = [page.first_meta("og:site_name"), page.soup.title.get_text() if page.soup.title else ""]
    return host in layout.MIRROR_HOSTS or any(layout.SITE_NAME.lower() in n.lower() for n in names)


def _language(soup: BeautifulSoup) -> str:
    """Return the page's primary language subtag, English when it declares none."""
    declared = str(soup.html.get("lang") or "") if soup.html else ""
    return declared.split("-")[0].lower() or "en"


def _lead(text: str) -> str:
    """Return the opening of the first paragraph as a summary, cut at a word."""
    first = text.split("\n\n", 1)[0]
    if len(first) <= SUMMARY_CHARS:
        return first
    return first[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
