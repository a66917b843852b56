"""Authors named as citations name them: `author:"Marsh, Elena"`, `author:"E. Marsh"` and
`author:"Marsh E"` find Elena Marsh, as `author:"elena marsh"` does.

An `author:` phrase (or an `author=` value) also stands for each author of the commit whose name
has all its words in any order, a one-letter word (an initial; `J.R.R.` is three) standing for a
word it begins, and at least one word whole: it searches as that name's own phrase.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial

from whoosh import query as wq
from whoosh.fields import Schema

from cpcsearch.index.schema import AUTHOR_WORDS, name_words
from cpcsearch.search.plan import Plan
from cpcsearch.search.rewrite import rebuild


def _parts(words: Iterable[str]) -> list[str]:
    """Return the words with dotted initials apart (`j.r.r` → j, r, r)."""
    found = []
    for word in words:
        pieces = word.split(".")
        found += pieces if len(pieces) > 1 and all(len(p) == 1 for p in pieces) else [word]
    return found


def _holds(name: list[str], words: list[str]) -> bool:
    """Tell whether a name's words hold `words`, each its own: a whole word as it is, an initial
    as any word it begins."""
    left = list(name)
    for word in sorted(words, key=len, reverse=True):  # whole words first, then initials
        match = next((w for w in left if w == word or len(word) == 1 and w.startswith(word)),
                     None)
        if match is None:
            return False
        left.remove(match)
    return True


class Authors:
    """The authors of a commit, each with its name's words as its author field analyses them."""

    def __init__(self, names: Iterable[str], schema: Schema) -> None:
        self.schema = schema
        self.words = {name: words for name in names if (words := name_words(schema, name))}

    def cited(self, words: list[str]) -> list[str]:
        """Return the names that a citation of `words` (analysed) stands for."""
        typed = _parts(words)
        if not any(len(word) > 1 for word in typed):
            return []
        return [name for name, own in self.words.items() if _holds(_parts(own), typed)]

    def named(self, written: str) -> str | None:
        """Return the one author that `written`, as a citation writes a name, stands for."""
        found = self.cited(name_words(self.schema, written))
        return found[0] if len(found) == 1 else None


def _with_cited(query: wq.Query, authors: Callable[[], Authors]) -> wq.Query:
    if isinstance(query, wq.Phrase) and query.fieldname == AUTHOR_WORDS:
        known = authors()
        names = [known.words[name] for name in known.cited(query.words)]
        names = [words for words in names if words != query.words]
        if not names:
            return query
        # a cited name has as many words as the phrase or more (two at least): a phrase too
        return wq.Or([query, *(wq.Phrase(AUTHOR_WORDS, words, boost=query.boost)
                               for words in names)])
    return rebuild(query, partial(_with_cited, authors=authors))


def with_cited_authors(plan: Plan, authors: Callable[[], Authors]) -> Plan:
    """Return the plan with each author phrase of its query and filter also standing for the
    names it cites (`authors()`: the commit's, asked for only when the plan has such a phrase);
    the plan itself when it has none."""
    query = _with_cited(plan.query, authors)
    kept = plan.filter and _with_cited(plan.filter, authors)
    if query is plan.query and kept is plan.filter:
        return plan
    return replace(plan, query=query, filter=kept)
