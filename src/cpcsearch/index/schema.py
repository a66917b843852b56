"""The Whoosh schema and how a `Document` maps onto it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, STORED, Schema
from whoosh.support.charset import accent_map

from cpcsearch.document import Document
from cpcsearch.index.analysis import TOKEN_PATTERN, text_analyzer
from cpcsearch.index.wordwise import Joined, WordwiseText


def word_analyzer() -> Any:
    """Return the unstemmed analyzer of the vocabulary used for spelling and completion."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()


FACET_SEPARATOR = "\x1f"
GROUP_SEPARATOR = "\x1e"
FACET_FIELDS = ("authors", "topics", "section", "year")
AUTHOR_WORDS = "author_text"  # the field of the authors' names as words (for phrases)


def name_analyzer() -> Any:
    """Return the analyzer of names (authors): words folded to plain lowercase, not stemmed,
    every one kept (Will, Can, Don and Ma are names, not stop words)."""
    return RegexTokenizer(TOKEN_PATTERN) | CharsetFilter(accent_map) | LowercaseFilter()


def name_words(schema: Schema, name: str) -> list[str]:
    """Return a name's words as the schema's author field analyses them (an index built
    before names kept every word has its own analyzer)."""
    return [token.text for token in schema[AUTHOR_WORDS].analyzer(name)]


class Date(DATETIME):
    """A DATETIME field that works out each distinct date's terms and column value once.

    A corpus has few distinct dates, and Whoosh converts one in about the time it indexes a
    short text.
    """

    def __getstate__(self) -> dict[str, Any]:
        # Whoosh pickles the schema into the index: the dates seen stay out of it.
        return {k: v for k, v in super().__getstate__().items() if k != "_seen"}

    def _converted(self, value: dt.datetime) -> tuple[tuple[Any, ...], Any]:
        seen = self.__dict__.setdefault("_seen", {})
        if value not in seen:
            seen[value] = (tuple(super().index(value)), super().to_column_value(value))
        return seen[value]

    def index(self, value: Any, **kwargs: Any) -> Any:
        """Return the terms of a date, as DATETIME does."""
        if kwargs or type(value) is not dt.datetime:
            return super().index(value, **kwargs)
        return self._converted(value)[0]

    def to_column_value(self, value: Any) -> Any:
        """Return the column value of a date, as DATETIME does."""
        if type(value) is not dt.datetime:
            return super().to_column_value(value)
        return self._converted(value)[1]


def build_schema() -> Schema:
    """Return the index schema.

    `content` (title, section, authors, topics, summary and body as one text, so one length
    normalization weighs them: BM25F) and `title` are the ranked text; `section_text`,
    `author_text` and `topic_text` are the analysed section, authors and topics for `section:`,
    `author:` and `topic:`.
    `authors`, `topics`, `section` and `year` keep exact values for filters; `facets` holds all
    four as one column, read once per commit to count facets without touching stored fields.
    `words` is the unstemmed vocabulary behind "did you mean" and search-as-you-type,
    `title_words` the unstemmed title words that complete titles as one types. Summary and
    body are stored, not indexed: `content` already indexes them. `vector` holds the most
    frequent `content` terms of each document, for feedback (`search/feedback.py`).
    """
    text = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        url=STORED(),
        title=WordwiseText(analyzer=text, stored=True, phrase=True),
        title_words=WordwiseText(analyzer=word_analyzer(), phrase=False),
        summary=STORED(),
        body=STORED(),
        content=WordwiseText(analyzer=text, phrase=True),
        authors=KEYWORD(stored=True, commas=True, scorable=False),
        author_text=WordwiseText(analyzer=name_analyzer(), phrase=True),
        topics=KEYWORD(stored=True, commas=True),
        topic_text=WordwiseText(analyzer=text, phrase=True),
        section=ID(stored=True),
        section_text=WordwiseText(analyzer=text, phrase=True),
        date=Date(stored=True, sortable=True),
        year=ID(stored=True),
        facets=COLUMN(VarBytesColumn()),
        vector=COLUMN(VarBytesColumn()),
        content_hash=ID(stored=True),
        words=WordwiseText(analyzer=word_analyzer(), phrase=False),
    )


def facet_column(doc: Document) -> bytes:
    """Return a document's facet values as the `facets` column stores them."""
    groups = (doc.authors, doc.topics, [doc.section] if doc.section else [],
              [str(doc.date.year)] if doc.date else [])
    return GROUP_SEPARATOR.join(FACET_SEPARATOR.join(values) for values in groups).encode()


def read_facets(value: bytes) -> tuple[tuple[str, ...], ...]:
    """Return the (authors, topics, section, year) values of a `facets` column value."""
    groups = value.decode().split(GROUP_SEPARATOR) if value else []
    groups += [""] * (len(FACET_FIELDS) - len(groups))
    return tuple(tuple(v for v in group.split(FACET_SEPARATOR) if v) for group in groups)


# The most frequent terms of a document kept in its `vector`: feedback weighs a term by its
# share of the document, so the rarer ones hardly count, and long articles stay small. 64 rank
# as 128 did on the seven judged collections (mean MAP 0.4619 and nDCG@10 0.5962, against
# 0.4616 and 0.5961) for half the reading; 32 ranked worse.
VECTOR_TERMS = 64
_CONTENT = WordwiseText(analyzer=text_analyzer())  # one word cache for every document's vector
_VECTOR_ITEM = FACET_SEPARATOR.encode().join([b"%s", b"%d"])  # a term and its count


def term_vector(content: str) -> bytes:
    """Return a `content` text's most frequent terms and counts, and its length in terms."""
    counts = _CONTENT.counts(content)
    top = counts.most_common(VECTOR_TERMS)
    return GROUP_SEPARATOR.encode().join(
        [b"%d" % sum(counts.values()), *map(_VECTOR_ITEM.__mod__, top)])


class _Numbers(dict[str, int]):
    """Numbers by their digits: small ones looked up (three times faster than `int`)."""

    def __missing__(self, digits: str) -> int:
        return int(digits)


_COUNTS = _Numbers({str(n): n for n in range(256)})


def read_vector(value: bytes) -> tuple[list[str], list[int], int]:
    """Return the terms of a `vector` column value, their counts (as lists: a dict of them cost
    as much again to make), and the document's length."""
    if not value:
        return [], [], 0
    # one split for both separators: [length, term, count, term, count, ...], as far as
    # VECTOR_TERMS (an index built before kept more)
    end = 2 * VECTOR_TERMS + 1
    parts = value.decode().replace(FACET_SEPARATOR, GROUP_SEPARATOR).split(GROUP_SEPARATOR, end)
    return parts[1:end:2], list(map(_COUNTS.__getitem__, parts[2:end:2])), int(parts[0])


def content_text(title: str, section: str, authors: list[str], topics: list[str], summary: str,
                 body: str) -> str:
    """Return the text of a document's `content` field: every part a reader's words search."""
    return Joined("\n\n", [title, section, " ; ".join(authors), " ; ".join(topics), summary, body])


def to_fields(doc: Document) -> dict[str, Any]:
    """Return the index fields of a document."""
    content = content_text(doc.title, doc.section, doc.authors, doc.topics, doc.summary, doc.body)
    fields: dict[str, Any] = {
        "id": doc.id,
        "url": doc.url,
        "title": doc.title,
        "title_words": doc.title,
        "summary": doc.summary,
        "body": doc.body,
        "content": content,
        "vector": term_vector(content),
        "authors": ",".join(a.replace(",", " ") for a in doc.authors),
        "author_text": " ; ".join(doc.authors),
        "topics": ",".join(t.replace(",", " ") for t in doc.topics),
        "topic_text": " ; ".join(doc.topics),
        "section": doc.section,
        "section_text": doc.section,
        "facets": facet_column(doc),
        "content_hash": doc.content_hash,
        "words": Joined("\n", [doc.title, doc.body]),
    }
    if doc.date:
        fields["date"] = dt.datetime.combine(doc.date, dt.time())
        fields["year"] = str(doc.date.year)
    return fields
