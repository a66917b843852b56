"""The readers' pages: the search form with results, and an article's page."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cpcsearch.errors import QueryError
from cpcsearch.search.request import SORTS, SearchRequest
from cpcsearch.web.context import article, engine

bp = Blueprint("pages", __name__)
HEADING_CHARS = 90


@bp.get("/")
@bp.get("/search")
def search() -> ResponseReturnValue:
    """Show the search form and, for a query or filter, its results."""
    try:
        search_request = SearchRequest.from_params(request.args)
    except QueryError as exc:
        return render_template("search.html", request_=SearchRequest(q=request.args.get("q", "")),
                               results=None, error=str(exc), sorts=SORTS), 400
    results = engine().search(search_request)

    def link(**changes: object) -> str:
        return url_for("pages.search", **search_request.to_params(**changes))

    return render_template("search.html", request_=search_request, results=results, link=link,
                           error=None, sorts=SORTS)


@bp.get("/articles/<doc_id>")
def show_article(doc_id: str) -> ResponseReturnValue:
    """Show one article."""
    doc = article(doc_id)
    blocks = [("h2" if _is_heading(p) else "p", p) for p in doc.paragraphs]
    lead = doc.summary.rstrip("…").strip()
    return render_template("article.html", doc=doc, blocks=blocks,
                           show_summary=bool(lead) and not doc.body.startswith(lead),
                           related=engine().related(doc_id))


def _is_heading(paragraph: str) -> bool:
    """Tell whether a body paragraph reads as a subheading: short, one line, no final stop."""
    return len(paragraph) <= HEADING_CHARS and not paragraph.rstrip().endswith(
        (".", "!", "?", ":", ";", ",", "”", '"'))
