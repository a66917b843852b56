"""The readers' pages: the search form with results, author and topic pages, an article's page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from cpcsearch.document import is_subheading
from cpcsearch.errors import QueryError
from cpcsearch.export import safe_url
from cpcsearch.export.bibtex import to_bibtex
from cpcsearch.export.cite import chicago
from cpcsearch.export.ris import to_ris
from cpcsearch.search.facets import folded
from cpcsearch.search.highlight import mark_terms
from cpcsearch.search.request import MAX_FACET_SIZE, SORTS, SearchRequest
from cpcsearch.web.context import article, engine
from cpcsearch.web.feeds import format_links
from cpcsearch.web.nextsteps import next_steps

bp = Blueprint("pages", __name__)
FACET_LABELS = {"author": "author", "topic": "topic", "section": "program"}  # as readers see them
FACET_PAGES = {"author": "pages.author", "topic": "pages.topic", "section": "pages.topic"}


@bp.get("/")
@bp.get("/search")
def search() -> ResponseReturnValue:
    """Show the search form and, for a query or filter, its results."""
    return _results(MultiDict(request.args), heading="Search Caspian Policy Center research")


@bp.get("/authors")
def authors() -> ResponseReturnValue:
    """List every author, A to Z, with how many articles each has."""
    return _names_page("Authors", ("author",))


@bp.get("/topics")
def topics() -> ResponseReturnValue:
    """List every program and topic, A to Z, with how many articles each has."""
    return _names_page("Programs and topics", ("section", "topic"))


def _names_page(heading: str, facets: tuple[str, ...]) -> ResponseReturnValue:
    """Show every value of `facets` over all articles, A to Z, capitals and accents aside."""
    everything = engine().search(SearchRequest(facet_size=MAX_FACET_SIZE, per_page=1,
                                               snippets=False))
    groups = [(facet, FACET_LABELS[facet], FACET_PAGES[facet],
               sorted(everything.facets[facet], key=lambda f: folded(f["value"])),
               everything.facet_totals[facet]) for facet in facets]
    return render_template("names.html", heading=heading, groups=groups)


@bp.get("/authors/<path:name>")
def author(name: str) -> ResponseReturnValue:
    """Show an author's articles, newest first, with counts by year and the usual facets."""
    return _named_page(("author",), name, "Articles by {}")


@bp.get("/topics/<path:name>")
def topic(name: str) -> ResponseReturnValue:
    """Show a topic's (or section's) articles, newest first, with counts by year and facets."""
    return _named_page(("topic", "section"), name, "Articles on {}")


def _named_page(facets: tuple[str, ...], name: str, heading: str) -> ResponseReturnValue:
    """Show the articles of the first of `facets` with a value `name` stands for: a permanent
    redirect to that value's page if it is written otherwise (`/topics/turkiye` for Türkiye),
    a 404 page offering close values if none has it."""
    endpoint = FACET_PAGES[facets[0]]
    for facet in facets:
        value = engine().facet_value(facet, name)
        if value is None:
            continue
        if value != name:
            return redirect(url_for(endpoint, name=value, **request.args.to_dict(flat=False)),
                            301)
        return _results(_pinned(facet, value), heading=heading.format(value), pinned=value)
    similar = [(value, url_for(endpoint, name=value))
               for value in engine().similar_values(facets, name)]
    message = f"No article has the {' or '.join(map(FACET_LABELS.get, facets))} {name!r}."
    return render_template("error.html", status=404, message=message, similar=similar), 404


def _pinned(param: str, value: str) -> MultiDict[str, str]:
    """Return this request's parameters with `param` set to `value`, newest first by default."""
    params = MultiDict(request.args)
    params.setlist(param, [value, *(v for v in params.getlist(param) if v != value)])
    params.setdefault("sort", "newest")
    return params


def _results(params: MultiDict[str, str], heading: str, pinned: str = "") -> ResponseReturnValue:
    try:
        search_request = SearchRequest.from_params(params)
    except QueryError as exc:
        blank = SearchRequest.from_params(MultiDict({"q": params.get("q", "")}))
        return render_template("search.html", request_=blank, results=None, error=str(exc),
                               sorts=SORTS, heading=heading, formats={}), 400
    results = engine().search(search_request)

    def link(**changes: object) -> str:
        return url_for("pages.search", **search_request.to_params(**changes))

    steps = [] if results.total else next_steps(engine(), params, results.suggestion)
    return render_template("search.html", request_=search_request, results=results, link=link,
                           error=None, sorts=SORTS, heading=heading, pinned=pinned,
                           formats=format_links(params), next_steps=steps,
                           max_facet_size=MAX_FACET_SIZE)


@bp.get("/articles/<id:doc_id>", merge_slashes=False)
def show_article(doc_id: str) -> ResponseReturnValue:
    """Show one article, with its citation in BibTeX, RIS and Chicago style; with `q`, the
    words of that search marked (the results link to their articles so)."""
    doc = article(doc_id)
    q = request.args.get("q", "").strip()
    marks = engine().marks(q) if q else None

    def shown(text: str) -> str:
        return mark_terms(text, marks) if marks else text

    blocks = [("h2" if is_subheading(p) else "p", shown(p)) for p in doc.paragraphs]
    lead = doc.summary.rstrip("…").strip()
    page_url = url_for("pages.show_article", doc_id=doc_id, _external=True)
    cite = {"chicago": chicago(doc, page_url), "bibtex": to_bibtex([doc]), "ris": to_ris([doc])}
    return render_template("article.html", doc=doc, title=shown(doc.title), q=q, blocks=blocks,
                           cite=cite, source_url=safe_url(doc.url), page_url=page_url,
                           show_summary=bool(lead) and not doc.body.startswith(lead),
                           related=engine().related(doc_id))


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """Send browsers that ask for the conventional favicon path to the SVG icon."""
    return redirect(url_for("static", filename="favicon.svg"), 301)

