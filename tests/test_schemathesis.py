"""The API against its own OpenAPI document, driven by schemathesis: no 5xx, answers as described.

Schemathesis generates requests for every operation of `/api/openapi.json` (valid and invalid
parameters alike) and checks each answer against the document: status, content type, shape.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from conftest import FIXTURES_DIR, build_index, make_config
from cpcsearch.web import create_app
from cpcsearch.web.openapi import spec

OPERATIONS = [(path, method) for path, methods in spec()["paths"].items() for method in methods]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    config = build_index(make_config(tmp_path_factory.mktemp("schemathesis"), ADMIN_TOKEN=""),
                         FIXTURES_DIR / "query_corpus.jsonl")
    return schemathesis.openapi.from_wsgi("/api/openapi.json", create_app(config))


@pytest.mark.parametrize(("path", "method"), OPERATIONS,
                         ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_every_operation_answers_as_its_document_says(api_schema, path: str,  # type: ignore[no-untyped-def]
                                                      method: str) -> None:
    operation = api_schema[path][method.upper()]

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def check(case) -> None:  # type: ignore[no-untyped-def]
        case.call_and_validate()

    check()
