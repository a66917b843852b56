"""Ranking: field weights, query grouping, BM25F and proximity boosts."""

from __future__ import annotations

from whoosh import scoring
from whoosh.qparser import OrGroup
from whoosh.query import And, AndMaybe, Or, Phrase, Query, Term

# Whoosh sums one saturated BM25 score per field, so searching title, summary and body apart
# counts a word found in all three three times. `content` holds all three as one text with one
# length normalization (BM25F proper); the title adds a half-weight bonus for words a reader
# sees in the heading. (Cranfield: separate fields MAP 0.440 nDCG@10 0.534; content alone
# 0.451 / 0.548; content + title x0.5 0.455 / 0.548.)
FIELD_BOOSTS: dict[str, float] = {"content": 1.0, "title": 0.5}

# Sentence-like queries must not require every word; the coordination bonus (SQR) slightly
# favours documents matching more of the words.
GROUP = OrGroup.factory(0.9)

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
