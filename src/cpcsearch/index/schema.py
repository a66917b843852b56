"""The Whoosh schema and how a `Document` maps onto it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from cpcsearch.document import Document
from cpcsearch.index.analysis import TOKEN_PATTERN, text_analyzer


def word_analyzer() -> Any:
    """Return the unstemmed analyzer of the vocabulary used for spelling and completion."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()


def build_schema() -> Schema:
    """Return the index schema.

    `authors` and `topics` keep exact values for filters and facets; `author_text` and
    `topic_text` are their analysed twins for `author:` and `topic:` queries; `words` is the
    unstemmed vocabulary behind "did you mean" and search-as-you-type, `title_words` the
    unstemmed title words that complete titles as one types. `content` keeps each document's
    term counts (its vector) for the semantic model.
    """
    text = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        url=STORED(),
        title=TEXT(analyzer=text, stored=True, phrase=True),
        title_words=TEXT(analyzer=word_analyzer(), phrase=False),
        summary=TEXT(analyzer=text, stored=True, phrase=True),
        body=TEXT(analyzer=text, stored=True, phrase=True),
        content=TEXT(analyzer=text, phrase=True, vector=True),
        authors=KEYWORD(stored=True, commas=True, scorable=False),
        author_text=TEXT(analyzer=word_analyzer(), phrase=True),
        topics=KEYWORD(stored=True, commas=True),
        topic_text=TEXT(analyzer=text, phrase=True),
        section=ID(stored=True),
        date=DATETIME(stored=True, sortable=True),
        year=ID(stored=True),
        content_hash=ID(stored=True),
        words=TEXT(analyzer=word_analyzer(), phrase=False),
    )


def to_fields(doc: Document) -> dict[str, Any]:
    """Return the index fields of a document."""
    fields: dict[str, Any] = {
        "id": doc.id,
        "url": doc.url,
        "title": doc.title,
        "title_words": doc.title,
        "summary": doc.summary,
        "body": doc.body,
        "content": f"{doc.title}\n\n{doc.summary}\n\n{doc.body}",
        "authors": ",".join(a.replace(",", " ") for a in doc.authors),
        "author_text": " ; ".join(doc.authors),
        "topics": ",".join(t.replace(",", " ") for t in doc.topics),
        "topic_text": " ; ".join([*doc.topics, doc.section]),
        "section": doc.section,
        "content_hash": doc.content_hash,
        "words": f"{doc.title}\n{doc.body}",
    }
    if doc.date:
        fields["date"] = dt.datetime.combine(doc.date, dt.time())
        fields["year"] = str(doc.date.year)
    return fields
