"""Search-as-you-type: completions of the word being typed, and titles that match so far."""

from __future__ import annotations

import itertools
import re

from whoosh import query as wq
from whoosh.searching import Searcher

WORD = re.compile(r"\w+", re.UNICODE)
MAX_CANDIDATES = 400
MIN_PREFIX = 2


def suggest(searcher: Searcher, text: str, limit: int = 8) -> list[dict[str, str]]:
    """Return up to `limit` suggestions: title matches first, then word completions."""
    words = [w.lower() for w in WORD.findall(text)]
    if not words or len(words[-1]) < MIN_PREFIX:
        return []
    done, last = words[:-1], words[-1]
    titles = [
        {"kind": "title", "text": hit["title"], "id": hit["id"]}
        for hit in searcher.search(
            wq.And([*(wq.Term("title_words", w) for w in done), wq.Prefix("title_words", last)]),
            limit=max(1, limit // 2),
        )
    ]
    reader = searcher.reader()
    candidates = itertools.islice(reader.expand_prefix("words", last), MAX_CANDIDATES)
    ranked = sorted((reader.doc_frequency("words", t), t.decode("utf-8") if isinstance(t, bytes)
                     else t) for t in candidates)
    stem = text[: text.lower().rfind(last)]
    terms = [{"kind": "term", "text": f"{stem}{term}"}
             for _, term in sorted(ranked, key=lambda ft: (-ft[0], ft[1]))[: limit - len(titles)]]
    return titles + terms
