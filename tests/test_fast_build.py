"""The fast build path indexes exactly what Whoosh's own path indexes."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from whoosh import index
from whoosh.fields import TEXT
from whoosh.writing import SegmentWriter

from conftest import DEMO_DIR, filler_documents, make_config
from cpcsearch.importer import import_paths
from cpcsearch.index import analysis, blocks, parallel, sentences, vocabulary, workers
from cpcsearch.index.analysis import text_analyzer
from cpcsearch.index.building import BuildWriter
from cpcsearch.index.columns import column_numbers, column_values, field_lengths
from cpcsearch.index.reading import current_path, open_index
from cpcsearch.index.schema import build_schema, to_fields
from cpcsearch.index.wordwise import STOPPED, Joined, plain_terms
from cpcsearch.pipeline import run_reindex
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.request import SearchRequest
from cpcsearch.store import Store

TEXT_FIELDS = ("title", "title_words", "content", "author_text", "topic_text", "section_text",
               "words")
TRICKY = [
    "",
    "the of and",
    "The high-speed rail's route",
    "Of the well-being of U.S. farmers' co-ops",
    "don't won’t it’s aircraft’s policies' s's x's",
    "Café naïve Straße ﬁnance İstanbul ǅemal ÉTÉ Ωmega",
    "東京 ٣٤ Ⅻ ² e\u0301 \u0301 __init__ _",
    "3.5 mln 1,750 dlrs 22.5-pct 1986/87 4th-qtr",
    "re-enter co-op-ed and-or be-all of-the the-of",
    "--- ' ’ . ; \n\n a I is be",
    "Mr. O'Neill's well-known re-election bid, U.K.-based",
    "THE HIGH-SPEED RAIL'S ROUTE: POLICIES' CO-OPS IN THE U.S. HAVE WON'T",
    "the the the high-speed high speed highspeed the",
]


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_fast_analysis_indexes_the_same_terms_as_the_analyzer_chain(name: str, text: str) -> None:
    field = build_schema()[name]
    assert sorted(field.index(text)) == sorted(TEXT.index(field, text))


@pytest.mark.parametrize("separator", ["\n", "\n\n", " ; ", "-", ""])
@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_a_text_joined_from_parts_indexes_as_the_same_text(name: str, separator: str) -> None:
    field = build_schema()[name]
    for parts in (TRICKY, TRICKY[2:4], ["the", "Café"], ["re", "enter", "well"]):
        joined = Joined(separator, parts)
        for _ in range(2):  # the parts' tokens read, then remembered
            assert sorted(field.index(joined)) == sorted(TEXT.index(field, separator.join(parts)))


PLAIN = ["the", "a", "s", "x", "rail", "routes", "policies", "running", "generously", "1986",
         "4th", "3.5", "u.s", "__init__", "mln", "caspian", "azerbaijan"]


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_a_plain_word_takes_the_terms_the_analyzer_chain_gives(name: str) -> None:
    analyzer = build_schema()[name].analyzer
    terms = plain_terms(analyzer)
    assert terms is not None
    for word in PLAIN:
        chain = [t.text.encode() for t in analyzer(word, mode="index") if not t.stopped]
        assert terms(word) == (chain[0] if chain else STOPPED), word
    assert [terms(w) for w in ("high-speed", "Rail", "rail's", "café", "")] == [None] * 5


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_a_query_word_takes_the_terms_the_analyzer_chain_gives(name: str) -> None:
    field = build_schema()[name]
    for word in [*PLAIN, *TRICKY, "Rail", "RAIL", "rail's", "high-speed", "3.5", "u.s", "Café"]:
        for options in ({}, {"removestops": False}, {"tokenize": False}):
            assert (list(field.process_text(word, mode="query", **options))
                    == list(TEXT.process_text(field, word, mode="query", **options))), word


def postings(folder: Path) -> dict[tuple[str, bytes], tuple]:
    """Return what Whoosh reads of each term: its term info and each block's info and data."""
    found = {}
    with index.open_dir(str(folder)).reader() as reader:
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            matcher = reader.postings(fieldname, text)
            blocks = []
            while True:
                matcher._read_data()
                blocks.append((matcher._blocklength, matcher._maxid, matcher._maxweight,
                               matcher._minlength, matcher._maxlength, matcher._data))
                if matcher._lastblock:
                    break
                matcher._next_block()
            found[fieldname, text] = (
                info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                info.max_weight(), info.min_id(), info.max_id(), blocks)
    return found


# The postings become Python numbers a chunk of terms at a time: with 7 postings a chunk, a chunk
# holds a few short lists or one long one.
@pytest.mark.parametrize("chunk", [blocks.CHUNK, 7])
def test_the_build_writer_writes_what_whoosh_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    chunk: int) -> None:
    monkeypatch.setattr(blocks, "CHUNK", chunk)
    with Store(tmp_path / "store.sqlite") as store:
        import_paths(store, [DEMO_DIR])
        store.upsert_many((doc, None) for doc in filler_documents(300))
        docs = [to_fields(stored.document) for stored in store.changes_since(0)]
    written = {}
    for name, writer_class in (("whoosh", SegmentWriter), ("build", BuildWriter)):
        folder = tmp_path / name
        folder.mkdir()
        with writer_class(index.create_in(str(folder), build_schema()), compound=False) as w:
            for fields in docs:
                w.add_document(**fields)
        # Segment files are named <index>_<random segment id>.<kind>: compare kind by kind.
        written[name] = {p.name.split(".", 1)[1]: p for p in folder.glob("MAIN_*.*")}
    # the build also saves the content and title words' postings as arrays (index/impacts.py)
    # and the terms of its words (index/vocabulary.py)
    assert written["build"].keys() == written["whoosh"].keys() | {
        "content.npz", "title_words.npz", "words"}
    assert len(written["build"]) > 5
    # The same bytes but for the postings (short blocks left uncompressed) and their offsets.
    for kind, path in written["whoosh"].items():
        if kind not in ("pst", "trm"):
            assert filecmp.cmp(path, written["build"][kind], shallow=False), kind
    assert postings(tmp_path / "build") == postings(tmp_path / "whoosh")


def test_lengths_and_columns_read_whole_are_what_whoosh_reads_a_document_at_a_time(
        tmp_path: Path) -> None:
    with Store(tmp_path / "store.sqlite") as store:
        import_paths(store, [DEMO_DIR])
        store.upsert_many((doc, None) for doc in filler_documents(120))
        docs = [to_fields(stored.document) for stored in store.changes_since(0)]
    (tmp_path / "index").mkdir()
    ix = index.create_in(str(tmp_path / "index"), build_schema())
    with BuildWriter(ix, compound=False) as w:  # a rebuild's segment
        for fields in docs[:100]:
            w.add_document(**fields)
    for part in (docs[100:140], docs[140:]):  # Whoosh's own, in compound files
        with ix.writer() as w:
            w.merge = False
            for fields in part:
                w.add_document(**{name: value for name, value in fields.items()
                                  if name != "date" or value.year != 2024})  # some lack one
    with ix.writer() as w:
        w.merge = False
        for fields in docs[::7]:
            w.delete_by_term("id", fields["id"])
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert len(reader.leaf_readers()) == 3 and reader.has_deletions()
        for name in TEXT_FIELDS:
            expected = [leaf.doc_field_length(docnum, name) or 0
                        for leaf, _ in reader.leaf_readers()
                        for docnum in range(leaf.doc_count_all())]
            assert field_lengths(reader, name).tolist() == expected, name
        def each(name: str) -> list:
            return [value for leaf, _ in reader.leaf_readers()
                    for value in leaf.column_reader(name, translate=False)]

        assert column_values(reader, "facets") == each("facets")
        assert column_values(reader, "vector") == each("vector")
        assert column_numbers(reader, "date").tolist() == list(map(float, each("date")))
        assert (column_numbers(reader, "date") == 2 ** 64 - 1).any()  # some have no date


QUERIES = ["caspian pipeline", '"Filler note"', '"acting president"', "author:huseynli",
           "topic:energy", "section:energy", "title:note", "harbour OR ferry -grain", "pipline",
           "azerbaijan gas"]


def test_a_rebuild_saves_the_terms_of_its_words_for_snippets(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    with Store(config.STORE) as store:
        import_paths(store, [DEMO_DIR])
    run_reindex(config, full=True)
    folder = current_path(config.INDEX_DIR)
    saved: dict[str, str] = {}
    for segment in open_index(config.INDEX_DIR)._segments():
        saved |= vocabulary.load(folder, segment.segment_id())
    assert len(saved) > 1000
    assert any(" " in terms for terms in saved.values())  # hyphenated words: several terms
    assert "" in saved.values()  # stop words: none
    analyzer = text_analyzer()
    assert all(set(terms.split()) == {t.text for t in analyzer(word)}
               for word, terms in saved.items())
    SearchEngine(config.INDEX_DIR).search(SearchRequest(q="caspian"))  # snippets learn them
    assert saved.items() <= analysis._LEARNT.items()
    plain = [word for word in saved if word.isascii() and word.isalpha() and word.islower()]
    assert len(plain) > 1000  # whose stems are now taken from what the rebuild saved
    stemmer = analysis.STEMMERS[analysis.TEXT_STEMMER]
    assert all(analysis.stem(analysis.TEXT_STEMMER, word) == stemmer(word)
               for word in plain if saved[word])


def test_a_rebuild_in_several_processes_finds_what_one_process_finds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = {}
    for procs in (1, 3):
        config = make_config(tmp_path / str(procs))
        with Store(config.STORE) as store:
            import_paths(store, [DEMO_DIR])
            store.upsert_many((doc, None) for doc in filler_documents(400))
        monkeypatch.setattr(workers, "PROCS", procs)
        monkeypatch.setattr(workers, "MIN_SHARE", 100)
        # so few documents that training the splitter alongside would be this process's share
        monkeypatch.setattr(sentences, "TRAINING_COST", 0)
        run_reindex(config, full=True)
        assert len(open_index(config.INDEX_DIR)._segments()) == procs
        engine = SearchEngine(config.INDEX_DIR)
        found[procs] = [engine.search(SearchRequest(q=q, per_page=50)) for q in QUERIES]
    for one, many in zip(found[1], found[3], strict=True):
        assert one.total and many.total == one.total
        assert [(h.id, h.score, str(h.snippet)) for h in many.hits] == [
            (h.id, h.score, str(h.snippet)) for h in one.hits]
        assert (many.facets, many.suggestion) == (one.facets, one.suggestion)


def test_a_worker_that_fails_fails_the_rebuild_and_leaves_the_live_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_config(tmp_path)
    with Store(config.STORE) as store:
        store.upsert_many((doc, None) for doc in filler_documents(300))
    run_reindex(config, full=True)
    live = current_path(config.INDEX_DIR)
    monkeypatch.setattr(workers, "PROCS", 2)
    monkeypatch.setattr(workers, "MIN_SHARE", 100)
    monkeypatch.setattr(workers.sys, "executable", "/bin/false")
    with pytest.raises(RuntimeError, match=r"indexing documents 1 to \d+ of the store failed"):
        run_reindex(config, full=True)
    assert current_path(config.INDEX_DIR) == live
    assert sorted(p.name for p in Path(config.INDEX_DIR).glob("gen-*")) == [live.name]
    assert open_index(config.INDEX_DIR).doc_count() == 300


def test_a_rebuild_in_several_processes_trains_the_sentence_splitter_on_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_config(tmp_path)
    with Store(config.STORE) as store:
        import_paths(store, [DEMO_DIR])
        store.upsert_many((doc, None) for doc in filler_documents(300))
        trained = sentences.train(store.bodies())
    monkeypatch.setattr(workers, "PROCS", 2)
    monkeypatch.setattr(workers, "MIN_SHARE", 100)
    monkeypatch.setattr(sentences, "TRAINING_COST", 0)
    run_reindex(config, full=True)
    assert len(open_index(config.INDEX_DIR)._segments()) == 2
    splitter = sentences.load(current_path(config.INDEX_DIR))
    assert trained._params.abbrev_types and splitter._params.__dict__ == trained._params.__dict__
    assert splitter.decisions == trained.decisions


@pytest.mark.parametrize("parts, lighter, cuts", [
    (1, 0, []), (2, 0, [3]), (2, 20, [4]), (3, 0, [2, 4]), (2, 10**6, [9])])
def test_shares_hold_as_much_text_but_the_last_lighter_by_its_work_alongside(
        parts: int, lighter: int, cuts: list[int]) -> None:
    sizes = [(seq, 10) for seq in range(1, 7)]  # six documents of 10 characters
    assert parallel._bounds(sizes, parts, lighter, 9) == [0, *cuts, 9]
    assert parallel._bounds([], 2, 0, 9) == [0, 9, 9]


@pytest.mark.parametrize("damage", [b"", b"no separator", b"one\ntwo\0term"])
def test_a_damaged_words_file_is_ignored(tmp_path: Path, damage: bytes) -> None:
    vocabulary.path_for(tmp_path, "seg").write_bytes(damage)
    assert vocabulary.load(tmp_path, "seg") == {}
    assert vocabulary.load(tmp_path, "missing") == {}
