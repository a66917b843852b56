"""Parse: a user's text → one Whoosh query tree, through the parser's plugins; never an error.

Plain words match all their forms and are optional, ranking by how many match (Lucene's
default OR mode); `a AND b` requires both; `a NOT b`, `a AND NOT b` and `a -b` exclude b;
`+a` requires a. On top: "phrases", parentheses, `author:`, `topic:`, `section:`, `title:`,
dates (`dates.py`), `word*` and `word~`. Synonyms rewrite the words of the tree
(`synonyms.py`). Text the parser cannot read searches as its plain words.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cachetools import LRUCache
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, QueryParser, syntax
from whoosh.qparser.plugins import (
    FieldsPlugin,
    MultifieldPlugin,
    OperatorsPlugin,
    PhrasePlugin,
    PlusMinusPlugin,
    WhitespacePlugin,
)

from cpcsearch.index.analysis import STOP_WORDS
from cpcsearch.index.schema import AUTHOR_WORDS
from cpcsearch.search import ranking, rewrite
from cpcsearch.search.dates import DATE_NAMES, DatesPlugin, NotADate
from cpcsearch.search.synonyms import SynonymGroup, SynonymsPlugin

FIELD_ALIASES = {
    AUTHOR_WORDS: ["author", "authors", "by"],
    "topic_text": ["topic", "topics", "tag", "tags"],
    "section_text": ["section", "program", "programme"],
    "title": ["title"],
}
MAX_QUERY_CHARS = 4000
MAX_WORDS = 256
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
QUOTES = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\uff02", '"'))
# A question mark (Whoosh's wildcard for one letter, in its Latin, Armenian, Arabic and Ethiopic
# forms) in a reader's text asks a question, or stands for a quote mark or an apostrophe lost in
# copying ("?slip? flow", "Russia?s"): it is punctuation, and `*` the only wildcard.
QUESTION_MARKS = str.maketrans(dict.fromkeys("?\u055e\u061f\u1367", " "))
# A `*` standing alone (`gas * oil`, "operators like *, +") is punctuation too; one joined to a
# word is a wildcard, and `*:*` Lucene's every document.
LONE_STARS = re.compile(r"(?<![\w*:])\*+(?![\w*:])")
WORD = re.compile(r"\w+(?:[-'’.]\w+)*")
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE"})  # Whoosh's
NO_WORDS = ("There is no word to search for: type one, or clear the box to see every article, "
            "newest first.")
# A text in capitals this long is a pasted sentence: its AND/OR/NOT are words.
SHOUTED_WORDS = 4
# The names a reader may put before a colon: the fields, their aliases, and the date terms.
FIELD_NAMES = frozenset({*FIELD_ALIASES, *DATE_NAMES,
                         *(alias for aliases in FIELD_ALIASES.values() for alias in aliases)})


def field_prefix(names: Collection[str]) -> str:
    """Return the pattern of any of `names` before a colon, in any case (not within a word, a
    dotted name or a URL), the name its group."""
    return r"(?i)(?<![\w:.])(" + "|".join(sorted(names, key=len, reverse=True)) + r"):"


_FIELD = field_prefix(FIELD_NAMES)
FIELD_THEN_WORD = re.compile(_FIELD + r"\s*(?=[^\s)])")
FIELD_ALONE = re.compile(_FIELD + r"(?=\s*(?:\)|$))")
# Parentheses nested deeper than this are no one's query (and cost the parser dearly): the text
# searches as its plain words.
MAX_DEPTH = 8
# Words apart by single spaces, none of them in capitals (an operator): only the whitespace
# tagger matches in such a text.
PLAIN_WORDS = re.compile(r"\w+(?: \w+)*")
WORD_FILTERS = (SynonymsPlugin.expand, MultifieldPlugin.do_multifield,
                WhitespacePlugin.remove_whitespace)


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
        """Tell whether the query looks for words that can rank (not only dates, NOTs or every
        article)."""
        return any(leaf.field() not in (None, "date") for leaf in positive_leaves(self.query))


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
    """Strip control characters, question marks and lone `*`, straighten typographic double
    quotes (a phrase pasted from a document or typed on a phone) and cap the length of a query."""
    text = CONTROL_CHARS.sub(" ", text or "")[:MAX_QUERY_CHARS]
    text = LONE_STARS.sub(" ", text.translate(QUOTES).translate(QUESTION_MARKS))
    return " ".join(text.split()[:MAX_WORDS])


def _field_prefixes(text: str, notices: list[str]) -> str:
    """Join a field name to the word typed after a space (`author: okafor`, as Lucene reads
    it) and write it in lowercase (`Author:`), and leave out one with nothing after it,
    saying so."""
    text = FIELD_THEN_WORD.sub(lambda field: f"{field.group(1).lower()}:", text)
    for dangling in map(str.lower, FIELD_ALONE.findall(text)):
        what, example = ("date", "2023") if dangling in DATE_NAMES else ("word", "word")
        rewrite.add_notice(notices, f"'{dangling}:' was left out: write the {what} to find "
                           f"after it, as in {dangling}:{example}.")
    return " ".join(FIELD_ALONE.sub(" ", text).split())


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


class _FieldsPlugin(FieldsPlugin):
    """`field:` for the fields readers are told of only: the index's others (words, id, vector,
    ...) are internal, and some fail when searched as a reader would (a phrase needs positions);
    their `name:` stays text."""

    class FieldnameTagger(FieldsPlugin.FieldnameTagger):
        def create(self, parser: object, match: re.Match[str]) -> syntax.SyntaxNode | None:
            return super().create(parser, match) if match.group("text") in FIELD_NAMES else None

    def __init__(self) -> None:
        super().__init__(expr=r"(?<!\w)(?P<text>\w+):")


class _Parser(QueryParser):
    """Whoosh's parser, its plugins' taggers and filters put in order once rather than at every
    query (it gets all its plugins before its first query)."""

    @cached_property
    def _taggers(self) -> list[Any]:
        return super().taggers()

    @cached_property
    def _filters(self) -> list[Any]:
        return super().filters()

    @cached_property
    def _word_filters(self) -> list[Any]:
        """The filters that act on a tree of plain words: the others look for nodes it has
        none of (operators, brackets, fields, boosts, patterns, + and -)."""
        return [f for f in self._filters if f.__func__ in WORD_FILTERS]

    def taggers(self) -> list[Any]:
        return self._taggers

    def filters(self) -> list[Any]:
        return self._filters

    def process(self, text: str, pos: int = 0, debug: bool = False) -> syntax.GroupNode:
        """Tag and filter a text as Whoosh does; a text of plain words without trying every
        tagger at every character, and through the filters that act on words only."""
        words = text.split(" ")
        if pos or debug or not PLAIN_WORDS.fullmatch(text) or any(map(str.isupper, words)):
            return super().process(text, pos, debug)
        nodes: list[syntax.SyntaxNode] = []
        start = 0
        for word in words:
            if start:
                nodes.append(syntax.Whitespace().set_range(start - 1, start))
            nodes.append(syntax.WordNode(word).set_range(start, start + len(word)))
            start += len(word) + 1
        group = self.group(nodes)
        for word_filter in self._word_filters:
            group = word_filter(self, group)
        return group


# Parsers made for a schema (a commit's), kept for its next queries: a parser keeps no state
# between queries, and making one cost a tenth of a parse.
_PARSERS: LRUCache[tuple[int, tuple[tuple[str, float], ...], bool],
                   tuple[Schema, QueryParser]] = LRUCache(16)
_PARSERS_LOCK = threading.Lock()


def make_parser(schema: Schema, fields: dict[str, float], operators: bool = True,
                synonyms: bool = True) -> QueryParser:
    """Return the parser of user queries over the ranked text `fields` (name → weight)."""
    key = (id(schema), tuple(fields.items()), operators, synonyms)
    with _PARSERS_LOCK:
        kept = _PARSERS.get(key)
    if kept is not None and kept[0] is schema:
        return kept[1]
    parser = _Parser(None, schema, group=ranking.WordsGroup)
    parser.remove_plugin_class(FieldsPlugin)
    parser.add_plugin(_FieldsPlugin())
    parser.add_plugin(MultifieldPlugin(list(fields), fieldboosts=fields))
    parser.add_plugin(DatesPlugin())
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    if synonyms:
        parser.add_plugin(SynonymsPlugin())
    # `+`/`-` only open a word: "Baku-Tbilisi-Ceyhan" and "C5+1" stay words.
    parser.add_plugin(_PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=[\w\"(])",
                                       minusexpr=r"(?<![^\s(])-(?=[\w\"(])"))
    if not operators:
        parser.replace_plugin(OperatorsPlugin(And=None, Or=None, AndNot=None, AndMaybe=None,
                                              Not=None, Require=None))
    with _PARSERS_LOCK:
        _PARSERS[key] = (schema, parser)
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


def _notices(node: syntax.SyntaxNode) -> list[str]:
    """Return what the date terms of a syntax tree say about how they were read."""
    found = [node.notice] if getattr(node, "notice", "") else []
    for child in node.nodes if isinstance(node, syntax.GroupNode) else ():
        found += _notices(child)
    return found


def _too_deep(text: str) -> bool:
    depth = deepest = 0
    for char in text:
        if char in "()":
            depth = max(0, depth + (1 if char == "(" else -1))
            deepest = max(deepest, depth)
    return deepest > MAX_DEPTH


def _shouted(text: str) -> bool:
    return text.upper() == text and len(text.split()) >= SHOUTED_WORDS


def _parse(text: str, parser: QueryParser, rank: ranking.Ranking,
           notices: list[str]) -> tuple[wq.Query, tuple[TypedWord, ...]]:
    tree = parser.process(text)
    for notice in _notices(tree):
        rewrite.add_notice(notices, notice)
    query = rewrite.semantics(rewrite.bounded(tree.query(parser), notices))
    if rank.query_term_k3 is not None:
        query = rewrite.repeats(query, rank)
    return query.normalize(), _words(tree, rank.fields)


def parse_query(text: str, schema: Schema, rank: ranking.Ranking = ranking.DEFAULT,
                synonyms: bool = True) -> ParsedQuery:
    """Turn a user's text into one query tree; text the parser rejects searches as words.
    Without `synonyms`, a name's variants are not searched for (its words are, as typed)."""
    if text and not text.strip("* "):  # `*` alone, as Lucene reads it: every article
        return ParsedQuery("*", wq.Every())
    notices: list[str] = []
    typed, text = text, _field_prefixes(sanitize(text), notices)
    query, words = wq.NullQuery, ()
    if not _too_deep(text):
        try:
            parser = make_parser(schema, rank.fields, not _shouted(text), synonyms)
            query, words = _parse(text, parser, rank, notices)
        except Exception:  # Whoosh's parser raises assorted errors on odd syntax
            query, words = wq.NullQuery, ()
    if query is wq.NullQuery and not notices and WORD.search(text):
        text = " ".join(w for w in WORD.findall(text) if w not in OPERATORS)
        parser = make_parser(schema, rank.fields, False, synonyms)
        query, words = _parse(text, parser, rank, notices)
    if query is wq.NullQuery and not notices:
        notices += _why_nothing(typed, text)
    return ParsedQuery(text, query, words, tuple(notices))


def _why_nothing(typed: str, text: str) -> list[str]:
    """Return the notice of a text that asks for nothing (`text`: as sanitized): its words are
    stop words, or it has none (only punctuation); an empty box asks for nothing and browses."""
    common = [repr(w) for w in dict.fromkeys(WORD.findall(text)) if w.lower() in STOP_WORDS]
    if common:
        return [f"{', '.join(common)} {'is' if len(common) == 1 else 'are'} too common to "
                "search for: add a word that says what you are looking for."]
    return [NO_WORDS] if (typed or "").strip() and not WORD.search(text) else []
