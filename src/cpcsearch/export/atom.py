"""An Atom feed (RFC 4287) of documents, built with ElementTree."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable

from cpcsearch.document import Document
from cpcsearch.export import PUBLISHER, safe_url

ATOM = "http://www.w3.org/2005/Atom"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def updated(doc: Document) -> dt.datetime:
    """Return when a document last changed: its update date, its date, or when it was fetched."""
    day = doc.updated or doc.date
    if day:
        return dt.datetime.combine(day, dt.time(), dt.UTC)
    try:
        fetched = dt.datetime.fromisoformat(doc.fetched_at)
    except ValueError:
        return EPOCH  # a stable time, so the entry does not look new at every poll
    return fetched if fetched.tzinfo else fetched.replace(tzinfo=dt.UTC)


def _add(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text:
        element.text = text
    return element


def _author(parent: ET.Element, name: str) -> None:
    _add(_add(parent, "author"), "name", name)


def to_atom(docs: Iterable[Document], *, title: str, feed_url: str, page_url: str,
            article_url: Callable[[str], str]) -> bytes:
    """Return a feed of `docs` in their order; `article_url(id)` is an article's absolute URL."""
    feed = ET.Element("feed", {"xmlns": ATOM})
    _add(feed, "id", feed_url)
    _add(feed, "title", title)
    stamp = _add(feed, "updated")
    _author(feed, PUBLISHER)  # entries without authors inherit it, as RFC 4287 requires
    _add(feed, "link", href=page_url, rel="alternate", type="text/html")
    _add(feed, "link", href=feed_url, rel="self", type="application/atom+xml")
    _add(feed, "generator", "cpcsearch")
    newest = EPOCH
    for doc in docs:
        entry = _add(feed, "entry")
        link = article_url(doc.id)
        _add(entry, "id", link)
        _add(entry, "title", doc.title or doc.id)
        changed = updated(doc)
        newest = max(newest, changed)
        _add(entry, "updated", changed.isoformat())
        if doc.date:
            _add(entry, "published", dt.datetime.combine(doc.date, dt.time(), dt.UTC).isoformat())
        for name in doc.authors:
            _author(entry, name)
        _add(entry, "link", href=link, rel="alternate", type="text/html")
        if original := safe_url(doc.url):
            _add(entry, "link", href=original, rel="related", type="text/html")
        for topic in doc.topics:
            _add(entry, "category", term=topic)
        if doc.summary:
            _add(entry, "summary", doc.summary, type="text")
    stamp.text = (newest if newest > EPOCH else dt.datetime.now(dt.UTC)).isoformat()
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
