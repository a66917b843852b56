"""Pseudo-relevance feedback: add the key terms of a query's top hits to the query.

The settings are the usual published defaults, not tuned to a test collection: Bo1 term
weights (Amati, 2003; Terrier's default expansion model), 10 feedback documents and 10
feedback terms with the original query keeping half the weight (Anserini's RM3/Bo1 defaults).
"""

from __future__ import annotations

from whoosh.classify import Bo1Model
from whoosh.query import AndMaybe, Or, Query, Term
from whoosh.searching import Searcher

from cpcsearch.search import ranking

FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 10
# The share of the final query's weight kept by the user's own words.
ORIGINAL_WEIGHT = 0.5
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
    total = sum(weight for _, weight in key_terms)
    if not total:
        return query
    # Interpolate two weight distributions, as RM3 does: the user's words share ORIGINAL_WEIGHT
    # equally (each already carries boost 1), the expansion terms the rest by their Bo1 weight.
    scale = (1 - ORIGINAL_WEIGHT) / ORIGINAL_WEIGHT * len(words) / total
    expansion = [Term(field, text, boost=weight * scale * boost)
                 for text, weight in key_terms
                 for field, boost in ranking.FIELD_BOOSTS.items()]
    return AndMaybe(query, Or(expansion))
