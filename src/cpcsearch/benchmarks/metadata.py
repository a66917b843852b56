"""Compare cpcsearch's metadata cascade with trafilatura's `extract_metadata` and htmldate.

Run as ``python -m cpcsearch.benchmarks.metadata``. It counts the pages whose title, authors
and date each extractor gets exactly right, on every page with expected values in
``tests/expected_pages/`` (the demo corpus and the test fixtures, several markups of the
centre's pages among them). "trafilatura as a step" puts trafilatura's values into each of
cpcsearch's cascades just before the visible-text step.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable

import htmldate
import trafilatura
from bs4 import BeautifulSoup
from trafilatura.meta import reset_caches

from cpcsearch.config import PROJECT_ROOT
from cpcsearch.scrape import metadata

EXPECTED_DIR = PROJECT_ROOT / "tests" / "expected_pages"
PAGE_DIRS = (PROJECT_ROOT / "scraper" / "demo", PROJECT_ROOT / "tests" / "fixtures")

# (title, authors, date as ISO 8601); None: the extractor does not read that field.
Fields = tuple[str | None, list[str] | None, str | None]


def cpcsearch_fields(html: str, url: str) -> Fields:
    """Return the fields as cpcsearch's cascade reads them."""
    page = metadata.Page.parse(BeautifulSoup(html, "lxml"), url)
    date = metadata.extract_date(page)
    return metadata.extract_title(page), metadata.extract_authors(page), \
        date.isoformat() if date else None


def trafilatura_fields(html: str, url: str) -> Fields:
    """Return the fields as trafilatura's `extract_metadata` (dates by htmldate) reads them."""
    found = trafilatura.extract_metadata(html, default_url=url or None)
    if found is None:
        return "", [], None
    authors = [name.strip() for name in (found.author or "").split(";") if name.strip()]
    return found.title or "", authors, found.date


def trafilatura_step_fields(html: str, url: str) -> Fields:
    """Return the fields with trafilatura's values as a step just before the visible text."""
    page = metadata.Page.parse(BeautifulSoup(html, "lxml"), url)
    title, authors, date = trafilatura_fields(html, url)
    found_date = metadata.parse_date(date or "")

    def before_visible(steps: metadata.Steps, value: object) -> metadata.Steps:
        return (*steps[:-1], lambda _: value, steps[-1])

    date_found = metadata.extract_date(page, before_visible(metadata.DATE_STEPS, found_date))
    return (
        metadata.extract_title(page, before_visible(metadata.TITLE_STEPS,
                                                    page.strip_site_name(title or ""))),
        metadata.extract_authors(page, before_visible(metadata.AUTHOR_STEPS, authors)),
        date_found.isoformat() if date_found else None,
    )


def htmldate_fields(html: str, url: str) -> Fields:
    """Return the publication date as htmldate finds it."""
    return None, None, htmldate.find_date(html, url=url or None, original_date=True)


EXTRACTORS: dict[str, Callable[[str, str], Fields]] = {
    "cpcsearch": cpcsearch_fields,
    "trafilatura extract_metadata": trafilatura_fields,
    "cpcsearch, trafilatura as a step": trafilatura_step_fields,
    "htmldate find_date": htmldate_fields,
}


def load_pages() -> list[dict]:
    """Return every page with expected values, its HTML read."""
    pages = []
    for path in sorted(EXPECTED_DIR.glob("*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        for folder in PAGE_DIRS:
            if (folder / expected["file"]).is_file():
                expected["html"] = (folder / expected["file"]).read_text(encoding="utf-8")
                pages.append(expected)
    return pages


def main() -> int:
    """Print how many pages each extractor reads right, field by field."""
    logging.disable(logging.WARNING)  # the libraries log every page they find no date on
    pages = load_pages()
    if not pages:
        sys.exit(f"no expected pages found in {EXPECTED_DIR}")
    print(f"fields exactly right on {len(pages)} pages")
    print(f"{'extractor':<34} {'title':>6} {'authors':>8} {'date':>6} {'seconds':>8}")
    for name, extract in EXTRACTORS.items():
        right, reads = [0, 0, 0], [False, False, False]
        reset_caches()  # each row pays for its own parsing
        start = time.perf_counter()
        for page in pages:
            found = extract(page["html"], page.get("url", ""))
            expected = (page["title"], page["authors"], page["date"])
            for field, (value, wanted) in enumerate(zip(found, expected, strict=True)):
                right[field] += value == wanted
                reads[field] |= value is not None
        seconds = time.perf_counter() - start
        cells = [f"{n if read else '-':>{width}}"
                 for n, read, width in zip(right, reads, (6, 8, 6), strict=True)]
        print(f"{name:<34} {' '.join(cells)} {seconds:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
