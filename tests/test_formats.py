"""Feeds, downloads and citations of searches, read back with the libraries of each format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import bibtexparser
import feedparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware

from conftest import build_index, make_config
from cpcsearch.document import Document
from cpcsearch.export.cite import chicago
from cpcsearch.web import create_app
from cpcsearch.web.feeds import EXPORT_CAP

TRICKY = [
    {"id": "energy/a&b-1", "title": "Gas & {Braces}: Türkiye’s 100% #1 plan_x ~ \\ $5 path",
     "authors": ["Ali Hajiyev", "Zəhra Məmmədova", "Jan van der Berg"], "date": "2024-04-25",
     "section": "Energy & Security", "topics": ["Türkiye", "Oil & Gas"],
     "url": "https://www.caspianpolicy.org/research/energy/gas-braces",
     "summary": "Pipeline diplomacy between Baku and Ankara,\nin two lines.",
     "body": "Pipeline diplomacy between Baku and Ankara. " * 5},
    {"id": "formula", "title": "=HYPERLINK(\"http://evil\") pipeline", "authors": ["@admin"],
     "date": "2023-01-02", "section": "-Security", "topics": ["+Caspian"],
     "url": "javascript:alert(1)", "summary": "@SUM(A1) pipeline",
     "body": "A pipeline article whose fields look like spreadsheet formulas. " * 4},
    {"id": "plain", "title": "A pipeline without a date", "body": "Pipeline words. " * 6},
]


@pytest.fixture(scope="module")
def tricky(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("tricky")
    docs = folder / "docs.jsonl"
    docs.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in TRICKY), "utf-8")
    return create_app(build_index(make_config(folder), docs)).test_client()


def uninvert(name: str) -> str:
    family, _, given = name.partition(", ")
    return f"{given} {family}" if given else family


def expected(raw: dict) -> dict:  # type: ignore[type-arg]
    """Return the fields every format must carry back, as the document holds them."""
    doc = Document.from_dict(raw)
    return {"id": doc.id, "title": doc.title, "authors": list(doc.authors),
            "date": doc.date.isoformat() if doc.date else "", "section": doc.section,
            "topics": list(doc.topics), "summary": " ".join(doc.summary.split()),
            "url": doc.url if doc.url.startswith("https://") else ""}


def test_csv_round_trips_every_field_and_neutralizes_formulas(tricky) -> None:  # type: ignore[no-untyped-def]
    response = tricky.get("/search.csv?q=pipeline")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # so Excel reads Türkiye as UTF-8
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text[1:]))}
    assert set(rows) == {d["id"] for d in TRICKY}
    first = rows["energy/a&b-1"]
    want = expected(TRICKY[0])
    assert {k: first[k] for k in ("id", "title", "date", "section", "url")} == {
        k: want[k] for k in ("id", "title", "date", "section", "url")}
    assert first["authors"].split("; ") == want["authors"]
    assert first["topics"].split("; ") == want["topics"]
    assert first["summary"] == Document.from_dict(TRICKY[0]).summary
    evil = rows["formula"]
    assert evil["title"] == "'" + TRICKY[1]["title"] and evil["authors"] == "'@admin"
    assert evil["section"] == "'-Security" and evil["topics"] == "'+Caspian"
    assert evil["summary"] == "'@SUM(A1) pipeline" and evil["url"] == ""


def test_bibtex_round_trips_every_field_through_bibtexparser(tricky) -> None:  # type: ignore[no-untyped-def]
    text = tricky.get("/search.bib?q=pipeline").get_data(as_text=True)
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks
    entries = {e.key: {f.key: f.value for f in e.fields} for e in library.entries}
    assert set(entries) == {"energy/a-b-1", "formula", "plain"}  # "&" cannot be in a key
    got, want = entries["energy/a-b-1"], expected(TRICKY[0])
    assert got["title"] == want["title"]
    assert [uninvert(a) for a in got["author"].split(" and ")] == want["authors"]
    assert got["date"] == want["date"] and got["year"] == "2024"
    assert got["type"] == want["section"] and got["keywords"].split(", ") == want["topics"]
    assert got["url"] == want["url"] and got["abstract"] == want["summary"]
    assert got["publisher"] == "Caspian Policy Center"
    assert "url" not in entries["formula"]  # javascript: is no link
    assert "date" not in entries["plain"] and "author" not in entries["plain"]


def test_ris_round_trips_every_field_through_rispy(tricky) -> None:  # type: ignore[no-untyped-def]
    text = tricky.get("/search.ris?q=pipeline").get_data(as_text=True)
    records = {r["id"]: r for r in rispy.loads(text)}
    assert set(records) == {d["id"] for d in TRICKY}
    got, want = records["energy/a&b-1"], expected(TRICKY[0])
    assert got["type_of_reference"] == "ELEC" and got["title"] == want["title"]
    assert [uninvert(a) for a in got["authors"]] == want["authors"]
    assert got["date"] == "2024/04/25" and got["year"] == "2024"
    assert got["section"] == want["section"] and got["keywords"] == want["topics"]
    assert got["urls"] == [want["url"]] and got["abstract"] == want["summary"]
    assert "urls" not in records["formula"]


def test_atom_feed_parses_newest_first_with_every_field(tricky) -> None:  # type: ignore[no-untyped-def]
    response = tricky.get("/search.atom?q=pipeline&sort=oldest&page=2")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10" and feed.feed.title == "cpcsearch: pipeline"
    assert feed.feed.id and feed.feed.updated_parsed[:3] == (2024, 4, 25)
    assert [e.id.rsplit("/articles/", 1)[1] for e in feed.entries] == [
        "energy/a&b-1", "formula", "plain"]  # newest first whatever the sort; undated last
    entry = feed.entries[0]
    assert entry.title == TRICKY[0]["title"]
    assert [a.name for a in entry.authors] == TRICKY[0]["authors"]
    assert entry.updated_parsed[:3] == (2024, 4, 25)
    links = {link.rel: link.href for link in entry.links}
    assert links["alternate"] == entry.id and links["related"] == TRICKY[0]["url"]
    assert entry.summary == Document.from_dict(TRICKY[0]).summary
    assert [t.term for t in entry.tags] == TRICKY[0]["topics"]
    assert {link.rel for link in feed.entries[1].links} == {"alternate"}
    assert tricky.get(entry.id.replace("http://localhost", "")).status_code == 200


def test_exports_follow_the_search_and_its_filters(client, demo_docs) -> None:  # type: ignore[no-untyped-def]
    author = next(d.authors[0] for d in demo_docs.values() if d.authors)
    rows = list(csv.DictReader(io.StringIO(
        client.get("/search.csv", query_string={"author": author}).get_data(as_text=True)[1:])))
    mine = {i for i, d in demo_docs.items() if author in d.authors}
    assert {r["id"] for r in rows} == mine
    everything = client.get("/search.csv?per_page=5&page=3").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(everything[1:])))) == min(len(demo_docs),
                                                                         EXPORT_CAP)
    assert client.get("/search.csv?from=yesterday").status_code == 400


def test_article_page_cites_in_three_styles_with_highwire_tags(tricky) -> None:  # type: ignore[no-untyped-def]
    html = tricky.get("/articles/energy/a&b-1").get_data(as_text=True)
    assert html.count('<meta name="citation_author"') == 3
    assert '<meta name="citation_author" content="Zəhra Məmmədova">' in html
    assert '<meta name="citation_title" content="Gas &amp; {Braces}' in html
    assert '<meta name="citation_publication_date" content="2024/04/25">' in html
    assert '<meta name="citation_publisher" content="Caspian Policy Center">' in html
    assert f'<meta name="citation_public_url" content="{TRICKY[0]["url"]}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Gas &amp; {Braces}' in html
    assert "Hajiyev, Ali, Zəhra Məmmədova, and Jan van der Berg." in html
    assert "@misc{energy/a-b-1," in html and "TY  - ELEC" in html
    bib = tricky.get("/cite/bib/energy/a&b-1")
    assert "attachment" in bib.headers["Content-Disposition"]
    assert bibtexparser.parse_string(bib.get_data(as_text=True)).entries[0].key == "energy/a-b-1"
    assert rispy.loads(tricky.get("/cite/ris/energy/a&b-1").get_data(as_text=True))[0]["id"] == (
        "energy/a&b-1")
    assert tricky.get("/cite/doc/energy/a&b-1").status_code == 400
    assert tricky.get("/cite/bib/no-such").status_code == 404


@pytest.mark.parametrize(("authors", "date", "title", "reference"), [
    ((), None, "Untitled brief", "“Untitled brief.” Caspian Policy Center, n.d. https://x.org/a"),
    (("Aigerim Saparova",), dt.date(2024, 3, 5), "Why Now?",
     "Saparova, Aigerim. “Why Now?” Caspian Policy Center, March 5, 2024. https://x.org/a"),
    (("Ali Hajiyev", "Cem Öz", "Jan van der Berg"), dt.date(2021, 12, 31), "Türkiye & Co",
     "Hajiyev, Ali, Cem Öz, and Jan van der Berg. “Türkiye & Co.” Caspian Policy Center, "
     "December 31, 2021. https://x.org/a"),
])
def test_chicago_reference(authors, date, title, reference) -> None:  # type: ignore[no-untyped-def]
    doc = Document(id="a", title=title, authors=authors, date=date, url="https://x.org/a")
    assert chicago(doc) == reference


def test_opensearch_description_and_its_suggestions(client) -> None:  # type: ignore[no-untyped-def]
    from lxml import etree

    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = etree.fromstring(response.data)
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    urls = {u.get("type"): u.get("template") for u in root.findall("os:Url", ns)}
    assert urls["text/html"] == "http://localhost/search?q={searchTerms}"
    suggest = urls["application/x-suggestions+json"].replace("http://localhost", "")
    answer = client.get(suggest.replace("{searchTerms}", "pipel"))
    assert answer.mimetype == "application/x-suggestions+json"
    query, completions = json.loads(answer.data)
    assert query == "pipel" and completions and all("pipel" in c.lower() for c in completions)
    for path in ("/", "/search?q=gas", "/api/"):
        assert 'rel="search" type="application/opensearchdescription+xml"' in client.get(
            path).get_data(as_text=True)


def test_results_page_links_its_feed_and_downloads(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/search?q=gas&sort=oldest&page=2").get_data(as_text=True)
    assert ('<link rel="alternate" type="application/atom+xml" title="Atom feed of this search"'
            ' href="/search.atom?q=gas&amp;sort=oldest">') in html
    for ext in ("csv", "bib", "ris"):
        assert f'href="/search.{ext}?q=gas&amp;sort=oldest"' in html
    assert "<h1" in html and 'rel="icon"' in html
    assert client.get("/favicon.ico").headers["Location"].endswith("/static/favicon.svg")
