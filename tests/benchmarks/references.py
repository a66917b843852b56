"""The reference engines cpcsearch is measured against: plain Whoosh 2.7.4 and SQLite FTS5.

Both are built the plain way, as their documentation shows, with no tuning: what a developer gets
from an afternoon with either library. Each searcher returns (total, top-10 snippets) so that
every engine does the same work per query: rank, count, and highlight.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from whoosh import fields, index
from whoosh.analysis import StemmingAnalyzer
from whoosh.qparser import MultifieldParser, OrGroup

WORD = re.compile(r"(\w+)(\*?)")  # a word, and the `*` that may end it


def build_whoosh(docs: Iterable[dict], folder: Path) -> None:
    """Index `docs` (id, title, body) into a new Whoosh index, single-process writer."""
    schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                           title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
                           body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True))
    folder.mkdir(parents=True, exist_ok=True)
    with index.create_in(folder, schema).writer() as writer:
        for doc in docs:
            writer.add_document(id=doc["id"], title=doc.get("title", ""),
                                body=doc.get("body", ""))


class WhooshReference:
    """Search a plain Whoosh index through one searcher opened once."""

    def __init__(self, folder: Path) -> None:
        ix = index.open_dir(folder)
        self.searcher = ix.searcher()
        self.parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)

    def search(self, text: str) -> tuple[int, list[str]]:
        """Return the match count and the top 10's highlighted bodies."""
        results = self.searcher.search(self.parser.parse(text), limit=10)
        return len(results), [hit.highlights("body") for hit in results]

    def close(self) -> None:
        """Close the searcher."""
        self.searcher.close()


def build_fts5(docs: Iterable[dict], path: Path) -> None:
    """Index `docs` (id, title, body) into a new FTS5 table `t` with the porter tokenizer."""
    db = sqlite3.connect(path)
    with db:
        db.execute("CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, body, "
                   "tokenize='porter unicode61')")
        db.executemany("INSERT INTO t (id, title, body) VALUES (?, ?, ?)",
                       ((d["id"], d.get("title", ""), d.get("body", "")) for d in docs))
    db.close()


def fts5_match(text: str) -> str:
    """Return `text`'s words, each quoted (a `*` after one kept: a prefix), OR-joined: FTS5
    syntax that no input can break."""
    return " OR ".join(f'"{word}"{star}' for word, star in WORD.findall(text))


class Fts5Reference:
    """Search an FTS5 table ranked by bm25(), with snippet() and a count of the matches."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)

    def search(self, text: str) -> tuple[int, list[str]]:
        """Return the match count and the top 10's snippets."""
        match = fts5_match(text)
        if not match:
            return 0, []
        rows = self.db.execute(
            "SELECT id, snippet(t, 2, '<mark>', '</mark>', '…', 24) FROM t "
            "WHERE t MATCH ? ORDER BY bm25(t) LIMIT 10", (match,)).fetchall()
        total = self.db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone()[0]
        return total, [snippet for _, snippet in rows]

    def close(self) -> None:
        """Close the connection."""
        self.db.close()
