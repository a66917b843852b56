"""A search request, validated once, from the web form, the API or the CLI alike."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cpcsearch.errors import QueryError
from cpcsearch.search.dates import date_bounds

SORTS = ("relevance", "newest", "oldest")
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_PAGE = 1000
# Facet name -> the request's field and its query-string parameter (repeatable).
FACETS = {"author": "authors", "topic": "topics", "section": "sections", "year": "years"}
MAX_FACET_VALUES = 20
DEFAULT_FACET_SIZE = 10  # values shown of each facet, the most frequent first
MAX_FACET_SIZE = 1000
YEAR = re.compile(r"\d{4}")


def _values(params: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """Return the distinct non-empty values of a repeatable parameter, in order."""
    getlist = getattr(params, "getlist", None)
    raw = getlist(name) if getlist else params.get(name) or []
    values = [raw] if isinstance(raw, str) else list(raw)
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))


@dataclass(frozen=True)
class SearchRequest:
    """What to search for, how to filter and sort, and which page to return.

    Several values of one facet are alternatives (OR); different facets all apply (AND).
    `snippets` and `facets` can be turned off by callers that only need the ranking.
    """

    q: str = ""
    authors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    facet_size: int = DEFAULT_FACET_SIZE
    snippets: bool = True
    facets: bool = True

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise QueryError(f"sort {self.sort!r} is unknown: use one of {', '.join(SORTS)}")
        if not 1 <= self.page <= MAX_PAGE:
            raise QueryError(f"page {self.page} is out of range: use 1 to {MAX_PAGE}")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError(f"per_page {self.per_page} is out of range: use 1 to {MAX_PER_PAGE}")
        if not 1 <= self.facet_size <= MAX_FACET_SIZE:
            raise QueryError(f"facet_size {self.facet_size} is out of range: use 1 to "
                             f"{MAX_FACET_SIZE}")
        for text in (self.date_from, self.date_to):
            if text.strip():
                date_bounds(text)  # raises QueryError now, not halfway through a search
        start, end = self.bounds
        if start and end and start > end:
            raise QueryError(f"from {self.date_from!r} is after to {self.date_to!r}: the range "
                             "would hold no date")
        for name, field in FACETS.items():
            if len(getattr(self, field)) > MAX_FACET_VALUES:
                raise QueryError(f"{name}: at most {MAX_FACET_VALUES} values at once")
        for year in self.years:
            if not YEAR.fullmatch(year):
                raise QueryError(f"year {year!r} is not a year: write four digits, e.g. 2023")

    @property
    def bounds(self) -> tuple[dt.date | None, dt.date | None]:
        """Return the from/to dates as an inclusive range; a year or a month covers all its days."""
        start = date_bounds(self.date_from)[0] if self.date_from.strip() else None
        end = date_bounds(self.date_to)[1] if self.date_to.strip() else None
        return start, end

    @property
    def selected(self) -> dict[str, tuple[str, ...]]:
        """Return the selected values of each facet."""
        return {name: getattr(self, field) for name, field in FACETS.items()}

    @property
    def filtered(self) -> bool:
        """Tell whether any facet value or date bound restricts the results."""
        return any(self.selected.values()) or bool(self.date_from or self.date_to)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SearchRequest:
        """Build a request from query-string parameters; raise `QueryError` on bad values."""
        # the parameters given, read once each: werkzeug's `get` of an absent one raises and
        # catches an exception (a tenth of the time of a cached answer went to ten of them)
        given = {name: params.get(name) for name in params}

        def number(name: str, default: int) -> int:
            raw = (given.get(name) or "").strip()
            if not raw:
                return default
            try:
                return int(raw)
            except ValueError:
                raise QueryError(f"{name} {raw!r} is not a whole number") from None

        return cls(
            q=given.get("q") or "",
            **{field: _values(params, name) if name in given else ()
               for name, field in FACETS.items()},
            date_from=(given.get("from") or "").strip(),
            date_to=(given.get("to") or "").strip(),
            sort=(given.get("sort") or "relevance").strip() or "relevance",
            page=number("page", 1),
            per_page=number("per_page", DEFAULT_PER_PAGE),
            facet_size=number("facet_size", DEFAULT_FACET_SIZE),
        )

    def to_params(self, **changes: Any) -> dict[str, Any]:
        """Return the non-default query-string parameters of this request with `changes`.

        Facets take their parameter names (`author=`...), with a list of values each.
        """
        values: dict[str, Any] = {"q": self.q, **{n: list(v) for n, v in self.selected.items()},
                                  "from": self.date_from, "to": self.date_to,
                                  "sort": self.sort, "page": self.page,
                                  "per_page": self.per_page, "facet_size": self.facet_size}
        values.update(changes)
        defaults = {"sort": "relevance", "page": 1, "per_page": DEFAULT_PER_PAGE,
                    "facet_size": DEFAULT_FACET_SIZE}
        return {k: v for k, v in values.items() if v not in ("", None, [], defaults.get(k))}

    def toggle(self, facet: str, value: str) -> dict[str, Any]:
        """Return the parameters with one facet value added or removed, back on page 1."""
        chosen = list(self.selected[facet])
        chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
        return self.to_params(**{facet: chosen, "page": 1})
