"""An Atom feed of documents, written with feedgen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from feedgen.feed import FeedGenerator

from cpcsearch.document import Document
from cpcsearch.export import PUBLISHER, safe_url

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


def to_atom(docs: Iterable[Document], *, title: str, feed_url: str, page_url: str,
            article_url: Callable[[str], str]) -> bytes:
    """Return a feed of `docs` in their order; `article_url(id)` is an article's absolute URL."""
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    feed.author({"name": PUBLISHER})
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.generator("cpcsearch")
    newest = EPOCH
    for doc in docs:
        entry = feed.add_entry(order="append")
        link = article_url(doc.id)
        entry.id(link)
        entry.title(doc.title or doc.id)
        entry.updated(updated(doc))
        newest = max(newest, updated(doc))
        if doc.date:
            entry.published(dt.datetime.combine(doc.date, dt.time(), dt.UTC))
        for name in doc.authors:
            entry.author({"name": name})
        entry.link(href=link, rel="alternate", type="text/html")
        if original := safe_url(doc.url):
            entry.link(href=original, rel="related", type="text/html")
        if doc.summary:
            entry.summary(doc.summary)
        for topic in doc.topics:
            entry.category(term=topic)
    feed.updated(newest if newest > EPOCH else dt.datetime.now(dt.UTC))
    return feed.atom_str(pretty=True)
