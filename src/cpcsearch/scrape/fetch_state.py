"""What the crawler remembers about each URL, in the store's `fetch_state` table.

The validators (ETag, Last-Modified) make the next visit a conditional GET; the document id
lets a page that now answers 404/410 mark its document gone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cpcsearch.store import Store


@dataclass(frozen=True)
class FetchState:
    """The outcome of the latest fetch of one canonical URL."""

    url: str
    status: int
    etag: str | None = None
    last_modified: str | None = None
    doc_id: str | None = None
    fetched_at: str = ""


def get(store: Store, url: str) -> FetchState | None:
    """Return what is known about `url`, or None."""
    row = store.db.execute(
        "SELECT url, status, etag, last_modified, doc_id, fetched_at FROM fetch_state"
        " WHERE url = ?", (url,),
    ).fetchone()
    return FetchState(*row) if row else None


def record(store: Store, state: FetchState) -> None:
    """Save `state`, stamping it with the current time when it has none."""
    fetched_at = state.fetched_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    store.db.execute(
        "INSERT OR REPLACE INTO fetch_state (url, status, etag, last_modified, doc_id, fetched_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (state.url, state.status, state.etag, state.last_modified, state.doc_id, fetched_at),
    )


def document_urls(store: Store) -> list[str]:
    """Return every URL whose latest fetch stored a document, to revisit it."""
    rows = store.db.execute(
        "SELECT url FROM fetch_state WHERE doc_id IS NOT NULL ORDER BY url"
    )
    return [url for (url,) in rows]
