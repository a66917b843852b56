"""Present: ranked document numbers → hits with marked snippets, a page of results, facets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from whoosh import query as wq
from whoosh.searching import Searcher

from cpcsearch.search.highlight import Marks, mark_terms, snippet
from cpcsearch.search.parse import positive_leaves
from cpcsearch.search.request import SearchRequest
from cpcsearch.search.rewrite import Expanding

# The fields whose matched words are marked in snippets and titles (both use the text analyzer).
MARKED_FIELDS = frozenset({"content", "title"})
MAX_MARKED = 200


@dataclass(frozen=True)
class Hit:
    """One search result."""

    id: str
    url: str
    title: str
    authors: list[str]
    date: str | None
    topics: list[str]
    section: str
    snippet: Markup
    title_html: Markup
    score: float

    def to_dict(self) -> dict[str, Any]:
        """Return the API's view of a hit."""
        return {"id": self.id, "url": self.url, "title": self.title, "authors": self.authors,
                "date": self.date, "topics": self.topics, "section": self.section,
                "snippet": str(self.snippet), "score": round(self.score, 4)}


@dataclass(frozen=True)
class SearchResults:
    """A page of results, with facet counts over every match."""

    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    facet_totals: dict[str, int] = field(default_factory=dict)  # values over every match
    suggestion: str | None = None
    corrected: bool = False
    notices: tuple[str, ...] = ()
    partial: bool = False  # the search hit its time limit: the hits are those found by then
    took_ms: float = 0.0

    @property
    def pages(self) -> int:
        """Return the number of result pages (at least one)."""
        return max(1, -(-self.total // self.request.per_page))

    def page_numbers(self, around: int = 2) -> list[int | None]:
        """Return the pages a pager links to: the first, the last and those within `around` of
        this one, None where pages are left out between them."""
        shown = sorted({1, self.pages, *range(max(1, self.request.page - around),
                                                min(self.pages, self.request.page + around) + 1)})
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers

    @property
    def past_end(self) -> bool:
        """Tell whether the requested page lies beyond the last page of results."""
        return self.total > 0 and self.request.page > self.pages

    def to_dict(self) -> dict[str, Any]:
        """Return the API's view of the results."""
        return {"query": self.request.q, "total": self.total, "page": self.request.page,
                "per_page": self.request.per_page, "hits": [h.to_dict() for h in self.hits],
                "facets": self.facets, "facet_totals": self.facet_totals, "pages": self.pages,
                "suggestion": self.suggestion, "corrected": self.corrected,
                "notices": list(self.notices), "partial": self.partial,
                "took_ms": round(self.took_ms, 2)}


def _alike(query: wq.Query) -> list[frozenset[str]]:
    """Return the marked terms of each group of alternatives a query looks for (a synonym's
    variants, one DisMax each), where it has more than one."""
    if isinstance(query, wq.Not):
        return []
    if isinstance(query, wq.AndNot):
        return _alike(query.a)
    if isinstance(query, wq.DisjunctionMax):
        terms = frozenset(term for leaf in positive_leaves(query) if leaf.field() in MARKED_FIELDS
                          for term in (leaf.words if isinstance(leaf, wq.Phrase) else [leaf.text]
                                       if isinstance(leaf, wq.Term) else []))
        return [terms] if len(terms) > 1 else []
    return [] if query.is_leaf() else [group for child in query.children()
                                       for group in _alike(child)]


def query_marks(searcher: Searcher, query: wq.Query) -> Marks:
    """Return what a query marks in the marked fields: its words (patterns expanded), its
    phrases, and the terms of each group of alternatives."""
    reader = searcher.reader()
    words: set[str] = set()
    phrases: list[tuple[str, ...]] = []
    for leaf in positive_leaves(query):
        if leaf.field() not in MARKED_FIELDS:
            continue
        if isinstance(leaf, Expanding):  # its terms, as the search found them
            words.update(leaf.terms(reader))
        elif isinstance(leaf, wq.Phrase):
            phrases.append(tuple(leaf.words))
        elif isinstance(leaf, wq.Term):
            words.add(leaf.text)
        if len(words) + len(phrases) > MAX_MARKED:
            break
    return Marks(frozenset(words), tuple(phrases), tuple(_alike(query)))


def _date_text(value: dt.datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def snippet_text(stored: dict[str, Any]) -> str:
    """Return the text a hit's snippet is taken from: its body, else its summary."""
    return stored.get("body") or stored.get("summary", "")


def make_hit(stored: dict[str, Any], score: float, marks: Marks,
             splitter: Callable[[str, int, int], Sequence[tuple[int, int]]] | None) -> Hit:
    """Return one hit from a document's stored fields; with a sentence splitter (a paragraph,
    a start and an end → the spans of its sentences there), a snippet of its best passage."""
    text = snippet_text(stored)
    return Hit(
        id=stored["id"], url=stored.get("url", ""), title=stored.get("title", ""),
        authors=_split(stored.get("authors")), date=_date_text(stored.get("date")),
        topics=_split(stored.get("topics")), section=stored.get("section", ""),
        snippet=snippet(text, marks, splitter) if splitter else Markup(""),
        title_html=mark_terms(stored.get("title", ""), marks),
        score=score,
    )
