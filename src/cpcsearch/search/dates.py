"""Dates as people write them in queries: `2023`, `2023-05`, `2023-05-04`, and ranges of them."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from cpcsearch.errors import QueryError

PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def date_bounds(text: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of a year, month or day written as ISO 8601.

    >>> date_bounds("2023-02")
    (datetime.date(2023, 2, 1), datetime.date(2023, 2, 28))
    """
    match = PARTIAL_DATE.match(text.strip())
    if not match:
        raise QueryError(f"date {text!r} is not a date: write 2023, 2023-05 or 2023-05-04")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last)
        day_date = dt.date(year, month, day)
    except ValueError:
        raise QueryError(f"date {text!r} does not exist on the calendar") from None
    return day_date, day_date


def merge_range(
    current: tuple[dt.date | None, dt.date | None],
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> tuple[dt.date | None, dt.date | None]:
    """Intersect a (start, end) range with new bounds; None means open."""
    lo, hi = current
    if start and (lo is None or start > lo):
        lo = start
    if end and (hi is None or end < hi):
        hi = end
    return lo, hi
