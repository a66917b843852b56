"""Authors whose names hold words that are stop words in prose (Will, Can, Don, Ma, A.)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict
from whoosh.analysis import StopFilter

from conftest import build_index, make_config
from cpcsearch.index import schema
from cpcsearch.index.analysis import STOP_WORDS
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.request import SearchRequest

# Each author wrote one article; the two Jacks and the two Woods share a word with another.
AUTHORS = {"m1": "Jack Ma", "m2": "Jack Ryder", "w1": "Will Wood", "w2": "Nora Wood",
           "c1": "Ali Can", "c2": "Ali Demir", "d1": "Don Most", "a1": "A. Karimova"}


def _corpus(folder: Path) -> Path:
    path = folder / "names.jsonl"
    path.write_text("".join(json.dumps({
        "id": doc_id, "title": f"Notes on the Caspian, part {i}", "authors": [name],
        "date": f"2024-01-{i + 1:02d}", "body": "Ports, ferries and freight across the sea.",
        "url": f"https://example.org/names/{doc_id}"}) + "\n"
        for i, (doc_id, name) in enumerate(AUTHORS.items())))
    return path


def _engine(folder: Path) -> SearchEngine:
    return SearchEngine.from_config(build_index(make_config(folder), _corpus(folder)))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    return _engine(tmp_path_factory.mktemp("names"))


def found(engine: SearchEngine, q: str = "", **params: Any) -> set[str]:
    results = engine.search(SearchRequest.from_params(MultiDict({"q": q, **params})))
    return {hit.id for hit in results.hits}


@pytest.mark.parametrize(("q", "params", "ids"), [
    ('author:"Jack Ma"', {}, {"m1"}),
    ('author:"Ma, Jack"', {}, {"m1"}),
    ("author:ma", {}, {"m1"}),
    ("", {"author": "Ma, Jack"}, {"m1"}),
    ('author:"Will Wood"', {}, {"w1"}),
    ('author:"Wood, W."', {}, {"w1"}),
    ("author:will", {}, {"w1"}),
    ('author:"Ali Can"', {}, {"c1"}),
    ("", {"author": "Can, Ali"}, {"c1"}),
    ('author:"Don Most"', {}, {"d1"}),
    ("", {"author": "Most, Don"}, {"d1"}),
    ('author:"A. Karimova"', {}, {"a1"}),
])
def test_every_word_of_a_name_counts(engine: SearchEngine, q: str, params: dict[str, str],
                                     ids: set[str]) -> None:
    assert found(engine, q, **params) == ids


def test_a_citation_form_names_its_author(engine: SearchEngine) -> None:
    assert engine.facet_value("author", "Ma, Jack") == "Jack Ma"
    assert engine.facet_value("author", "Most, D.") == "Don Most"


def test_an_index_built_when_names_dropped_stop_words_is_searched_as_it_was_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def dropping() -> Any:
        return (schema.RegexTokenizer(schema.TOKEN_PATTERN) | schema.CharsetFilter(
            schema.accent_map) | schema.LowercaseFilter() | StopFilter(STOP_WORDS, minsize=1))

    with monkeypatch.context() as patched:
        patched.setattr(schema, "name_analyzer", dropping)
        engine = _engine(tmp_path)
    assert found(engine, "", author="Wood, Will") == {"w1", "w2"}  # it kept 'wood' alone
    assert found(engine, 'author:"Jack Ryder"') == {"m2"}
    assert engine.facet_value("author", "Ryder, J.") == "Jack Ryder"
