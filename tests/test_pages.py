"""Author and topic pages, and what a search that finds nothing offers."""

from __future__ import annotations

import unicodedata
from collections import Counter
from urllib.parse import parse_qs, unquote, urlsplit

from bs4 import BeautifulSoup

from conftest import FIXTURES_DIR, build_index, make_config
from cpcsearch.pipeline import run_reindex
from cpcsearch.store import Store
from cpcsearch.web import create_app


def soup_of(client, url: str) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_every_author_and_topic_shown_links_to_its_page(client, demo_docs) -> None:  # type: ignore[no-untyped-def]
    doc_id, doc = next((i, d) for i, d in sorted(demo_docs.items()) if d.authors and d.topics)
    for soup in (soup_of(client, "/search?q=caspian"), soup_of(client, f"/articles/{doc_id}")):
        for link in soup.select("a.author"):
            assert unquote(link["href"]) == f"/authors/{link.get_text()}"
        for link in soup.select("a.topic"):
            assert unquote(link["href"]) == f"/topics/{link.get_text()}"
        assert soup.select("a.author") and soup.select("a.topic")


def test_an_author_page_lists_their_articles_newest_first_with_years(client, demo_docs) -> None:  # type: ignore[no-untyped-def]
    counts = Counter(a for d in demo_docs.values() for a in d.authors)
    name = max(counts, key=lambda a: (counts[a], a))
    soup = soup_of(client, f"/authors/{name}?per_page=100")
    assert soup.h1.get_text() == f"Articles by {name}"
    mine = [d for d in demo_docs.values() if name in d.authors]
    titles = [a.get_text() for a in soup.select("li.hit h2 a")]
    assert titles == [d.title for d in sorted(mine, key=lambda d: d.date, reverse=True)]
    years = {li.select_one(".year").get_text(): int(li.select_one(".n").get_text())
             for li in soup.select(".by-year li")}
    assert years == dict(Counter(str(d.date.year) for d in mine))
    assert soup.select("aside.facets li") and soup.find("link", rel="alternate")


def test_a_topic_page_lists_the_topic_newest_first(client, demo_docs) -> None:  # type: ignore[no-untyped-def]
    counts = Counter(t for d in demo_docs.values() for t in d.topics)
    topic = max(counts, key=lambda t: (counts[t], t))
    soup = soup_of(client, f"/topics/{topic}?per_page=100")
    assert soup.h1.get_text() == f"Articles on {topic}"
    dates = [t["datetime"] for t in soup.select("li.hit time")]
    assert len(soup.select("li.hit")) >= counts[topic] and dates == sorted(dates, reverse=True)


def test_a_name_written_otherwise_redirects_to_its_own_page(client, demo_docs) -> None:  # type: ignore[no-untyped-def]
    topic = next(t for d in demo_docs.values() for t in d.topics if not t.isascii())
    plain = unicodedata.normalize("NFKD", topic).encode("ascii", "ignore").decode().lower()
    answer = client.get(f"/topics/{plain}")
    assert answer.status_code == 301 and unquote(answer.headers["Location"]) == f"/topics/{topic}"
    author = next(a for d in demo_docs.values() for a in d.authors)
    answer = client.get(f"/authors/{author.upper()}?sort=oldest&year=2021&year=2022")
    assert answer.status_code == 301
    assert unquote(answer.headers["Location"]) == (f"/authors/{author}?sort=oldest&year=2021"
                                                   "&year=2022")
    assert client.get(f"/authors/{author}").status_code == 200
    first, *_, last = author.split()
    for cited in (f"{last}, {first}", f"{first[0]}. {last}"):  # as citations write names
        answer = client.get(f"/authors/{cited}")
        assert answer.status_code == 301 and unquote(answer.headers["Location"]) == (
            f"/authors/{author}")


def test_no_results_offers_broader_searches_the_broadest_first(client) -> None:  # type: ignore[no-untyped-def]
    soup = soup_of(client, "/search?q=pipeline+sanctions&author=Nobody+Here&topic=Azerbaijan")
    steps = soup.select(".next-steps li")
    labels = [li.a.get_text() for li in steps]
    totals = [int(li.select_one(".n").get_text().split()[0]) for li in steps]
    assert "without the author Nobody Here" in labels and totals == sorted(totals, reverse=True)
    for li in steps:
        found = client.get("/api" + li.a["href"]).get_json()
        assert found["total"] == int(li.select_one(".n").get_text().split()[0])
    assert soup.select_one(".no-results a[href='/search?sort=newest']")


def test_a_name_no_article_has_is_not_found_and_close_names_are_offered(client, demo_docs) -> None:  # type: ignore[no-untyped-def]
    author = next(a for d in sorted(demo_docs.values(), key=lambda d: d.id) for a in d.authors)
    typo = author[:-2] + author[-1] + author[-2]  # its last two letters swapped
    answer = client.get(f"/authors/{typo}")
    assert answer.status_code == 404
    soup = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert typo in soup.select_one(".error").get_text()
    assert unquote(soup.select("a.similar")[0]["href"]) == f"/authors/{author}"
    topic = next(t for d in demo_docs.values() for t in d.topics)
    assert client.get(f"/topics/{topic}").status_code == 200
    answer = client.get("/topics/Underwater Basket Weaving")
    assert answer.status_code == 404 and not BeautifulSoup(
        answer.get_data(as_text=True), "html.parser").select("a.similar")
    answer = client.get("/authors/<b>Mallory</b>")
    assert answer.status_code == 404 and "<b>" not in answer.get_data(as_text=True)


def test_a_section_linked_from_an_article_lists_its_articles(client, demo_docs) -> None:  # type: ignore[no-untyped-def]
    doc_id, doc = next((i, d) for i, d in sorted(demo_docs.items()) if d.section)
    link = soup_of(client, f"/articles/{doc_id}").find("a", string=doc.section)
    soup = soup_of(client, f"{link['href']}&per_page=100" if "?" in link["href"]
                   else f"{link['href']}?per_page=100")
    assert soup.h1.get_text() == f"Articles on {doc.section}"
    titles = {a.get_text() for a in soup.select("li.hit h2 a")}
    assert titles == {d.title for d in demo_docs.values() if d.section == doc.section}


def test_the_authors_and_topics_pages_list_every_name_a_to_z_with_counts(client, demo_docs) -> None:  # type: ignore[no-untyped-def]
    home = soup_of(client, "/")
    assert {a["href"] for a in home.select("nav.sections a")} == {"/authors", "/topics"}
    authors = Counter(a for d in demo_docs.values() for a in d.authors)
    soup = soup_of(client, "/authors")
    listed = [(a.get_text(), int(a.find_next_sibling(class_="n").get_text()))
              for a in soup.select(".names a.author")]
    assert dict(listed) == dict(authors) and len(listed) == len(authors)
    assert [name for name, _ in listed] == sorted(authors, key=str.casefold)
    first = soup.select_one(".names a.author")
    assert soup_of(client, first["href"]).h1.get_text() == f"Articles by {first.get_text()}"
    soup = soup_of(client, "/topics")
    sections = Counter(d.section for d in demo_docs.values() if d.section)
    topics = Counter(t for d in demo_docs.values() for t in d.topics)
    assert {a.get_text(): int(a.find_next_sibling(class_="n").get_text())
            for a in soup.select(".names a.section")} == dict(sections)
    assert {a.get_text(): int(a.find_next_sibling(class_="n").get_text())
            for a in soup.select(".names a.topic")} == dict(topics)


def test_pages_without_the_search_form_search_from_their_header(client, demo_docs) -> None:  # type: ignore[no-untyped-def]
    doc_id = sorted(demo_docs)[0]
    for url in (f"/articles/{doc_id}", "/authors", "/topics", "/authors/Nobody At All"):
        response = client.get(url)
        form = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(
            "header form[role=search]")
        assert form["action"] == "/search" and form.select_one("input[name=q]"), url
    for url in ("/", "/search?q=gas", f"/authors/{demo_docs[doc_id].authors[0]}"):
        soup = soup_of(client, url)
        assert not soup.select("header form") and len(soup.select("input[name=q]")) == 1


def test_an_article_opened_from_a_search_marks_its_words(client) -> None:  # type: ignore[no-untyped-def]
    results = soup_of(client, "/search?q=pipeline+%22natural+gas%22")
    link = results.select_one("li.hit h2 a")["href"]
    assert parse_qs(urlsplit(link).query) == {"q": ['pipeline "natural gas"']}
    soup = soup_of(client, link)
    marked = [m.get_text().lower() for m in soup.select("article mark")]
    assert marked and set(marked) <= {"pipeline", "pipelines", "natural", "gas"}
    assert "natural" in marked and "gas" in marked  # the phrase's words, where it stands
    back = soup.select_one("p.back a")["href"]
    assert parse_qs(urlsplit(back).query) == {"q": ['pipeline "natural gas"']}
    plain = soup_of(client, soup.find("a", string="unmark")["href"])
    assert not plain.select("mark") and not plain.select(".marked")
    hostile = client.get(f"{urlsplit(link).path}?q=<script>x</script>+gas")
    assert "<script>x" not in hostile.get_data(as_text=True)
    assert client.get(f"{urlsplit(link).path}?q=%22unclosed").status_code == 200


def test_an_author_whose_articles_are_all_removed_is_no_longer_found(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = build_index(make_config(tmp_path), FIXTURES_DIR / "query_corpus.jsonl")
    with Store(config.STORE) as store:
        docs = [stored.document for stored in store.changes_since(0)]
        counts = Counter(a for d in docs for a in d.authors)
        name = min(counts, key=lambda a: (counts[a], a))
        for doc in docs:
            if name in doc.authors:
                store.mark_gone(doc.id)
    run_reindex(config)
    client = create_app(config).test_client()
    assert client.get(f"/authors/{name}").status_code == 404
    assert name not in {a.get_text() for a in soup_of(client, "/authors").select("a.author")}
    others = [a for a in counts if a != name]
    assert all(client.get(f"/authors/{a}").status_code == 200 for a in others)
