"""The JSON API for researchers: the same search as the page, plus articles and stats."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, json, render_template, request
from flask.typing import ResponseReturnValue

from cpcsearch.errors import QueryError
from cpcsearch.export import safe_url
from cpcsearch.numbers import whole_number
from cpcsearch.pipeline import collect_stats
from cpcsearch.search.request import SearchRequest
from cpcsearch.web.context import article, engine, settings
from cpcsearch.web.openapi import spec

bp = Blueprint("api", __name__)


def _with_safe_urls(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blank every non-http(s) `url`, so no client renders a stored `javascript:` link."""
    return [{**item, "url": safe_url(item.get("url") or "")} for item in items]


@bp.get("/api/")
def docs() -> ResponseReturnValue:
    """Show the API's routes, read from its OpenAPI document."""
    return render_template("api.html", spec=spec())


@bp.get("/api/openapi.json")
def openapi() -> ResponseReturnValue:
    """Return the OpenAPI 3.1 document of the API and the admin API."""
    return spec()


@bp.get("/api/search")
def search() -> ResponseReturnValue:
    """Search; the parameters are those of the readers' page."""
    data = engine().search(SearchRequest.from_params(request.args)).to_dict()
    return {**data, "hits": _with_safe_urls(data["hits"])}


@bp.get("/api/articles/<id:doc_id>", merge_slashes=False)
def get_article(doc_id: str) -> ResponseReturnValue:
    """Return one article, every field of its document."""
    data = article(doc_id).to_dict()
    return {**data, "url": safe_url(data["url"])}


@bp.get("/api/articles/<id:doc_id>/related", merge_slashes=False)
def related(doc_id: str) -> ResponseReturnValue:
    """Return articles related to one article."""
    article(doc_id)
    return {"id": doc_id, "related": _with_safe_urls(engine().related(doc_id, _limit(5)))}


@bp.get("/api/suggest")
def suggest() -> ResponseReturnValue:
    """Return completions for the query being typed (`q`); `format=opensearch` for browsers."""
    q = (request.args.get("q") or "")[:200]
    suggestions = engine().suggest(q, _limit(8))
    fmt = request.args.get("format", "")
    if fmt == "opensearch":  # the array browsers read: [query, [completions]]
        body = json.dumps([q, [s["text"] for s in suggestions]], ensure_ascii=False)
        return Response(body, mimetype="application/x-suggestions+json")
    if fmt not in ("", "json"):
        raise QueryError(f"format {fmt!r} is unknown: use json or opensearch")
    return {"query": q, "suggestions": suggestions}


def _limit(default: int) -> int:
    raw = request.args.get("limit", "")
    if not raw:
        return default
    number = whole_number(raw, 50)
    if not number:
        raise QueryError(f"limit {raw!r} must be a whole number from 1 to 50")
    return number


@bp.get("/api/stats")
def stats() -> ResponseReturnValue:
    """Return counts of the store and the index."""
    return collect_stats(settings())


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    """Say whether the server can search."""
    data = collect_stats(settings())
    ok = bool(data["index_generation"])
    return {"status": "ok" if ok else "no index", **data}, 200 if ok else 503
