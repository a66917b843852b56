"""Array scoring of query trees against Whoosh's own matchers, InB2 and its fusion with BM25F,
feedback, and the answer cache."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from whoosh import collectors
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.reading import IndexReader

from conftest import FIXTURES_DIR, build_index, make_config
from cpcsearch.document import Document
from cpcsearch.index import parallel
from cpcsearch.index import schema as schema_module
from cpcsearch.index.impacts import Impacts
from cpcsearch.index.lexicon import lexicon
from cpcsearch.index.reading import open_index
from cpcsearch.index.schema import (
    VECTOR_TERMS,
    build_schema,
    content_text,
    read_vector,
    to_fields,
)
from cpcsearch.pipeline import run_reindex
from cpcsearch.search.arrays import (
    Evaluator,
    Postings,
    Scored,
    block_postings,
    fuse,
    segment_postings,
)
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.feedback import DocTerms, expansion
from cpcsearch.search.parse import parse_query
from cpcsearch.search.plan import plan
from cpcsearch.search.ranking import BM25, DEFAULT, INB2, DisMax
from cpcsearch.search.request import SearchRequest
from cpcsearch.search.spelling import DocumentCounts
from cpcsearch.store import Store

NO_FEEDBACK = replace(DEFAULT, feedback_docs=0)
BM25_ALONE = replace(DEFAULT, inb2_weight=0.0)
PLAIN = replace(BM25_ALONE, feedback_docs=0)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    config = build_index(make_config(tmp_path_factory.mktemp("ranking")),
                         FIXTURES_DIR / "query_corpus.jsonl")
    return str(config.INDEX_DIR)


def arrays_and_whoosh(postings: Postings, text: str) -> tuple[Scored, dict[int, float]]:
    """Return a query's matches as the arrays score them, and Whoosh's own scores of it."""
    searcher = postings.searcher
    planned = plan(SearchRequest(q=text), parse_query(text, searcher.schema), searcher.schema)
    assert planned is not None
    found = Evaluator(postings, deadline=float("inf"))(planned.query)
    whoosh = collectors.UnlimitedCollector()
    searcher.search_with_collector(planned.query, whoosh)
    results = whoosh.results()
    return found, {results.docnum(i): results.score(i) for i in range(results.scored_length())}


@pytest.mark.parametrize("text", [
    "gas", "caspian gas pipeline", "gas gas energy", "gas AND energy", "energy NOT gas",
    "+gas energy", "(oil OR gas) AND NOT solar", "SPP", "Türkiye rail", "NOT gas",
    '"natural gas" europe', "author:okafor gas", "topic:energy date:2023",
    "title:solar wind", "-gas", "date:2023",
    '"solar farms"', '"farms solar"', '"caspian gas heads west" europe', '"southern europe"',
    '"natural gas from the caspian"', '"trans-caspian"', '"trans caspian" pipeline',
    '"collective security" NOT "solar farms"', 'title:"caspian gas"', '"gas gas"',
    '"caspian europe"~5 energy',
])
def test_array_scores_equal_whoosh_scores(index_dir: str, text: str) -> None:
    snapshot = SearchEngine(index_dir).live.snapshot()
    found, expected = arrays_and_whoosh(Postings(snapshot.searcher, DEFAULT.k1, DEFAULT.b), text)
    assert found.ids.tolist() == sorted(expected)
    assert found.scores.tolist() == pytest.approx([expected[d] or 0.0 for d in found.ids.tolist()])


def test_an_evaluator_reused_across_queries_answers_each_as_a_fresh_one(index_dir: str) -> None:
    """What an evaluator keeps of a query (where a phrase stands, what Whoosh matched) is never
    taken for another query's (a freed query node's id is soon another's)."""
    snapshot = SearchEngine(index_dir).live.snapshot()
    searcher = snapshot.searcher
    postings = Postings(searcher, DEFAULT.k1, DEFAULT.b)
    reused = Evaluator(postings, deadline=float("inf"))
    texts = ['"solar farms"', '"farms solar"', '"caspian gas"', '"caspian europe"', "cas*",
             "pipe*", '"caspian gas heads west"', "gas~", "date:2023"]
    for text in texts * 30:
        query = parse_query(text, searcher.schema).query
        fresh = Evaluator(postings, deadline=float("inf"))(query)
        assert reused(query).ids.tolist() == fresh.ids.tolist(), text


def test_a_phrase_matches_its_words_in_order_only(index_dir: str) -> None:
    snapshot = SearchEngine(index_dir).live.snapshot()
    searcher = snapshot.searcher
    evaluate = Evaluator(Postings(searcher, DEFAULT.k1, DEFAULT.b), deadline=float("inf"))

    def matches(text: str) -> set[int]:
        return set(evaluate(parse_query(text, searcher.schema).query).ids.tolist())

    assert matches('"solar farms"') and not matches('"farms solar"')
    assert matches("caspian AND europe") and not matches('"caspian europe"')  # apart
    assert matches('"caspian gas heads west"') and (matches('"caspian gas heads west"')
                                                    <= matches('"caspian gas"'))


def test_counting_a_terms_documents_scores_it_by_no_model(index_dir: str) -> None:
    snapshot = SearchEngine(index_dir).live.snapshot()
    postings = Postings(snapshot.searcher, DEFAULT.k1, DEFAULT.b, c=2.0)
    for word in ("gas", "caspian", "nosuchword"):
        assert postings.count("content", word) == snapshot.searcher.doc_frequency("content", word)
    assert not postings._term("content", "gas").scored  # counted, never scored
    bm25 = postings.term("content", "gas")
    assert list(postings._term("content", "gas").scored) == [(BM25,)]  # the model asked, alone
    assert postings.term("content", "gas") is bm25
    assert len(postings.term("content", "gas", INB2).ids) == postings.count("content", "gas")


@pytest.mark.parametrize("word", ["gas", "caspian", "energi", "solar", "pipelin"])
def test_inb2_scores_follow_the_model_from_whooshs_statistics(index_dir: str, word: str) -> None:
    snapshot = SearchEngine(index_dir).live.snapshot()
    searcher = snapshot.searcher
    found = Postings(searcher, DEFAULT.k1, DEFAULT.b, c=2.0).term("content", word, INB2)
    n, df = searcher.doc_count(), searcher.doc_frequency("content", word)
    total, mean = searcher.frequency("content", word), searcher.avg_field_length("content")
    tfs = dict(searcher.reader().postings("content", word).items_as("weight"))
    expected = []
    for docnum in found.ids.tolist():
        tfn = tfs[docnum] * math.log2(1 + 2.0 * mean / searcher.doc_field_length(docnum,
                                                                                  "content"))
        expected.append(tfn * math.log2((n + 1) / (df + 0.5)) * (total + 1) / (df * (tfn + 1)))
    assert len(found.ids) == df >= 1
    assert found.scores.tolist() == pytest.approx(expected)


def test_fusion_sums_each_models_scores_over_its_best() -> None:
    ids = np.array([3, 5, 8])
    runs = {BM25: Scored(ids, np.array([2.0, 4.0, 1.0])),
            INB2: Scored(ids, np.array([6.0, 2.0, 3.0]))}
    fused = fuse(runs, {BM25: 0.25, INB2: 0.75})
    assert fused.ids.tolist() == [3, 5, 8]
    assert fused.scores.tolist() == pytest.approx([0.25 * 0.5 + 0.75, 0.25 + 0.75 / 3,
                                                   0.25 / 4 + 0.75 / 2])
    assert fuse({BM25: runs[BM25]}, {BM25: 1.0}) is runs[BM25]  # one model: its own scores


@pytest.mark.parametrize("text", ["gas^0", "gas^0 energy^0", "gas^-1 energy", "pipe*^0"])
def test_fusion_of_words_weighed_zero_or_less_keeps_bm25fs_order(index_dir: str,
                                                                  text: str) -> None:
    request = SearchRequest(q=text, per_page=100)
    plain = SearchEngine(index_dir, rank=PLAIN).search(request)
    fused = SearchEngine(index_dir, rank=replace(NO_FEEDBACK, inb2_weight=0.5)).search(request)
    assert plain.total and fused.total == plain.total
    assert all(math.isfinite(h.score) for h in fused.hits)
    if len({h.score for h in plain.hits}) == 1:  # every score 0: both in document order
        assert [h.id for h in fused.hits] == [h.id for h in plain.hits]


@pytest.mark.parametrize("text", ["gas", "caspian energy pipeline", "energy NOT gas",
                                  "pipe* energy", '"natural gas" europe'])
def test_fusion_reorders_bm25fs_matches_but_keeps_them(index_dir: str, text: str) -> None:
    for extra in ({}, {"topics": ("Energy",)}):
        request = SearchRequest(q=text, per_page=100, **extra)
        plain = SearchEngine(index_dir, rank=PLAIN).search(request)
        fused = SearchEngine(index_dir, rank=NO_FEEDBACK).search(request)
        assert plain.total and fused.total == plain.total
        assert sorted(h.id for h in fused.hits) == sorted(h.id for h in plain.hits)
        assert fused.facets == plain.facets
        assert max(h.score for h in fused.hits) <= 1.0  # each model's scores over its best


def test_fusion_weighs_inb2_by_its_weight(index_dir: str) -> None:
    request = SearchRequest(q="gas pipeline europe", per_page=100)
    scores = {weight: [h.score for h in SearchEngine(index_dir, rank=replace(
        NO_FEEDBACK, inb2_weight=weight)).search(request).hits] for weight in (0.0, 0.7, 1.0)}
    assert scores[0.7] != scores[0.0] and scores[0.7] != scores[1.0]
    assert max(scores[0.0]) > 1.0  # BM25F alone keeps its scores, as Whoosh's
    assert max(scores[1.0]) == pytest.approx(1.0)


def test_one_pass_scores_every_model_as_each_alone_would(index_dir: str) -> None:
    snapshot = SearchEngine(index_dir).live.snapshot()
    searcher = snapshot.searcher
    postings = Postings(searcher, DEFAULT.k1, DEFAULT.b, c=2.0)
    both = Evaluator(postings, float("inf"), (BM25, INB2))
    for text in ("caspian energy pipeline", "energy NOT gas", '"natural gas" europe',
                 "(gas OR oil) AND europe", "gas europe^2", "gas pipe*"):
        query = parse_query(text, searcher.schema).query
        found = both(query)
        for row, model in zip(found.scores, (BM25, INB2), strict=True):
            alone = Evaluator(postings, float("inf"), (model,))(query)
            assert found.ids.tolist() == alone.ids.tolist()
            assert row.tolist() == pytest.approx(alone.scores.tolist())
        assert found.scores[0].tolist() != found.scores[1].tolist()


def test_what_whoosh_matches_is_matched_once_for_both_models(index_dir: str) -> None:
    snapshot = SearchEngine(index_dir).live.snapshot()
    searcher = snapshot.searcher
    evaluate = Evaluator(Postings(searcher, DEFAULT.k1, DEFAULT.b, c=2.0), float("inf"),
                         (BM25, INB2))
    query = parse_query('"caspian europe"~5 energy', searcher.schema).query
    phrase, word = query.children()  # a phrase with slop, matched by Whoosh; energi, arrays
    matched = evaluate(phrase)
    assert len(matched.ids) and matched is evaluate(phrase)  # kept with its node
    assert matched.scores[0].tolist() == matched.scores[1].tolist()  # Whoosh's BM25F in both
    scored = evaluate(word).scores
    assert scored[0].tolist() != scored[1].tolist()


@pytest.mark.parametrize("text", ["ca*", "en*^2", "pipe*", "[ga to gb]", "pipline~", "gas~"])
def test_a_pattern_scores_as_the_best_word_it_stands_for_by_each_model(index_dir: str,
                                                                      text: str) -> None:
    snapshot = SearchEngine(index_dir).live.snapshot()
    searcher = snapshot.searcher
    evaluate = Evaluator(Postings(searcher, DEFAULT.k1, DEFAULT.b, c=2.0), float("inf"),
                         (BM25, INB2))
    pattern = parse_query(text, searcher.schema).query
    terms = [t.decode() if isinstance(t, bytes) else t
             for _, t in pattern.expanded_terms(searcher.reader())]
    assert terms
    typed = DisMax([wq.Term("content", term) for term in terms], boost=pattern.boost)
    found, expected = evaluate(pattern), evaluate(typed)
    assert len(found.ids) and found.ids.tolist() == expected.ids.tolist()
    np.testing.assert_allclose(found.scores, expected.scores)
    assert found.scores[0].tolist() != found.scores[1].tolist()  # BM25F's, InB2's
    assert len(set(found.scores[0].tolist())) > 1  # ranked, not one score for all


def test_expansion_weighs_hits_by_rank_and_sums_to_one() -> None:
    vectors = {1: (["gas", "pipelin"], [2, 2], 4), 2: (["oil"], [1], 1)}
    words = expansion([1, 2], vectors.__getitem__, size=2)
    # gas and pipelin: 1/1.5 × 2/4 = 1/3 each; oil: 0.5/1.5 × 1 = 1/3, last in order
    assert sum(words.values()) == pytest.approx(1.0)
    assert set(words) == {"gas", "pipelin"}


@pytest.mark.parametrize("text", ["gas", "caspian energy", "rail corridor transport"])
def test_feedback_reorders_the_matches_but_keeps_them(index_dir: str, text: str) -> None:
    request = SearchRequest(q=text, per_page=100)
    plain = SearchEngine(index_dir, rank=NO_FEEDBACK).search(request)
    fed = SearchEngine(index_dir).search(request)
    assert plain.total and fed.total == plain.total
    assert sorted(h.id for h in fed.hits) == sorted(h.id for h in plain.hits)
    assert fed.facets == plain.facets


def test_feedback_changes_scores_only_where_the_reader_ranks(index_dir: str) -> None:
    request = SearchRequest(q="caspian gas", per_page=100)
    plain = SearchEngine(index_dir, rank=NO_FEEDBACK).search(request)
    fed = SearchEngine(index_dir).search(request)
    assert [h.score for h in fed.hits] != [h.score for h in plain.hits]
    newest = SearchRequest(q="gas", sort="newest", per_page=100)
    assert ([h.id for h in SearchEngine(index_dir).search(newest).hits]
            == [h.id for h in SearchEngine(index_dir, rank=NO_FEEDBACK).search(newest).hits])


def test_an_answer_asked_again_comes_from_the_cache_of_its_commit(index_dir: str) -> None:
    engine = SearchEngine(index_dir)
    request = SearchRequest(q="caspian gas")
    first = engine.search(request)
    again = engine.search(request)
    assert again.hits == first.hits and again.total == first.total
    assert again.took_ms < first.took_ms
    assert engine.search(SearchRequest(q="caspian gas", page=2)).hits != first.hits


def test_a_hit_shows_the_stored_fields_of_the_commit_searched(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), FIXTURES_DIR / "query_corpus.jsonl")
    engine = SearchEngine(config.INDEX_DIR, reload_seconds=0)
    first = engine.search(SearchRequest(q="caspian gas")).hits[0]
    assert engine.search(SearchRequest(q="gas caspian")).hits[0].title == first.title
    with Store(config.STORE) as store:
        store.upsert(store.get(first.id).replace(title="Caspian gas, retitled"))
    run_reindex(config)
    hits = engine.search(SearchRequest(q="caspian gas OR pipeline", per_page=100)).hits
    assert next(h for h in hits if h.id == first.id).title == "Caspian gas, retitled"


def test_the_vector_column_holds_each_documents_commonest_terms(index_dir: str) -> None:
    snapshot = SearchEngine(index_dir).live.snapshot()  # held: its searcher closes with it
    searcher = snapshot.searcher
    analyzer = searcher.schema["content"].analyzer
    column = searcher.reader().column_reader("vector")
    doc_terms = DocTerms(searcher)
    for docnum in range(searcher.doc_count_all()):
        stored = searcher.stored_fields(docnum)
        words = Counter(t.text for t in analyzer(content_text(
            stored["title"], stored.get("section", ""), stored["authors"].split(","),
            stored["topics"].split(","), stored.get("summary", ""), stored["body"])))
        terms, counts, length = read_vector(column[docnum])
        assert length == sum(words.values())
        assert dict(zip(terms, counts, strict=True)) == dict(words.most_common(VECTOR_TERMS))
        assert counts == sorted(counts, reverse=True)  # the commonest first
        assert doc_terms(docnum) == (terms, counts, length)
        assert doc_terms(docnum) is doc_terms(docnum)  # read once, then kept
    older = b"\x1e".join([b"900", *(b"t%d\x1f%d" % (n, 200 - n) for n in range(100))])
    terms, counts, length = read_vector(older)  # an index built when vectors kept 128 terms
    assert (terms, counts, length) == ([f"t{n}" for n in range(VECTOR_TERMS)],
                                       [200 - n for n in range(VECTOR_TERMS)], 900)


def assert_saved_as_blocks(reader: IndexReader, saved: Impacts, fieldname: str) -> list[bytes]:
    """Assert that a segment's saved postings of every term of a field are Whoosh's blocks
    (deleted documents' too); return the terms."""
    terms = list(reader.lexicon(fieldname))
    for term in terms:
        docs, freqs = saved.postings(term)
        expected_docs, expected_freqs = block_postings(segment_postings(reader, fieldname, term))
        assert docs.tolist() == expected_docs.tolist()
        assert freqs.tolist() == expected_freqs.tolist()
    return terms


@pytest.mark.parametrize("fieldname", ["content", "title_words"])
def test_a_rebuilds_saved_postings_equal_whooshs_blocks(index_dir: str, fieldname: str) -> None:
    snapshot = SearchEngine(index_dir).live.snapshot()
    postings = Postings(snapshot.searcher, DEFAULT.k1, DEFAULT.b)
    (sub, _), = postings.leaves
    saved = postings.saved[0][fieldname]
    assert len(assert_saved_as_blocks(sub.reader(), saved, fieldname)) > 50
    assert saved.postings(b"zzznotaword") is None


def test_a_segment_whooshs_own_writer_added_scores_as_whoosh_does(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), FIXTURES_DIR / "query_corpus.jsonl")
    # as an incremental reindex of an earlier version wrote it: no saved postings beside it
    with open_index(config.INDEX_DIR).writer(compound=False) as writer:
        writer.add_document(**to_fields(Document(id="late", title="Caspian gas again",
                                                 body="Gas and oil news.")))
    snapshot = SearchEngine(config.INDEX_DIR).live.snapshot()
    postings = Postings(snapshot.searcher, DEFAULT.k1, DEFAULT.b)
    assert len(postings.leaves) == 2 and postings.saved[1] == {}
    for text in ("caspian gas", '"caspian gas"'):
        found, expected = arrays_and_whoosh(postings, text)
        assert found.ids.tolist() == sorted(expected)
        assert found.ids[-1] >= postings.leaves[1][1]  # the new segment's document matched
        assert found.scores.tolist() == pytest.approx([expected[d] for d in found.ids.tolist()])


def test_incremental_reindexes_save_their_segments_postings_merged_ones_too(
        tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), FIXTURES_DIR / "query_corpus.jsonl")
    for n in range(6):  # Whoosh merges small segments into the next commit's, from the fifth
        with Store(config.STORE) as store:
            store.upsert(Document(id=f"late-{n}", title=f"Caspian gas again {n}",
                                  body="Gas and oil news. " * (n + 1)))
            if n:  # the last commit's article changed: its old copy deleted, to be merged
                store.upsert(Document(id=f"late-{n - 1}", title="Caspian gas revised",
                                      body="Gas news."))
        run_reindex(config)
        snapshot = SearchEngine(config.INDEX_DIR).live.snapshot()
        postings = Postings(snapshot.searcher, DEFAULT.k1, DEFAULT.b)
        assert postings.documents == 23 + n  # live ones
        for (sub, _), saved in zip(postings.leaves, postings.saved, strict=True):
            for fieldname in ("content", "title_words"):
                terms = assert_saved_as_blocks(sub.reader(), saved[fieldname], fieldname)
                assert terms and saved[fieldname].terms.tolist() == terms
        found, expected = arrays_and_whoosh(postings, "caspian gas")
        assert found.ids.tolist() == sorted(expected) and len(expected) > n + 1
        assert found.scores.tolist() == pytest.approx([expected[d] for d in found.ids.tolist()])
    assert len(postings.leaves) < 7  # a merge happened
    saved = Path(config.INDEX_DIR).glob("current/*.npz")  # the merged segments' went with them
    assert sorted(path.name.split(".")[0] for path in saved) == sorted(
        2 * [sub.reader().segment().segment_id() for sub, _ in postings.leaves])


def test_a_segment_with_deleted_documents_scores_as_whoosh_does(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), FIXTURES_DIR / "query_corpus.jsonl")
    with Store(config.STORE) as store:
        changed = next(s.document for s in store.changes_since(0)
                       if not {"solar", "natural"} & set(s.document.body.lower().split()))
        store.upsert(changed.replace(body=f"{changed.body}\n\nSolar farms and natural gas."))
    run_reindex(config)
    snapshot = SearchEngine(config.INDEX_DIR).live.snapshot()
    postings = Postings(snapshot.searcher, DEFAULT.k1, DEFAULT.b)
    assert postings.leaves[0][0].reader().has_deletions()  # the changed document's old copy
    for text in ("solar OR gas", '"solar farms"', '"natural gas"'):
        found, expected = arrays_and_whoosh(postings, text)
        assert len(expected) >= 2 and found.ids.tolist() == sorted(expected)
        assert found.scores.tolist() == pytest.approx([expected[d] for d in found.ids.tolist()])


def test_a_letters_lexicon_read_at_once_is_whooshs_own(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), FIXTURES_DIR / "query_corpus.jsonl")
    with Store(config.STORE) as store:  # a second segment, and a deleted copy in the first
        changed = next(iter(store.changes_since(0))).document
        store.upsert(changed.replace(title=f"Ölçü and Über: {changed.title}"))
        store.upsert(Document(id="late", title="Caspian gas zzzq", body="Gas and oil news."))
    run_reindex(config)
    snapshot = SearchEngine(config.INDEX_DIR).live.snapshot()
    searcher = snapshot.searcher
    assert len(searcher.leaf_searchers()) == 2
    for fieldname in ("words", "title_words", "content", "authors", "no_such_field"):
        for letter in ("a", "c", "g", "z", "ö", "ü", "0", "\U0001f600"):
            counts: Counter[str] = Counter()
            if fieldname in searcher.schema:
                for sub, _ in searcher.leaf_searchers():
                    for term, info in sub.reader().iter_prefix(fieldname, letter):
                        counts[term.decode()] += info.doc_frequency()
            assert lexicon(searcher, fieldname, letter) == (
                sorted(counts), [counts[term] for term in sorted(counts)])
    words, counts = lexicon(searcher, "title_words", "c")
    assert "caspian" in words and words == sorted(words) and all(counts)
    assert lexicon(searcher, "title_words", "ö")[0] and lexicon(searcher, "words", "z")[0]


def test_spelling_counts_the_live_documents_a_word_matches_in_its_field(tmp_path: Path) -> None:
    config = build_index(make_config(tmp_path), FIXTURES_DIR / "query_corpus.jsonl")
    snapshot = SearchEngine(config.INDEX_DIR).live.snapshot()
    counts = DocumentCounts(Postings(snapshot.searcher, DEFAULT.k1, DEFAULT.b))
    reader = snapshot.searcher.reader()
    for word, field, term in (("Pipelines", None, "pipelin"), ("okafor", "author_text", "okafor"),
                              ("sanctions", "title", "sanction")):
        assert counts.count(word, field) == reader.doc_frequency(field or "content", term) > 0
    assert counts.count("nowhere", "no_such_field") == 0
    assert counts.count("the", None) is None  # a stop word: no term to count
    with Store(config.STORE) as store:  # a document loses an author
        changed = next(s.document for s in store.changes_since(0)
                       if "Samuel Okafor" in s.document.authors)
        store.upsert(changed.replace(authors=["Nobody"]))
    run_reindex(config)
    snapshot = SearchEngine(config.INDEX_DIR).live.snapshot()
    counts = DocumentCounts(Postings(snapshot.searcher, DEFAULT.k1, DEFAULT.b))
    reader = snapshot.searcher.reader()
    okafor = reader.doc_frequency("author_text", "okafor")
    assert counts.count("okafor", "author_text") == okafor - 1  # its old copy is deleted


def test_an_index_built_before_vectors_searches_without_feedback_and_takes_updates(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def without_vector() -> Schema:
        schema = build_schema()
        schema.remove("vector")
        return schema

    with monkeypatch.context() as patch:  # the schema and fields of the previous version
        patch.setattr(schema_module, "build_schema", without_vector)
        for module in (schema_module, parallel):
            patch.setattr(module, "to_fields", lambda doc: {
                k: v for k, v in to_fields(doc).items() if k != "vector"})
        config = build_index(make_config(tmp_path), FIXTURES_DIR / "query_corpus.jsonl")
    request = SearchRequest(q="caspian gas pipeline", per_page=100)
    fed = SearchEngine(config.INDEX_DIR).search(request)
    plain = SearchEngine(config.INDEX_DIR, rank=NO_FEEDBACK).search(request)
    assert fed.total and [h.id for h in fed.hits] == [h.id for h in plain.hits]
    with Store(config.STORE) as store:
        store.upsert(Document(id="late", title="Caspian gas pipeline news", body="Gas news."))
    run_reindex(config)
    assert "late" in [h.id for h in SearchEngine(config.INDEX_DIR).search(request).hits]


def test_saved_postings_score_as_whooshs_blocks_by_both_models(tmp_path: Path) -> None:
    """A rebuild's saved postings and Whoosh's own blocks give every term the same documents and
    scores by both models, in a commit with a second segment and deleted documents."""
    config = build_index(make_config(tmp_path), FIXTURES_DIR / "query_corpus.jsonl")
    with Store(config.STORE) as store:
        changed = next(iter(store.changes_since(0))).document
        store.upsert(changed.replace(body=f"{changed.body}\n\nGas and solar news."))
        store.upsert(Document(id="late", title="Caspian gas again", body="Gas and oil news."))
    run_reindex(config)
    snapshot = SearchEngine(config.INDEX_DIR).live.snapshot()  # holds the searcher open
    searcher = snapshot.searcher
    saved = Postings(searcher, DEFAULT.k1, DEFAULT.b, DEFAULT.inb2_c)
    blocks = Postings(searcher, DEFAULT.k1, DEFAULT.b, DEFAULT.inb2_c)
    blocks.saved = [{} for _ in blocks.saved]
    assert saved.deletions and len(saved.leaves) == 2 and saved.saved[0]
    terms = [term.decode() for term in searcher.reader().lexicon("content")]
    assert len(terms) > 50
    for term in terms:
        ours, theirs = (p.term_by("content", term, (BM25, INB2)) for p in (saved, blocks))
        assert ours.ids.tolist() == theirs.ids.tolist()
        assert ours.scores.ravel().tolist() == pytest.approx(theirs.scores.ravel().tolist())


def test_a_field_of_many_postings_is_read_term_by_term(index_dir: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = SearchEngine(index_dir).live.snapshot()  # holds the searcher open
    postings = Postings(snapshot.searcher, DEFAULT.k1, DEFAULT.b, DEFAULT.inb2_c)
    monkeypatch.setattr("cpcsearch.search.arrays.TABLE_POSTINGS",
                        len(postings.saved[0]["content"].docs) - 1)
    assert postings._table("content") is None and postings._table("title_words") is not None
    assert postings.term("content", "gas").ids.tolist() == (
        Postings(snapshot.searcher, DEFAULT.k1, DEFAULT.b).term("content", "gas").ids.tolist())


@pytest.mark.parametrize(("deleted", "changed"), [(0, 0), (3, 0), (0, 2), (2, 2)])
def test_a_fields_terms_read_at_once_are_those_read_one_by_one(tmp_path: Path, deleted: int,
                                                              changed: int) -> None:
    """A small commit reads and scores every term of a field at once: the same documents,
    frequencies and scores, to the last bit, as each term read and scored alone; with deleted
    documents, and with a segment an incremental reindex added (no saved arrays)."""
    config = build_index(make_config(tmp_path), FIXTURES_DIR / "query_corpus.jsonl")
    with Store(config.STORE) as store:
        documents = [stored.document for stored in store.changes_since(0)]
        for document in documents[:deleted]:
            store.mark_gone(document.id)
        for document in documents[deleted:deleted + changed]:
            store.upsert(document.replace(body=f"{document.body}\n\nGas, solar and zzqx news."))
        if changed:
            store.upsert(Document(id="late", title="Caspian gas again", body="Gas and oil news."))
    run_reindex(config)
    snapshot = SearchEngine(config.INDEX_DIR).live.snapshot()  # holds the searcher open
    at_once, alone = (Postings(snapshot.searcher, DEFAULT.k1, DEFAULT.b, DEFAULT.inb2_c)
                      for _ in range(2))
    alone._table = lambda fieldname: None  # each term read and scored alone
    assert len(at_once.leaves) == 1 + bool(changed) and at_once.deletions == bool(deleted + changed)
    for fieldname in ("content", "title_words"):
        assert at_once._table(fieldname) is not None
        terms = [term.decode() for term in snapshot.searcher.reader().lexicon(fieldname)]
        assert len(terms) > 50
        for term in [*terms, "zzznotaword"]:
            ours, theirs = at_once._term(fieldname, term), alone._term(fieldname, term)
            assert (ours.ids.tolist(), ours.tf.tolist(), ours.listed) == (
                theirs.ids.tolist(), theirs.tf.tolist(), theirs.listed)
            for models in ((BM25, INB2), (INB2,), (BM25,)):
                assert (at_once.term_by(fieldname, term, models).scores.tolist()
                        == alone.term_by(fieldname, term, models).scores.tolist())
