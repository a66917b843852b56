"""Extraction of every field on the demo pages (and generic pages), against expected values."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import expected_pages
from cpcsearch.scrape import extract_document

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


def test_every_demo_page_has_expected_values() -> None:
    from conftest import DEMO_DIR

    described = {p["file"] for p in PAGES}
    assert {p.name for p in DEMO_DIR.glob("*.html")} <= described
    assert len(list(DEMO_DIR.glob("*.html"))) >= 40
