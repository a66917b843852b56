"""A plain-text reference in Chicago style (notes-bibliography, a web page)."""

from __future__ import annotations

from cpcsearch.document import Document
from cpcsearch.export import PUBLISHER, inverted, safe_url


def _names(authors: tuple[str, ...]) -> str:
    """Return "Family, Given" for the first author, "Given Family" for the others."""
    names = [inverted(authors[0]), *authors[1:]]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]}, and {names[1]}"
    return ", ".join(names[:-1]) + f", and {names[-1]}"


def chicago(doc: Document, page_url: str = "") -> str:
    """Return the reference: Authors. “Title.” Caspian Policy Center, Month Day, Year. URL."""
    title = " ".join(doc.title.split()) or doc.id
    title = title if title.endswith(("?", "!", ".")) else title + "."
    date = f"{doc.date:%B} {doc.date.day}, {doc.date.year}" if doc.date else "n.d."
    parts = [f"{_names(doc.authors).rstrip('.')}." if doc.authors else "",
             f"“{title}”", f"{PUBLISHER}, {date}".rstrip(".") + ".", safe_url(doc.url) or page_url]
    return " ".join(part for part in parts if part)
