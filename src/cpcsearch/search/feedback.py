"""Pseudo-relevance feedback: add the key terms of a query's top hits to the query.

The settings are published defaults, not tuned to a test collection: Bo1 term weights
(Amati, 2003; Terrier's default expansion model) scaled to the heaviest term and by Terrier's
Rocchio beta 0.4, from 10 feedback documents and 10 terms (Anserini's fb_docs/fb_terms).
"""

from __future__ import annotations

from whoosh.classify import Bo1Model
from whoosh.query import AndMaybe, Or, Query, Term
from whoosh.searching import Searcher

from cpcsearch.search import ranking

FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 10
# The heaviest expansion term weighs this much; each of the user's words weighs 1.
BETA = 0.4
# Short keyword queries already say what they mean and drift when expanded; feedback is for
# sentence-like queries with this many distinct content words or more.
MIN_QUERY_WORDS = 3
# The field whose words are weighed: the full text of each top hit.
FEEDBACK_FIELD = "body"


def plain_words(query: Query) -> list[str] | None:
    """Return the distinct words of a plain-word query, or None if it has any other syntax."""
    if isinstance(query, AndMaybe):  # the parser's optional proximity boosts
        query = query.a
    subqueries = query.subqueries if isinstance(query, Or) else [query]
    if not all(type(sub) is Term and sub.fieldname in ranking.FIELD_BOOSTS
               for sub in subqueries):
        return None
    return list(dict.fromkeys(sub.text for sub in subqueries))


def expand(searcher: Searcher, query: Query, filter: Query | None = None) -> Query:
    """Return `query` with the Bo1 key terms of its top hits as optional, weighted words.

    The expansion only re-ranks: every hit still matches the user's words, and no new hit
    appears. Queries that are not plain words, or have too few of them, come back unchanged.
    """
    words = plain_words(query)
    if words is None or len(words) < MIN_QUERY_WORDS:
        return query
    results = searcher.search(query, limit=FEEDBACK_DOCS, filter=filter)
    key_terms = results.key_terms(FEEDBACK_FIELD, docs=FEEDBACK_DOCS, numterms=FEEDBACK_TERMS,
                                  model=Bo1Model, normalize=False)
    if not key_terms:
        return query
    # normalize=False divides by the heaviest term's weight, so weights fall in (0, 1].
    expansion = [Term(field, text, boost=weight * BETA * boost)
                 for text, weight in key_terms
                 for field, boost in ranking.FIELD_BOOSTS.items()]
    return AndMaybe(query, Or(expansion))
