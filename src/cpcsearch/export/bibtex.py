"""BibTeX entries of documents, written with bibtexparser's model and writer."""

from __future__ import annotations

import re
from collections.abc import Iterable

import bibtexparser
from bibtexparser.model import Entry, Field

from cpcsearch.document import Document
from cpcsearch.export import PUBLISHER, inverted, safe_url

# LaTeX's special characters; every other character (Türkiye, Hajiyev) stays UTF-8, as biber,
# Zotero and JabRef read it.
LATEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
         "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
SPECIAL = re.compile("|".join(re.escape(c) for c in LATEX))
KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:./+-]+")


def escape(text: str) -> str:
    """Return `text` with LaTeX's special characters escaped, whitespace collapsed."""
    return SPECIAL.sub(lambda m: LATEX[m.group(0)], " ".join(text.split()))


def cite_key(doc_id: str) -> str:
    """Return a BibTeX key for an id: its characters that keys allow, the rest as "-"."""
    return KEY_UNSAFE.sub("-", doc_id).strip("-") or "article"


def author_field(authors: Iterable[str]) -> str:
    """Return BibTeX's "Family, Given and ..." list; a name containing " and " is braced."""
    names = []
    for name in authors:
        text = escape(inverted(name))
        names.append("{" + text + "}" if " and " in f" {text.lower()} " else text)
    return " and ".join(names)


def entry(doc: Document, key: str | None = None) -> Entry:
    """Return a document's `@misc` entry."""
    values = {
        "title": escape(doc.title),
        "author": author_field(doc.authors),
        "year": str(doc.date.year) if doc.date else "",
        "date": doc.date.isoformat() if doc.date else "",
        "publisher": escape(PUBLISHER),
        "type": escape(doc.section),
        "keywords": escape(", ".join(doc.topics)),
        "url": safe_url(doc.url),
        "abstract": escape(doc.summary),
    }
    fields = [Field(name, value) for name, value in values.items() if value]
    return Entry("misc", key or cite_key(doc.id), fields)


def to_bibtex(docs: Iterable[Document]) -> str:
    """Return one entry a document; keys that sanitizing made equal get a suffix."""
    library = bibtexparser.Library()
    seen: dict[str, int] = {}
    for doc in docs:
        key = cite_key(doc.id)
        seen[key] = seen.get(key, 0) + 1
        library.add(entry(doc, key if seen[key] == 1 else f"{key}-{seen[key]}"))
    return bibtexparser.write_string(library)
