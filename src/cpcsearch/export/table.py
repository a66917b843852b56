"""CSV of documents, with spreadsheet formulas neutralized."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from cpcsearch.document import Document
from cpcsearch.export import safe_url

COLUMNS = ("id", "title", "authors", "date", "section", "topics", "url", "summary")
LIST_SEPARATOR = "; "
# A cell starting with one of these runs as a formula in Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe (OWASP)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def row(doc: Document) -> list[str]:
    """Return a document's CSV cells, in `COLUMNS` order."""
    cells = [doc.id, doc.title, LIST_SEPARATOR.join(doc.authors),
             doc.date.isoformat() if doc.date else "", doc.section,
             LIST_SEPARATOR.join(doc.topics), safe_url(doc.url), doc.summary]
    return [neutralize(cell) for cell in cells]


def to_csv(docs: Iterable[Document]) -> str:
    """Return a header line and one row a document."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(row(doc) for doc in docs)
    return out.getvalue()
