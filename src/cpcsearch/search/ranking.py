"""Ranking: BM25F fused with InB2 over the ranked text fields, then RM3 feedback, parameters in
one settings object.

The parameters are chosen on the macro mean of seven judged collections (see
`benchmarks/relevance.py`), never on one collection. Components that did not raise both the mean
MAP and nDCG@10 were dropped: a title bonus, Whoosh's coordination bonus, Bo1 feedback, proximity
boosts, BM25+ and the LSA re-ranking. What stays: BM25F (k1 1.5, b 0.75) over one text field and
the divergence-from-randomness model InB2 (c 1.5) scored from the same arrays, each divided by its
best score and summed (0.3 / 0.7), the query-term frequency, and RM3 feedback from the first 10
hits (`feedback.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from whoosh import scoring
from whoosh.matching import DisjunctionMaxMatcher, Matcher
from whoosh.qparser import syntax
from whoosh.query import DisjunctionMax, Or
from whoosh.searching import Searcher

# `content` holds title, section, authors, topics, summary and body as one text with one length
# normalization (BM25F proper), so a word found in the title and the body counts once, and a
# program's or an author's name finds their articles.
CONTENT = "content"
# The two word-weighting models scored from the same arrays (`arrays.Postings.term`).
BM25, INB2 = "bm25", "inb2"


@dataclass(frozen=True)
class Ranking:
    """The parameters of the ranking."""

    k1: float = 1.5
    b: float = 0.75
    # The title again, as a bonus for words a reader sees in the heading. Off by default: on
    # the seven collections 0.25 lowered the mean MAP (-0.002) and nDCG@10 (-0.007).
    title_weight: float = 0.0
    # A word typed n times weighs (k3 + 1) n / (k3 + n), BM25's saturation of query-term
    # frequency (Whoosh would count it once): long queries repeat what matters to them.
    # None: every word once. 0.75, not 1: with 1 it cost MED 0.012 of MAP, over the 0.01 any
    # component may cost one collection.
    query_term_k3: float | None = 0.75
    # Pseudo-relevance feedback (RM3, `feedback.py`): the first `feedback_docs` hits give
    # `feedback_terms` words that weigh `feedback_weight` of every match's score; those in more
    # than `feedback_common` of the articles are left out. 0 docs: off.
    feedback_docs: int = 10
    feedback_terms: int = 8
    feedback_weight: float = 0.25
    feedback_common: float = 0.1
    # InB2 (inverse document frequency, Bernoulli after-effect, length normalization 2
    # with `inb2_c`) scores every match beside BM25F; each model's scores are divided by the
    # query's best and summed, InB2 weighing `inb2_weight`. It ranks a word repeated in a short
    # text higher than BM25 does. 0: BM25F alone.
    inb2_weight: float = 0.7
    inb2_c: float = 1.5
    fields: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        fields = {CONTENT: 1.0}
        if self.title_weight:
            fields["title"] = self.title_weight
        object.__setattr__(self, "fields", fields)

    def repeated(self, times: int) -> float:
        """Return the weight of a word typed `times` times."""
        k3 = self.query_term_k3
        return 1.0 if k3 is None else (k3 + 1) * times / (k3 + times)

    def models(self) -> dict[str, float]:
        """Return the weight of each word-weighting model in the fused score."""
        if not self.inb2_weight:
            return {BM25: 1.0}
        return {BM25: 1 - self.inb2_weight, INB2: self.inb2_weight}

    def weighting(self) -> scoring.WeightingModel:
        """Return the BM25F model of every search."""
        return scoring.BM25F(B=self.b, K1=self.k1)


DEFAULT = Ranking()


class Words(Or):
    """The optional words of a query, as the parser groups them by default (no explicit OR)."""


class WordsGroup(syntax.OrGroup):
    """The parser's default group: its words are optional and rank by how many match."""

    qclass = Words


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
