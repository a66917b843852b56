"""Work per query is bounded: wildcard, range and fuzzy expansions, a time limit, a cap on costly
searches."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.support.levenshtein import damerau_levenshtein

from conftest import DEMO_DIR, FIXTURES_DIR, build_index, make_config
from cpcsearch.document import Document
from cpcsearch.errors import Overloaded
from cpcsearch.pipeline import run_reindex
from cpcsearch.search import engine as engine_module
from cpcsearch.search.arrays import Postings
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.parse import parse_query
from cpcsearch.search.plan import plan
from cpcsearch.search.ranking import DEFAULT
from cpcsearch.search.request import SearchRequest
from cpcsearch.search.retrieve import retrieve
from cpcsearch.search.rewrite import FUZZY_NOTICE, MAX_EXPANSIONS, CappedFuzzy
from cpcsearch.store import Store
from cpcsearch.web import create_app


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    config = build_index(make_config(tmp_path_factory.mktemp("bounded")),
                         FIXTURES_DIR / "query_corpus.jsonl")
    return SearchEngine.from_config(config)


@pytest.mark.parametrize(("q", "shown"), [("*a*", "*a*"), ("*gas", "*gas"), ("a*", "a*"),
                                          ("a*s", "a*")])  # Whoosh keeps a*s as the prefix a
def test_a_wildcard_without_a_prefix_is_refused_with_a_reason(engine: SearchEngine, q: str,
                                                              shown: str) -> None:
    results = engine.search(SearchRequest(q=q))
    assert results.total == 0
    assert results.notices == (f"{shown!r} was left out: a wildcard needs at least 2 letters "
                               "before its first *",)


@pytest.mark.parametrize("q", ["*", "***", " * ", "*:*"])
def test_stars_alone_browse_every_article_as_an_empty_box_does(engine: SearchEngine,
                                                               q: str) -> None:
    """Lucene's `*`: every article, newest first, as the empty box lists them."""
    stars, empty = engine.search(SearchRequest(q=q)), engine.search(SearchRequest(q=""))
    assert empty.total == 22 and stars.notices == ()
    assert [h.id for h in stars.hits] == [h.id for h in empty.hits]
    assert stars.total == empty.total


@pytest.mark.parametrize(("q", "words"), [("gas * oil", "gas oil"), ("* gas", "gas"),
                                          ("operators like *, +gas", "operators like , +gas"),
                                          ("(*) energy", "() energy")])
def test_a_star_standing_alone_among_words_is_punctuation(engine: SearchEngine, q: str,
                                                          words: str) -> None:
    starred, plain = engine.search(SearchRequest(q=q)), engine.search(SearchRequest(q=words))
    assert plain.total and starred.notices == plain.notices == ()
    assert [(h.id, h.score) for h in starred.hits] == [(h.id, h.score) for h in plain.hits]


def _expanded(query: wq.MultiTerm, reader: IndexReader) -> set[str]:
    return {t.decode() if isinstance(t, bytes) else t for _, t in query.expanded_terms(reader)}


def test_a_prefix_range_or_fuzzy_word_expands_to_a_bounded_number_of_terms(
        tmp_path: Path) -> None:
    words = [f"tr{i:04d}" for i in range(MAX_EXPANSIONS * 3)]
    config = make_config(tmp_path)
    with Store(config.STORE) as store:
        store.upsert(Document(id="many", title="Many words", body=" ".join(words)))
    run_reindex(config, full=True)
    snapshot = SearchEngine.from_config(config).live.snapshot()
    searcher = snapshot.searcher
    # also inside `+a b` and `a -b`; ranges of words; a fuzzy word with some 150 terms within
    # its 2 edits
    for text in ("tr*", "+many tr*", "tr* -none", "[tr to]", "many {tr0001 to tr9}",
                 "tr0100~2"):
        leaves = [q for q in parse_query(text, searcher.schema).query.leaves()
                  if isinstance(q, wq.MultiTerm)]
        assert [len(_expanded(leaf, searcher.reader())) for leaf in leaves] == [
            MAX_EXPANSIONS], text
    # a fuzzy word keeps the closest terms
    fuzzy, = parse_query("tr0100~2", searcher.schema).query.leaves()
    kept = _expanded(fuzzy, searcher.reader())
    edits = {word: damerau_levenshtein(word, "tr0100") for word in words}
    assert max(edits[word] for word in kept) <= min(edits[word] for word in set(words) - kept)


def test_a_fuzzy_word_stands_for_every_term_within_its_edits(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), DEMO_DIR)
    with Store(config.STORE) as store:  # a second segment
        store.upsert(Document(id="late", title="Pipeliners", body="pipelined gasses, caspians"))
    run_reindex(config)
    snapshot = SearchEngine.from_config(config).live.snapshot()
    reader = snapshot.searcher.reader()
    segments = [sub for sub, _ in reader.leaf_readers()]
    assert len(segments) == 2
    for word, edits, prefix in [("pipelin", 1, 0), ("pipelin", 2, 0), ("gas", 1, 0),
                                ("energi", 2, 2), ("azrbaijan", 1, 0), ("caspain", 1, 0)]:
        fuzzy = CappedFuzzy("content", word, maxdist=edits, prefixlength=prefix)
        for read in (reader, *segments):
            # Whoosh's own Damerau-Levenshtein over every term (a transposition is one edit)
            expected = {term for term in map(bytes.decode, read.lexicon("content"))
                        if term.startswith(word[:prefix])
                        and damerau_levenshtein(term, word) <= edits}
            assert len(expected) < MAX_EXPANSIONS
            assert _expanded(fuzzy, read) == expected, (word, edits, prefix)
        assert _expanded(fuzzy, reader)
    assert "caspian" in _expanded(CappedFuzzy("content", "caspain", maxdist=1), reader)


def test_a_fuzzy_word_has_at_most_the_edits_its_length_allows(tmp_path: Path) -> None:
    texts = {"gas": "gas supplies", "gap": "a gap year", "gel": "gel fuel",
             "un": "un resolution", "uk": "uk budget", "caspian": "caspian shelf"}
    config = make_config(tmp_path)
    with Store(config.STORE) as store:
        for name, text in texts.items():
            store.upsert(Document(id=name, title=name, body=text))
    run_reindex(config, full=True)
    engine = SearchEngine.from_config(config)

    def found(q: str) -> tuple[set[str], tuple[str, ...]]:
        results = engine.search(SearchRequest(q=q, per_page=100))
        return {hit.id for hit in results.hits}, results.notices

    assert found("gas~") == ({"gas", "gap"}, ())
    assert found("gas~2") == ({"gas", "gap"}, (FUZZY_NOTICE,))  # "gel" is 2 edits away
    assert found("un~") == ({"un"}, (FUZZY_NOTICE,))  # not "uk"
    assert found("caxpiyn~2") == ({"caspian"}, ())
    assert found("caxpiyn~5") == ({"caspian"}, (FUZZY_NOTICE,))


def test_a_search_past_its_time_limit_answers_partial(engine: SearchEngine) -> None:
    snapshot = engine.live.snapshot()
    searcher = snapshot.searcher
    text = '"caspian gas"~3 OR energy'  # matched by Whoosh's matchers, which watch the clock
    planned = plan(SearchRequest(q=text), parse_query(text, searcher.schema), searcher.schema)
    assert planned is not None
    postings = Postings(searcher, DEFAULT.k1, DEFAULT.b)
    assert retrieve(postings, planned).total
    assert not retrieve(postings, planned).partial
    assert retrieve(postings, planned, time_limit=-1.0).partial
    phrase = plan(SearchRequest(q='"solar farms"'),
                  parse_query('"solar farms"', searcher.schema), searcher.schema)
    assert phrase is not None
    assert retrieve(postings, phrase, time_limit=-1.0).partial  # reading positions watches it
    assert retrieve(postings, phrase).total  # positions read in time are kept for the commit
    assert not retrieve(postings, phrase, time_limit=-1.0).partial


def test_costly_searches_wait_for_a_slot_then_are_refused(engine: SearchEngine,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "EXPENSIVE_WAIT", 0.05)
    for _ in range(engine_module.EXPENSIVE_SLOTS):
        assert engine._expensive.acquire(timeout=1)  # as if costly searches were running
    try:
        assert engine.search(SearchRequest(q="energy")).total  # cheap ones still run
        with pytest.raises(Overloaded):
            engine.search(SearchRequest(q="pipe*"))
    finally:
        for _ in range(engine_module.EXPENSIVE_SLOTS):
            engine._expensive.release()
    assert engine.search(SearchRequest(q="pipe*")).total == 3


def test_an_overloaded_api_answers_503_in_the_error_shape(
        engine: SearchEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(make_config(engine.live.index_dir.parent))
    app.extensions["cpcsearch.engine"] = engine
    monkeypatch.setattr(engine_module, "EXPENSIVE_WAIT", 0.05)
    for _ in range(engine_module.EXPENSIVE_SLOTS):
        engine._expensive.acquire()
    try:
        # A query no earlier test asked: an answer already given comes from the cache, no slot.
        answer = app.test_client().get("/api/search?q=secur*")
    finally:
        for _ in range(engine_module.EXPENSIVE_SLOTS):
            engine._expensive.release()
    assert answer.status_code == 503
    assert "wildcard" in answer.get_json()["error"]["message"]


def test_a_server_keeps_serving_its_index_when_a_newer_one_is_unreadable(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path, RELOAD_SECONDS=0.0),
                         FIXTURES_DIR / "query_corpus.jsonl")
    client = create_app(config).test_client()
    assert client.get("/api/search?q=gas").get_json()["total"] == 4
    live = Path(config.INDEX_DIR) / "current"
    for toc in live.resolve().glob("*.toc"):
        toc.unlink()  # the live generation loses its table of contents
    assert client.get("/api/search?q=gas").get_json()["total"] == 4  # the open one still serves
    fresh = create_app(config).test_client()
    answer = fresh.get("/api/search?q=gas")
    assert answer.status_code == 503
    assert "reindex --full" in answer.get_json()["error"]["message"]


def test_parentheses_nested_too_deep_search_as_words(engine: SearchEngine) -> None:
    deep = engine.search(SearchRequest(q="(" * 200 + "gas" + ")" * 200))
    assert {h.id for h in deep.hits} == {h.id for h in engine.search(SearchRequest(q="gas")).hits}
    nested = engine.search(SearchRequest(q="((oil OR gas) AND NOT (date:2022))"))
    assert nested.total == 4  # shallow nesting keeps its meaning
