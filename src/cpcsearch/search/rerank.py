"""Rerank: reorder the ranked hits of a relevance search (the ranking issue decides what runs)."""

from __future__ import annotations

from whoosh.searching import Searcher

from cpcsearch.search.parse import ParsedQuery


def rerank(searcher: Searcher, parsed: ParsedQuery,
           ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Return the hits in their final order."""
    return ranked
