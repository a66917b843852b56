"""Sentence splitting with NLTK Punkt, trained on the indexed text itself.

No Punkt model can be downloaded here, so the splitter learns abbreviations ("U.S.", "Dr.")
from the corpus it serves; an index without a trained model gets Punkt with no learned parameters.
A rebuild in several processes trains it while the other processes finish their shares.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable
from functools import cached_property, lru_cache
from pathlib import Path

from nltk.tokenize.punkt import (
    PunktLanguageVars,
    PunktSentenceTokenizer,
    PunktToken,
    PunktTrainer,
)

from cpcsearch.store import Store

MODEL_FILE = "punkt.pickle"
TRAINING_CHARS = 500_000
# The candidate breaks of this much text (the training sample, then the texts after it) are
# decided in advance: a reader's hits are the corpus's text. About 0.2 s for 4M characters; a
# corpus this small is decided whole (a new query's p50 at 1,000 Reuters articles: -5%).
DECIDED_CHARS = 4_000_000
# Training and deciding cost about as much as indexing this many characters of stored documents
# (Reuters: 0.72 s, 0.50 of them training): the process that trains is given that much less to
# index.
TRAINING_COST = 1_200_000
CACHED_CONTEXTS = 8192


class StdlibPatterns(PunktLanguageVars):
    """Punkt's own patterns, matched by the standard `re` module.

    NLTK 3.10 runs every pattern through the `regex` engine under a timeout, a guard against
    patterns that callers supply; Punkt's are NLTK's fixed ones, and the guard made training and
    splitting two to three times as slow (the sentences are the same: a test compares them).
    """

    re_boundary_realignment = re.compile(PunktLanguageVars.re_boundary_realignment.pattern,
                                         re.MULTILINE)

    @cached_property
    def _words(self) -> re.Pattern[str]:
        return re.compile(super()._word_tokenizer_re().pattern, re.UNICODE | re.VERBOSE)

    @cached_property
    def _period_context(self) -> re.Pattern[str]:
        return re.compile(super().period_context_re().pattern, re.UNICODE | re.VERBOSE)

    def word_tokenize(self, s: str) -> list[str]:
        return self._words.findall(s)

    def period_context_re(self) -> re.Pattern[str]:
        return self._period_context


class StdlibToken(PunktToken):
    """Punkt's token, its patterns matched by `re` (see `StdlibPatterns`)."""

    __slots__ = ()
    _RE_ELLIPSIS = re.compile(PunktToken._RE_ELLIPSIS.pattern)
    _RE_NUMERIC = re.compile(PunktToken._RE_NUMERIC.pattern)
    _RE_INITIAL = re.compile(PunktToken._RE_INITIAL.pattern, re.UNICODE)
    _RE_ALPHA = re.compile(PunktToken._RE_ALPHA.pattern, re.UNICODE)


class Splitter(PunktSentenceTokenizer):
    """Punkt, deciding each candidate break once: whether `said. The` ends a sentence depends on
    those words and the trained parameters alone, and the same few contexts recur (a third of
    a snippet's sentence splitting was spent deciding them again). `decisions` are those made
    in advance, on the text it was trained on and after it; others are decided and kept as they
    come."""

    def __init__(self, params: object = None, decisions: dict[str, bool] | None = None) -> None:
        super().__init__(params, lang_vars=StdlibPatterns(), token_cls=StdlibToken)
        self.decisions = decisions or {}
        self.text_contains_sentbreak = lru_cache(CACHED_CONTEXTS)(self._decided)

    def _decided(self, context: str) -> bool:
        known = self.decisions.get(context)
        return super().text_contains_sentbreak(context) if known is None else known

    def decide(self, texts: Iterable[str]) -> None:
        """Decide in advance every candidate break of `texts` (a few microseconds each: a
        reader's hits are the corpus's text, and share its contexts)."""
        decide = super().text_contains_sentbreak
        for text in texts:
            for _, context in self._match_potential_end_contexts(text):
                if context not in self.decisions:
                    self.decisions[context] = decide(context)


def train(texts: Iterable[str]) -> Splitter:
    """Return a Punkt tokenizer trained on (a bounded sample of) `texts`, its decisions on the
    candidate breaks of the first `DECIDED_CHARS` of them made."""
    trainer = PunktTrainer(lang_vars=StdlibPatterns(), token_cls=StdlibToken)
    trainer.INCLUDE_ALL_COLLOCS = True
    texts = iter(texts)
    sample, size = [], 0
    for text in texts:
        trainer.train(text, finalize=False)
        sample.append(text)
        size += len(text)
        if size > TRAINING_CHARS:
            break
    trainer.finalize_training()
    splitter = Splitter(trainer.get_params())
    splitter.decide(sample)
    for text in texts:
        if size > DECIDED_CHARS:
            break
        splitter.decide([text])
        size += len(text)
    return splitter


def save(tokenizer: Splitter, folder: Path) -> None:
    """Write a trained tokenizer's parameters and decisions beside the index it was trained
    for."""
    tmp = folder / f"{MODEL_FILE}.tmp"
    tmp.write_bytes(pickle.dumps({"params": tokenizer._params, "decisions": tokenizer.decisions}))
    tmp.replace(folder / MODEL_FILE)


def load(folder: Path) -> Splitter:
    """Return the tokenizer saved beside an index (our own file), or an untrained one."""
    path = folder / MODEL_FILE
    if not path.exists():
        return Splitter()
    saved = pickle.loads(path.read_bytes())
    if isinstance(saved, dict):
        return Splitter(saved["params"], saved["decisions"])
    return Splitter(getattr(saved, "_params", saved))  # older indexes saved no decisions


def trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Return the (start, end) of `text[start:end]` with the spaces around it left out, or None
    if it is all spaces."""
    piece = text[start:end]
    size = len(piece.strip())
    if not size:
        return None
    lead = len(piece) - len(piece.lstrip())
    return start + lead, start + lead + size


def sentence_spans(text: str,
                   tokenizer: PunktSentenceTokenizer) -> tuple[tuple[int, int], ...]:
    """Return the (start, end) of each sentence of one paragraph, spaces around it left out."""
    return tuple(span for start, end in tokenizer.span_tokenize(text)  # kept and shared
                 if (span := trimmed(text, start, end)) is not None)


def train_store(store: Store, folder: Path) -> None:
    """Train the splitter on the store's articles and save it in the index `folder`."""
    save(train(store.bodies()), folder)
