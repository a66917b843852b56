"""Import → reindex → search on the demo corpus: words, phrases, fields, dates, facets, spelling."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import DEMO_DIR, expected_pages
from cpcsearch.scrape import extract_document
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.request import SearchRequest

DEMO_PAGES = [p for p in expected_pages() if p["path"].parent == DEMO_DIR]


def ids(engine: SearchEngine, **request: Any) -> list[str]:
    return [h.id for h in engine.search(SearchRequest(per_page=100, **request)).hits]


def page_id(page: dict[str, Any]) -> str:
    return extract_document(page["path"].read_text(encoding="utf-8")).id


@pytest.mark.parametrize("page", DEMO_PAGES, ids=[p["file"] for p in DEMO_PAGES])
def test_a_phrase_from_a_page_finds_that_page_first(demo_engine: SearchEngine,
                                                    page: dict[str, Any]) -> None:
    phrase = max((p for p in page["body_must_contain"] if '"' not in p), key=len)
    assert ids(demo_engine, q=f'"{phrase}"')[0] == page_id(page)


@pytest.mark.parametrize("page", DEMO_PAGES[::3], ids=[p["file"] for p in DEMO_PAGES[::3]])
def test_title_words_rank_their_page_near_the_top(demo_engine: SearchEngine,
                                                  page: dict[str, Any]) -> None:
    assert page_id(page) in ids(demo_engine, q=page["title"].lower())[:3]


def test_plain_words_match_all_forms(demo_engine: SearchEngine, demo_docs: dict) -> None:
    found = set(ids(demo_engine, q="pipelines"))
    with_word = {i for i, d in demo_docs.items() if "pipeline" in d.body.lower()}
    assert with_word and with_word <= found


def test_author_field_and_filter_find_exactly_their_articles(demo_engine: SearchEngine,
                                                             demo_docs: dict) -> None:
    authors = sorted({a for d in demo_docs.values() for a in d.authors})
    assert len(authors) >= 10
    for author in authors[::3]:
        expected = {i for i, d in demo_docs.items() if author in d.authors}
        assert set(ids(demo_engine, q=f'author:"{author}"')) == expected, author
        assert set(ids(demo_engine, authors=(author,))) == expected, author
        surname = author.split()[-1].lower()
        assert expected <= set(ids(demo_engine, q=f"author:{surname}"))


@pytest.mark.parametrize(("request_", "lo", "hi"), [
    ({"q": "date:2021"}, "2021-01-01", "2021-12-31"),
    ({"q": "date:[2020-06 to 2022-03]"}, "2020-06-01", "2022-03-31"),
    ({"q": "after:2024-01-01"}, "2024-01-01", "9999-12-31"),
    ({"q": "before:2020"}, "0001-01-01", "2019-12-31"),
    ({"q": "", "date_from": "2022", "date_to": "2023-06"}, "2022-01-01", "2023-06-30"),
])
def test_date_ranges_select_exactly_the_dates_inside(demo_engine: SearchEngine, demo_docs: dict,
                                                     request_: dict, lo: str, hi: str) -> None:
    start, end = dt.date.fromisoformat(lo), dt.date.fromisoformat(hi)
    expected = {i for i, d in demo_docs.items() if d.date and start <= d.date <= end}
    assert expected, "the demo corpus should have articles in the range"
    assert set(ids(demo_engine, **request_)) == expected


def test_words_and_a_date_range_combine(demo_engine: SearchEngine, demo_docs: dict) -> None:
    found = ids(demo_engine, q="gas date:[2022 to 2026]")
    assert found
    assert all(demo_docs[i].date.year >= 2022 for i in found)


def test_a_misspelled_word_is_corrected_from_the_vocabulary(demo_engine: SearchEngine) -> None:
    results = demo_engine.search(SearchRequest(q="pipleine"))
    assert results.suggestion == "pipeline"
    assert results.corrected and results.total > 0
    partly = demo_engine.search(SearchRequest(q="caspain sea"))
    assert partly.suggestion == "caspian sea"


def test_facet_counts_match_the_hits(demo_engine: SearchEngine) -> None:
    results = demo_engine.search(SearchRequest(q="gas", per_page=100))
    assert results.total == len(results.hits) > 3
    for facet, values_of in (("author", lambda h: h.authors), ("topic", lambda h: h.topics),
                             ("year", lambda h: [h.date[:4]] if h.date else [])):
        assert results.facets[facet]
        for entry in results.facets[facet]:
            count = sum(entry["value"] in values_of(h) for h in results.hits)
            assert entry["count"] == count, (facet, entry)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sorting_by_date(demo_engine: SearchEngine, sort: str) -> None:
    dates = [h.date for h in demo_engine.search(SearchRequest(q="energy", sort=sort,
                                                              per_page=100)).hits]
    assert dates == sorted(dates, reverse=sort == "newest")


def test_pages_partition_the_results(demo_engine: SearchEngine) -> None:
    everything = ids(demo_engine, q="caspian")
    pages = [h.id for p in (1, 2, 3) for h in demo_engine.search(
        SearchRequest(q="caspian", page=p, per_page=5)).hits]
    assert pages == everything[:15]


def test_snippets_mark_matches_and_escape_the_text(demo_engine: SearchEngine) -> None:
    hit = demo_engine.search(SearchRequest(q="caspian")).hits[0]
    assert "<mark>" in hit.snippet and "<mark>" in hit.title_html


def test_snippet_escapes_script_planted_in_a_page(tmp_path, config) -> None:  # type: ignore[no-untyped-def]
    from conftest import build_index

    page = tmp_path / "planted.html"
    page.write_text(
        "<html><head><title>Planted</title></head><body><article><h1>Planted page</h1>"
        "<div class='post-content'><p>" + "Caspian shipping grows every year. " * 8 +
        "</p><p>Beware &lt;script&gt;alert('x')&lt;/script&gt; in the caspian text.</p>"
        "</div></article></body></html>", encoding="utf-8")
    build_index(config, page)
    hit = SearchEngine(config.INDEX_DIR).search(SearchRequest(q="alert")).hits[0]
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet and "<mark>alert</mark>" in hit.snippet
