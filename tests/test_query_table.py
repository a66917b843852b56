"""The query language, row by row, on a corpus written for it (tests/fixtures/query_corpus.jsonl).

Each row is a query (and page parameters) with the exact set of ids it must find, or the ids
that must fill its first places. The corpus: 22 short articles in four programs, by five
authors, dated 2021 to 2025 (see the fixture for who wrote what, when and in which program).
"""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from conftest import FIXTURES_DIR, build_index, make_config
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.parse import NO_WORDS
from cpcsearch.search.request import SearchRequest

SPP = "Security and Politics Program (SPP)"
EEP = "Energy and Economy Program (EEP)"
CAP = "Central Asia Program (CAP)"
SCP = "South Caucasus Program (SCP)"
PROGRAMS = {"SPP": {"s2", "s3", "s4", "s5", "x4"}, "EEP": {"e1", "e2", "e3", "e4", "e6", "x3"},
            "CAP": {"e5", "c1", "c2", "c3", "c4", "x1", "x2"}, "SCP": {"s1", "g1", "g2", "g3"}}
ALL = set().union(*PROGRAMS.values())
ENERGY = {"e1", "e2", "e3", "e4", "e5", "e6", "g2", "x3"}  # text, topic or EEP's name
GAS = {"e1", "e4", "e6", "g2"}
OIL = {"e3", "g2", "x3"}
YEARS = {2021: {"e4", "c2", "c4", "x2"}, 2022: {"e3", "s2", "c3", "g2"},
         2023: {"e1", "e5", "s1", "s5", "x1"}, 2024: {"e2", "s3", "c1", "g3", "x3"},
         2025: {"e6", "s4", "g1", "x4"}}
OKAFOR = {"e1", "e4", "s3", "x1", "x4"}
BERIDZE = {"s1", "c3", "g1", "g3", "x3"}
HAJIYEVA = {"e2", "e6", "s4", "g2"}
LINDQVIST = {"s2", "s3", "s5", "c2", "c4", "x2"}


def years(*chosen: int) -> set[str]:
    return set().union(*(YEARS[y] for y in chosen))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    config = build_index(make_config(tmp_path_factory.mktemp("table")),
                         FIXTURES_DIR / "query_corpus.jsonl")
    return SearchEngine.from_config(config)


def run(engine: SearchEngine, q: str, **params: Any) -> Any:
    args = MultiDict({"q": q, "per_page": "100"})
    for name, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            args.add(name, v)
    return engine.search(SearchRequest.from_params(args))


EXACT = [
    # plain words: every form, optional, ranked by how many match
    ("energy", {}, ENERGY),
    ("gas", {}, GAS),
    ("gas oil", {}, GAS | OIL),
    ("hajiyeva", {}, HAJIYEVA),  # an author's name as a plain word
    ("okafor", {}, OKAFOR),
    # boolean logic, Lucene's OR mode
    ("energy NOT gas", {}, ENERGY - GAS),
    ("energy AND NOT gas", {}, ENERGY - GAS),
    ("energy -gas", {}, ENERGY - GAS),
    ("+gas energy", {}, GAS),
    ("energy AND gas", {}, ENERGY & GAS),
    ("oil AND gas", {}, OIL & GAS),
    ("(oil OR gas) NOT date:2022", {}, (OIL | GAS) - years(2022)),
    ("-gas", {}, ALL - GAS),
    ("NOT gas", {}, ALL - GAS),
    # dates, alone and with NOT
    ("gas date:2023", {}, GAS & years(2023)),
    ("gas NOT date:2023", {}, GAS - years(2023)),
    ("energy -date:2023", {}, ENERGY - years(2023)),
    ("energy date:[2023 to]", {}, ENERGY & years(2023, 2024, 2025)),
    ("energy date:[to 2022]", {}, ENERGY & years(2021, 2022)),
    ("energy date:[2022 to 2023]", {}, ENERGY & years(2022, 2023)),
    ("energy NOT date:[2022 to 2023]", {}, ENERGY - years(2022, 2023)),
    ("date:2023-05", {}, {"s1"}),
    ("after:2024", {}, years(2024, 2025)),
    ("before:2022", {}, years(2021)),
    ("after:2023-01 before:2024", {}, years(2023)),
    ("date:2023 OR date:2025", {}, years(2023, 2025)),
    ("NOT date:[2022 to 2025]", {}, years(2021)),
    ("before:0001", {}, set()),
    ("date:2023-13 energy", {}, ENERGY),  # not a date: its words search, and find only energy
    # the range and comparison forms of other engines, and year: for date:
    ("year:2023", {}, years(2023)),
    ("Year: 2022 OR year:2025", {}, years(2022, 2025)),
    ("energy year:[2022 to 2023]", {}, ENERGY & years(2022, 2023)),
    ("date:2022..2023", {}, years(2022, 2023)),
    ("date:2024..", {}, years(2024, 2025)),
    ("date:..2022", {}, years(2021, 2022)),
    ("date:2024..*", {}, years(2024, 2025)),
    ("date:[2024 to *]", {}, years(2024, 2025)),
    ("date:[* to 2021]", {}, years(2021)),
    ("date:2022-2023", {}, years(2022, 2023)),
    ("gas NOT date:2021-2023", {}, GAS - years(2021, 2022, 2023)),
    ("date:>2023", {}, years(2024, 2025)),
    ("date:>=2023", {}, years(2023, 2024, 2025)),
    ("date:<2023", {}, years(2021, 2022)),
    ("date:<=2023", {}, years(2021, 2022, 2023)),
    ("date:>2023-04 date:<2023-06", {}, {"s1"}),
    ("energy NOT year:>2022", {}, ENERGY & years(2021, 2022)),
    # the programs, by acronym and by name
    ("SPP", {}, PROGRAMS["SPP"]),
    ("EEP", {}, PROGRAMS["EEP"]),
    ("SCP", {}, PROGRAMS["SCP"]),
    ("Security and Politics Program", {}, PROGRAMS["SPP"]),
    ("South Caucasus Program", {}, PROGRAMS["SCP"]),
    ("SPP NOT date:2025", {}, PROGRAMS["SPP"] - years(2025)),
    ("EEP AND gas", {}, PROGRAMS["EEP"] & GAS),
    ("section:SPP", {}, PROGRAMS["SPP"]),
    ('section:"Energy and Economy Program"', {}, PROGRAMS["EEP"]),
    # fields
    ("author:okafor", {}, OKAFOR),
    ("author: okafor", {}, OKAFOR),  # a space after the colon, as Lucene reads it
    ("Author:Okafor", {}, OKAFOR),
    ("topic: energy", {}, {"e1", "e2", "e3", "e5", "g2"}),
    ('author:"Marta Lindqvist"', {}, LINDQVIST),
    # an author as citations write the name (test_an_author_written_as_citations_write_names)
    ('author:"Okafor, S." gas', {}, OKAFOR & GAS),
    ('author:"B. Lindqvist"', {}, set()),  # no author has both
    ('author:"L. M."', {}, set()),  # initials alone name no one
    ("", {"author": "Beridze, Ana"}, BERIDZE),
    ("", {"author": "A. Beridze"}, BERIDZE),
    ("author:okafor NOT date:2023", {}, OKAFOR - years(2023)),
    ("author:okafor gas", {}, OKAFOR & GAS),
    ("topic:energy", {}, {"e1", "e2", "e3", "e5", "g2"}),
    ("topic:energy NOT gas", {}, {"e2", "e3", "e5"}),
    ("topic:renewables", {}, {"e2"}),
    ("title:gas", {}, {"e1", "e4", "e6"}),
    ('"natural gas"', {}, {"e1"}),
    ("\u201cnatural gas\u201d", {}, {"e1"}),  # typographic quotes
    ("\u00abnatural gas\u00bb", {}, {"e1"}),
    ('"transit income"', {}, {"g2"}),
    ("pipe*", {}, {"e1", "e6", "g2"}),
    ("pipe* NOT date:2022", {}, {"e1", "e6"}),
    ("pipline~", {}, {"e1", "e6", "g2"}),
    ("*a*", {}, set()),  # refused: too short a prefix
    # synonyms and name variants
    ("Turkey", {}, {"s4", "g2"}),
    ("Kyrgyzstan", {}, {"x2"}),
    ("TITR", {}, {"c1"}),
    ("CSTO", {}, {"s2"}),
    ("sanction", {}, {"s3"}),
    # facets: OR within one, AND across
    ("", {"author": "Samuel Okafor"}, OKAFOR),
    ("", {"author": ["Samuel Okafor", "Ana Beridze"]}, OKAFOR | BERIDZE),
    ("", {"author": "Samuel Okafor", "topic": "Gas"}, {"e1", "e4"}),
    ("", {"section": EEP}, PROGRAMS["EEP"]),
    ("", {"section": [EEP, SCP]}, PROGRAMS["EEP"] | PROGRAMS["SCP"]),
    ("", {"year": "2023"}, years(2023)),
    ("", {"year": ["2021", "2025"]}, years(2021, 2025)),
    ("", {"author": "Samuel Okafor", "year": "2023"}, {"e1", "x1"}),
    ("gas", {"section": SCP}, {"g2"}),
    ("energy", {"author": "Leyla Hajiyeva"}, {"e2", "e6", "g2"}),
    ("", {"topic": ["Security", "Water"]}, {"s1", "s2", "s4", "s5", "x4", "e5", "c3"}),
    ("gas NOT date:2023", {"section": [EEP, SCP]}, GAS - years(2023)),
    ("", {"from": "2024", "to": "2024"}, years(2024)),
]


@pytest.mark.parametrize(("q", "params", "expected"), EXACT,
                         ids=[f"{q} {p}" if p else q for q, p, _ in EXACT])
def test_the_query_finds_exactly(engine: SearchEngine, q: str, params: dict,
                                 expected: set[str]) -> None:
    results = run(engine, q, **params)
    assert {h.id for h in results.hits} == expected
    assert results.total == len(expected)


TOP = [
    ("CAP", PROGRAMS["CAP"]),  # a body's "price cap" ranks below the program's articles
    ("Central Asia Program", PROGRAMS["CAP"]),
    ("SANCTIONS AND TRADE IN CENTRAL ASIA", {"s3"}),  # a shouted sentence is words
    ("drones made in Türkiye", {"s4"}),
]


@pytest.mark.parametrize(("q", "first"), TOP, ids=[q for q, _ in TOP])
def test_the_query_ranks_first(engine: SearchEngine, q: str, first: set[str]) -> None:
    hits = [h.id for h in run(engine, q).hits]
    assert set(hits[:len(first)]) == first


SPELLING = [
    # (query, suggestion, retried with it because the query found nothing)
    ("sanctoins", "sanctions", True),
    ("energy sanctoins", "energy sanctions", False),
    ("author:okafr", "author:okafor", True),
    ('author:"Hajieva, Leyla"', 'author:"Hajiyeva, Leyla"', True),  # in the capitals typed
    ("Sanctoins on IRAN", "Sanctions on IRAN", False),
    ("SANCTOINS", "SANCTIONS", True),
    ("topic:renewabels", "topic:renewables", True),
    ("gas NOT date:2023 strage", "gas NOT date:2023 storage", False),
    ("author:okafor", None, False),
    ("topic:energy", None, False),
    ("topic:renewables", None, False),
    ("sanction", None, False),
    ("pipe*", None, False),
    ("pipline~", None, False),
    ("SPP", None, False),
    ("GAZ", None, False),  # an acronym (the carmaker's), no typo of 'gas' ...
    ("gaz", "gas", True),  # ... which, in lowercase, it may be
    ("LNG", None, False),  # a synonym (liquefied natural gas), no typo of 'long'
    ("EEP", None, False),
    ("CAP", None, False),
    ("Security and Politics Program", None, False),
    ("hajiyeva", None, False),
    ("dams", None, False),
    ("date:2023-13 energy", None, False),  # the words of a malformed date are not typos
    ("date:12345", None, False),
    ("the", None, False),  # a stop word is no typo: it matches nothing, being in everything
    ("were they", None, False),
    ("gas of the", None, False),
]


@pytest.mark.parametrize(("q", "suggestion", "corrected"), SPELLING, ids=[q for q, *_ in SPELLING])
def test_did_you_mean(engine: SearchEngine, q: str, suggestion: str | None,
                      corrected: bool) -> None:
    results = run(engine, q)
    assert (results.suggestion, results.corrected) == (suggestion, corrected)
    if corrected:
        assert results.total > 0


def test_a_query_of_stop_words_alone_says_why_it_finds_nothing(engine: SearchEngine) -> None:
    results = run(engine, "of and the")
    assert (results.total, results.suggestion) == (0, None)
    assert results.notices == ("'of', 'and', 'the' are too common to search for: add a word "
                               "that says what you are looking for.",)
    assert run(engine, '"The"').notices == ("'The' is too common to search for: add a word "
                                            "that says what you are looking for.",)
    assert run(engine, "the gas").notices == ()


@pytest.mark.parametrize("q", ["?", "...", "!!!", "()", '""', "-", ":", "¿?"])
def test_a_query_without_a_word_says_so(engine: SearchEngine, q: str) -> None:
    results = run(engine, q)
    assert (results.total, results.hits) == (0, [])
    assert results.notices == (NO_WORDS,)
    assert run(engine, " ").total == len(ALL) and run(engine, " ").notices == ()  # browses


def test_a_field_name_with_nothing_after_it_is_left_out_saying_so(engine: SearchEngine) -> None:
    results = run(engine, "gas title:")
    assert {hit.id for hit in results.hits} == GAS
    assert results.notices == ("'title:' was left out: write the word to find after it, as in "
                               "title:word.",)
    alone = run(engine, "Author:")
    assert (alone.total, alone.suggestion) == (0, None)
    assert alone.notices == ("'author:' was left out: write the word to find after it, as in "
                             "author:word.",)
    assert run(engine, "gas year:").notices == ("'year:' was left out: write the date to find "
                                                "after it, as in year:2023.",)


def test_a_date_range_written_backwards_is_read_from_its_earlier_end(engine: SearchEngine) -> None:
    results = run(engine, "date:[2024 to 2022]")
    assert {hit.id for hit in results.hits} == years(2022, 2023, 2024)
    assert results.notices == ("'date:[2024 to 2022]' was read as the dates from 2022 to 2024.",)
    inside = run(engine, "gas NOT date:[2023-12 to 2023-01]")
    assert {hit.id for hit in inside.hits} == GAS - years(2023)
    assert inside.notices == (
        "'date:[2023-12 to 2023-01]' was read as the dates from 2023-01 to 2023-12.",)
    assert run(engine, "date:[2022 to 2024]").notices == ()
    dotted = run(engine, "date:2024..2022")
    assert {hit.id for hit in dotted.hits} == years(2022, 2023, 2024)
    assert dotted.notices == ("'date:2024..2022' was read as the dates from 2022 to 2024.",)


def test_a_date_that_is_not_one_says_it_searched_as_words(engine: SearchEngine) -> None:
    assert run(engine, "(date:2023-02-30 OR gas) energy").notices == (
        "'date:2023-02-30' was searched as words: date '2023-02-30' does not exist on the "
        "calendar.",)
    assert run(engine, "date:soon gas").notices == (
        "'date:soon' was searched as words: date 'soon' is not a date (write 2023, 2023-05 "
        "or 2023-05-04).",)
    assert run(engine, "date:.. gas").notices == (
        "'date:..' was searched as words: a date range needs at least one end.",)
    assert run(engine, "date:>9999 gas").notices == (
        "'date:>9999' was searched as words: no date comes after '9999'.",)
    assert run(engine, "after:>2023 gas").notices == (
        "'after:>2023' was searched as words: write after:2023, or date:>2023.",)


@pytest.mark.parametrize(("q", "words", "notice"), [
    ("Author: Smith on gas", "Smith on gas", "No article has that author ('Smith')"),
    ('topic:"sea shanties" gas', '"sea shanties" gas', "No article has that topic ('sea', "
                                                        "'shanties')"),
    ("section: 3.2 gas and oil", "3.2 gas and oil", "No article has that section ('3.2')"),
])
def test_a_restriction_no_article_has_searches_as_words_saying_so(engine: SearchEngine, q: str,
                                                                 words: str, notice: str) -> None:
    """A label pasted with a sentence (DESIGN: a `:` never empties the query)."""
    relaxed, plain = run(engine, q), run(engine, words)
    assert plain.total and [h.id for h in relaxed.hits] == [h.id for h in plain.hits]
    assert len(relaxed.notices) == 1 and relaxed.notices[0].startswith(notice)


@pytest.mark.parametrize(("q", "named"), [
    ('author:"Hajiyeva, Leyla"', 'author:"Leyla Hajiyeva"'),
    ('author:"L. Hajiyeva"', 'author:"Leyla Hajiyeva"'),
    ('author:"Hajiyeva L."', 'author:"Leyla Hajiyeva"'),
    ('author:"hajiyeva leyla"', 'author:"Leyla Hajiyeva"'),
    ("author:Hajiyeva,Leyla", 'author:"Leyla Hajiyeva"'),
    ('author:"Hajiyeva, L." energy', 'author:"Leyla Hajiyeva" energy'),
])
def test_an_author_written_as_citations_write_names_is_that_author(engine: SearchEngine, q: str,
                                                                   named: str) -> None:
    """Surname first, initials: as the exported citations write names (`export/`)."""
    cited, canonical = run(engine, q), run(engine, named)
    assert cited.notices == () and cited.total
    assert [(h.id, h.score) for h in cited.hits] == [(h.id, h.score) for h in canonical.hits]
    assert {h.id for h in cited.hits} <= HAJIYEVA


@pytest.mark.parametrize(("typed", "expected"), [
    ("author:lind", ['author:"Marta Lindqvist"']),
    ("by:oka", ['by:"Samuel Okafor"']),
    ('gas Author:"leyla h', ['gas Author:"Leyla Hajiyeva"']),
    ("date:202", ["date:2025", "date:2024", "date:2023", "date:2022", "date:2021"]),
    ("energy year:2023", ["energy year:2023"]),
    ("author:zzz", []),
])
def test_a_field_being_typed_is_completed_by_its_own_values(engine: SearchEngine, typed: str,
                                                            expected: list[str]) -> None:
    """Not by words of the text (`author:mar` offered `author:market`)."""
    assert [s["text"] for s in engine.suggest(typed)] == expected


def test_a_field_typed_alone_lists_its_values_of_the_most_articles_first(
        engine: SearchEngine) -> None:
    authors = [s["text"] for s in engine.suggest("author:")]
    assert authors[0] == 'author:"Marta Lindqvist"' and len(authors) == 5  # 6 articles, then 5...
    assert {s["kind"] for s in engine.suggest("author:")} == {"author"}


@pytest.mark.parametrize(("q", "notice"), [
    ('author:"Zed Okafor"', "No article has that author ('Zed', 'Okafor')."),
    ("author:zzyzx", "No article has that author ('zzyzx')."),
    ('topic:"sea shanties"', "No article has that topic ('sea', 'shanties')."),
])
def test_a_restriction_no_article_has_says_so_when_its_words_find_nothing_either(
        engine: SearchEngine, q: str, notice: str) -> None:
    results = run(engine, q)
    assert (results.total, results.notices) == (0, (notice,))


def test_a_restriction_some_article_has_stays_when_nothing_is_found(engine: SearchEngine) -> None:
    assert run(engine, "author:okafor date:2022").total == 0  # Okafor wrote nothing in 2022
    assert run(engine, "author:okafor date:2022").notices == ()
    assert {h.id for h in run(engine, "author:okafor gas").hits} == OKAFOR & GAS


def test_a_name_of_several_words_no_article_has_searches_its_words_apart(
        engine: SearchEngine) -> None:
    """A synonym's variants are phrases; when neither it nor they find anything, its words do."""
    assert run(engine, "LNG").total == 0  # no article names it, either way
    results = run(engine, "liquefied natural gas")
    apart = run(engine, "gas natural liquefied")  # no name: plain words
    assert {h.id for h in results.hits} == {h.id for h in apart.hits} and results.total
    assert results.notices == ("No article names 'liquefied natural gas' or what it stands "
                               "for: its words were searched apart.",)
    quoted = run(engine, '"liquefied natural gas"')  # a phrase asked for as such
    assert (quoted.total, quoted.notices) == (0, ())
    assert run(engine, "Central Asia Program").notices == ()  # found as a name: kept


def test_facet_counts_are_those_of_the_result_set(engine: SearchEngine) -> None:
    facets = run(engine, "gas", author="Samuel Okafor").facets
    assert {f["value"]: f["count"] for f in facets["section"]} == {EEP: 2}
    assert {f["value"]: f["count"] for f in facets["year"]} == {"2023": 1, "2021": 1}
    chosen = [f for f in facets["author"] if f["selected"]]
    assert chosen == [{"value": "Samuel Okafor", "count": 2, "selected": True}]


def test_a_page_past_the_end_is_empty_with_the_true_total(engine: SearchEngine) -> None:
    results = engine.search(SearchRequest(q="energy", per_page=3, page=99))
    assert (results.hits, results.total, results.pages, results.past_end) == ([], 8, 3, True)


@pytest.mark.parametrize("q", ['gas "', "(gas", "gas)", "AND", "NOT", "date:", "author:",
                               "date:[2023 to", "***", "a" * 300 + "*", "((((gas", "^2 gas"])
def test_odd_syntax_never_fails(engine: SearchEngine, q: str) -> None:
    run(engine, q)  # no exception; the web layer turns anything else into a 500


@pytest.mark.parametrize("q", ["energy", "gas oil", "energy NOT gas", "caspian gas pipeline"])
def test_the_total_and_facets_do_not_depend_on_the_page_size(engine: SearchEngine,
                                                             q: str) -> None:
    everything = engine.search(SearchRequest(q=q, per_page=100))
    first = engine.search(SearchRequest(q=q, per_page=1))
    assert first.total == everything.total == len(everything.hits)
    assert first.facets == everything.facets
