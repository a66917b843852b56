"""The crawler against a real HTTP server playing www.caspianpolicy.org (see fakesite.py)."""

from __future__ import annotations

import email.utils
import gzip
import socket
import statistics
import time
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from cpcsearch.cli import main
from cpcsearch.config import Config
from cpcsearch.errors import ScrapeError
from cpcsearch.pipeline import run_reindex
from cpcsearch.scrape.crawl import crawl, reextract
from cpcsearch.scrape.crawl.discover import from_html, is_listing
from cpcsearch.scrape.crawl.fetch import Fetcher, Tuning, _says_more, decode, retry_after
from cpcsearch.scrape.sources import fetch_page
from cpcsearch.scrape.urls import absolute_url, doc_id_for
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.request import SearchRequest
from cpcsearch.store import Store
from fakesite import (
    BASE,
    HOST,
    FakeSite,
    Route,
    article,
    iter_gaps,
    listing,
    rss,
    sitemap,
    sitemap_index,
)

EEP, SPP = "/research/energy-and-economy-program-eep", "/research/security-and-politics-program-spp"
SCP, CAP = "/research/south-caucasus-program-scp", "/research/central-asia-program-cap"
A, COPY, B = f"{EEP}/middle-corridor", f"{EEP}/middle-corridor-copy", f"{EEP}/caspian-fisheries"
C, D, E = f"{SPP}/csto-kazakhstan", f"{SCP}/anaklia-port", f"{CAP}/rogun-dam"
F, RU_META, RU_HTTP = f"{CAP}/kyrgyz-winter", f"{CAP}/caspian-ru", f"{CAP}/caspian-ru-http"
PDF, HUGE, BROKEN = "/research/annual-report", "/research/huge", "/research/broken"
ARTICLES = (A, B, C, D, E, F, RU_META, RU_HTTP)
RU_TITLE = "Каспийское море и энергетика"
RU_WORDS = ("Каспийское море остаётся ключевым регионом для энергетики и торговли между Европой "
            "и Азией. Правительства и инвесторы внимательно следят за портами и трубопроводами.")
TUNING = {"delay": 0.0, "retries": 2, "backoff_base": 0.01, "backoff_cap": 2.0, "timeout": 5.0}


def html_route(text: str, encoding: str = "utf-8", content_type: str = "") -> Route:
    return Route(text.encode(encoding), validators=True,
                 content_type=content_type or f"text/html; charset={encoding}")


def build(site: FakeSite) -> None:
    """Lay out the site of the first crawl."""
    xml = "application/xml"
    ru_page = article(RU_META, RU_TITLE, "", charset="windows-1251", lang="ru", words=RU_WORDS)
    site.routes.update({
        "/robots.txt": Route(
            f"User-agent: *\nDisallow: /private\nCrawl-delay: 0.02\n"
            f"Sitemap: {BASE}/sitemap_index.xml\n".encode(), content_type="text/plain"),
        "/sitemap_index.xml": Route(sitemap_index([f"{BASE}/post-sitemap.xml"]).encode(),
                                    content_type=xml),
        "/post-sitemap.xml": Route(sitemap([
            BASE + A, BASE + COPY, f"{BASE}{B}?utm_source=newsletter", BASE + RU_META,
            BASE + RU_HTTP, BASE + PDF, BASE + HUGE]).encode(), content_type=xml),
        "/research": html_route(listing("Research", [
            (C, "CSTO"), (f"http://caspianpolicy.com{D}", "Anaklia"), (B + "/", "Fisheries"),
            ("/private/secret", "Members only"), ("/loop-a", "Moved"),
            ("https://www.facebook.com/sharer", "Share")],
            next_url="/research?page=2", feed="/feed")),
        "/research?page=2": html_route(listing("Research", [(E, "Rogun"), (BROKEN, "Down")])),
        "/feed": Route(rss([BASE + F]).encode(), content_type="application/rss+xml"),
        A: html_route(article(A, "The Middle Corridor", "corridorfreight")),
        COPY: html_route(article(COPY, "The Middle Corridor", "corridorfreight")),
        B: html_route(article(B, "Caspian Fisheries", "sturgeon")),
        C: html_route(article(C, "The CSTO in Kazakhstan", "peacekeepers")),
        D: html_route(article(D, "Anaklia Port", "portcontract")),
        E: html_route(article(E, "Rogun Dam", "hydropower")),
        F: Route(article(F, "Kyrgyz Winter", "kambarata").encode(), validators=True,
                 fail_first=1),
        RU_META: html_route(ru_page, "windows-1251", content_type="text/html"),
        RU_HTTP: html_route(article(RU_HTTP, RU_TITLE, "", charset="windows-1251", lang="ru",
                                    words=RU_WORDS + " Заголовок HTTP.")
                            .replace('<meta charset="windows-1251">', ""), "windows-1251"),
        PDF: Route(b"%PDF-1.4 not a web page", content_type="application/pdf"),
        HUGE: Route(stream_bytes=20 * 1024 * 1024),
        BROKEN: Route(b"oops", status=500),
        "/loop-a": Route(status=301, headers={"Location": "/loop-b"}),
        "/loop-b": Route(status=302, headers={"Location": f"{BASE}/loop-a"}),
        "/private/secret": html_route(article("/private/secret", "Secret", "secret")),
    })


def change(site: FakeSite) -> None:
    """Between the crawls: C is withdrawn (410, unlinked) and D is rewritten."""
    site.routes[C] = Route(b"gone", status=410)
    site.routes["/research"] = html_route(
        site.routes["/research"].body.decode().replace(f'<a href="{C}">', '<a href="/research">'))
    site.routes[D] = html_route(article(D, "Anaklia Port", "deepwater"))
    site.requests.clear()


@pytest.fixture
def site():
    with FakeSite() as fake:
        build(fake)
        yield fake


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config.load(env={}, STORE=str(tmp_path / "store.sqlite"),
                       INDEX_DIR=str(tmp_path / "index"), START_URLS=f"{BASE}/research")


def run(site: FakeSite, config: Config, **options):
    with Store(config.STORE) as store:
        return crawl(store, config, progress=False, transport=site.transport(),
                     **{**TUNING, **options})


def doc_id(path: str) -> str:
    return doc_id_for(BASE + path)


def search_ids(config: Config, words: str) -> set[str]:
    engine = SearchEngine(config.INDEX_DIR)
    return {hit.id for hit in engine.search(SearchRequest(q=words)).hits}


def test_first_crawl_requests_each_page_once_and_politely(site: FakeSite, config: Config):
    report = run(site, config)
    paths = site.paths()
    assert set(paths) == {
        "/robots.txt", "/sitemap_index.xml", "/post-sitemap.xml", "/research",
        "/research?page=2", "/feed", "/loop-a", "/loop-b", PDF, HUGE, BROKEN, COPY, *ARTICLES,
    }
    assert "/private/secret" not in paths  # forbidden by robots.txt
    assert paths.count("/robots.txt") == paths.count(B) == paths.count(D) == 1
    assert paths.count(F) == 2  # 429, then 200 after Retry-After
    assert paths.count(BROKEN) == 3  # 500, retried twice, then given up
    assert {r.host for r in site.requests} == {HOST}  # mirror spelling fetched on the main host
    assert {r.headers["User-Agent"] for r in site.requests} == {config.USER_AGENT}
    # robots.txt's Crawl-delay: 0.02 beats delay 0 (the median ignores network jitter)
    assert statistics.median(iter_gaps(site.requests)) >= 0.018
    retried = [r.at for r in site.requests if r.path == F]
    assert retried[1] - retried[0] >= 0.9
    assert site.streamed < 20 * 1024 * 1024  # the 20 MB page was cut off, not downloaded
    assert (report.fetched, report.new, report.listings, report.duplicates) == (18, 8, 2, 1)
    assert (report.skipped, report.failed, report.unchanged, report.gone) == (2, 3, 0, 0)
    reasons = dict(report.failures)
    assert "redirect loop" in reasons[f"{BASE}/loop-a"]
    assert "larger than 5 MB" in reasons[BASE + HUGE]
    assert "HTTP 500 after 2 retries" in reasons[BASE + BROKEN]
    assert report.summary().startswith("crawled 18 pages: 8 new, 0 changed, 0 unchanged (304)")
    assert report.summary().endswith("3 failed (see log)")


def test_first_crawl_stores_articles_once_with_their_raw_html(site: FakeSite, config: Config):
    run(site, config)
    with Store(config.STORE) as store:
        assert store.count() == len(ARTICLES)
        for path in ARTICLES:
            assert store.get(doc_id(path)).url == BASE + path
        assert store.get(doc_id(COPY)) is None  # same text as A
        assert "corridorfreight" in store.raw_html(doc_id(A))
        for path in (RU_META, RU_HTTP):
            russian = store.get(doc_id(path))
            assert russian.title == RU_TITLE
            assert "Каспийское море" in russian.body


def test_second_crawl_is_incremental_and_the_index_follows(site: FakeSite, config: Config):
    run(site, config)
    run_reindex(config)
    assert search_ids(config, "peacekeepers") == {doc_id(C)}
    assert search_ids(config, "portcontract") == {doc_id(D)}

    change(site)
    report = run(site, config)
    conditional = {r.path for r in site.requests if "If-None-Match" in r.headers}
    assert conditional == set(ARTICLES)  # listings are read in full for their links
    assert (report.new, report.changed, report.unchanged, report.gone) == (0, 1, 6, 1)
    assert report.summary().startswith("crawled 18 pages: 0 new, 1 changed, 6 unchanged (304), "
                                       "1 gone")
    with Store(config.STORE) as store:
        assert store.get(doc_id(C)) is None
        assert store.history_count(doc_id(C)) == 1  # kept in the store's history
        assert "deepwater" in store.get(doc_id(D)).body

    index = run_reindex(config)
    assert (index.full, index.indexed, index.removed) == (False, 1, 1)
    assert search_ids(config, "peacekeepers") == set()
    assert search_ids(config, "portcontract") == set()
    assert search_ids(config, "deepwater") == {doc_id(D)}
    assert search_ids(config, "sturgeon") == {doc_id(B)}


def test_limit_caps_the_pages_fetched(site: FakeSite, config: Config):
    report = run(site, config, limit=3)
    assert report.fetched == 3
    assert len(site.requests) == 4  # robots.txt and three pages


def test_reextract_rereads_stored_raw_pages(site: FakeSite, config: Config):
    run(site, config)
    with Store(config.STORE) as store:
        damaged = store.get(doc_id(A)).replace(title="Wrong title")
        store.upsert(damaged)
        report = reextract(store)
        assert (report.changed, report.unchanged, report.failed) == (1, len(ARTICLES) - 1, 0)
        assert store.get(doc_id(A)).title == "The Middle Corridor"
    assert report.summary() == "re-extracted 8 pages: 1 changed, 7 unchanged, 0 failed"


def test_cli_reextract_then_reindexes(site: FakeSite, config: Config):
    run(site, config)
    env = {"CPCSEARCH_STORE": config.STORE, "CPCSEARCH_INDEX_DIR": config.INDEX_DIR}
    result = CliRunner().invoke(main, ["reextract"], env=env)
    assert result.exit_code == 0, result.output
    assert "re-extracted 8 pages: 0 changed" in result.output
    assert "8 indexed" in result.output


@pytest.mark.parametrize("command", ["crawl", "reextract"])
def test_cli_help_has_an_example(command: str):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Example: cpcsearch " + command in result.output


@pytest.mark.parametrize(("header", "seconds"), [
    ("1", 1.0),
    ("120", 120.0),
    (None, None),
    ("soon", None),
    ("\u00b2", None),  # a digit to isdigit, not to float
    (30, 30.0),  # an HTTP date 30 s from now
    (-30, 0.0),  # an HTTP date in the past
])
def test_retry_after_reads_seconds_and_http_dates(header: str | int | None,
                                                  seconds: float | None):
    if isinstance(header, int):
        header = email.utils.formatdate(time.time() + header, usegmt=True)
    wait = retry_after(header)
    if seconds is None:
        assert wait is None
    else:
        assert wait == pytest.approx(seconds, abs=2)


@pytest.mark.parametrize(("header", "more"), [
    ("2000", True), ("1000", False), ("0001000", False), ("", False), ("x", False),
    ("\u00b2", False), ("9" * 5000, True), ("-5", False),
])
def test_a_declared_length_over_the_cap_is_read_from_any_header(header: str, more: bool) -> None:
    assert _says_more(header, 1000) is more


@pytest.mark.parametrize(("raw", "charset"), [
    ('<meta charset="windows-1251"><p>Каспий</p>'.encode("cp1251"), None),
    ("<p>Каспий</p>".encode("cp1251"), "windows-1251"),
    ('<meta charset="windows-1251"><p>Каспий</p>'.encode(), "utf-8"),  # HTTP beats meta
    ("<p>Каспий</p>".encode(), None),
])
def test_decode_uses_http_charset_then_meta(raw: bytes, charset: str | None):
    assert "Каспий" in decode(raw, charset)


def test_listing_pages_are_told_from_articles():
    assert is_listing(BeautifulSoup(listing("Research", [(A, "a"), (B, "b")]), "lxml"))
    assert not is_listing(BeautifulSoup(article(A, "The Middle Corridor", "x"), "lxml"))
    demo = sorted(Path(Config.load(env={}).DEMO_DIR).glob("*.html"))
    assert not any(is_listing(BeautifulSoup(p.read_text(encoding="utf-8"), "lxml")) for p in demo)


def test_cli_extract_url_fetches_as_the_crawler_does():
    with FakeSite() as site:
        page = article(RU_META, RU_TITLE, "", charset="windows-1251", lang="ru", words=RU_WORDS)
        site.routes.update({
            "/robots.txt": Route(b"User-agent: *\nDisallow: /private\n", content_type="text/plain"),
            RU_META: Route(page.encode("windows-1251"), content_type="text/html"),
            "/private/page": html_route(article("/private/page", "Private", "secret")),
            "/moved": Route(status=301, headers={"Location": RU_META}),
        })
        local = f"http://127.0.0.1:{site.port}"
        env = {"CPCSEARCH_CRAWL_DELAY": "0"}
        runner = CliRunner()
        result = runner.invoke(main, ["extract", f"{local}/moved", "--json"], env=env)
        forbidden = runner.invoke(main, ["extract", f"{local}/private/page"], env=env)
        missing = runner.invoke(main, ["extract", f"{local}/nothing-here"], env=env)
    assert result.exit_code == 0, result.output
    assert RU_TITLE in result.output  # decoded by the page's own charset declaration
    assert site.paths()[:3] == ["/robots.txt", "/moved", RU_META]
    assert {r.headers["User-Agent"] for r in site.requests} == {Config.load(env={}).USER_AGENT}
    assert "/private/page" not in site.paths()
    assert forbidden.exit_code == 1 and "forbidden by robots.txt" in forbidden.output
    assert missing.exit_code == 1 and "HTTP 404" in missing.output


def test_extract_url_of_an_unreachable_site_says_so():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    url = f"http://127.0.0.1:{port}/research/x"
    with pytest.raises(ScrapeError, match=r"site unreachable \(.*ConnectError"):
        fetch_page(url, Config.load(env={}), Tuning(delay=0.0, retries=0))


def test_gzipped_sitemaps_and_atom_feeds_are_read(config: Config):
    gz, atom = "application/x-gzip", "application/atom+xml"
    feed = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>CPC</title><entry><title>T</title><link rel="alternate" href="{BASE + E}"/>'
            "</entry></feed>")
    with FakeSite() as site:
        site.routes.update({
            "/robots.txt": Route(f"User-agent: *\nSitemap: {BASE}/sitemap.xml.gz\n".encode(),
                                 content_type="text/plain"),
            "/sitemap.xml.gz": Route(gzip.compress(sitemap_index([
                f"{BASE}/post-sitemap.xml.gz", f"{BASE}/broken-sitemap.xml.gz",
                f"{BASE}/bomb-sitemap.xml.gz"]).encode()), content_type=gz),
            "/post-sitemap.xml.gz": Route(gzip.compress(sitemap([BASE + A, BASE + B]).encode()),
                                          content_type="application/octet-stream"),
            "/broken-sitemap.xml.gz": Route(b"\x1f\x8b not really gzip", content_type=gz),
            "/bomb-sitemap.xml.gz": Route(gzip.compress(b" " * 3_000_000), content_type=gz),
            "/research": html_route(listing("Research", [(C, "CSTO"), (A, "Corridor")],
                                            feed="/feed/atom")),
            "/feed/atom": Route(feed.encode(), content_type=atom),
            A: html_route(article(A, "The Middle Corridor", "corridorfreight")),
            B: html_route(article(B, "Caspian Fisheries", "sturgeon")),
            C: html_route(article(C, "The CSTO in Kazakhstan", "collective")),
            E: html_route(article(E, "Rogun Dam", "hydropower")),
        })
        report = run(site, config, max_bytes=2 * 1024 * 1024)
    with Store(config.STORE) as store:
        assert {store.get(doc_id(p)).title for p in (A, B, C, E)} == {
            "The Middle Corridor", "Caspian Fisheries", "The CSTO in Kazakhstan", "Rogun Dam"}
    reasons = dict(report.failures)
    assert "broken gzip file" in reasons[f"{BASE}/broken-sitemap.xml.gz"]
    assert "unpacks to more than 2 MB" in reasons[f"{BASE}/bomb-sitemap.xml.gz"]
    assert report.new == 4 and report.failed == 2


def test_a_redirect_to_no_usable_url_is_a_clear_error() -> None:
    fetcher = Fetcher("cpcsearch-test", 0.0, Tuning(), lambda url: True)
    try:
        for location in ("http://[::1", "mailto:editor@example.org"):
            with pytest.raises(ScrapeError, match="not an http"):
                fetcher._read(f"{BASE}/a", httpx.Response(301, headers={"Location": location}),
                              None)
        moved = fetcher._read(f"{BASE}/a", httpx.Response(301, headers={"Location": "/b"}), None)
        assert moved.location == f"{BASE}/b"
    finally:
        fetcher.close()


def test_links_that_are_no_urls_are_passed_over() -> None:
    soup = BeautifulSoup('<base href="http://[::1"><a href="http://[::1/x">a</a>'
                         '<a href="mailto:a@b.org">b</a><a href="/research/c">c</a>'
                         '<link rel="next" href="http://[::1">', "lxml")
    assert from_html(soup, f"{BASE}/research").pages == [f"{BASE}/research/c"]


@pytest.mark.parametrize(("href", "base", "url"), [
    ("/research/x", f"{BASE}/a", f"{BASE}/research/x"),
    ("https://example.org/y", "", "https://example.org/y"),
    ("/research/x", "", None),  # relative, with nothing to read it against
    ("http://[::1", "", None),  # does not parse
    ("mailto:a@b.org", f"{BASE}/a", None),
    ("\u00b2", f"{BASE}/a/", f"{BASE}/a/\u00b2"),
    ("https:///no-host", "", None),
])
def test_absolute_url(href: str, base: str, url: str | None) -> None:
    assert absolute_url(href, base) == url
