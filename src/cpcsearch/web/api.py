"""The JSON API for researchers: the same search as the page, plus articles and stats."""

from __future__ import annotations

from flask import Blueprint, request

from cpcsearch.pipeline import collect_stats
from cpcsearch.search.request import SearchRequest
from cpcsearch.web.context import article, engine, settings

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():  # type: ignore[no-untyped-def]
    """Search; the parameters are those of the readers' page."""
    return engine().search(SearchRequest.from_params(request.args)).to_dict()


@bp.get("/api/articles/<doc_id>")
def get_article(doc_id: str):  # type: ignore[no-untyped-def]
    """Return one article, every field of its document."""
    return article(doc_id).to_dict()


@bp.get("/api/stats")
def stats():  # type: ignore[no-untyped-def]
    """Return counts of the store and the index."""
    return collect_stats(settings())


@bp.get("/healthz")
def health():  # type: ignore[no-untyped-def]
    """Say whether the server can search."""
    data = collect_stats(settings())
    ok = bool(data["index_generation"])
    return {"status": "ok" if ok else "no index", **data}, 200 if ok else 503
