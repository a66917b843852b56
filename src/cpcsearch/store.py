"""The document store: normalized documents and their raw HTML in one SQLite file.

The store is the source of truth; the index is rebuilt from it. Every write bumps a sequence
number, so an incremental reindex picks up exactly what changed, and every replaced or
removed version is kept in `history`, so nothing scraped is ever lost. The schema below owns
every table of the file: documents, history, the crawler's fetch state and the reindex jobs.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from cpcsearch.document import Document
from cpcsearch.errors import StoreError

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    raw_html TEXT,
    gone INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL,
    stored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS documents_seq ON documents (seq);
CREATE INDEX IF NOT EXISTS documents_hash ON documents (content_hash);
CREATE TABLE IF NOT EXISTS history (
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    raw_html TEXT,
    gone INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fetch_state (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    status INTEGER NOT NULL,
    doc_id TEXT,
    fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,
    pid INTEGER,
    phase TEXT NOT NULL DEFAULT '',
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    eta_seconds REAL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    updated_at TEXT,
    finished_at TEXT,
    result TEXT,
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
"""
# Fields that change at every fetch without changing the document.
VOLATILE = ("fetched_at",)
RESTORE_HINT = ("restore it from a backup (`cpcsearch backup PATH` makes one) or rebuild it with "
                "`cpcsearch import` / `cpcsearch crawl`")


@dataclass
class WriteCounts:
    """How many documents of a batch were new, changed, or identical to the stored version."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        """Return how many documents the batch wrote."""
        return self.added + self.changed


@dataclass(frozen=True)
class StoredDocument:
    """A document as the store holds it, with its bookkeeping."""

    document: Document
    gone: bool
    seq: int


class Store:
    """A SQLite document store; use as a context manager or call `close()`.

    Only the commands that add documents create the file (`create=True`); the others raise
    `StoreError` when it is missing, rather than working on an empty store.
    """

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise StoreError(f"no document store at {self.path}: run `cpcsearch import` or "
                             "`cpcsearch crawl` first, or set CPCSEARCH_STORE / --store")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.db.close()
            if "full" in str(exc):
                raise StoreError(f"the disk of the store {self.path} is full ({exc}): free some "
                                 "space and run the command again") from None
            raise StoreError(f"{self.path} is not a readable SQLite store ({exc}): "
                             f"{RESTORE_HINT}") from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def _next_seq(self) -> int:
        row = self.db.execute("SELECT coalesce(max(seq), 0) + 1 FROM documents").fetchone()
        return int(row[0])

    def upsert(self, doc: Document, raw_html: str | None = None) -> bool:
        """Insert or replace `doc` by id; return False when nothing changed.

        The version it replaces moves to `history`. Raw HTML already stored is kept when
        `raw_html` is None.
        """
        return self.upsert_many([(doc, raw_html)]).written == 1

    def upsert_many(self, items: Iterable[tuple[Document, str | None]]) -> WriteCounts:
        """Upsert many documents in one transaction; count the added, changed and unchanged.

        A document equal to the stored one but for when it was fetched is unchanged: it keeps
        its sequence number, so the next incremental reindex does not touch it.
        """
        counts = WriteCounts()
        with closing(self.db.cursor()) as cur:
            cur.execute("BEGIN IMMEDIATE")
            try:
                seq = self._next_seq()
                for doc, raw_html in items:
                    outcome = self._upsert(cur, doc, raw_html, seq + counts.written)
                    setattr(counts, outcome, getattr(counts, outcome) + 1)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return counts

    def _upsert(self, cur: sqlite3.Cursor, doc: Document, raw_html: str | None, seq: int) -> str:
        fields = doc.to_dict()
        data = json.dumps(fields, ensure_ascii=False, sort_keys=True)
        old = cur.execute(
            "SELECT data, raw_html, gone FROM documents WHERE id = ?", (doc.id,)
        ).fetchone()
        if old is not None:
            if (not old[2] and _same_content(json.loads(old[0]), fields)
                    and (raw_html is None or raw_html == old[1])):
                return "unchanged"
            self._archive(cur, doc.id)
            raw_html = old[1] if raw_html is None else raw_html
        cur.execute(
            "INSERT OR REPLACE INTO documents (id, url, data, content_hash, raw_html, gone, seq)"
            " VALUES (?, ?, ?, ?, ?, 0, ?)",
            (doc.id, doc.url, data, doc.content_hash, raw_html, seq),
        )
        return "added" if old is None else "changed"

    def _archive(self, cur: sqlite3.Cursor, doc_id: str) -> None:
        cur.execute(
            "INSERT INTO history (id, data, raw_html, gone, seq, stored_at)"
            " SELECT id, data, raw_html, gone, seq, stored_at FROM documents WHERE id = ?",
            (doc_id,),
        )

    def mark_gone(self, doc_id: str) -> bool:
        """Mark a document as gone (removed from the index, kept in the store)."""
        with closing(self.db.cursor()) as cur:
            cur.execute("BEGIN IMMEDIATE")
            row = cur.execute("SELECT gone FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None or row[0]:
                cur.execute("COMMIT")
                return False
            self._archive(cur, doc_id)
            cur.execute(
                "UPDATE documents SET gone = 1, seq = ?, stored_at = strftime('%Y-%m-%dT%H:%M:%SZ',"
                " 'now') WHERE id = ?",
                (self._next_seq(), doc_id),
            )
            cur.execute("COMMIT")
        return True

    def get(self, doc_id: str) -> Document | None:
        """Return the live document with this id, or None."""
        row = self.db.execute(
            "SELECT data FROM documents WHERE id = ? AND gone = 0", (doc_id,)
        ).fetchone()
        return Document.from_dict(json.loads(row[0])) if row else None

    def raw_html(self, doc_id: str) -> str | None:
        """Return the raw HTML kept for a document, if any."""
        row = self.db.execute("SELECT raw_html FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def find_by_hash(self, digest: str) -> str | None:
        """Return the id of a live document with this content hash, if any."""
        row = self.db.execute(
            "SELECT id FROM documents WHERE content_hash = ? AND gone = 0 LIMIT 1", (digest,)
        ).fetchone()
        return row[0] if row else None

    def changes_since(self, seq: int, until: int | None = None) -> Iterator[StoredDocument]:
        """Yield every document (live or gone) written after `seq` (up to `until`, if given)."""
        rows = self.db.execute(
            "SELECT data, gone, seq FROM documents WHERE seq > ? AND seq <= ? ORDER BY seq",
            (seq, until if until is not None else 2**63 - 1))
        for data, gone, row_seq in rows:
            yield StoredDocument(Document.from_dict(json.loads(data)), bool(gone), row_seq)

    def count_since(self, seq: int) -> int:
        """Return how many documents (live or gone) were written after sequence number `seq`."""
        row = self.db.execute("SELECT count(*) FROM documents WHERE seq > ?", (seq,)).fetchone()
        return int(row[0])

    def pages(self) -> Iterator[tuple[str, str, str]]:
        """Yield (id, url, raw_html) of every live document that has raw HTML."""
        rows = self.db.execute(
            "SELECT id, url, raw_html FROM documents WHERE raw_html IS NOT NULL AND gone = 0"
        )
        yield from rows

    def bodies(self) -> Iterator[str]:
        """Yield the body text of every live document."""
        for (data,) in self.db.execute("SELECT data FROM documents WHERE gone = 0"):
            yield json.loads(data).get("body", "")

    def live_sizes(self, until: int) -> list[tuple[int, int]]:
        """Return the sequence number and size of each live document written up to `until`,
        in order (the size is its stored data's, in characters)."""
        rows = self.db.execute(
            "SELECT seq, length(data) FROM documents WHERE gone = 0 AND seq <= ? ORDER BY seq",
            (until,))
        return rows.fetchall()

    def last_seq(self) -> int:
        """Return the sequence number of the latest write (0 for an empty store)."""
        return int(self.db.execute("SELECT coalesce(max(seq), 0) FROM documents").fetchone()[0])

    def count(self) -> int:
        """Return the number of live documents."""
        return int(self.db.execute("SELECT count(*) FROM documents WHERE gone = 0").fetchone()[0])

    def history_count(self, doc_id: str) -> int:
        """Return how many earlier versions of a document are kept."""
        row = self.db.execute("SELECT count(*) FROM history WHERE id = ?", (doc_id,)).fetchone()
        return int(row[0])

    def integrity_problems(self) -> list[str]:
        """Return SQLite's `integrity_check` findings; empty when the file is sound."""
        try:
            rows = self.db.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return [row[0] for row in rows if row[0] != "ok"]

    def backup(self, destination: str | Path) -> Path:
        """Copy the store to `destination` with SQLite's backup API, safe while it is in use."""
        destination = Path(destination)
        if destination.is_dir():
            destination = destination / self.path.name
        tmp = destination.with_name(f".{destination.name}.tmp")
        with closing(sqlite3.connect(tmp)) as copy:
            self.db.backup(copy)
        os.replace(tmp, destination)
        return destination


def _same_content(old: dict[str, object], new: dict[str, object]) -> bool:
    return all(old.get(k) == new.get(k) for k in new.keys() | old.keys() if k not in VOLATILE)
