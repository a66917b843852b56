"""The corpus's LSA model: fitted at a full rebuild, folded in on each commit, saved beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pytest

from cpcsearch.document import Document
from cpcsearch.index import semantic
from cpcsearch.index.analysis import text_analyzer
from cpcsearch.index.schema import to_fields
from cpcsearch.index.writing import CURRENT, reindex
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.request import SearchRequest
from cpcsearch.store import Store

# Three subjects, each told with its own vocabulary; no word of one topic is used by another.
TOPICS: dict[str, list[tuple[str, str]]] = {
    "gas": [
        ("Gas flows west", "Natural gas flows west through the new export pipeline. Compressor "
                           "stations keep the pressure high along the route."),
        ("Pressure at a new compressor station", "The pipeline operator added a compressor station "
                                                 "to raise gas pressure and export volumes."),
        ("Gas exports fall", "Gas exports through the transit pipeline fell as compressor repairs "
                             "cut pressure and flow."),
        ("An offshore pipeline", "A subsea pipeline will carry natural gas from offshore wells to "
                                 "the export terminal on the coast."),
        ("Transit fees", "Transit fees for gas crossing the country fund the pipeline operator "
                         "and its export terminal."),
    ],
    "elections": [
        ("Voters go to the polls", "Voters cast ballots for parliament as the ruling party "
                                   "campaigned on turnout and new candidates."),
        ("A long count", "The election commission counted ballots late into the night while "
                         "opposition candidates disputed the turnout."),
        ("New ballot rules", "Parliament approved new ballot rules before the election, and the "
                             "opposition party called them unfair."),
        ("Campaign trail", "Candidates toured the villages to win voters before the presidential "
                           "election campaign closed."),
        ("An uneven campaign", "Observers said the campaign gave the ruling party an edge with "
                               "voters and candidates alike."),
    ],
    "water": [
        ("Cotton and canals", "Farmers irrigate cotton with river water carried by canals from "
                              "the reservoir upstream."),
        ("Leaking canals", "The irrigation canal lost water to leaks, so farmers downstream saw "
                           "their crops wither in the drought."),
        ("A new dam", "A new dam will store river water in a reservoir and feed irrigation "
                      "canals during drought."),
        ("Dry river", "Drought shrank the river and farmers asked for more water from the "
                      "reservoir for their crops."),
        ("Canal repairs", "Canal repairs let farmers water wheat and cotton crops across the "
                          "irrigated valley."),
    ],
}
# A document none of whose words occurs anywhere else: the model knows none of them.
UNRELATED = Document(id="unrelated", title="Zebras", body="Zebras graze quietly at dusk.",
                     date=dt.date(2019, 6, 1))


def topic_docs() -> list[Document]:
    """Return the topical corpus, one distinct date per document."""
    day = dt.date(2020, 1, 1)
    return [Document(id=f"{topic}-{n}", title=title, body=body,
                     date=day + dt.timedelta(days=30 * n + 7 * t))
            for t, (topic, texts) in enumerate(TOPICS.items())
            for n, (title, body) in enumerate(texts)]


def corpus() -> list[Document]:
    """Return the topical corpus plus the unrelated document."""
    return [*topic_docs(), UNRELATED]


def stems(text: str) -> list[str]:
    """Return the indexed terms of `text`, through the project's analyzer."""
    return [t.text for t in text_analyzer()(text)]


def content_terms(doc: Document) -> set[str]:
    """Return the terms of a document's `content` field, the text the model learns from."""
    return set(stems(to_fields(doc)["content"]))


def build(folder: Path, docs: Iterable[Document]) -> Path:
    """Store `docs` in a real store, build the index from scratch; return the index folder."""
    with Store(folder / "store.sqlite") as store:
        store.upsert_many((doc, None) for doc in docs)
        reindex(store, folder / "index", full=True)
    return folder / "index"


def vector(model: semantic.SemanticModel, doc_id: str) -> np.ndarray:
    """Return a document's latent vector."""
    return model.vectors[model.ids[doc_id]]


def cosines(model: semantic.SemanticModel, query: np.ndarray, ids: list[str]) -> np.ndarray:
    """Return the cosine of each document with a query vector."""
    return model.similarities(query, model.rows(ids))


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the corpus (shared: do not write to it)."""
    return build(tmp_path_factory.mktemp("semantic"), corpus())


@pytest.fixture(scope="module")
def model(index_dir: Path) -> semantic.SemanticModel:
    """The model saved with the corpus's index."""
    found = semantic.load(index_dir / CURRENT)
    assert found is not None
    return found


def test_a_full_rebuild_fits_a_model_of_every_document(model: semantic.SemanticModel) -> None:
    """A full rebuild saves a vector per document, unit length wherever a word is known."""
    docs = corpus()
    assert set(model.ids) == {doc.id for doc in docs}
    df: dict[str, int] = {}
    for doc in docs:
        for term in content_terms(doc):
            df[term] = df.get(term, 0) + 1
    kept = {term for term, n in df.items() if n >= semantic.MIN_DOCUMENTS}
    assert set(model.terms) == kept
    dimensions = min(semantic.DIMENSIONS, len(docs) // semantic.DOCUMENTS_PER_DIMENSION,
                     len(kept) - 1)
    assert model.projection.shape == (len(kept), dimensions)
    assert model.vectors.shape == (len(docs), dimensions)
    for doc in docs:
        length = float(np.linalg.norm(vector(model, doc.id)))
        expected = 1.0 if content_terms(doc) & kept else 0.0
        assert length == pytest.approx(expected, abs=1e-5), doc.id


@pytest.mark.parametrize(("word", "topic"), [
    ("compressor", "gas"),
    ("ballots", "elections"),
    ("irrigation", "water"),
])
def test_a_word_is_close_to_its_topic_documents_that_lack_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, word: str, topic: str) -> None:
    """LSA: a topic's word is nearer that topic's documents without it than to other topics."""
    monkeypatch.setattr(semantic, "DIMENSIONS", len(TOPICS))
    model = semantic.load(build(tmp_path, corpus()) / CURRENT)
    assert model is not None
    [term] = stems(word)
    docs = topic_docs()
    with_word = {d.id for d in docs if term in content_terms(d)}
    assert with_word and with_word <= {d.id for d in docs if d.id.startswith(f"{topic}-")}
    lacking = [d.id for d in docs if d.id.startswith(f"{topic}-") and d.id not in with_word]
    others = [d.id for d in docs if not d.id.startswith(f"{topic}-")]
    assert lacking, "the topic must have documents without the word"
    query = model.query_vector([term])
    assert query is not None
    near = cosines(model, query, lacking)
    far = cosines(model, query, others)
    assert near.min() > far.max() + 0.3, (
        dict(zip(lacking, near, strict=True)), dict(zip(others, far, strict=True)))


def test_an_incremental_reindex_folds_documents_into_the_saved_projection(
        tmp_path: Path) -> None:
    """An incremental reindex keeps the projection and re-embeds exactly the live documents."""
    index_dir = build(tmp_path, corpus())
    before = semantic.load(index_dir / CURRENT)
    assert before is not None
    added = Document(id="gas-new", title="Compressor upgrade",
                     body="The operator will upgrade each compressor station on the export "
                          "pipeline so gas can flow at higher pressure.")
    with Store(tmp_path / "store.sqlite") as store:
        changed = store.get("water-3")
        assert changed is not None
        store.upsert(added)
        store.upsert(changed.replace(body="Farmers dug irrigation canals from the river."))
        assert store.mark_gone("elections-4")
        report = reindex(store, index_dir)
    assert not report.full
    after = semantic.load(index_dir / CURRENT)
    assert after is not None
    assert after.terms == before.terms
    assert np.array_equal(after.projection, before.projection)
    assert np.array_equal(after.idf, before.idf)
    assert set(after.ids) == set(before.ids) - {"elections-4"} | {"gas-new"}
    assert float(np.linalg.norm(vector(after, "gas-new"))) == pytest.approx(1.0, abs=1e-5)
    assert not np.allclose(vector(after, "water-3"), vector(before, "water-3"))
    for doc_id in set(before.ids) - {"elections-4", "water-3"}:
        assert np.allclose(vector(after, doc_id), vector(before, doc_id)), doc_id


def test_a_single_document_has_no_model_until_there_are_more(tmp_path: Path) -> None:
    """One document teaches nothing: no model, plain search; a later commit fits the first."""
    first, *rest = topic_docs()
    index_dir = build(tmp_path, [first])
    assert not (index_dir / CURRENT / semantic.MODEL_FILE).exists()
    engine = SearchEngine(index_dir, reload_seconds=0)
    assert [h.id for h in engine.search(SearchRequest(q="pipeline")).hits] == [first.id]
    with Store(tmp_path / "store.sqlite") as store:
        store.upsert_many((doc, None) for doc in rest)
        reindex(store, index_dir)
    model = semantic.load(index_dir / CURRENT)
    assert model is not None
    assert set(model.ids) == {doc.id for doc in [first, *rest]}


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "garbage": lambda saved: b"not a model \x00\xff" * 40,
    "empty": lambda saved: b"",
    "truncated": lambda saved: saved[: len(saved) // 2],
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupt_model_is_ignored_and_search_stays_lexical(
        tmp_path: Path, corrupt: Callable[[bytes], bytes]) -> None:
    """An unreadable model file loads as None; search returns BM25's hits; a commit refits."""
    index_dir = build(tmp_path, corpus())
    path = index_dir / CURRENT / semantic.MODEL_FILE
    path.write_bytes(corrupt(path.read_bytes()))
    assert semantic.load(index_dir / CURRENT) is None
    results = SearchEngine(index_dir).search(SearchRequest(q="compressor", per_page=100))
    expected = {d.id for d in corpus() if "compressor" in content_terms(d)}
    assert results.total == len(expected)
    assert {h.id for h in results.hits} == expected
    with Store(tmp_path / "store.sqlite") as store:
        store.upsert(Document(id="gas-new", body="Gas pressure rose in the export pipeline."))
        reindex(store, index_dir)
    model = semantic.load(index_dir / CURRENT)
    assert model is not None and "gas-new" in model.ids


def test_each_document_links_to_its_nearest_neighbours(model: semantic.SemanticModel) -> None:
    """The neighbour graph holds each row's most similar other rows, weights summing to 1."""
    cosines_all = model.vectors @ model.vectors.T
    count = min(semantic.NEIGHBORS, len(model.ids) - 1)
    assert model.neighbors.shape == model.neighbor_weights.shape == (len(model.ids), count)
    for row in range(len(model.ids)):
        others = np.delete(np.arange(len(model.ids)), row)
        best = np.sort(cosines_all[row, others])[::-1][:count]
        assert row not in model.neighbors[row]
        assert np.sort(cosines_all[row, model.neighbors[row]])[::-1] == pytest.approx(best,
                                                                                   abs=1e-5)
        total = float(model.neighbor_weights[row].sum())
        assert total == pytest.approx(1.0, abs=1e-5) or total == 0.0


def test_neighbour_means_weigh_the_scores_of_each_documents_neighbours(
        model: semantic.SemanticModel) -> None:
    """A document's neighbour mean is its neighbours' scores, weighted; unscored ones count 0."""
    gas = [i for i in model.ids if i.startswith("gas-")]
    rows = model.rows([*gas, "missing"])
    scores = np.array([1.0] * len(gas) + [5.0])
    means = model.neighbor_means(scores, rows)
    for doc_id, mean in zip(gas, means, strict=False):
        row = model.ids[doc_id]
        scored = np.isin(model.neighbors[row], rows[rows >= 0])
        assert mean == pytest.approx(float(model.neighbor_weights[row][scored].sum()))
    assert means[-1] == 0.0
    # gas documents are each other's nearest neighbours, so most of their weight stays in topic
    assert means[: len(gas)].mean() > 0.5
