"""The query language: a user's text → a Whoosh query plus filters; never an error for syntax.

Plain words match all forms and no word is required; on top: "phrases", AND/OR/NOT, parentheses,
`author:`, `topic:`, `title:`, `date:2023`, `date:[2022 to 2024]`, `after:`, `before:`, `word*`
and `word~`. Malformed syntax falls back to the plain words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser, syntax
from whoosh.qparser.plugins import OperatorsPlugin, PlusMinusPlugin

from cpcsearch.search import ranking
from cpcsearch.search.dates import date_bounds, merge_range
from cpcsearch.search.synonyms import ALTERNATIVE, expand_synonyms

TEXT_FIELDS = tuple(ranking.FIELD_BOOSTS)
FIELD_ALIASES = {
    "author_text": ["author", "authors", "by"],
    "topic_text": ["topic", "topics", "tag", "section"],
    "title": ["title"],
}
USER_FIELDS = frozenset(alias for aliases in FIELD_ALIASES.values() for alias in aliases)
MAX_QUERY_CHARS = 4000
MAX_WORDS = 256

DATE_TERM = re.compile(
    r"\b(?P<op>date|after|before|from|to):\s*(?:\[(?P<lo>[\d-]*)\s+to\s+(?P<hi>[\d-]*)\]|(?P<one>[\d-]+))",
    re.IGNORECASE,
)
FIELD_PREFIX = re.compile(r"(\w+):")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
WORD = re.compile(r"\w+(?:[-'’.]\w+)*")
# Text with nothing but words and punctuation: no quotes, parentheses, wildcards or `field:`
# (a colon followed by a space, as in a title, is punctuation).
PLAIN_TEXT = re.compile(r"(?:[\w\s'’.,;!?-]|:(?=\s|$))*")
OPERATORS = ("AND", "OR", "NOT", "ANDNOT")


@dataclass(frozen=True)
class ParsedQuery:
    """A user's query, ready to run."""

    text: str
    query: wq.Query
    start: dt.date | None = None
    end: dt.date | None = None
    # The whole text as one phrase in titles, for plain words (two or more): see hybrid.py.
    title_phrase: wq.Query | None = None

    @property
    def words(self) -> list[str]:
        """Return the plain words of the query text, for spelling suggestions."""
        return WORD.findall(DATE_TERM.sub(" ", self.text))


def sanitize(text: str) -> str:
    """Strip control characters and cap the length of a query."""
    text = CONTROL_CHARS.sub(" ", text or "")[:MAX_QUERY_CHARS]
    return " ".join(text.split()[:MAX_WORDS])


def extract_dates(text: str) -> tuple[str, tuple[dt.date | None, dt.date | None]]:
    """Remove `date:`, `after:` and `before:` terms from `text`; return it and their range."""
    bounds: tuple[dt.date | None, dt.date | None] = (None, None)
    for match in DATE_TERM.finditer(text):
        op, one = match.group("op").lower(), match.group("one")
        if one:
            lo, hi = date_bounds(one)
            if op == "date":
                bounds = merge_range(bounds, lo, hi)
            elif op in ("after", "from"):
                bounds = merge_range(bounds, start=lo)
            elif op == "before":
                bounds = merge_range(bounds, end=lo - dt.timedelta(days=1))
            else:
                bounds = merge_range(bounds, end=hi)
        else:
            lo_text, hi_text = match.group("lo"), match.group("hi")
            bounds = merge_range(
                bounds,
                date_bounds(lo_text)[0] if lo_text else None,
                date_bounds(hi_text)[1] if hi_text else None,
            )
    return DATE_TERM.sub(" ", text), bounds


def _defuse(text: str) -> str:
    """Make pasted text safe for the parser: unknown `x:` prefixes, shouting, stray quotes."""
    text = FIELD_PREFIX.sub(lambda m: m.group(0) if m.group(1).lower() in USER_FIELDS
                            else f"{m.group(1)} ", text)
    if text.upper() == text:
        text = text.lower()  # a sentence in capitals is words, not AND/OR/NOT operators
    if text.count('"') % 2:
        text = text[::-1].replace('"', " ", 1)[::-1]
    if text.count("(") != text.count(")"):
        text = text.replace("(", " ").replace(")", " ")
    return text


def make_parser(schema: Schema) -> MultifieldParser:
    """Return the parser of user queries over the text fields."""
    parser = MultifieldParser(list(TEXT_FIELDS), schema, fieldboosts=ranking.FIELD_BOOSTS,
                              group=ranking.GROUP)
    parser.remove_plugin_class(PlusMinusPlugin)
    parser.replace_plugin(OperatorsPlugin(ops=[(OperatorsPlugin.OpTagger(
        rf"(?<=\s){ALTERNATIVE}(?=\s)", syntax.DisMaxGroup, memo="synonym"), 0)]))
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    return parser


def _plain_words(text: str, parser: MultifieldParser) -> wq.Query:
    """Parse only the words of `text`, every syntax character dropped."""
    words = [w for w in WORD.findall(text) if w.upper() not in OPERATORS]
    return parser.parse(" ".join(words)) if words else wq.NullQuery


def parse_query(text: str, schema: Schema) -> ParsedQuery:
    """Turn a user's text into a query; syntax the parser rejects searches as plain words."""
    text = sanitize(text)
    rest, (start, end) = extract_dates(text)
    parser = make_parser(schema)
    try:
        query = parser.parse(expand_synonyms(_defuse(rest)))
    except Exception:  # Whoosh's parser raises assorted errors on odd syntax; words still search
        query = wq.NullQuery
    if query is wq.NullQuery and WORD.search(rest):
        query = _plain_words(rest, parser)
    query = ranking.add_proximity(ranking.fix_coordination(query))
    return ParsedQuery(text, query, start, end, _title_phrase(rest, schema))


def _title_phrase(text: str, schema: Schema) -> wq.Query | None:
    """Return plain-word text as a phrase in the title field, or None for other queries."""
    if not PLAIN_TEXT.fullmatch(text) or any(w in OPERATORS for w in text.split()):
        return None
    words = [t.text for t in schema["title"].analyzer(text, mode="query")]
    return wq.Phrase("title", words) if len(words) > 1 else None
