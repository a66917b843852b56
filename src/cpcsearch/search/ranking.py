"""Ranking: field weights, query grouping, BM25F and proximity boosts."""

from __future__ import annotations

from typing import Any

from whoosh import scoring
from whoosh.matching import CoordMatcher, DisjunctionMaxMatcher, Matcher
from whoosh.qparser import OrGroup
from whoosh.query import And, AndMaybe, DisjunctionMax, Or, Phrase, Query, Term
from whoosh.searching import Searcher

# Whoosh sums one saturated BM25 score per field, so searching title, summary and body apart
# counts a word found in all three three times. `content` holds all three as one text with one
# length normalization (BM25F proper); the title adds a half-weight bonus for words a reader
# sees in the heading. (Cranfield: separate fields MAP 0.440 nDCG@10 0.534; content alone
# 0.451 / 0.548; content + title x0.5 0.455 / 0.548.) `content` also holds the section,
# authors and topics, so a program's or an author's name finds their articles.
FIELD_BOOSTS: dict[str, float] = {"content": 1.0, "title": 0.5}



class _LoneTermCoordMatcher(CoordMatcher):
    """Whoosh's coordination bonus, except that a lone term keeps its score.

    Whoosh's formula multiplies by (terms - 1) / terms, which zeroes every score when only one
    of the query's terms occurs in the index (a one-word query whose word is in no title).
    """

    def _sqr(self, score: float, matching: int) -> float:
        return score if self._termcount < 2 else super()._sqr(score, matching)


class _CoordinatedOr(Or):
    """An Or whose coordination bonus never zeroes a lone term's scores."""

    def matcher(self, searcher: Searcher, context: Any = None) -> Matcher:
        found = super().matcher(searcher, context)
        if type(found) is CoordMatcher:
            return _LoneTermCoordMatcher(found.child, scale=self.scale)
        return found


class _DisMaxMatcher(DisjunctionMaxMatcher):
    """Whoosh's max-of-alternatives matcher, scoring only the alternatives on the current doc.

    Whoosh's own takes the max over both sides even when one side sits on another document,
    so a document matching one synonym got the score of another document's match.
    """

    def score(self) -> float:
        a, b = self.a, self.b
        if not a.is_active():
            return b.score()
        if not b.is_active():
            return a.score()
        if a.id() != b.id():
            return a.score() if a.id() < b.id() else b.score()
        return max(a.score(), b.score())


class DisMax(DisjunctionMax):
    """Any of the subqueries, each document scored by the best one that matches it."""

    def _matcher(self, subs: Any, searcher: Searcher, context: Any) -> Matcher:
        reader = searcher.reader()
        return self._tree_matcher(subs, _DisMaxMatcher, searcher, context,
                                  lambda q: q.estimate_size(reader))


# Sentence-like queries must not require every word; the coordination bonus (SQR) favours
# documents matching more of the words (Cranfield MAP 0.455 with it, 0.427 without).
GROUP = OrGroup.factory(0.9)


def fix_coordination(query: Query) -> Query:
    """Return a parsed query whose coordination bonus never zeroes a lone term's scores.

    The parser's top-level group is the coordinated Or of the query's words (nested groups,
    from parentheses, are rare and keep Whoosh's own).
    """
    if type(query) is Or and query.scale:
        return _CoordinatedOr(query.subqueries, boost=query.boost, minmatch=query.minmatch,
                              scale=query.scale)
    return query

# Robertson's usual BM25 settings.
K1 = 1.2
B = 0.75

# Optional bonus for two adjacent query words found together, in order, within SLOP positions;
# kept small because it re-counts the pair's BM25 scores (Cranfield MAP: x0.25 -0.004, x1 -0.03).
PROXIMITY_SLOP = 1
PROXIMITY_BOOST = 0.25


def weighting() -> scoring.WeightingModel:
    """Return the BM25F model used for every search."""
    return scoring.BM25F(B=B, K1=K1)


def add_proximity(query: Query) -> Query:
    """Return `query` with optional phrase boosts for each pair of adjacent plain words.

    The parser's normalized Or/And is a flat list of per-field Terms in word order
    (title:a body:a title:b body:b ...), so each field's own sequence gives the word pairs.
    Anything else in the list (phrases, NOT, ranges, nested groups, other fields) breaks
    adjacency. The boosts are added with AndMaybe: they change scores, never the matches.
    """
    if not isinstance(query, (Or, And)):
        return query
    phrases: list[Query] = []
    previous: dict[str, str] = {}  # field -> text of the last plain word seen in it
    for sub in query.subqueries:
        if type(sub) is not Term or sub.fieldname not in FIELD_BOOSTS:
            previous.clear()
            continue
        last = previous.get(sub.fieldname)
        if last is not None and last != sub.text:
            phrases.append(Phrase(sub.fieldname, [last, sub.text], slop=PROXIMITY_SLOP,
                                  boost=sub.boost * PROXIMITY_BOOST))
        previous[sub.fieldname] = sub.text
    if not phrases:
        return query
    return AndMaybe(query, Or(phrases))
