"""Facets, chips and pagination as the readers' page and the API show them."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import FIXTURES_DIR, build_index, make_config
from cpcsearch.web import create_app

EEP = "Energy and Economy Program (EEP)"
SCP = "South Caucasus Program (SCP)"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    config = build_index(make_config(tmp_path_factory.mktemp("facets")),
                         FIXTURES_DIR / "query_corpus.jsonl")
    return create_app(config).test_client()


def params(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_api_filters_by_several_sections_and_counts_the_result_set(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/search", query_string=[("q", "gas"), ("section", EEP),
                                                   ("section", SCP)]).get_json()
    assert data["total"] == 4
    sections = {f["value"]: (f["count"], f["selected"]) for f in data["facets"]["section"]}
    assert sections == {EEP: (3, True), SCP: (1, True)}


def test_a_chip_removes_its_own_filter_and_keeps_the_rest(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/search", query_string=[("q", "gas"), ("author", "Samuel Okafor"),
                                               ("section", EEP)])
    soup = BeautifulSoup(page.get_data(as_text=True), "lxml")
    chips = {chip.span.get_text(): chip.a["href"] for chip in soup.select(".chips .chip")}
    assert set(chips) == {"Author: Samuel Okafor", f"Program: {EEP}"}
    removed = params(chips["Author: Samuel Okafor"])
    assert removed == {"q": ["gas"], "section": [EEP]}
    selected = soup.select(".facets li.selected a")
    assert {a.get_text(strip=True) for a in selected} == {"✓ Samuel Okafor", f"✓ {EEP}"}


def test_a_facet_value_adds_to_the_same_facet(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/search", query_string=[("q", "gas"), ("section", EEP)])
    soup = BeautifulSoup(page.get_data(as_text=True), "lxml")
    link = next(a for a in soup.select(".facets a") if a.get_text(strip=True) == "Samuel Okafor")
    assert params(link["href"]) == {"q": ["gas"], "section": [EEP], "author": ["Samuel Okafor"]}


def test_a_page_past_the_end(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/search?q=energy&per_page=3&page=99").get_json()
    assert (data["hits"], data["total"], data["pages"]) == ([], 8, 3)
    page = client.get("/search?q=energy&per_page=3&page=99")
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "lxml")
    assert "No results on page 99" in soup.select_one(".past-end").get_text()
    assert params(soup.select_one(".past-end a")["href"])["page"] == ["3"]
    assert not soup.select(".pager")


@pytest.mark.parametrize("q", ["date:2023-13 energy", "date:12345", "before:0001", "*a*",
                               'gas "', "(gas", "NOT", "author:"])
def test_query_syntax_is_never_a_400(client, q: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/search", query_string={"q": q}).status_code == 200


@pytest.mark.parametrize("query", ["sort=zzz", "page=0", "year=20x3", "per_page=500"])
def test_bad_parameters_are_a_400(client, query: str) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"/api/search?q=gas&{query}")
    assert answer.status_code == 400
    assert re.search(r"sort|page|year|per_page", answer.get_json()["error"]["message"])


def test_facet_size_lists_as_many_values_of_each_facet_as_asked(client) -> None:  # type: ignore[no-untyped-def]
    every = client.get("/api/search?facet_size=1000").get_json()["facets"]
    two = client.get("/api/search?facet_size=2").get_json()["facets"]
    assert {f["value"] for f in every["author"]} == {
        "Samuel Okafor", "Ana Beridze", "Leyla Hajiyeva", "Marta Lindqvist", "Daniyar Seitkali"}
    assert [f["value"] for f in every["year"]] == ["2025", "2024", "2023", "2022", "2021"]
    assert len(every["topic"]) > 10  # the default would cut them
    assert len(client.get("/api/search").get_json()["facets"]["topic"]) == 10
    for name in ("author", "topic", "section"):  # the most frequent first, in both
        assert two[name] == every[name][:2]
    assert two["year"] == every["year"]  # every year, whatever the size: a histogram
    for bad in ("0", "1001", "many"):
        answer = client.get(f"/api/search?facet_size={bad}")
        assert answer.status_code == 400 and "facet_size" in answer.get_json()["error"]["message"]


def test_facet_totals_count_every_value_and_the_page_links_to_those_not_shown(client) -> None:  # type: ignore[no-untyped-def]
    every = client.get("/api/search?q=gas&facet_size=1000").get_json()
    two = client.get("/api/search?q=gas&facet_size=2").get_json()
    totals = {name: len(values) for name, values in every["facets"].items()}
    assert every["facet_totals"] == two["facet_totals"] == totals
    assert totals["topic"] > 2 and len(two["facets"]["topic"]) == 2
    soup = BeautifulSoup(client.get("/search?q=gas&facet_size=2&per_page=3").get_data(
        as_text=True), "html.parser")
    more = {a.get_text(): parse_qs(urlsplit(a["href"]).query) for a in soup.select(
        "aside.facets a.more")}
    hidden = totals["topic"] - 2
    assert f"{hidden} more topic{'s' if hidden > 1 else ''}" in more
    assert all(query["facet_size"] == ["1000"] and query["q"] == ["gas"]
               for query in more.values())
    assert {(i["name"], i["value"]) for i in soup.select("form.search input[type=hidden]")} >= {
        ("facet_size", "2"), ("per_page", "3")}  # a new search keeps them
    soup = BeautifulSoup(client.get("/search?q=gas&facet_size=1000").get_data(as_text=True),
                         "html.parser")
    assert not soup.select("aside.facets a.more")


def test_the_year_facet_lists_every_year_newest_first(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A histogram: a year left out (the default size is 10) would look like a gap."""
    docs = tmp_path / "years.jsonl"
    docs.write_text("\n".join(json.dumps({"id": f"y{year}", "title": f"Gas in {year}",
                                          "body": "Gas exports and pipelines. " * 5,
                                          "date": f"{year}-06-01"}) for year in range(2008, 2022)))
    client = create_app(build_index(make_config(tmp_path), docs)).test_client()
    years = client.get("/api/search?q=gas").get_json()["facets"]["year"]
    assert [f["value"] for f in years] == [str(y) for y in range(2021, 2007, -1)]


def test_the_pager_links_the_first_last_and_nearby_pages(client) -> None:  # type: ignore[no-untyped-def]
    total = client.get("/api/search?per_page=2").get_json()["pages"]
    assert total >= 9
    soup = BeautifulSoup(client.get("/search?per_page=2&page=5").get_data(as_text=True), "lxml")
    items = [li.get_text() for li in soup.select(".pager ol.pages li")]
    assert items == ["1", "…", "3", "4", "5", "6", "7", "…", str(total)]
    assert soup.select_one(".pager [aria-current=page]").get_text() == "5"
    for a in soup.select(".pager ol.pages a"):
        linked = params(a["href"])
        assert linked.get("page", ["1"]) == [a.get_text()] and linked["per_page"] == ["2"]
    first = BeautifulSoup(client.get("/search?per_page=2").get_data(as_text=True), "lxml")
    assert [li.get_text() for li in first.select(".pager ol.pages li")] == [
        "1", "2", "3", "…", str(total)]
