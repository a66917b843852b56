"""Plan: a parsed query and a request → what to match, how to filter and sort, how deep to go."""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import query as wq
from whoosh.fields import Schema

from cpcsearch.index.schema import AUTHOR_WORDS, name_words
from cpcsearch.search.dates import date_range
from cpcsearch.search.parse import ParsedQuery
from cpcsearch.search.request import SearchRequest

SORTS = {"newest": ("date", True), "oldest": ("date", False)}


@dataclass(frozen=True)
class Plan:
    """One search to run against the index."""

    query: wq.Query
    filter: wq.Query | None
    sortedby: str | None  # None: by relevance
    reverse: bool
    depth: int  # how many hits, in order, the page needs


def _name(schema: Schema, name: str) -> wq.Query:
    words = name_words(schema, name)
    if len(words) == 1:
        return wq.Term(AUTHOR_WORDS, words[0])
    return wq.Phrase(AUTHOR_WORDS, words) if words else wq.NullQuery


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def facet_filter(request: SearchRequest, schema: Schema) -> wq.Query | None:
    """Return the request's facet values and dates as one filter: OR within, AND across."""
    clauses: list[wq.Query] = []
    if request.authors:  # the exact name, or the name's words in that order ("okafor")
        clauses.append(_any([wq.Or([wq.Term("authors", a), _name(schema, a)])
                             for a in request.authors]))
    for field, values in (("topics", request.topics), ("section", request.sections),
                          ("year", request.years)):
        if values:
            clauses.append(_any([wq.Term(field, v) for v in values]))
    start, end = request.bounds
    if start or end:
        clauses.append(date_range(start, end))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)


def plan(request: SearchRequest, parsed: ParsedQuery, schema: Schema) -> Plan | None:
    """Return the search to run, or None when the text asks for nothing that can match (an
    author's name analysed as the `schema`'s author field does).

    A query without words (only dates, or no text) browses its matches newest first.
    """
    if parsed.query is wq.NullQuery and request.q.strip():
        return None  # words that are all stop words, or a wildcard refused
    query = wq.Every() if parsed.query is wq.NullQuery else parsed.query
    sortedby, reverse = SORTS.get(request.sort, (None, False))
    if sortedby is None and not parsed.has_terms:
        sortedby, reverse = SORTS["newest"]
    return Plan(query, facet_filter(request, schema), sortedby, reverse,
                request.page * request.per_page)
