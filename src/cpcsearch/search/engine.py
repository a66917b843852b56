"""Searching the live index: ranked hits, filters, facets, snippets and spelling suggestions.

The web page, the JSON API and the CLI all call `SearchEngine.search()` with a `SearchRequest`.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from markupsafe import Markup
from whoosh import query as wq
from whoosh import sorting
from whoosh.index import Index
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Searcher

from cpcsearch.config import Config
from cpcsearch.index import semantic, sentences
from cpcsearch.index.schema import word_analyzer
from cpcsearch.index.writing import CURRENT, open_index
from cpcsearch.search import feedback, hybrid, ranking
from cpcsearch.search.highlight import mark_terms, snippet
from cpcsearch.search.query import ParsedQuery, parse_query
from cpcsearch.search.related import related
from cpcsearch.search.request import SearchRequest
from cpcsearch.search.spelling import suggest_spelling
from cpcsearch.search.suggest import suggest

FACETS = {"author": "authors", "topic": "topics", "year": "year"}
FACET_SIZE = 10
HIGHLIGHT_FIELDS = ("content", "title", "summary", "body")


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
    suggestion: str | None = None
    corrected: bool = False
    took_ms: float = 0.0

    @property
    def pages(self) -> int:
        """Return the number of result pages."""
        return max(1, -(-self.total // self.request.per_page))

    def to_dict(self) -> dict[str, Any]:
        """Return the API's view of the results."""
        return {"query": self.request.q, "total": self.total, "page": self.request.page,
                "per_page": self.request.per_page, "hits": [h.to_dict() for h in self.hits],
                "facets": self.facets, "suggestion": self.suggestion,
                "corrected": self.corrected, "took_ms": round(self.took_ms, 2)}


def _date_text(value: dt.datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _phrase(fieldname: str, text: str) -> wq.Query:
    words = [t.text for t in word_analyzer()(text)]
    if len(words) == 1:
        return wq.Term(fieldname, words[0])
    return wq.Phrase(fieldname, words) if words else wq.NullQuery


def _term_texts(query: wq.Query) -> set[str]:
    return {text for _, text in query.iter_all_terms()}


def _facet_values(counts: dict[str | None, int], by_value: bool) -> list[dict[str, Any]]:
    """Return the top facet values: most frequent first, or latest first (years)."""
    present = [(value, count) for value, count in counts.items() if value]
    top = sorted(present, key=lambda vc: (-vc[1], vc[0]))[:FACET_SIZE]
    if by_value:
        top.sort(key=lambda vc: vc[0], reverse=True)
    return [{"value": value, "count": count} for value, count in top]


class SearchEngine:
    """Search one index folder, following each new generation or commit within seconds."""

    def __init__(self, index_dir: str | Path, reload_seconds: float = 2.0,
                 semantic_weight: float = 0.5) -> None:
        if not 0 <= semantic_weight <= 1:
            raise ValueError(f"semantic weight {semantic_weight} is out of range: use a number "
                             "from 0 (BM25 words only) to 1 (semantic similarity only)")
        self.index_dir = Path(index_dir)
        self.reload_seconds = reload_seconds
        self.semantic_weight = semantic_weight
        self._lock = threading.Lock()
        self._target: str | None = None
        self._checked = 0.0
        self._index: Index | None = None
        self._splitter: Any = None
        self._semantic: semantic.SemanticModel | None = None
        self._semantic_stamp: tuple[str | None, int] | None = None
        self._ids: tuple[tuple[str | None, int], dict[int, str]] | None = None

    @classmethod
    def from_config(cls, config: Config) -> SearchEngine:
        """Return the engine of the configured index, with the configured ranking."""
        return cls(config.INDEX_DIR, config.RELOAD_SECONDS, config.SEMANTIC_WEIGHT)

    def _current(self) -> Index:
        with self._lock:
            now = time.monotonic()
            if self._index is None or now - self._checked > self.reload_seconds:
                self._checked = now
                target = os.readlink(self.index_dir / CURRENT) if (
                    self.index_dir / CURRENT).is_symlink() else None
                if self._index is None or target != self._target:
                    self._index = open_index(self.index_dir)
                    self._splitter = partial(sentences.split_sentences,
                                             tokenizer=sentences.load(self.index_dir / CURRENT))
                    self._target = target
                self._load_semantic()
            return self._index

    def _load_semantic(self) -> None:
        """(Re)load the semantic model when a rebuild or a commit has replaced it."""
        folder = self.index_dir / CURRENT
        try:
            stamp = (self._target, (folder / semantic.MODEL_FILE).stat().st_mtime_ns)
        except OSError:
            stamp = (self._target, 0)
        if stamp != self._semantic_stamp:
            self._semantic = semantic.load(folder) if stamp[1] else None
            self._semantic_stamp = stamp

    def _doc_ids(self, searcher: Searcher) -> dict[int, str]:
        """Return the id of each document number in the searcher's commit (cached per commit)."""
        key = (self._target, searcher.reader().generation())
        with self._lock:
            if self._ids is None or self._ids[0] != key:
                self._ids = (key, semantic.doc_ids(searcher.reader()))
            return self._ids[1]

    def _rerank(self, searcher: Searcher, parsed: ParsedQuery,
                results: Any) -> list[tuple[int, float]]:
        """Return (position, score) of `results` in hybrid order."""
        ids_by_docnum = self._doc_ids(searcher)
        ids = [ids_by_docnum.get(docnum, "") for _, docnum in results.top_n]
        scores = [float(score or 0.0) for score, _ in results.top_n]
        titled = ({ids_by_docnum.get(d, "") for d in searcher.docs_for_query(parsed.title_phrase)}
                  if parsed.title_phrase is not None else set())
        return hybrid.rerank(self._semantic, parsed.query, ids, scores, self.semantic_weight,
                             titled)

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """Open a searcher on the latest committed version of the live index."""
        with self._current().searcher(weighting=ranking.weighting()) as searcher:
            yield searcher

    def _filters(self, request: SearchRequest, parsed: ParsedQuery) -> wq.Query | None:
        filters: list[wq.Query] = []
        if request.author:
            filters.append(wq.Or([wq.Term("authors", request.author),
                                  _phrase("author_text", request.author)]))
        if request.topic:
            filters.append(wq.Or([wq.Term("topics", request.topic),
                                  wq.Term("section", request.topic)]))
        start, end = request.bounds
        for lo, hi in ((start, end), (parsed.start, parsed.end)):
            if lo or hi:
                filters.append(wq.DateRange(
                    "date", dt.datetime.combine(lo, dt.time()) if lo else None,
                    dt.datetime.combine(hi, dt.time.max) if hi else None))
        return wq.And(filters) if filters else None

    def search(self, request: SearchRequest) -> SearchResults:
        """Run a search request; bad parameters raise `QueryError`, bad syntax never does."""
        started = time.perf_counter()
        with self.searcher() as searcher:
            parsed = parse_query(request.q, searcher.schema)
            total, hits, facets = self._run(searcher, request, parsed)
            suggestion, corrected = None, False
            if parsed.words:
                suggestion = suggest_spelling(searcher, parsed.text, parsed.words)
                if suggestion and total == 0:
                    retry = parse_query(suggestion, searcher.schema)
                    total, hits, facets = self._run(searcher, request, retry)
                    corrected = total > 0
        return SearchResults(request, total, hits, facets, suggestion, corrected,
                             (time.perf_counter() - started) * 1000)

    def suggest(self, text: str, limit: int = 8) -> list[dict[str, str]]:
        """Return completions for a query being typed."""
        with self.searcher() as searcher:
            return suggest(searcher, text, limit)

    def related(self, doc_id: str, limit: int = 5) -> list[dict[str, str | None]]:
        """Return articles related to `doc_id`."""
        with self.searcher() as searcher:
            return related(searcher, doc_id, limit)

    def rank(self, texts: list[str], limit: int) -> Iterator[list[tuple[str, float]]]:
        """Yield the ranked (id, score) list of each text, parsed as a user's query."""
        with self.searcher() as searcher:
            for text in texts:
                parsed = parse_query(text, searcher.schema)
                filters = self._filters(SearchRequest(), parsed)
                query = self._prepare(searcher, parsed, filters)
                results = searcher.search(query, limit=max(limit, hybrid.WINDOW), filter=filters)
                order = self._rerank(searcher, parsed, results)[:limit]
                ids = self._doc_ids(searcher)
                yield [(ids[results.docnum(pos)], score) for pos, score in order]

    @staticmethod
    def _prepare(searcher: Searcher, parsed: ParsedQuery,
                 filters: wq.Query | None = None) -> wq.Query:
        """Return the query to run for `parsed`: its words plus pseudo-relevance feedback."""
        if parsed.query is wq.NullQuery:
            return parsed.query
        return feedback.expand(searcher, parsed.query, filters)

    def _run(self, searcher: Searcher, request: SearchRequest,
             parsed: ParsedQuery) -> tuple[int, list[Hit], dict[str, list[dict[str, Any]]]]:
        filters = self._filters(request, parsed)
        query = self._prepare(searcher, parsed, filters)
        has_terms = query is not wq.NullQuery
        if not has_terms:
            if filters is None and request.q.strip():
                return 0, [], {}
            query = wq.Every()  # a filter-only (or empty) search browses the collection
        sortedby, reverse = {"relevance": (None, False), "newest": ("date", True),
                             "oldest": ("date", False)}[request.sort]
        if not has_terms and sortedby is None:
            sortedby, reverse = "date", True
        groupedby = {name: sorting.FieldFacet(fieldname, allow_overlap=name != "year",
                                              maptype=sorting.Count)
                     for name, fieldname in FACETS.items()}
        depth = request.page * request.per_page
        hybrid_order = has_terms and sortedby is None
        results = searcher.search(query, limit=max(depth, hybrid.WINDOW) if hybrid_order else depth,
                                  filter=filters, sortedby=sortedby, reverse=reverse,
                                  groupedby=groupedby, terms=True)
        first = (request.page - 1) * request.per_page
        if hybrid_order:
            order = self._rerank(searcher, parsed, results)
        else:
            order = [(pos, float(results.score(pos) or 0.0)) for pos in range(len(results.top_n))]
        # Feedback terms rank the hits; only the reader's own words are marked.
        unmarked = _term_texts(query) - _term_texts(parsed.query)
        hits = [self._hit(results[pos], unmarked, score)
                for pos, score in order[first:first + request.per_page]]
        facets = {name: _facet_values(results.groups(name), by_value=name == "year")
                  for name in FACETS}
        return len(results), hits, facets

    def _hit(self, hit: WhooshHit, unmarked: set[str], score: float) -> Hit:
        stored = hit.fields()
        analyzer = hit.searcher.schema["body"].analyzer
        terms = {text.decode("utf-8") for name, text in (hit.matched_terms() or [])
                 if name in HIGHLIGHT_FIELDS} - unmarked
        return Hit(
            id=stored["id"], url=stored.get("url", ""), title=stored.get("title", ""),
            authors=_split(stored.get("authors")), date=_date_text(stored.get("date")),
            topics=_split(stored.get("topics")), section=stored.get("section", ""),
            snippet=snippet([stored.get("body") or stored.get("summary", "")], terms, analyzer,
                            self._splitter),
            title_html=mark_terms(stored.get("title", ""), terms, analyzer),
            score=score,
        )
