"""Searching the live index, as one straight pipeline.

parse (text → query tree) → plan (filters, sort, depth) → retrieve (array scoring of the
query tree, then feedback: see `ranking.py`) → present (hits with snippets, facet counts, "did
you mean"). The web page, the JSON API, the CLI and the relevance benchmark all call
`SearchEngine.search()`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from whoosh import query as wq
from whoosh.searching import Searcher

from cpcsearch.config import Config
from cpcsearch.errors import Overloaded
from cpcsearch.index import analysis, sentences, vocabulary
from cpcsearch.index.analysis import text_analyzer
from cpcsearch.index.lexicon import lexicon
from cpcsearch.index.reading import LiveIndex, Snapshot, per_document, segments
from cpcsearch.search import ranking
from cpcsearch.search.arrays import Evaluator, Postings
from cpcsearch.search.facets import FACET_NAMES, count_facets, facet_table
from cpcsearch.search.feedback import DocTerms, query_weight, rerank
from cpcsearch.search.highlight import Marks
from cpcsearch.search.names import Authors, with_cited_authors
from cpcsearch.search.parse import ParsedQuery, parse_query, positive_leaves
from cpcsearch.search.plan import plan
from cpcsearch.search.present import SearchResults, make_hit, query_marks, snippet_text
from cpcsearch.search.ranking import CONTENT
from cpcsearch.search.related import related
from cpcsearch.search.relax import relaxed
from cpcsearch.search.request import SearchRequest
from cpcsearch.search.retrieve import NOTHING, TIME_LIMIT, Retrieved, retrieve
from cpcsearch.search.spelling import DocumentCounts, suggest_spelling, words_from
from cpcsearch.search.splitting import SentenceSpans
from cpcsearch.search.suggest import names, suggest
from cpcsearch.search.synonyms import names_typed

# At most this many searches with wildcard, prefix or fuzzy terms run at once in a process, so
# that cheap searches keep flowing; another waits this long for a turn, then is refused.
EXPENSIVE_SLOTS = 2
EXPENSIVE_WAIT = 3.0
CACHED_RESULTS = 512  # answers kept per commit, for requests asked again
# Documents whose stored fields a commit keeps read: hits recur across queries. A commit of
# no more documents reads them all at once, when first asked.
CACHED_DOCUMENTS = 2048


# Segments whose saved words this process has learnt (for snippets and stems): a new commit
# keeps most of its segments, whose files need not be read again.
_LEARNT_SEGMENTS: set[tuple[str, str]] = set()


def _stored_fields(searcher: Searcher) -> Callable[[int], dict[str, Any]]:
    """Return a commit's stored fields by document number (`per_document`)."""
    return per_document(searcher.stored_fields, searcher.reader().doc_count_all(),
                        CACHED_DOCUMENTS)


def _learn_vocabulary(searcher: Searcher) -> None:
    """Hand snippets the words' terms a rebuild saved, if its analyzer is the one used here."""
    if searcher.schema[CONTENT].analyzer != text_analyzer():
        return
    for segment in filter(None, segments(searcher)):
        if segment not in _LEARNT_SEGMENTS:
            _LEARNT_SEGMENTS.add(segment)
            analysis.learn(vocabulary.load(*segment))


class SearchEngine:
    """Search one index folder, following each new generation or commit within seconds."""

    def __init__(self, index_dir: str | Path, reload_seconds: float = 2.0,
                 rank: ranking.Ranking = ranking.DEFAULT) -> None:
        self.rank = rank
        self.live = LiveIndex(index_dir, rank.weighting(), reload_seconds)
        self._expensive = threading.BoundedSemaphore(EXPENSIVE_SLOTS)
        self._results_lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Config) -> SearchEngine:
        """Return the engine of the configured index."""
        return cls(config.INDEX_DIR, config.RELOAD_SECONDS)

    def search(self, request: SearchRequest) -> SearchResults:
        """Run a search request; bad parameters raise `QueryError`, bad syntax never does.

        One search answers a query; a query that found nothing and has a spelling correction
        runs a second one, with the correction, and one that still found nothing, restricted
        to an author, topic or section no article has, runs with those words as plain words
        (`relax.py`), saying so. The answers of a commit are kept for requests asked again (a new
        commit starts afresh).
        """
        started = time.perf_counter()
        snapshot = self.live.snapshot()
        cache = snapshot.derived("results", lambda _: LRUCache(CACHED_RESULTS))
        with self._results_lock:
            cached = cache.get(request)
        if cached is not None:
            return replace(cached, took_ms=(time.perf_counter() - started) * 1000)
        results = self._search(snapshot, request, started)
        if not results.partial:
            with self._results_lock:
                cache[request] = results
        return results

    def _search(self, snapshot: Snapshot, request: SearchRequest,
                started: float) -> SearchResults:
        schema = snapshot.searcher.schema
        parsed = parse_query(request.q, schema, self.rank)
        found = self._run(snapshot, request, parsed)
        suggestion = (suggest_spelling(self._counts(snapshot), partial(self._words, snapshot),
                                       parsed) if parsed.words else None)
        corrected = False
        if suggestion and found.total == 0:
            again = self._retried(snapshot, request, parse_query(suggestion, schema, self.rank))
            if again:
                (parsed, found), corrected = again, True
        relax = relaxed(parsed, partial(self._matches_any, snapshot)) if not found.total else None
        if relax:
            words, missing = relax
            again = self._retried(snapshot, request, parse_query(words, schema, self.rank),
                                  f"No article has {missing}: those words were searched as "
                                  "plain words.")
            if again:
                parsed, found = again
            else:
                parsed = replace(parsed, notices=(*parsed.notices, f"No article has {missing}."))
        named = names_typed(parsed.text) if not found.total else []
        if named:  # a name of several words none has, nor its variants: its words apart
            again = self._retried(
                snapshot, request, parse_query(parsed.text, schema, self.rank, synonyms=False),
                f"No article names {', '.join(map(repr, named))} or what it stands for: its "
                "words were searched apart.")
            if again:
                parsed, found = again
        return self._present(snapshot, request, parsed, found, suggestion, corrected, started)

    def _retried(self, snapshot: Snapshot, request: SearchRequest, retry: ParsedQuery,
                 notice: str = "") -> tuple[ParsedQuery, Retrieved] | None:
        """Return another reading of a query that found nothing, with `notice` saying so, and
        what it finds; None if it finds nothing either."""
        found = self._run(snapshot, request, retry)
        if not found.total:
            return None
        return (replace(retry, notices=(*retry.notices, notice)) if notice else retry), found

    def _matches_any(self, snapshot: Snapshot, query: wq.Query) -> bool:
        """Tell whether a term or phrase matches any live article of the commit."""
        evaluate = Evaluator(self._postings(snapshot), time.monotonic() + TIME_LIMIT)
        return len(evaluate(query).ids) > 0

    def _run(self, snapshot: Snapshot, request: SearchRequest, parsed: ParsedQuery) -> Retrieved:
        planned = plan(request, parsed, snapshot.searcher.schema)
        if planned is None:
            return NOTHING
        planned = with_cited_authors(planned, partial(self._authors, snapshot))
        postings = self._postings(snapshot)
        weight = query_weight(positive_leaves(parsed.query)) if self.rank.feedback_docs else 0
        reweigh = partial(rerank, query_weight=weight, postings=postings, rank=self.rank,
                          doc_terms=snapshot.derived("doc terms", DocTerms)) if weight else None
        with self._costly_slot() if parsed.expensive else nullcontext():
            return retrieve(postings, planned, weights=self.rank.models(), feedback=reweigh)

    def _postings(self, snapshot: Snapshot) -> Postings:
        """Return the commit's term arrays, weighted by this engine's ranking."""
        return snapshot.derived("postings", lambda searcher: Postings(
            searcher, self.rank.k1, self.rank.b,
            self.rank.inb2_c if self.rank.inb2_weight else None, snapshot.reading))

    @staticmethod
    def _authors(snapshot: Snapshot) -> Authors:
        """Return the commit's authors, for names written as citations write them."""
        return snapshot.derived("authors", lambda searcher: Authors(
            snapshot.derived("facets", facet_table).names[FACET_NAMES.index("author")],
            searcher.schema))

    def _counts(self, snapshot: Snapshot) -> DocumentCounts:
        """Return the commit's document counts of words, for spelling."""
        return snapshot.derived("document counts",
                                lambda _: DocumentCounts(self._postings(snapshot)))

    @contextmanager
    def _costly_slot(self) -> Iterator[None]:
        """Hold one of the slots for costly searches, or raise `Overloaded` after a wait."""
        if not self._expensive.acquire(timeout=EXPENSIVE_WAIT):
            raise Overloaded("too many wildcard, prefix or fuzzy searches are running: try "
                             "again in a few seconds, or search without * ? ~")
        try:
            yield
        finally:
            self._expensive.release()

    def _words(self, snapshot: Snapshot, fieldname: str | None, letter: str) -> list[str]:
        """Return a lexicon's words by first letter, read once per commit (for spelling)."""
        return snapshot.derived(f"words {fieldname} {letter}", lambda searcher: words_from(
            searcher, partial(self._lexicon, snapshot), fieldname, letter))

    def _present(self, snapshot: Snapshot, request: SearchRequest, parsed: ParsedQuery,
                 found: Retrieved, suggestion: str | None, corrected: bool,
                 started: float) -> SearchResults:
        first = (request.page - 1) * request.per_page
        splitter = self._splitter(snapshot) if request.snippets else None
        if splitter:
            snapshot.derived("vocabulary", _learn_vocabulary)  # once per commit
        stored = snapshot.derived("stored fields", _stored_fields)
        with snapshot.reading:  # the searcher's files
            marks = query_marks(snapshot.searcher, parsed.query)
            shown = [(stored(docnum), score)
                     for docnum, score in found.ranked[first:first + request.per_page]]
        hits = [make_hit(fields, score, marks, splitter) for fields, score in shown]
        facets, facet_totals = (count_facets(
            snapshot.derived("facets", facet_table), found.matches, request.selected,
            request.facet_size) if request.facets else ({}, {}))
        notices = parsed.notices + (("The search took too long and stopped early: the "
                                     "results are those found by then.",) if found.partial else ())
        return SearchResults(request, found.total, hits, facets, facet_totals, suggestion,
                             corrected, notices, found.partial,
                             (time.perf_counter() - started) * 1000)

    @staticmethod
    def _splitter(snapshot: Snapshot) -> SentenceSpans:
        """Return the commit's sentence spans for snippets: of every article, if it has no
        more than `CACHED_DOCUMENTS` (their stored fields are read at once)."""

        def texts() -> Iterator[str]:
            stored = snapshot.derived("stored fields", _stored_fields)
            return (snippet_text(stored(docnum))
                    for docnum in range(snapshot.searcher.reader().doc_count_all()))

        return snapshot.derived("splitter", lambda searcher: SentenceSpans(
            sentences.load(snapshot.folder),
            texts if searcher.reader().doc_count_all() <= CACHED_DOCUMENTS else None))

    def suggest(self, text: str, limit: int = 8) -> list[dict[str, str]]:
        """Return completions for a query being typed."""
        snapshot = self.live.snapshot()
        known = snapshot.derived("names", lambda _: names(
            snapshot.derived("facets", facet_table), self._postings(snapshot).live))
        with snapshot.reading:  # the searcher's files
            return suggest(snapshot.searcher, self._postings(snapshot),
                           partial(self._lexicon, snapshot), text, limit, known)

    @staticmethod
    def _lexicon(snapshot: Snapshot, fieldname: str, letter: str) -> tuple[list[str], list[int]]:
        """Return a field's terms by first letter and their counts, read once per commit (for
        completions and spelling)."""
        return snapshot.derived(f"lexicon {fieldname} {letter}",
                                lambda searcher: lexicon(searcher, fieldname, letter))

    def facet_value(self, facet: str, written: str) -> str | None:
        """Return the value of a facet (author, topic) that `written` names, capitals and
        accents aside (an author also as citations write names: `Marsh, E.`), or None."""
        snapshot = self.live.snapshot()
        value = snapshot.derived("facets", facet_table).value(facet, written)
        if value is None and facet == "author":
            return self._authors(snapshot).named(written)
        return value

    def marks(self, text: str) -> Marks:
        """Return what the query `text` marks in an article: its words and phrases, as hits'
        snippets mark them."""
        snapshot = self.live.snapshot()
        parsed = parse_query(text, snapshot.searcher.schema, self.rank)
        with snapshot.reading:  # the searcher's files (patterns' expansions)
            return query_marks(snapshot.searcher, parsed.query)

    def similar_values(self, facets: tuple[str, ...], written: str) -> list[str]:
        """Return the values of `facets` (author, topic, section) closest to `written`."""
        return self.live.snapshot().derived("facets", facet_table).similar(facets, written)

    def related(self, doc_id: str, limit: int = 5) -> list[dict[str, str | None]]:
        """Return articles related to `doc_id`."""
        snapshot = self.live.snapshot()
        with snapshot.reading:  # the searcher's files
            return related(snapshot.searcher, doc_id, limit)
