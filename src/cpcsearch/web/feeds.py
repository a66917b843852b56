"""Any search as a feed or a download (Atom, CSV, BibTeX, RIS), citations, OpenSearch."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from cpcsearch.document import Document
from cpcsearch.errors import QueryError
from cpcsearch.export.atom import to_atom
from cpcsearch.export.bibtex import to_bibtex
from cpcsearch.export.cite import chicago
from cpcsearch.export.ris import to_ris
from cpcsearch.export.table import to_csv
from cpcsearch.search.request import MAX_PER_PAGE, SearchRequest
from cpcsearch.web.context import article, engine, store

bp = Blueprint("feeds", __name__)
EXPORT_CAP = 1000  # results in one download: ten pages of the API's largest page
FEED_ENTRIES = 50
FEED_WINDOW = 100  # hits read to fill the feed: the engine sorts undated articles before dated
PAGING = ("page", "per_page")
FORMATS = {  # extension: (label, media type)
    "atom": ("Atom feed", "application/atom+xml"),
    "csv": ("CSV", "text/csv"),
    "bib": ("BibTeX", "application/x-bibtex"),
    "ris": ("RIS", "application/x-research-info-systems"),
}


@bp.app_context_processor
def export_cap() -> dict[str, int]:
    """Give templates the cap of a download, which the results page mentions."""
    return {"export_cap": EXPORT_CAP}


def search_params(params: MultiDict[str, str]) -> MultiDict[str, str]:
    """Return a search's parameters without its paging, and without empty values."""
    return MultiDict([(k, v) for k, v in params.items(multi=True) if k not in PAGING and v])


def format_links(params: MultiDict[str, str]) -> dict[str, dict[str, str]]:
    """Return the feed and download links of a search, by extension."""
    query = urlencode(list(search_params(params).items(multi=True)))
    return {ext: {"label": label, "type": media,
                  "url": url_for(f"feeds.{ext}") + (f"?{query}" if query else "")}
            for ext, (label, media) in FORMATS.items()}


def _documents(params: MultiDict[str, str], limit: int) -> Iterator[Document]:
    """Yield the stored documents of a search's first `limit` results, in the search's order."""
    first = SearchRequest.from_params(search_params(params))
    seen: set[str] = set()
    for page in range(1, -(-limit // MAX_PER_PAGE) + 1):
        results = engine().search(dataclasses.replace(first, page=page, per_page=MAX_PER_PAGE,
                                                      snippets=False, facets=False))
        for hit in results.hits:
            doc = store().get(hit.id)
            if doc is not None and hit.id not in seen and len(seen) < limit:
                seen.add(hit.id)
                yield doc
        if page * MAX_PER_PAGE >= min(results.total, limit):
            break


def _download(body: str, ext: str, name: str = "cpcsearch-results") -> Response:
    response = Response(body, mimetype=FORMATS[ext][1] if ext in FORMATS else "text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    return response


@bp.get("/search.atom")
def atom() -> ResponseReturnValue:
    """Return a search's newest results as an Atom feed."""
    params = search_params(MultiDict(request.args))
    params["sort"] = "newest"
    filters = ", ".join(f"{k} {v}" for k, v in params.items(multi=True) if k not in ("q", "sort"))
    title = " · ".join(p for p in (params.get("q", ""), filters) if p) or "all articles"
    docs = sorted(_documents(params, FEED_WINDOW), key=lambda d: d.date or dt.date.min,
                  reverse=True)[:FEED_ENTRIES]
    page_url = url_for("pages.search", _external=True) + "?" + urlencode(
        list(params.items(multi=True)))
    body = to_atom(docs, title=f"cpcsearch: {title}", feed_url=request.url, page_url=page_url,
                   article_url=lambda doc_id: url_for("pages.show_article", doc_id=doc_id,
                                                      _external=True))
    return Response(body, mimetype="application/atom+xml")


@bp.get("/search.csv")
def csv() -> ResponseReturnValue:
    """Download a search's results (up to `EXPORT_CAP`) as CSV, UTF-8 with a BOM for Excel."""
    return _download("\ufeff" + to_csv(_documents(MultiDict(request.args), EXPORT_CAP)), "csv")


@bp.get("/search.bib")
def bib() -> ResponseReturnValue:
    """Download a search's results (up to `EXPORT_CAP`) as BibTeX."""
    return _download(to_bibtex(_documents(MultiDict(request.args), EXPORT_CAP)), "bib")


@bp.get("/search.ris")
def ris() -> ResponseReturnValue:
    """Download a search's results (up to `EXPORT_CAP`) as RIS."""
    return _download(to_ris(_documents(MultiDict(request.args), EXPORT_CAP)), "ris")


@bp.get("/cite/<fmt>/<id:doc_id>", merge_slashes=False)
def cite(fmt: str, doc_id: str) -> ResponseReturnValue:
    """Download one article's citation: `bib`, `ris` or `txt` (Chicago style)."""
    writers = {"bib": lambda d: to_bibtex([d]), "ris": lambda d: to_ris([d]),
               "txt": lambda d: chicago(d, url_for("pages.show_article", doc_id=d.id,
                                                   _external=True)) + "\n"}
    if fmt not in writers:
        raise QueryError(f"citation format {fmt!r} is unknown: use bib, ris or txt")
    return _download(writers[fmt](article(doc_id)), fmt, name="citation")


@bp.get("/opensearch.xml")
def opensearch() -> ResponseReturnValue:
    """Describe the site search for browsers' address bars, with search-as-you-type."""
    xml = render_template("opensearch.xml")
    return Response(xml, mimetype="application/opensearchdescription+xml")
