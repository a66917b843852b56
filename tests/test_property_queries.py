"""Any text as a query, any value as a parameter: an answer or a clear 400, never an error page."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.qparser import QueryParser

from conftest import FIXTURES_DIR, build_index, make_config
from cpcsearch.index.schema import build_schema
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.parse import make_parser, parse_query, positive_leaves
from cpcsearch.search.ranking import DEFAULT
from cpcsearch.search.request import SearchRequest
from cpcsearch.web import create_app

SYNTAX = st.sampled_from(['"', "(", ")", "*", "?", "~", "^", ":", "-", "+", "[", "]", "{", "}",
                          " AND ", " OR ", " NOT ", "date:", "after:", "before:", "author:",
                          "topic:", "section:", "title:", " to ", "2023", "2023-13", "SPP",
                          "gas", "énergie", "\x00", "\\", "/", "'", "date:[", "\u201c", "\u00bb",
                          "~2/9", "(^2)", "words:", "id:", " REQUIRE ", " ANDNOT ", " ANDMAYBE "])
QUERIES = st.lists(st.one_of(SYNTAX, st.text(max_size=8)), max_size=12).map("".join)
PARAMS = st.dictionaries(
    st.sampled_from(["q", "author", "topic", "section", "year", "from", "to", "sort", "page",
                     "per_page"]),
    st.one_of(st.text(max_size=12), st.sampled_from(["0", "-1", "101", "2023", "2023-02-30",
                                                    "newest", "9" * 30])),
    max_size=6)
CHECKS = settings(max_examples=100, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])


SCHEMA = build_schema()


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return build_index(make_config(tmp_path_factory.mktemp("property")),
                       FIXTURES_DIR / "query_corpus.jsonl")


@pytest.fixture(scope="module")
def engine(config) -> SearchEngine:  # type: ignore[no-untyped-def]
    return SearchEngine.from_config(config)


@pytest.fixture(scope="module")
def client(config):  # type: ignore[no-untyped-def]
    return create_app(config).test_client()


@CHECKS
@given(text=QUERIES)
def test_any_text_parses(text: str) -> None:
    parse_query(text, SCHEMA)


@CHECKS
@given(text=QUERIES)
def test_a_kept_parser_parses_as_a_new_one(text: str) -> None:
    """The parser kept for a schema, having read every text before, reads this one as a parser
    made for it alone (a new schema object gets a new parser)."""
    kept = parse_query(text, SCHEMA)
    fresh = parse_query(text, build_schema())
    assert (repr(kept.query), kept.words, kept.notices) == (
        repr(fresh.query), fresh.words, fresh.notices)


def _tags(node) -> list:  # type: ignore[no-untyped-def]
    """A syntax tree's nodes as comparable values: kind, text, field, boost, where each stands."""
    return [type(node).__name__, getattr(node, "text", None), getattr(node, "fieldname", None),
            node.boost, node.startchar, node.endchar,
            [_tags(child) for child in getattr(node, "nodes", [])]]


@CHECKS
@given(words=st.lists(st.one_of(st.from_regex(r"\w{1,6}", fullmatch=True),
                                st.sampled_from(["AND", "OR", "NOT", "REQUIRE", "gas", "united",
                                                 "nations", "states", "eu", "the"])),
                      min_size=1, max_size=6))
def test_plain_words_are_read_as_every_tagger_and_filter_would(words: list[str]) -> None:
    parser = make_parser(SCHEMA, DEFAULT.fields)
    text = " ".join(words)
    assert _tags(parser.process(text)) == _tags(QueryParser.process(parser, text))


def _searched_terms(text: str) -> set[str]:
    """The terms a text's query looks for in the ranked text."""
    return {term for leaf in positive_leaves(parse_query(text, SCHEMA).query)
            if leaf.field() in DEFAULT.fields
            for term in (leaf.words if isinstance(leaf, wq.Phrase) else [leaf.text])}


@CHECKS
@given(words=st.lists(st.sampled_from(["pipeline", "gas", "exports", "caspian", "sanctions",
                                       "Baku", "corridor", "rail", "tariffs", "water"]),
                      min_size=1, max_size=8),
       marks=st.lists(st.sampled_from(["?", "? ", "?? ", " ?", ": ", ", ", ". ", "! ", "; ",
                                       " (", ") ", "... ", " - ", "؟ "]),
                      min_size=8, max_size=8))
def test_a_pasted_sentence_searches_every_word_it_has(words: list[str], marks: list[str]) -> None:
    """DESIGN: a `?`, a `:`, a stray parenthesis in text pasted from a sentence never empties
    or breaks the query: each word is searched as it would be alone."""
    text = "".join(word + mark for word, mark in zip(words, marks, strict=False))
    assert _searched_terms(text) == set().union(*map(_searched_terms, words))


@CHECKS
@given(text=QUERIES)
def test_any_text_searches(engine: SearchEngine, text: str) -> None:
    engine.search(SearchRequest(q=text))


@CHECKS
@given(params=PARAMS)
def test_any_parameters_answer_or_refuse(client, params: dict) -> None:  # type: ignore[no-untyped-def]
    for path in ("/api/search", "/search"):
        status = client.get(path, query_string=params).status_code
        assert status in (200, 400), (path, params, status)


@CHECKS
@given(text=QUERIES, limit=st.integers(min_value=-5, max_value=200))
def test_any_cli_search_answers_or_fails_in_one_line(config, text: str,  # type: ignore[no-untyped-def]
                                                     limit: int) -> None:
    from click.testing import CliRunner

    from cpcsearch.cli import main
    env = {"CPCSEARCH_STORE": config.STORE, "CPCSEARCH_INDEX_DIR": config.INDEX_DIR}
    done = CliRunner().invoke(main, ["search", text, "--limit", str(limit), "--json"], env=env)
    assert done.exit_code in (0, 1, 2), done.output
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    if done.exit_code:
        assert "Traceback" not in done.output
