"""The OpenAPI document describes every API route, and real answers match it (openapi-core)."""

from __future__ import annotations

import contextlib
import json
import os
import re

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate
from werkzeug.test import EnvironBuilder

from conftest import ADMIN_TOKEN, make_config
from cpcsearch import jobs
from cpcsearch.errors import JobRunning
from cpcsearch.store import Store
from cpcsearch.web import create_app
from cpcsearch.web.openapi import spec

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def openapi() -> OpenAPI:
    """Return the document as openapi-core reads it; browsers' suggestions are JSON too."""
    return OpenAPI.from_dict(spec(), config=Config(
        extra_media_type_deserializers={"application/x-suggestions+json": json.loads}))


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(spec())
    assert spec()["openapi"] == "3.1.0"


def test_every_api_and_admin_route_is_described(client) -> None:  # type: ignore[no-untyped-def]
    described = {(path, method.upper()) for path, ops in spec()["paths"].items() for method in ops}
    routes = set()
    for rule in client.application.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/admin/", "/healthz")):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).replace("{doc_id}", "{id}")
            routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == described


def first_id(client) -> str:  # type: ignore[no-untyped-def]
    return client.get("/api/search?q=gas").get_json()["hits"][0]["id"]


CASES = [
    ("GET", "/api/search?q=gas", 200),
    ("GET", "/api/search?q=pipeline&author=Farid+Huseynli&sort=newest&page=1&per_page=5", 200),
    ("GET", "/api/search?q=zzqqxx", 200),
    ("GET", "/api/search?page=0", 400),
    ("GET", "/api/search?sort=best", 400),
    ("GET", "/api/search?q=" + "x" * 20_000, 414),
    ("GET", "/api/articles/{id}", 200),
    ("GET", "/api/articles/no-such-id", 404),
    ("GET", "/api/articles/{id}/related?limit=3", 200),
    ("GET", "/api/articles/{id}/related?limit=99", 400),
    ("GET", "/api/suggest?q=pipel", 200),
    ("GET", "/api/suggest?q=pipel&format=opensearch", 200),
    ("GET", "/api/stats", 200),
    ("GET", "/healthz", 200),
    ("GET", "/api/openapi.json", 200),
    ("GET", "/api/", 200),
    ("POST", "/admin/reindex", 401),
    ("GET", "/admin/jobs/999", 404),
]


@pytest.mark.parametrize(("method", "url", "status"), CASES)
def test_real_answers_match_the_document(client, method: str, url: str, status: int) -> None:  # type: ignore[no-untyped-def]
    url = url.replace("{id}", first_id(client))
    headers = AUTH if url.startswith("/admin/jobs") else {}
    response = client.open(url, method=method, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    request = EnvironBuilder(path=url.split("?")[0], query_string=url.partition("?")[2],
                             method=method, headers=headers).get_request()
    openapi().validate_response(WerkzeugOpenAPIRequest(request),
                                                WerkzeugOpenAPIResponse(response))


def test_admin_answers_match_the_document(tmp_path) -> None:  # type: ignore[no-untyped-def]
    api = openapi()
    missing = make_config(tmp_path / "nothing")
    for config, body, headers, status in [
        (make_config(tmp_path, ADMIN_TOKEN=""), b"", {}, 403),
        (missing, b'{"full": false}', AUTH, 503),
        (make_config(tmp_path), b'{"full": false}', AUTH, 202),
        (make_config(tmp_path), b'{"full": false}', AUTH, 409),
        (make_config(tmp_path), b'{"fast": 1}', AUTH, 400),
        (make_config(tmp_path), b"x" * 100_000, AUTH, 413),
    ]:
        with Store(make_config(tmp_path).STORE) as store:
            if status == 409:  # a job of this live process runs, whether the 202's has ended
                with contextlib.suppress(JobRunning):
                    jobs.claim(store, "reindex", {}, os.getpid())
        client = create_app(config).test_client()
        headers = {**headers, "Content-Type": "application/json"}
        response = client.post("/admin/reindex", data=body, headers=headers)
        assert response.status_code == status
        request = EnvironBuilder(path="/admin/reindex", method="POST", headers=headers,
                                 data=body).get_request()
        api.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))


def test_the_api_page_links_the_document(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/api/").get_data(as_text=True)
    assert 'href="/api/openapi.json"' in html
    for path in spec()["paths"]:
        assert f" {path}</code>" in html
