"""Dates as people write them in queries: `2023`, `2023-05`, `2023-05-04`, and ranges of them.

`DatesPlugin` makes `date:2023` (or `year:2023`), `date:2023-05`, the ranges `date:[2022 to 2024]`
(Lucene's), `date:2022..2024` (GitHub's) and `date:2022-2024` (of years), their open forms
(`date:[2023 to]`, `date:[2023 to *]`, `date:2023..`, `date:..2022`), the comparisons
`date:>2022`, `date:>=2022-06`, `date:<2020`, `date:<=2020` (Elasticsearch's), `after:2023-01`
and `before:2020` into query nodes, so NOT, AND, OR and parentheses apply to them like to any
term. A range written backwards is read from its earlier end; a value that is not a date on the
calendar searches as the words it is made of. Either way a notice says so.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from whoosh import query as wq
from whoosh.qparser import syntax
from whoosh.qparser.plugins import TaggingPlugin

from cpcsearch.errors import QueryError

PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
# A range written as one value: `2022..2024` (either end may be left open), or `2022-2024`.
RANGE = re.compile(r"(?P<low>[^.]*)\.\.(?P<high>[^.]*)|(?P<first>\d{4})-(?P<last>\d{4})")
OPEN_END = "*"  # Lucene's and GitHub's open end: `[2023 to *]`, `2023..*`
DATE_FIELD = "date"
DATE_NAMES = ("date", "year", "after", "before")  # a date term's names (`year` is `date`)


def date_bounds(text: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of a year, month or day written as ISO 8601.

    >>> date_bounds("2023-02")
    (datetime.date(2023, 2, 1), datetime.date(2023, 2, 28))
    """
    match = PARTIAL_DATE.match(text.strip())
    if not match:
        raise QueryError(f"date {text!r} is not a date (write 2023, 2023-05 or 2023-05-04)")
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


def date_range(start: dt.date | None, end: dt.date | None) -> wq.Query:
    """Return the query of documents published from `start` to `end`, both included."""
    return wq.DateRange(DATE_FIELD, dt.datetime.combine(start, dt.time()) if start else None,
                        dt.datetime.combine(end, dt.time.max) if end else None)


def _compared(comparison: str, text: str) -> tuple[dt.date | None, ...]:
    """Return the (start, end, before) of `>`, `>=`, `<` or `<=` a year, month or day."""
    first, last = date_bounds(text)
    if comparison == ">":
        if last == dt.date.max:
            raise QueryError(f"no date comes after {text!r}")
        return last + dt.timedelta(days=1), None, None
    return {">=": (first, None, None), "<": (None, None, first), "<=": (None, last, None)}[
        comparison]


def _bounds(op: str, one: str | None, low: str, high: str) -> tuple[dt.date | None, ...]:
    """Return the (start, end, before) of a date term; raise `QueryError` if it is no date."""
    if one is None:
        low, high = ("" if end == OPEN_END else end for end in (low, high))
        if not (low or high):
            raise QueryError("a date range needs at least one end")
        return (date_bounds(low)[0] if low else None, date_bounds(high)[1] if high else None,
                None)
    first, last = date_bounds(one)
    return {"date": (first, last, None), "after": (first, None, None),
            "before": (None, None, first)}[op]


def _ends(match: re.Match[str]) -> tuple[str | None, str, str]:
    """Return a date term's one date, or None and its range's low and high ends as written."""
    one = match.group("one")
    written = RANGE.fullmatch(one) if one is not None else None
    if written is None:
        return one, match.group("low") or "", match.group("high") or ""
    if written.group("first"):
        return None, written.group("first"), written.group("last")
    return None, written.group("low"), written.group("high")


class DateNode(syntax.SyntaxNode):
    """A date term of the query: published within [start, end], or before a day; `notice`
    says how it was read, where that is not as written."""

    notice = ""

    def __init__(self, start: dt.date | None, end: dt.date | None,
                 before: dt.date | None) -> None:
        self.start, self.end, self.before = start, end, before

    def r(self) -> str:
        return f"DateNode({self.start}, {self.end}, before={self.before})"

    def query(self, parser: object) -> wq.Query:
        if self.before is not None:  # "before 0001" is before the first day there is: empty
            return wq.DateRange(DATE_FIELD, None, dt.datetime.combine(self.before, dt.time()),
                                endexcl=True)
        return date_range(self.start, self.end)


class NotADate(syntax.OrGroup):
    """The words of a date term that is not a date: they search, but are not spell-checked;
    `notice` says why."""

    notice = ""

    def empty_copy(self) -> NotADate:
        copy = super().empty_copy()  # the parser's filters rebuild groups from such copies
        copy.notice = self.notice
        return copy


class DatesPlugin(TaggingPlugin):
    """Tag `date:` (`year:`), `after:` and `before:` terms, ahead of the field and range
    plugins."""

    expr = (rf"(?i:(?P<op>{'|'.join(DATE_NAMES)})):(?:\[\s*(?P<low>[^\]\s]*)\s*(?i:\bto\b)\s*"
            r"(?P<high>[^\]\s]*)\s*\]|(?P<comparison>[<>]=?)(?P<bound>[^\s()\[\]\"]+)"
            r"|(?P<one>[^\s()\[\]\"]+))")
    priority = -10

    def create(self, parser: object, match: re.Match[str]) -> syntax.SyntaxNode:
        op = match.group("op").lower()
        op = "date" if op == "year" else op
        one, low, high = _ends(match)
        try:
            if match.group("comparison"):
                if op != "date":
                    raise QueryError(f"write {op}:{match.group('bound')}, or "
                                     f"date:{match.group('comparison')}{match.group('bound')}")
                return DateNode(*_compared(match.group("comparison"), match.group("bound")))
            backwards = (bool(low and high) and OPEN_END not in (low, high)
                         and date_bounds(low)[0] > date_bounds(high)[1])
            if backwards:  # [2024 to 2020]: the reader means 2020 to 2024
                low, high = high, low
            node = DateNode(*_bounds(op, one, low, high))
        except QueryError as error:
            # Not a date: the words it is made of ("date", "2023", "13") search as words.
            words = [syntax.WordNode(w) for w in re.findall(r"\w+", match.group(0))]
            if not words:
                return syntax.Whitespace(" ")
            node = NotADate(words, boost=1.0)
            node.notice = f"{match.group(0)!r} was searched as words: {error}."
            return node
        if backwards:
            node.notice = f"{match.group(0)!r} was read as the dates from {low} to {high}."
        return node
