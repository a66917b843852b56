"""Hybrid ranking: BM25's top hits re-ordered by a blend with the corpus's LSA similarity."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from cpcsearch.document import Document
from cpcsearch.index import semantic
from cpcsearch.index.schema import build_schema
from cpcsearch.index.writing import CURRENT
from cpcsearch.search import hybrid
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.query import parse_query
from cpcsearch.search.request import SearchRequest
from test_semantic import build, content_terms, stems, topic_docs

SCHEMA = build_schema()


@pytest.mark.parametrize(("text", "words"), [
    ("Farmers irrigate their fields", "farmers irrigate fields"),
    ("pipeline NOT gas", "pipeline"),
    ("pipeline ANDNOT gas", "pipeline"),
    ("(pipeline OR canal) NOT (gas OR water)", "pipeline canal"),
    ('"black sea"', "black sea"),
    ('gas NOT "export terminal"', "gas"),
    ("author:smith pipeline", "pipeline"),
    ('by:smith title:"irrigated fields"', "irrigated fields"),
    ("topic:energy", ""),
    ("date:2021 reservoir", "reservoir"),
    ("NOT gas", ""),
])
def test_query_terms_are_the_ranked_words_outside_not(text: str, words: str) -> None:
    """The terms are the stems of the query's content and title words, NOT clauses left out."""
    assert set(hybrid.query_terms(parse_query(text, SCHEMA).query)) == set(stems(words))


NAN = math.nan


@pytest.mark.parametrize(("lexical", "similarity", "expected"), [
    # lexical rescaled to 1, .5, 0 and similarity to 0, 1, .5; then averaged
    ([10.0, 6.0, 2.0], [0.1, 0.9, 0.5], [0.5, 0.75, 0.25]),
    ([3.0, 2.0, 1.0], [-0.2, 0.4, 1.0], [0.5, 0.5, 0.5]),
    # equal scores carry no order: they rescale to 1
    ([5.0, 5.0], [0.2, 0.4], [0.5, 1.0]),
    ([10.0, 6.0, 2.0], [0.3, 0.3, 0.3], [1.0, 0.75, 0.5]),
    # a hit without a semantic score gets the lowest, 0
    ([10.0, 6.0, 2.0], [0.1, NAN, 0.5], [0.5, 0.25, 0.5]),
    ([10.0, 6.0, 2.0], [NAN, 0.7, 0.7], [0.5, 0.75, 0.5]),
    ([10.0, 6.0], [0.3, NAN], [1.0, 0.0]),
    # no semantic score at all: BM25 alone
    ([10.0, 6.0, 2.0], [NAN, NAN, NAN], [1.0, 0.5, 0.0]),
])
def test_blend_averages_min_max_rescaled_scores(lexical: list[float], similarity: list[float],
                                                expected: list[float]) -> None:
    """Each score is min-max rescaled over the hits, missing similarities count as the lowest."""
    blended = hybrid.blend(lexical, np.array(similarity), 0.5)
    assert blended == pytest.approx(expected)


@pytest.mark.parametrize(("weight", "expected"), [
    (0.0, [1.0, 0.5, 0.0]),
    (0.25, [0.75, 0.625, 0.125]),
    (1.0, [0.0, 1.0, 0.5]),
])
def test_blend_weighs_the_semantic_share(weight: float, expected: list[float]) -> None:
    """The weight is the semantic score's share of the blend, BM25 taking the rest."""
    blended = hybrid.blend([10.0, 6.0, 2.0], np.array([0.1, 0.9, 0.5]), weight)
    assert blended == pytest.approx(expected)


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> semantic.SemanticModel:
    """The LSA model of the topical corpus."""
    found = semantic.load(build(tmp_path_factory.mktemp("hybrid"), topic_docs()) / CURRENT)
    assert found is not None
    return found


def bm25_order(model: semantic.SemanticModel) -> tuple[list[str], list[float]]:
    """Return every document, the gas topic last, with falling made-up BM25 scores."""
    ids = sorted(model.ids, key=lambda i: (i.startswith("gas-"), i))
    return ids, [10.0 - n * 0.1 for n in range(len(ids))]


@pytest.mark.parametrize("window", [3, 8, 100])
def test_rerank_reorders_only_the_window(model: semantic.SemanticModel,
                                         monkeypatch: pytest.MonkeyPatch, window: int) -> None:
    """The first WINDOW hits are re-ordered among themselves; the rest follow in BM25 order."""
    monkeypatch.setattr(hybrid, "WINDOW", window)
    ids, scores = bm25_order(model)
    order = hybrid.rerank(model, parse_query("compressor", SCHEMA).query, ids, scores, 0.5)
    positions = [pos for pos, _ in order]
    size = min(window, len(ids))
    assert sorted(positions[:size]) == list(range(size))
    assert positions[size:] == list(range(size, len(ids)))
    blended = [score for _, score in order[:size]]
    assert blended == sorted(blended, reverse=True)
    if size == len(ids):  # a document with the word, last in BM25's order, rises to the top
        assert ids[positions[0]] in {d.id for d in topic_docs()
                                     if stems("compressor")[0] in content_terms(d)}


@pytest.mark.parametrize(("with_model", "text", "weight"), [
    (False, "compressor", 0.5),
    (True, "compressor", 0.0),
    (True, "zanzibarian", 0.5),
    (True, "author:smith", 0.5),
    (True, "NOT compressor", 0.5),
])
def test_rerank_keeps_bm25_without_a_model_a_weight_or_a_known_word(
        model: semantic.SemanticModel, with_model: bool, text: str, weight: float) -> None:
    """Without a model, a semantic weight or a query word the model knows, BM25's ranking stays."""
    ids, scores = bm25_order(model)
    query = parse_query(text, SCHEMA).query
    assert hybrid.rerank(model if with_model else None, query, ids, scores, weight) == list(
        enumerate(scores))


# Two documents with the query word once and equal lengths, so equal BM25 scores: one about
# gas transport in the corpus's other gas words, one about an election.
ON_TOPIC = Document(id="on-topic", title="Terminal checks",
                    body="Engineers checked the compressor station and the export pipeline "
                         "before raising the pressure of natural gas.",
                    date=dt.date(2018, 1, 1))
OFF_TOPIC = Document(id="off-topic", title="Village rally",
                     body="Opposition candidates felt the pressure as voters left the ruling "
                          "party before the election campaign.",
                     date=dt.date(2024, 1, 1))
QUERY = "pressure"


def search(index_dir: Path, **request: object) -> list[tuple[str, float]]:
    """Return (id, score) of every hit of QUERY, the model reloaded from disk."""
    results = SearchEngine(index_dir).search(SearchRequest(q=QUERY, per_page=100, **request))
    assert results.total == len(results.hits)
    return [(h.id, h.score) for h in results.hits]


@pytest.mark.parametrize("dimensions", [semantic.DIMENSIONS, 3],
                         ids=["default-dimensions", "one-per-topic"])
@pytest.mark.parametrize("candidates", [[ON_TOPIC, OFF_TOPIC], [OFF_TOPIC, ON_TOPIC]],
                         ids=["on-topic-first", "off-topic-first"])
def test_search_ranks_the_on_topic_hit_above_an_equal_bm25_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dimensions: int,
        candidates: list[Document]) -> None:
    """Of two hits BM25 ties, the one on the query's subject ranks first; the hits stay BM25's."""
    monkeypatch.setattr(semantic, "DIMENSIONS", dimensions)
    index_dir = build(tmp_path, [*topic_docs(), *candidates])
    hybrid_hits = search(index_dir)
    newest = [doc_id for doc_id, _ in search(index_dir, sort="newest")]
    (index_dir / CURRENT / semantic.MODEL_FILE).unlink()
    lexical = dict(search(index_dir))
    assert lexical[ON_TOPIC.id] == lexical[OFF_TOPIC.id] > 0, "the two must tie on BM25"
    hybrid_ids = [doc_id for doc_id, _ in hybrid_hits]
    assert sorted(hybrid_ids) == sorted(lexical)
    assert hybrid_ids.index(ON_TOPIC.id) < hybrid_ids.index(OFF_TOPIC.id)
    dates = {doc.id: doc.date for doc in [*topic_docs(), *candidates]}
    # relevance order is not date order, so a date sort that re-ranked would show
    assert [dates[i] for i in hybrid_ids] != sorted(dates[i] for i in hybrid_ids)[::-1]
    assert sorted(newest) == sorted(lexical)
    assert [dates[i] for i in newest] == sorted((dates[i] for i in newest), reverse=True)


TWICE = Document(id="twice", body="Drought after drought emptied the valley wells.")
ONCE = Document(id="once", body="Drought emptied the valley wells this summer.")


@pytest.mark.parametrize("docs", [[ONCE, TWICE], [TWICE, ONCE]], ids=["once-first", "twice-first"])
def test_a_word_no_title_has_keeps_its_bm25_scores(tmp_path: Path, docs: list[Document]) -> None:
    """The blend's lexical half is BM25 even for a one-word query that no title contains."""
    index_dir = build(tmp_path, [*docs, Document(id="other", title="Wells", body="Dry wells.")])
    (index_dir / CURRENT / semantic.MODEL_FILE).unlink(missing_ok=True)
    results = SearchEngine(index_dir).search(SearchRequest(q="drought"))
    assert [h.id for h in results.hits] == [TWICE.id, ONCE.id]
    assert results.hits[0].score > results.hits[1].score > 0


def test_rerank_lifts_a_hit_whose_neighbours_score_well(model: semantic.SemanticModel,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Of two hits tied on the blend, the one among other good hits ranks first."""
    monkeypatch.setattr(hybrid, "blend", lambda lexical, semantic, weight: np.array(
        [1.0 if i.startswith("gas-") else 0.0 for i in ids][:-2] + [0.5, 0.5]))
    ids = [i for i in model.ids if i not in ("gas-4", "elections-4")] + ["elections-4", "gas-4"]
    order = hybrid.rerank(model, parse_query("compressor", SCHEMA).query, ids,
                          [1.0] * len(ids), 0.5)
    ranked = [ids[pos] for pos, _ in order]
    assert ranked.index("gas-4") < ranked.index("elections-4")


@pytest.mark.parametrize(("text", "phrase"), [
    ("middle corridor", "middle corridor"),
    ("Kazakh Oil and the CPC Pipeline: A Single Point of Failure",
     "kazakh oil cpc pipeline single point failure"),
    ("gas date:2023 pipeline", "gas pipeline"),
    ("high-speed rail", "high speed rail"),
    ("gas", None),
    ("author:smith gas", None),
    ('"gas pipeline"', None),
    ("gas NOT oil", None),
    ("pipe* gas", None),
])
def test_plain_text_is_also_a_title_phrase(text: str, phrase: str | None) -> None:
    """Two or more plain words (a title typed in, colons included) make a phrase in titles."""
    found = parse_query(text, SCHEMA).title_phrase
    assert (None if found is None else list(found.words)) == (
        None if phrase is None else stems(phrase))


def test_rerank_keeps_hits_with_the_query_in_their_title_first(
        model: semantic.SemanticModel) -> None:
    """Hits whose title holds the query phrase come first, in BM25 order, the rest below."""
    ids, scores = bm25_order(model)
    titled = {ids[-1], ids[-3]}
    order = hybrid.rerank(model, parse_query("compressor", SCHEMA).query, ids, scores, 0.5,
                          titled)
    assert [ids[pos] for pos, _ in order[:2]] == [ids[-3], ids[-1]]
    assert order[1][1] > order[2][1]


def test_search_puts_articles_titled_with_the_query_first(demo_engine: SearchEngine) -> None:
    """A reader typing words of a title finds the articles with that title first."""
    results = demo_engine.search(SearchRequest(q="middle corridor", per_page=20))
    titled = [h.title for h in results.hits if "middle corridor" in h.title.lower()]
    assert len(titled) >= 2
    assert [h.title for h in results.hits[:len(titled)]] == titled
