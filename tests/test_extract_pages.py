"""Extraction of every field on the demo pages (and generic pages), against expected values."""

from __future__ import annotations

import re
from typing import Any

import pytest
from bs4 import BeautifulSoup

from conftest import expected_pages
from cpcsearch.scrape import body, extract_document, metadata

PAGES = expected_pages()


def _extract(page: dict[str, Any]):  # type: ignore[no-untyped-def]
    return extract_document(page["path"].read_text(encoding="utf-8"), page.get("url", ""))


@pytest.mark.parametrize("page", PAGES, ids=[p["file"] for p in PAGES])
def test_metadata(page: dict[str, Any]) -> None:
    doc = _extract(page)
    assert doc.title == page["title"]
    assert list(doc.authors) == page["authors"]
    assert (doc.date.isoformat() if doc.date else None) == page["date"]
    assert doc.section == page["section"]
    assert [t.lower() for t in page["tags"]] == [t.lower() for t in doc.topics[: len(page["tags"])]]


@pytest.mark.parametrize("page", PAGES, ids=[p["file"] for p in PAGES])
def test_body(page: dict[str, Any]) -> None:
    body = _extract(page).body
    assert body.startswith(page["body_first_words"])
    assert body.rstrip().endswith(page["body_last_words"])
    for phrase in page["body_must_contain"]:
        assert phrase in body
    for phrase in page["body_must_not_contain"]:
        assert not re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", body), phrase


@pytest.mark.parametrize("page", PAGES, ids=[p["file"] for p in PAGES])
def test_body_leaves_the_tree_as_it_was(page: dict[str, Any]) -> None:
    html = page["path"].read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "lxml")
    before = str(soup)
    container = body.find_body(soup)
    paragraphs = body.body_paragraphs(container) if container is not None else []
    assert str(soup) == before
    # Metadata read after the body equals metadata read from a fresh tree.
    fresh = metadata.Page.parse(BeautifulSoup(html, "lxml"), page.get("url", ""))
    after = metadata.Page.parse(soup, page.get("url", ""))
    assert metadata.extract_title(after) == metadata.extract_title(fresh) == page["title"]
    assert metadata.extract_authors(after) == metadata.extract_authors(fresh)
    assert container is None or paragraphs


def test_every_demo_page_has_expected_values() -> None:
    from conftest import DEMO_DIR

    described = {p["file"] for p in PAGES}
    assert {p.name for p in DEMO_DIR.glob("*.html")} <= described
    assert len(list(DEMO_DIR.glob("*.html"))) >= 40


@pytest.mark.parametrize("level", ["\u00b2", "9" * 5000, "x", "0", "3"])
def test_an_aria_heading_level_of_any_value_is_read(level: str) -> None:
    """A page's attributes are anything: '²' passes `isdigit`, and `int` refuses 5,000 digits."""
    first = "Gas flows west through the Caspian pipelines every day of the year. " * 3
    second = "Ports on both shores are expanding to take more of the freight by sea. " * 3
    document = extract_document(f'<html><head><title>Gas West</title></head><body><article>'
                                f'<h1>Gas West</h1><p>{first}</p>'
                                f'<div role="heading" aria-level="{level}">Further pipelines</div>'
                                f'<p>{second}</p></article></body></html>')
    assert document.title == "Gas West"
    assert document.body == f"{first.strip()}\n\n{second.strip()}"


@pytest.mark.parametrize(("canonical", "url", "kept"), [
    ("/research/gas-west", "https://www.caspianpolicy.org/research/gas-west?utm_source=tw",
     "https://www.caspianpolicy.org/research/gas-west"),  # relative, read against the page's
    ("http://[::1", "https://www.caspianpolicy.org/research/gas-west",
     "https://www.caspianpolicy.org/research/gas-west"),  # not a URL: the page's own is kept
    ("javascript:void(0)", "", ""),
    ("/research/gas-west", "", ""),  # a saved file: nothing to read it against
])
def test_a_canonical_link_that_is_no_usable_url_is_passed_over(canonical: str, url: str,
                                                                kept: str) -> None:
    text = "Gas flows west through the Caspian pipelines every day of the year. " * 3
    document = extract_document(f'<html><head><title>Gas West</title>'
                                f'<link rel="canonical" href="{canonical}"></head><body>'
                                f'<article><h1>Gas West</h1><p>{text}</p></article></body></html>',
                                url=url)
    assert document.url == kept and document.title == "Gas West"
