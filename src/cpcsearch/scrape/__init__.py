"""The scraper: page HTML → `Document`."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup

from cpcsearch.document import Document
from cpcsearch.errors import ScrapeError
from cpcsearch.scrape import body, metadata
from cpcsearch.scrape.generic import extract_main_text
from cpcsearch.scrape.urls import canonical_url, doc_id_for

SUMMARY_CHARS = 300


def extract_document(html: str, url: str = "", fetched_at: str = "") -> Document:
    """Turn one page's HTML into a normalized document.

    Pages in the centre's layout are read with its rules; any other page gets the generic
    main-text extractor. Raises `ScrapeError` when the page has no title or no text.
    """
    soup = BeautifulSoup(html, "lxml")
    page = metadata.Page.parse(soup, url)
    url = canonical_url(metadata.extract_canonical(page) or url)
    page.url = url
    title = metadata.extract_title(page)
    authors = metadata.extract_authors(page)
    container = body.find_body(soup)
    if container is not None:
        paragraphs = body.body_paragraphs(container)
        byline = body.pop_byline(paragraphs)
        authors = authors or byline
        paragraphs = [p for p in paragraphs if p != title]
    else:
        paragraphs = extract_main_text(html, url or None).split("\n\n")
        if paragraphs and paragraphs[0] == title:
            paragraphs.pop(0)
    text = "\n\n".join(p for p in paragraphs if p.strip())
    if not title or not text:
        raise ScrapeError(f"page {url or '(no URL)'} has no {'title' if not title else 'text'}")
    tags = metadata.extract_tags(page)
    regions = metadata.find_regions(f"{title}\n{text}")
    return Document(
        id=doc_id_for(url or title),
        url=url,
        title=title,
        authors=tuple(authors),
        date=metadata.extract_date(page),
        section=metadata.extract_section(page),
        topics=tuple(tags + [r for r in regions if r.lower() not in {t.lower() for t in tags}]),
        summary=metadata.extract_summary(page) or _lead(text),
        body=text,
        language=(soup.html.get("lang") if soup.html else None) or "en",
        fetched_at=fetched_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def _lead(text: str) -> str:
    """Return the opening of the first paragraph as a summary, cut at a word."""
    first = text.split("\n\n", 1)[0]
    if len(first) <= SUMMARY_CHARS:
        return first
    return first[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
