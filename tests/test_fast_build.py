"""The fast build path indexes exactly what Whoosh's own path indexes."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from whoosh import index
from whoosh.fields import TEXT
from whoosh.writing import SegmentWriter

from conftest import DEMO_DIR, filler_documents
from cpcsearch.importer import import_paths
from cpcsearch.index.building import BuildWriter
from cpcsearch.index.schema import build_schema, to_fields
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
    "the the the high-speed high speed highspeed the",
]


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_fast_analysis_indexes_the_same_terms_as_the_analyzer_chain(name: str, text: str) -> None:
    field = build_schema()[name]
    assert sorted(field.index(text)) == sorted(TEXT.index(field, text))


def test_the_build_writer_writes_the_same_files_as_whoosh(tmp_path: Path) -> None:
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
    assert written["build"].keys() == written["whoosh"].keys()
    assert len(written["build"]) > 5
    for kind, path in written["whoosh"].items():
        assert filecmp.cmp(path, written["build"][kind], shallow=False), kind
