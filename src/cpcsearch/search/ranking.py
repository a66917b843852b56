"""Ranking: field weights, query grouping, BM25F and proximity boosts."""

from __future__ import annotations

from whoosh import scoring
from whoosh.qparser import OrGroup
from whoosh.query import And, AndMaybe, Or, Phrase, Query, Term

# A title word says more about the document than a body word; a summary sits in between.
FIELD_BOOSTS: dict[str, float] = {"title": 2.0, "summary": 1.5, "body": 1.0}

# Sentence-like queries must not require every word; the coordination bonus (SQR) slightly
# favours documents matching more of the words.
GROUP = OrGroup.factory(0.9)

# Robertson's usual BM25 settings.
K1 = 1.2
B = 0.75

# Optional bonus for two adjacent query words found together, in order, within SLOP positions.
PROXIMITY_SLOP = 1
PROXIMITY_BOOST = 1.0


def weighting() -> scoring.WeightingModel:
    """Return the BM25F model used for every search."""
    return scoring.BM25F(B=B, K1=K1)


def _word(query: Query) -> tuple[str, list[Term]] | None:
    """Return the text and per-field terms of a single plain word, or None for anything else.

    The parser turns a word into a Term (one field) or an Or of Terms with the same text
    (one per field of `FIELD_BOOSTS`).
    """
    terms = list(query.subqueries) if type(query) is Or else [query]
    if not terms or not all(type(t) is Term and t.fieldname in FIELD_BOOSTS for t in terms):
        return None
    texts = {t.text for t in terms}
    return (texts.pop(), terms) if len(texts) == 1 else None


def add_proximity(query: Query) -> Query:
    """Return `query` with optional phrase boosts for each pair of adjacent plain words.

    Only the top-level list of an Or/And is considered; anything that is not a plain word
    (phrases, other fields, NOT, ranges, ...) breaks adjacency and is left untouched. The boosts
    are added with AndMaybe, so they change scores but never the set of matching documents.
    """
    # A lone word is itself an Or of per-field terms: nothing to pair.
    if not isinstance(query, (Or, And)) or _word(query):
        return query
    phrases: list[Query] = []
    previous: tuple[str, list[Term]] | None = None
    for sub in query.subqueries:
        word = _word(sub)
        if word and previous:
            for term in word[1]:
                if any(t.fieldname == term.fieldname for t in previous[1]):
                    phrases.append(Phrase(term.fieldname, [previous[0], word[0]],
                                          slop=PROXIMITY_SLOP,
                                          boost=term.boost * PROXIMITY_BOOST))
        previous = word
    if not phrases:
        return query
    return AndMaybe(query, Or(phrases))
