"""Search-as-you-type: titles that match so far, the authors and topics named so far, and
completions of the word being typed; a field being typed (`author:mar`, `by:"elena m`,
`date:20`) is completed by its own values."""

from __future__ import annotations

import heapq
import itertools
import re
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
from whoosh.searching import Searcher

from cpcsearch.index.lexicon import Lexicon
from cpcsearch.search.arrays import Postings, intersection, union
from cpcsearch.search.facets import FACET_NAMES, FacetTable, folded
from cpcsearch.search.parse import DATE_NAMES, FIELD_ALIASES

WORD = re.compile(r"\w+", re.UNICODE)
LAST_CHARACTER = "\U0010ffff"  # after every character: a prefix's terms sort before it + this
# The commonest title words a word being typed may be, whose titles are suggested: a short
# beginning ("co") begins thousands, and matching them all took up to a second.
MAX_TITLE_WORDS = 64
TITLE_WORDS = "title_words"
MIN_PREFIX = 2
# The facets whose values a reader may be typing (each searched by its name: `author:`).
NAMED = ("author", "topic")
MAX_NAMES = 2
# The facet whose values complete each field name typed before a colon (a field's first name
# is its facet's: author, topic, section).
FACET_OF = {**{alias: aliases[0] for aliases in FIELD_ALIASES.values()
               if aliases[0] in FACET_NAMES for alias in aliases},
            **dict.fromkeys(DATE_NAMES, "year")}
FIELD_TYPED = re.compile(r"(?i)(?<![\w:.])(?P<field>" + "|".join(FACET_OF) +
                         r'):(?:"(?P<quoted>[^"]*)|(?P<plain>[^\s"()]*))$')


@dataclass(frozen=True)
class Name:
    """An author or a topic, the words it is matched by as typed, and its live articles."""

    field: str
    value: str
    words: tuple[str, ...]
    articles: int


def _words(text: str) -> list[str]:
    return WORD.findall(folded(text))


def names(table: FacetTable, live: np.ndarray) -> list[Name]:
    """Return every facet value of a commit, those of the most live articles first."""
    counts = table.counts(np.flatnonzero(live))
    found = [Name(facet, value, tuple(_words(value)), int(counts[table.first[f] + i]))
             for f, facet in enumerate(FACET_NAMES) for i, value in enumerate(table.names[f])]
    return sorted((name for name in found if name.articles), key=lambda n: -n.articles)


def _begins(words: tuple[str, ...], typed: list[str]) -> bool:
    """Tell whether the typed words begin a run of `words`: each in full, the last begun."""
    *whole, begun = typed
    return any(list(words[at:at + len(whole)]) == whole
               and words[at + len(whole)].startswith(begun)
               for at in range(len(words) - len(whole)))


def _names_typed(typed: list[str], known: list[Name], limit: int) -> list[dict[str, str]]:
    """Return the first `limit` authors and topics whose words the typed words begin."""
    return [{"kind": name.field, "text": f'{name.field}:"{name.value}"'}
            for name in itertools.islice((n for n in known if n.field in NAMED
                                          and _begins(n.words, typed)), max(0, limit))]


def _field_typed(field: re.Match[str], known: list[Name], limit: int) -> list[dict[str, str]]:
    """Return the values of the facet whose field is being typed that its typed words begin
    (all, with none typed): those of the most articles first, years the newest."""
    facet = FACET_OF[field.group("field").lower()]
    typed = _words(field.group("quoted") or field.group("plain") or "")
    found = [n for n in known if n.field == facet and (not typed or _begins(n.words, typed))]
    if facet == "year":
        found.sort(key=lambda n: n.value, reverse=True)
    stem = field.string[:field.end("field") + 1]
    return [{"kind": facet, "text": stem + (n.value if facet == "year" else f'"{n.value}"')}
            for n in found[:limit]]


def _begun(lexicons: Lexicon, fieldname: str, begun: str) -> list[tuple[int, str]]:
    """Return the (documents, term) of a field's terms that begin with `begun`."""
    words, counts = lexicons(fieldname, begun[0])
    first, end = bisect_left(words, begun), bisect_left(words, begun + LAST_CHARACTER)
    return list(zip(counts[first:end], words[first:end], strict=True))


def _titles(postings: Postings, lexicons: Lexicon, done: list[str], begun: str,
            limit: int) -> list[int]:
    """Return the `limit` best titles (document numbers) holding every word of `done` and one
    beginning `begun` (one of the commonest such words), by their BM25F over the title words."""
    common = heapq.nlargest(MAX_TITLE_WORDS, _begun(lexicons, TITLE_WORDS, begun))
    if not common:
        return []
    found = union([postings.term(TITLE_WORDS, term) for _, term in common], postings.size)
    for word in done:
        found = intersection(found, postings.term(TITLE_WORDS, word), postings.size)
    return [docnum for docnum, _ in found.best(limit)]


def suggest(searcher: Searcher, postings: Postings, lexicons: Lexicon, text: str,
            limit: int = 8, known: list[Name] | None = None) -> list[dict[str, str]]:
    """Return up to `limit` suggestions: title matches first, then authors and topics named
    so far (of `known`), then the commonest completions of the word being typed
    (`postings`: the commit's term arrays; `lexicons`: its `lexicon`s)."""
    field = FIELD_TYPED.search(text)
    if field is not None:
        return _field_typed(field, known or [], limit)
    words = [w.lower() for w in WORD.findall(text)]
    if not words or len(words[-1]) < MIN_PREFIX:
        return []
    done, last = words[:-1], words[-1]
    titles = [{"kind": "title", "text": stored["title"], "id": stored["id"]}
              for stored in map(searcher.stored_fields,
                                _titles(postings, lexicons, done, last, max(1, limit // 2)))]
    named = _names_typed(_words(text), known or [], min(MAX_NAMES, limit - len(titles)))
    stem = text[: text.lower().rfind(last)]
    completions = heapq.nsmallest(max(0, limit - len(titles) - len(named)),
                                  _begun(lexicons, "words", last),
                                  key=lambda found: (-found[0], found[1]))
    terms = [{"kind": "term", "text": f"{stem}{term}"} for _, term in completions]
    return titles + named + terms
