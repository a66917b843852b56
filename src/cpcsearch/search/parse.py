"""Parse: a user's text → one Whoosh query tree, through the parser's plugins; never an error.

Plain words match all their forms and are optional, ranking by how many match (Lucene's
default OR mode); `a AND b` requires both; `a NOT b`, `a AND NOT b` and `a -b` exclude b;
`+a` requires a. On top: "phrases", parentheses, `author:`, `topic:`, `section:`, `title:`,
dates (`dates.py`), `word*` and `word~`. Synonyms rewrite the words of the tree
(`synonyms.py`). Text the parser cannot read searches as its plain words.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from itertools import islice
from typing import Any

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser, syntax
from whoosh.qparser.plugins import OperatorsPlugin, PhrasePlugin, PlusMinusPlugin

from cpcsearch.search import ranking
from cpcsearch.search.dates import DatesPlugin, NotADate
from cpcsearch.search.synonyms import SynonymGroup, SynonymsPlugin

FIELD_ALIASES = {
    "author_text": ["author", "authors", "by"],
    "topic_text": ["topic", "topics", "tag", "tags"],
    "section_text": ["section", "program", "programme"],
    "title": ["title"],
}
# Terms in these fields restrict the results rather than rank them.
RESTRICTION_FIELDS = frozenset({"date", "author_text", "topic_text", "section_text"})
MAX_QUERY_CHARS = 4000
MAX_WORDS = 256
# Bounds on the terms one wildcard, prefix or fuzzy word may stand for (Elasticsearch's
# max_expansions), and the letters a wildcard needs before its first `*` or `?`.
MAX_EXPANSIONS = 128
MIN_PREFIX = 2

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
WORD = re.compile(r"\w+(?:[-'’.]\w+)*")
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
# A text in capitals this long is a pasted sentence: its AND/OR/NOT are words.
SHOUTED_WORDS = 4
# Parentheses nested deeper than this are no one's query (and cost the parser dearly): the text
# searches as its plain words.
MAX_DEPTH = 8


@dataclass(frozen=True)
class TypedWord:
    """A plain word as the reader typed it, with its place in the text (for "did you mean")."""

    text: str
    fieldname: str | None  # None: the default text fields
    start: int
    end: int


@dataclass(frozen=True)
class ParsedQuery:
    """A user's text as one query tree, ready to plan."""

    text: str
    query: wq.Query
    words: tuple[TypedWord, ...] = ()
    notices: tuple[str, ...] = ()

    @property
    def expensive(self) -> bool:
        """Tell whether the query has wildcard, prefix or fuzzy terms (costly to expand)."""
        return any(isinstance(leaf, wq.MultiTerm) for leaf in positive_leaves(self.query))

    @property
    def has_terms(self) -> bool:
        """Tell whether the query looks for words that can rank (not only dates or NOTs)."""
        return any(leaf.field() != "date" for leaf in positive_leaves(self.query))


def positive_leaves(query: wq.Query) -> list[wq.Query]:
    """Return the terms, phrases and patterns a query looks for, leaving out what it excludes."""
    if isinstance(query, wq.Not):
        return []
    if isinstance(query, wq.AndNot):
        return positive_leaves(query.a)
    if query.is_leaf():
        return [] if query is wq.NullQuery else [query]
    return [leaf for child in query.children() for leaf in positive_leaves(child)]


def sanitize(text: str) -> str:
    """Strip control characters and cap the length of a query."""
    text = CONTROL_CHARS.sub(" ", text or "")[:MAX_QUERY_CHARS]
    return " ".join(text.split()[:MAX_WORDS])


class _Capped:
    """Expand to at most MAX_EXPANSIONS index terms."""

    def _btexts(self, ixreader):  # type: ignore[no-untyped-def]
        return islice(super()._btexts(ixreader), MAX_EXPANSIONS)  # type: ignore[misc]


class CappedPrefix(_Capped, wq.Prefix):
    """A prefix query bounded in the terms it expands to."""


class CappedWildcard(_Capped, wq.Wildcard):
    """A wildcard query bounded in the terms it expands to."""


class CappedFuzzy(_Capped, wq.FuzzyTerm):
    """A typo-tolerant term bounded in the terms it expands to."""


class _PlusMinusPlugin(PlusMinusPlugin):
    """`+a` requires a, `-b` excludes b; the other words keep the group's coordination."""

    def do_plusminus(self, parser: object, group: syntax.GroupNode) -> syntax.GroupNode:
        required, optional, banned = syntax.AndGroup(), group.empty_copy(), syntax.OrGroup()
        target = optional
        for node in group:
            if isinstance(node, self.Plus):
                target = required
            elif isinstance(node, self.Minus):
                target = banned
            else:
                target.append(node)
                target = optional
        if banned and not (required or optional):  # "-b" alone: everything but b
            optional.append(syntax.NotGroup([banned]))
            return optional
        result: syntax.GroupNode = optional
        if required:
            result = syntax.AndMaybeGroup([required, result]) if optional else required
        if banned:
            result = syntax.AndNotGroup([result, banned])
        return result


def make_parser(schema: Schema, fields: dict[str, float],
                operators: bool = True) -> MultifieldParser:
    """Return the parser of user queries over the ranked text `fields` (name → weight)."""
    parser = MultifieldParser(list(fields), schema, fieldboosts=fields,
                              group=ranking.WordsGroup)
    parser.add_plugin(DatesPlugin())
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(SynonymsPlugin())
    # `+`/`-` only open a word: "Baku-Tbilisi-Ceyhan" and "C5+1" stay words.
    parser.add_plugin(_PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=[\w\"(])",
                                       minusexpr=r"(?<![^\s(])-(?=[\w\"(])"))
    if not operators:
        parser.replace_plugin(OperatorsPlugin(And=None, Or=None, AndNot=None, AndMaybe=None,
                                              Not=None))
    return parser


def _typed_words(node: syntax.SyntaxNode, found: dict[tuple[int, int], list[Any]]) -> None:
    """Collect the plain words of a syntax tree with the fields each was searched in."""
    if isinstance(node, (SynonymGroup, NotADate)):
        return  # known vocabulary; syntax that fell back to words
    if isinstance(node, syntax.GroupNode):
        for child in node.nodes:
            _typed_words(child, found)
    elif isinstance(node, PhrasePlugin.PhraseNode):
        for match in WORD.finditer(node.text):
            start = node.textstartchar + match.start()
            found.setdefault((start, start + len(match.group())),
                             [match.group(), set()])[1].add(node.fieldname)
    elif type(node) is syntax.WordNode and node.startchar is not None:
        found.setdefault((node.startchar, node.endchar), [node.text, set()])[1].add(
            node.fieldname)


def _words(tree: syntax.GroupNode, default: Collection[str]) -> tuple[TypedWord, ...]:
    """Return the typed words of a tree; a word searched in the `default` fields has no field."""
    found: dict[tuple[int, int], list[Any]] = {}
    _typed_words(tree, found)
    return tuple(TypedWord(text, None if fields <= set(default) else next(iter(fields)),
                           start, end)
                 for (start, end), (text, fields) in sorted(found.items()))


def _rebuild(query: wq.Query, fn: Callable[[wq.Query], wq.Query]) -> wq.Query:
    """Return `query` with `fn` applied to its children (keeping an Or's coordination scale)."""
    if isinstance(query, wq.CompoundQuery):
        rebuilt = copy.copy(query)
        rebuilt.subqueries = [fn(child) for child in query.subqueries]
        return rebuilt
    return query.apply(fn)


def _bounded(query: wq.Query, notices: list[str]) -> wq.Query:
    """Cap the expansions of wildcard, prefix and fuzzy terms; drop too-short wildcards."""
    if isinstance(query, (wq.Prefix, wq.Wildcard)):
        literal = re.split(r"[*?]", query.text, maxsplit=1)[0]
        if len(literal) < MIN_PREFIX:
            notice = (f"{query.text!r} was left out: a wildcard needs at least {MIN_PREFIX} "
                      "letters before its first * or ?")
            if notice not in notices:
                notices.append(notice)
            return wq.NullQuery
        capped = CappedPrefix if isinstance(query, wq.Prefix) else CappedWildcard
        return capped(query.fieldname, query.text, boost=query.boost)
    if isinstance(query, wq.FuzzyTerm):
        return CappedFuzzy(query.fieldname, query.text, boost=query.boost,
                           maxdist=query.maxdist, prefixlength=query.prefixlength)
    return _rebuild(query, lambda child: _bounded(child, notices))


def _leaf_fields(query: wq.Query) -> set[str | None]:
    if query.is_leaf():
        return {query.field()}
    return {f for child in query.children() for f in _leaf_fields(child)}


def _is_restriction(query: wq.Query) -> bool:
    """Tell whether a clause only restricts by date, author, topic or section."""
    fields = _leaf_fields(query)
    return bool(fields) and fields <= RESTRICTION_FIELDS


def _semantics(query: wq.Query) -> wq.Query:
    """Give the default (OR) groups of the tree Lucene's meaning, at every level.

    In a group of plain words, `NOT b` excludes b (Whoosh reads it as "or anything but b",
    which matches nearly everything), and a date, author, topic or section term restricts the
    results instead of being one more optional word. Groups joined by an explicit OR are left
    as they are: `date:2022 OR gas` means either.
    """
    query = _rebuild(query, _semantics)
    if not isinstance(query, ranking.Words):
        return query
    negated = [q.query for q in query.subqueries if isinstance(q, wq.Not)]
    kept = [q for q in query.subqueries if not isinstance(q, wq.Not)]
    required = [q for q in kept if _is_restriction(q)]
    optional = [q for q in kept if not _is_restriction(q)]
    if not (negated or required):
        return query
    positive: list[wq.Query] = list(required)
    if optional:
        words = copy.copy(query)
        words.subqueries = optional
        positive.insert(0, words)
    exclude = negated[0] if len(negated) == 1 else wq.Or(negated)
    if not positive:
        return wq.Not(exclude)
    found = positive[0] if len(positive) == 1 else wq.And(positive)
    return wq.AndNot(found, exclude) if negated else found


def _too_deep(text: str) -> bool:
    depth = deepest = 0
    for char in text:
        if char in "()":
            depth = max(0, depth + (1 if char == "(" else -1))
            deepest = max(deepest, depth)
    return deepest > MAX_DEPTH


def _shouted(text: str) -> bool:
    return text.upper() == text and len(text.split()) >= SHOUTED_WORDS


def _repeats(query: wq.Query, rank: ranking.Ranking) -> wq.Query:
    """Weigh a word typed several times more (the tree's normalize would keep it once)."""
    query = _rebuild(query, lambda child: _repeats(child, rank))
    if not isinstance(query, wq.Or):
        return query
    counts: dict[wq.Query, int] = {}
    for sub in query.subqueries:
        counts[sub] = counts.get(sub, 0) + 1
    if len(counts) == len(query.subqueries):
        return query
    merged = copy.copy(query)
    merged.subqueries = [sub.with_boost(sub.boost * rank.repeated(n)) if n > 1 else sub
                         for sub, n in counts.items()]
    return merged


def _parse(text: str, parser: MultifieldParser, rank: ranking.Ranking,
           notices: list[str]) -> tuple[wq.Query, tuple[TypedWord, ...]]:
    tree = parser.process(text)
    query = _semantics(_bounded(tree.query(parser), notices))
    if rank.query_term_k3 is not None:
        query = _repeats(query, rank)
    return query.normalize(), _words(tree, rank.fields)


def parse_query(text: str, schema: Schema,
                rank: ranking.Ranking = ranking.DEFAULT) -> ParsedQuery:
    """Turn a user's text into one query tree; text the parser rejects searches as words."""
    text = sanitize(text)
    notices: list[str] = []
    query, words = wq.NullQuery, ()
    if not _too_deep(text):
        try:
            parser = make_parser(schema, rank.fields, operators=not _shouted(text))
            query, words = _parse(text, parser, rank, notices)
        except Exception:  # Whoosh's parser raises assorted errors on odd syntax
            query, words = wq.NullQuery, ()
    if query is wq.NullQuery and not notices and WORD.search(text):
        text = " ".join(w for w in WORD.findall(text) if w not in OPERATORS)
        parser = make_parser(schema, rank.fields, operators=False)
        query, words = _parse(text, parser, rank, notices)
    return ParsedQuery(text, query, words, tuple(notices))
