"""A search request, validated once, from the web form, the API or the CLI alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from cpcsearch.errors import QueryError
from cpcsearch.search.dates import date_bounds

SORTS = ("relevance", "newest", "oldest")
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_PAGE = 1000


@dataclass(frozen=True)
class SearchRequest:
    """What to search for, how to filter and sort, and which page to return."""

    q: str = ""
    author: str = ""
    topic: str = ""
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise QueryError(f"sort {self.sort!r} is unknown: use one of {', '.join(SORTS)}")
        if not 1 <= self.page <= MAX_PAGE:
            raise QueryError(f"page {self.page} is out of range: use 1 to {MAX_PAGE}")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError(f"per_page {self.per_page} is out of range: use 1 to {MAX_PER_PAGE}")
        for text in (self.date_from, self.date_to):
            if text.strip():
                date_bounds(text)  # raises QueryError now, not halfway through a search

    @property
    def bounds(self) -> tuple[dt.date | None, dt.date | None]:
        """Return the from/to dates as an inclusive range; a year or a month covers all its days."""
        start = date_bounds(self.date_from)[0] if self.date_from.strip() else None
        end = date_bounds(self.date_to)[1] if self.date_to.strip() else None
        return start, end

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> SearchRequest:
        """Build a request from query-string parameters; raise `QueryError` on bad values."""

        def number(name: str, default: int) -> int:
            raw = (params.get(name) or "").strip()
            if not raw:
                return default
            try:
                return int(raw)
            except ValueError:
                raise QueryError(f"{name} {raw!r} is not a whole number") from None

        return cls(
            q=params.get("q") or "",
            author=(params.get("author") or "").strip(),
            topic=(params.get("topic") or "").strip(),
            date_from=(params.get("from") or "").strip(),
            date_to=(params.get("to") or "").strip(),
            sort=(params.get("sort") or "relevance").strip() or "relevance",
            page=number("page", 1),
            per_page=number("per_page", DEFAULT_PER_PAGE),
        )

    def to_params(self, **changes: object) -> dict[str, str]:
        """Return the non-default query-string parameters of this request with `changes`."""
        values = {"q": self.q, "author": self.author, "topic": self.topic,
                  "date_from": self.date_from, "date_to": self.date_to, "sort": self.sort,
                  "page": self.page, "per_page": self.per_page, **changes}
        names = {"date_from": "from", "date_to": "to"}
        defaults = {"sort": "relevance", "page": 1, "per_page": DEFAULT_PER_PAGE}
        return {names.get(k, k): str(v) for k, v in values.items()
                if v not in ("", None, defaults.get(k))}
