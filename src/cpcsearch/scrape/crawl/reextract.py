"""Re-reading every stored raw page with the current extractor, without a re-crawl."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from cpcsearch.errors import CpcSearchError
from cpcsearch.scrape import extract_document
from cpcsearch.store import Store

log = logging.getLogger(__name__)


@dataclass
class ReextractReport:
    """How many stored pages a re-extraction changed, left alone or could not read."""

    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """Return the one-line account printed at the end."""
        total = self.changed + self.unchanged + self.failed
        line = (f"re-extracted {total} pages: {self.changed} changed, {self.unchanged} unchanged,"
                f" {self.failed} failed")
        return line + (" (see log)" if self.failed else "")


def reextract(store: Store) -> ReextractReport:
    """Run `extract_document` over every stored raw page and upsert what it gives.

    A document keeps its id and fetch date, so only what the extractor reads differently
    counts as a change.
    """
    report = ReextractReport()
    # Ids first: raw pages are read one by one rather than all held at once.
    for doc_id, url in [(doc_id, url) for doc_id, url, _ in store.pages()]:
        old = store.get(doc_id)
        raw = store.raw_html(doc_id)
        if old is None or raw is None:
            continue
        try:
            doc = extract_document(raw, url, fetched_at=old.fetched_at).replace(id=doc_id)
        except CpcSearchError as exc:
            report.failed += 1
            report.failures.append((doc_id, str(exc)))
            log.warning("failed to re-extract %s (%s): %s", doc_id, url, exc)
            continue
        if store.upsert(doc):
            report.changed += 1
        else:
            report.unchanged += 1
    return report
