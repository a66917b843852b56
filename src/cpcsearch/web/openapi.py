"""The OpenAPI 3.1 document of the JSON API and the admin API, served at /api/openapi.json."""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from typing import Any

from cpcsearch.search.request import (
    DEFAULT_FACET_SIZE,
    DEFAULT_PER_PAGE,
    MAX_FACET_SIZE,
    MAX_FACET_VALUES,
    MAX_PAGE,
    MAX_PER_PAGE,
    SORTS,
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _query(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


def _repeated(name: str, description: str) -> dict[str, Any]:
    return _query(name, description + " Repeat the parameter for several values.",
                  {"type": "array", "items": {"type": "string"}, "maxItems": MAX_FACET_VALUES},
                  style="form", explode=True)


STRINGS = {"type": "array", "items": {"type": "string"}}
YEAR = {"type": "string", "pattern": r"^[0-9]{4}$"}
# A year, a month or a day that exists on the calendar (the server answers 400 for 2023-02-30).
PARTIAL_DATE = {"type": "string", "pattern": (
    r"^(|(?!0000)[0-9]{4}(-(0?[1-9]|1[0-2])(-(0?[1-9]|1[0-9]|2[0-8]))?)?)$")}
DATE = {"type": ["string", "null"], "format": "date"}
LIMIT = _query("limit", "How many items, 1 to 50.",
               {"type": "integer", "minimum": 1, "maximum": 50})
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
      "description": "The article's id. An id may contain /: send it as it is."}
JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
LIMITS = {"400": _error("A parameter is invalid; the message names it."),
          "414": _error("The query string is too long."),
          "431": _error("The request's headers are too large.")}

SEARCH_PARAMETERS = [
    _query("q", "The query, in the query language of the README.", {"type": "string"}),
    _repeated("author", "Only articles by this author (the name, or as a citation writes it: "
                        "`Marsh, E.`)."),
    _repeated("topic", "Only articles with this topic."),
    _repeated("section", "Only articles of this section (program)."),
    _query("year", "Only articles of this year. Repeat the parameter for several years.",
           {"type": "array", "items": YEAR, "maxItems": MAX_FACET_VALUES}, style="form",
           explode=True),
    _query("from", "Published on or after (2023, 2023-05 or 2023-05-01).", PARTIAL_DATE),
    _query("to", "Published on or before; a year or a month includes all its days.",
           PARTIAL_DATE),
    _query("sort", "The order of the hits.", {"type": "string", "enum": list(SORTS),
                                              "default": "relevance"}),
    _query("page", "Which page of hits.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                           "default": 1}),
    _query("per_page", "Hits a page.", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                        "default": DEFAULT_PER_PAGE}),
    _query("facet_size", "Values listed of each facet but the year (every year is), the most "
           f"frequent first (every author: {MAX_FACET_SIZE}).",
           {"type": "integer", "minimum": 1, "maximum": MAX_FACET_SIZE,
            "default": DEFAULT_FACET_SIZE}),
]

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {"error": {
            "type": "object", "required": ["status", "message"], "additionalProperties": False,
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}},
    },
    "Hit": {
        "type": "object",
        "required": ["id", "url", "title", "authors", "date", "topics", "section", "snippet",
                     "score"],
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"},
            "url": {"type": "string", "description": "The original page: http(s), or empty."},
            "authors": STRINGS, "date": DATE, "topics": STRINGS, "section": {"type": "string"},
            "snippet": {"type": "string", "description": "Escaped HTML with <mark> on matches."},
            "score": {"type": "number"}},
    },
    "FacetValue": {"type": "object", "required": ["value", "count"],
                   "properties": {"value": {"type": ["string", "integer"]},
                                  "count": {"type": "integer", "minimum": 1}}},
    "SearchResults": {
        "type": "object",
        "required": ["query", "total", "page", "per_page", "hits", "facets", "suggestion",
                     "corrected", "took_ms"],
        "properties": {
            "query": {"type": "string"}, "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "hits": {"type": "array", "items": _ref("Hit")},
            "facets": {"type": "object", "description": "Counts over every match, by facet.",
                       "additionalProperties": {"type": "array", "items": _ref("FacetValue")}},
            "facet_totals": {"type": "object", "description": "How many values each facet has "
                             "over every match; its list shows `facet_size` of them (a year, "
                             "all).", "additionalProperties": {"type": "integer", "minimum": 0}},
            "pages": {"type": "integer", "minimum": 1},
            "suggestion": {"type": ["string", "null"]}, "corrected": {"type": "boolean"},
            "notices": STRINGS, "partial": {"type": "boolean"},
            "took_ms": {"type": "number"}},
    },
    "Document": {
        "type": "object",
        "required": ["id", "title", "body", "url", "authors", "date", "updated", "section",
                     "topics", "summary", "language", "fetched_at", "content_hash"],
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"}, "body": {"type": "string"},
            "url": {"type": "string", "description": "The original page: http(s), or empty."},
            "authors": STRINGS, "date": DATE, "updated": DATE, "section": {"type": "string"},
            "topics": STRINGS, "summary": {"type": "string"}, "language": {"type": "string"},
            "fetched_at": {"type": "string"}, "content_hash": {"type": "string"}},
    },
    "Related": {
        "type": "object", "required": ["id", "related"],
        "properties": {"id": {"type": "string"}, "related": {"type": "array", "items": {
            "type": "object", "required": ["id", "title", "url", "date"],
            "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                           "url": {"type": "string"}, "date": DATE}}}},
    },
    "Suggestions": {
        "type": "object", "required": ["query", "suggestions"],
        "properties": {"query": {"type": "string"}, "suggestions": {"type": "array", "items": {
            "type": "object", "required": ["kind", "text"],
            "properties": {"kind": {"type": "string",
                                    "enum": ["title", "author", "topic", "section", "year",
                                             "term"]},
                           "text": {"type": "string"}, "id": {"type": "string"}}}}},
    },
    "Stats": {
        "type": "object",
        "required": ["store_documents", "store_seq", "index_documents", "index_generation"],
        "properties": {"store_documents": {"type": "integer"}, "store_seq": {"type": "integer"},
                       "index_documents": {"type": "integer"},
                       "index_generation": {"type": ["string", "null"]}},
    },
    "Job": {
        "type": "object",
        "required": ["id", "kind", "params", "status", "phase", "done", "total", "created_at",
                     "started_at", "finished_at", "result", "error"],
        "properties": {
            "id": {"type": "integer"}, "kind": {"type": "string"},
            "params": {"type": "object"},
            "status": {"type": "string"}, "pid": {"type": ["integer", "null"]},
            "phase": {"type": "string"}, "done": {"type": "integer"},
            "total": {"type": "integer"}, "eta_seconds": {"type": ["number", "null"]},
            "created_at": {"type": "string"}, "started_at": {"type": ["string", "null"]},
            "updated_at": {"type": ["string", "null"]},
            "finished_at": {"type": ["string", "null"]},
            "result": {"type": ["object", "null"]}, "error": {"type": "string"}},
    },
}

ADMIN_ERRORS = {"401": _error("The bearer token is missing or wrong."),
                "403": _error("The admin API is off: CPCSEARCH_ADMIN_TOKEN is not set.")}

PATHS: dict[str, Any] = {
    "/api/": {"get": {
        "summary": "This reference, readable", "operationId": "docs",
        "responses": {"200": {"description": "An HTML page",
                              "content": {"text/html": {"schema": {"type": "string"}}}}}}},
    "/api/openapi.json": {"get": {
        "summary": "This document", "operationId": "openapi",
        "responses": {"200": _json({"type": "object"}, "The OpenAPI 3.1 document")}}},
    "/api/search": {"get": {
        "summary": "Search the articles, as the readers' page does", "operationId": "search",
        "parameters": SEARCH_PARAMETERS,
        "responses": {"200": _json(_ref("SearchResults"), "A page of hits, facets"), **LIMITS}}},
    "/api/articles/{id}": {"get": {
        "summary": "One article, every field", "operationId": "article", "parameters": [ID],
        "responses": {"200": _json(_ref("Document"), "The document"),
                      "404": _error("No article has this id."), **LIMITS}}},
    "/api/articles/{id}/related": {"get": {
        "summary": "Articles like this one", "operationId": "related", "parameters": [ID, LIMIT],
        "responses": {"200": _json(_ref("Related"), "Related articles"),
                      "404": _error("No article has this id."), **LIMITS}}},
    "/api/suggest": {"get": {
        "summary": "Completions of a query being typed", "operationId": "suggest",
        "parameters": [
            _query("q", "What has been typed so far.", {"type": "string"}), LIMIT,
            _query("format", "opensearch answers [query, [completions]], for browsers.",
                   {"type": "string", "enum": ["json", "opensearch"], "default": "json"})],
        "responses": {"200": {"description": "Completions", "content": {
            "application/json": {"schema": _ref("Suggestions")},
            "application/x-suggestions+json": {"schema": {
                "type": "array", "minItems": 2, "maxItems": 2,
                "description": "[the query, [completions]]"}}}},
            **LIMITS}}},
    "/api/stats": {"get": {
        "summary": "Counts of the store and the index", "operationId": "stats",
        "responses": {"200": _json(_ref("Stats"), "Counts"), **LIMITS}}},
    "/healthz": {"get": {
        "summary": "Whether the server can search", "operationId": "health",
        "responses": {
            "200": _json({"allOf": [_ref("Stats"), {"properties": {"status": {"const": "ok"}}}]},
                         "The server can search"),
            "503": _json({"allOf": [_ref("Stats"), {"properties": {"status": {
                "const": "no index"}}}]}, "No index yet")}}},
    "/admin/reindex": {"post": {
        "summary": "Apply the store's changes to the index, or rebuild it",
        "operationId": "reindex",
        "security": [{"bearer": []}],
        "requestBody": {"required": False, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False,
            "properties": {"full": {"type": "boolean", "default": False},
                           "allow_empty": {"type": "boolean", "default": False}}}}}},
        "responses": {
            "202": _json({"type": "object", "required": ["job", "status_url"],
                          "properties": {"job": {"type": "integer"},
                                         "status_url": {"type": "string"}}}, "The job started"),
            "400": _error("The body is not such a JSON object."),
            "409": _json({"type": "object", "required": ["error", "job"],
                          "properties": {"error": SCHEMAS["Error"]["properties"]["error"],
                                         "job": _ref("Job")}},
                         "Another reindex is running: the error, and that job"),
            "413": _error("The body is too large."),
            "503": _error("The store does not exist or cannot be read."), **ADMIN_ERRORS}}},
    "/admin/jobs": {"get": {
        "summary": "The latest jobs, newest first", "operationId": "jobs",
        "security": [{"bearer": []}],
        "responses": {"200": _json({"type": "object", "required": ["jobs"],
                                    "properties": {"jobs": {"type": "array",
                                                            "items": _ref("Job")}}},
                                   "The latest 20 jobs"), **ADMIN_ERRORS}}},
    "/admin/jobs/{job_id}": {"get": {
        "summary": "A job's progress and result", "operationId": "job",
        "security": [{"bearer": []}], "parameters": [JOB_ID],
        "responses": {"200": _json(_ref("Job"), "The job"), "404": _error("No job has this id."),
                      **ADMIN_ERRORS}}},
}


@cache
def spec() -> dict[str, Any]:
    """Return the OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "cpcsearch API", "version": version("cpcsearch"),
                 "description": "Search the Caspian Policy Center's articles. Every error has "
                                "one shape: {\"error\": {\"status\", \"message\"}}."},
        "paths": PATHS,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "The value of CPCSEARCH_ADMIN_TOKEN."}}},
    }
