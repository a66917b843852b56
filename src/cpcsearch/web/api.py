"""The JSON API for researchers: the same search as the page, plus articles and stats."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from cpcsearch.errors import QueryError
from cpcsearch.pipeline import collect_stats
from cpcsearch.search.request import SearchRequest
from cpcsearch.web.context import article, engine, settings

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search() -> ResponseReturnValue:
    """Search; the parameters are those of the readers' page."""
    return engine().search(SearchRequest.from_params(request.args)).to_dict()


@bp.get("/api/articles/<doc_id>")
def get_article(doc_id: str) -> ResponseReturnValue:
    """Return one article, every field of its document."""
    return article(doc_id).to_dict()


@bp.get("/api/articles/<doc_id>/related")
def related(doc_id: str) -> ResponseReturnValue:
    """Return articles related to one article."""
    article(doc_id)
    return {"id": doc_id, "related": engine().related(doc_id, _limit(5))}


@bp.get("/api/suggest")
def suggest() -> ResponseReturnValue:
    """Return completions for the query being typed (`q`)."""
    q = (request.args.get("q") or "")[:200]
    return {"query": q, "suggestions": engine().suggest(q, _limit(8))}


def _limit(default: int) -> int:
    raw = request.args.get("limit", "")
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 50:
        raise QueryError(f"limit {raw!r} must be a whole number from 1 to 50")
    return int(raw)


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
