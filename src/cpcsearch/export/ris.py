"""RIS records of documents (Zotero, EndNote, Mendeley), written with rispy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rispy

from cpcsearch.document import Document
from cpcsearch.export import PUBLISHER, inverted, safe_url


class _Writer(rispy.RisWriter):
    """rispy's writer without its "1." counter line, which RIS readers do not expect."""

    def set_header(self, count: int) -> str:
        return ""


def record(doc: Document) -> dict[str, Any]:
    """Return a document as a rispy record of a web page (`ELEC`)."""
    values: dict[str, Any] = {
        "type_of_reference": "ELEC",
        "id": doc.id,
        "title": " ".join(doc.title.split()),
        "authors": [inverted(a) for a in doc.authors],
        "year": str(doc.date.year) if doc.date else "",
        "date": doc.date.strftime("%Y/%m/%d") if doc.date else "",
        "section": doc.section,
        "keywords": list(doc.topics),
        "urls": [url] if (url := safe_url(doc.url)) else [],
        "abstract": " ".join(doc.summary.split()),  # a RIS value is one line
        "publisher": PUBLISHER,
    }
    return {key: value for key, value in values.items() if value}


def to_ris(docs: Iterable[Document]) -> str:
    """Return one RIS record a document."""
    return rispy.dumps([record(doc) for doc in docs], implementation=_Writer)
