"""The web app through Flask's test client: pages, the JSON API, errors, admin auth."""

from __future__ import annotations

import time

import pytest

from conftest import ADMIN_TOKEN, build_index, make_config
from cpcsearch.web import create_app

MALFORMED = ['"unclosed', "(", ")", "AND", "OR NOT", "x" * 10_000, "gas\x00pipeline", "author:",
             "date:", "title:(", "***", "~", "\"\"", "a AND (b OR", "what is the cost? of: gas",
             "EFFECTS OF SANCTIONS AND TARIFFS ON TRADE", "date:[2023 to",
             "<script>alert(1)</script>", "date:[pipe", 'date:"the"', "date:\u201c:\u00bb",
             'words:"of gas"', "(^2) gas", "gas~2/9", '+pipe NOT date:"id:"',
             "gas REQUIRE REQUIRE pipeline", "ANDMAYBE ANDNOT gas", "\u201d~5UN nations"]


def test_api_search_shape(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/search?q=gas&per_page=3").get_json()
    assert list(data)[:6] == ["query", "total", "page", "per_page", "hits", "facets"]
    assert data["query"] == "gas" and data["page"] == 1 and data["per_page"] == 3
    assert len(data["hits"]) == 3 and data["total"] > 3
    for hit in data["hits"]:
        assert {"id", "url", "title", "authors", "date", "topics", "snippet", "score"} <= set(hit)
        assert isinstance(hit["authors"], list) and isinstance(hit["topics"], list)
    assert set(data["facets"]) == {"author", "topic", "section", "year"}
    assert all(set(f) == {"value", "count", "selected"} for f in data["facets"]["year"])
    assert "suggestion" in data


@pytest.mark.parametrize("query", MALFORMED)
def test_malformed_queries_never_fail(client, query: str) -> None:  # type: ignore[no-untyped-def]
    for path in ("/api/search", "/search"):
        response = client.get(path, query_string={"q": query})
        assert response.status_code in (200, 400), (path, query, response.status_code)
        if path == "/api/search" and response.status_code == 400:
            assert response.get_json()["error"]["status"] == 400


def test_a_sentence_in_capitals_searches_its_words(client) -> None:  # type: ignore[no-untyped-def]
    shouting = client.get("/api/search?q=ECONOMIC+REFORMS+AND+TRADE").get_json()
    quiet = client.get("/api/search?q=economic+reforms+trade").get_json()
    assert shouting["total"] == quiet["total"] > 0


@pytest.mark.parametrize(("url", "status", "message"), [
    ("/api/search?page=0", 400, "page 0 is out of range"),
    ("/api/search?per_page=101", 400, "per_page 101 is out of range"),
    ("/api/search?sort=best", 400, "sort 'best' is unknown"),
    ("/api/search?from=yesterday", 400, "is not a date"),
    ("/api/search?from=2024-01-01&to=2023-12", 400, "is after to"),
    ("/api/articles/no-such-id", 404, "no article has the id"),
    ("/api/nothing-here", 404, "not found"),
])
def test_one_json_error_shape(client, url: str, status: int, message: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert set(error) == {"status", "message"} and error["status"] == status
    assert message.lower() in error["message"].lower()


def test_search_page_lists_results_with_links_and_facets(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/search?q=pipeline").get_data(as_text=True)
    assert '<label for="q">' in html and "results" in html
    assert 'href="/articles/' in html and "<mark>" in html
    assert "author=" in html and "topic=" in html


def test_article_page_and_api(client, demo_docs) -> None:  # type: ignore[no-untyped-def]
    doc_id, doc = next(iter(sorted(demo_docs.items())))
    html = client.get(f"/articles/{doc_id}").get_data(as_text=True)
    assert doc.title.replace("'", "&#39;").replace("&", "&amp;").split("&")[0] in html
    data = client.get(f"/api/articles/{doc_id}").get_json()
    assert data["id"] == doc_id and data["body"] == doc.body
    related = client.get(f"/api/articles/{doc_id}/related").get_json()["related"]
    assert related and doc_id not in {r["id"] for r in related}


def test_scraped_markup_is_escaped_in_pages(tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "evil.html"
    page.write_text(
        "<html><head><title>Evil &lt;b&gt;title | Caspian Policy Center</title></head><body>"
        "<main><h1>Evil &lt;img src=x onerror=alert(1)&gt; title</h1>"
        "<p class='author'>Author: Mal &lt;i&gt;Ory</p><div class='post-content'><p>"
        + "Pipeline politics in the Caspian region. " * 8
        + "&lt;script&gt;alert('pwned')&lt;/script&gt; pipeline</p></div></main></body></html>",
        encoding="utf-8")
    config = build_index(make_config(tmp_path), page)
    client = create_app(config).test_client()
    for url in ("/search?q=pipeline", "/search?q=alert"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html or "&lt;img" in html
    doc_id = client.get("/api/search?q=pipeline").get_json()["hits"][0]["id"]
    article = client.get(f"/articles/{doc_id}").get_data(as_text=True)
    assert "<script>alert" not in article and "&lt;script&gt;" in article


def test_admin_needs_a_token(tmp_path) -> None:  # type: ignore[no-untyped-def]
    off = create_app(make_config(tmp_path, ADMIN_TOKEN="")).test_client()
    response = off.post("/admin/reindex")
    assert response.status_code == 403 and "CPCSEARCH_ADMIN_TOKEN" in response.get_json()[
        "error"]["message"]
    on = create_app(make_config(tmp_path)).test_client()
    assert on.post("/admin/reindex").status_code == 401
    assert on.post("/admin/reindex", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_admin_reindex_job_runs_and_the_server_sees_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import DEMO_DIR

    pages = sorted(DEMO_DIR.glob("*.html"))
    config = build_index(make_config(tmp_path), *pages[:5])
    client = create_app(config).test_client()
    before = client.get("/api/stats").get_json()["index_documents"]
    from cpcsearch.importer import import_paths
    from cpcsearch.store import Store

    with Store(config.STORE) as store:
        import_paths(store, pages[5:8])
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    started = client.post("/admin/reindex", json={"full": True}, headers=auth)
    assert started.status_code == 202
    job_url = f"/admin/jobs/{started.get_json()['job']}"
    for _ in range(100):
        job = client.get(job_url, headers=auth).get_json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert job["status"] == "done", job
    assert job["result"]["total"] == before + 3
    time.sleep(0.3)  # the engine looks for a new generation every RELOAD_SECONDS
    assert client.get("/api/search?q=caspian&per_page=100").get_json()["total"] <= before + 3
    assert client.get("/api/stats").get_json()["index_documents"] == before + 3
    assert client.get("/admin/jobs/999", headers=auth).status_code == 404


def test_suggest_completes_titles_names_and_words(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/suggest?q=pipel").get_json()
    texts = [s["text"].lower() for s in data["suggestions"]]
    assert texts and all("pipel" in t for t in texts)
    assert {s["kind"] for s in data["suggestions"]} <= {"title", "author", "topic", "term"}
    assert client.get("/api/suggest?q=").get_json()["suggestions"] == []
    doc_id = client.get("/api/search?q=pipeline").get_json()["hits"][0]["id"]
    for limit in ("0", "51", "-1", "x", "\u00b2", "9" * 5000):  # ² is a digit, not 0-9
        assert client.get(f"/api/suggest?q=pipel&limit={limit}").status_code == 400
        assert client.get(f"/api/articles/{doc_id}/related?limit={limit}").status_code == 400
    assert len(client.get("/api/suggest?q=pipel&limit=2").get_json()["suggestions"]) <= 2


def test_article_page_shows_subheadings_and_no_repeated_lead(client, demo_docs) -> None:  # type: ignore[no-untyped-def]
    doc_id, doc = next((i, d) for i, d in sorted(demo_docs.items())
                       if d.summary.rstrip("…") and d.body.startswith(d.summary.rstrip("…")))
    html = client.get(f"/articles/{doc_id}").get_data(as_text=True)
    assert 'class="summary"' not in html
    assert "<h2>" in html.split('<section class="related"')[0]


@pytest.mark.parametrize("limit", ["1", "2", "50"])
def test_suggest_answers_any_allowed_limit(client, limit: str) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"/api/suggest?q=pipe&limit={limit}")
    assert answer.status_code == 200
    assert 1 <= len(answer.get_json()["suggestions"]) <= int(limit)
