"""What a reader can try when a search finds nothing: drop a filter, drop a word."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from flask import url_for
from werkzeug.datastructures import MultiDict

from cpcsearch.errors import CpcSearchError
from cpcsearch.search.engine import SearchEngine
from cpcsearch.search.request import SearchRequest

FILTERS = {"author": "author", "topic": "topic", "section": "section", "year": "year",
           "from": "from date", "to": "to date"}
MAX_STEPS = 4


@dataclass(frozen=True)
class Step:
    """A broader search and how many results it finds."""

    label: str
    total: int
    url: str


def _candidates(params: MultiDict[str, str],
                suggestion: str | None) -> list[tuple[str, MultiDict[str, str]]]:
    """Return (label, parameters) of each search one step broader than `params`."""
    base = MultiDict([(k, v) for k, v in params.items(multi=True) if k != "page" and v])
    steps = []
    for name, label in FILTERS.items():
        for value in base.getlist(name):
            broader = MultiDict([(k, v) for k, v in base.items(multi=True)
                                 if (k, v) != (name, value)])
            steps.append((f"without the {label} {value}", broader))
    words = base.get("q", "").split()
    if len(words) > 1:
        for i, word in enumerate(words):
            broader = base.copy()
            broader["q"] = " ".join(words[:i] + words[i + 1:])
            steps.append((f"without the word {word}", broader))
    if suggestion:
        corrected = MultiDict([("q", suggestion)])
        steps.append((f"{suggestion}, without filters", corrected))
    if any(name in base for name in FILTERS) and base.get("q"):
        steps.append(("the same words, without filters", MultiDict([("q", base["q"])])))
    return steps


def next_steps(engine: SearchEngine, params: MultiDict[str, str],
               suggestion: str | None) -> list[Step]:
    """Return up to `MAX_STEPS` broader searches that find something, the broadest first."""
    found = []
    seen: set[str] = set()
    for label, broader in _candidates(params, suggestion):
        query = urlencode(list(broader.items(multi=True)))
        if query in seen:
            continue
        seen.add(query)
        try:
            request = SearchRequest.from_params(broader)
            total = engine.search(replace(request, per_page=1, snippets=False,
                                          facets=False)).total
        except CpcSearchError:
            continue
        if total:
            url = url_for("pages.search") + (f"?{query}" if query else "")
            found.append(Step(label, total, url))
    return sorted(found, key=lambda step: -step.total)[:MAX_STEPS]
