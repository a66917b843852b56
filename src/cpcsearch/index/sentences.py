"""Sentence splitting with NLTK Punkt, trained on the indexed text itself.

No Punkt model can be downloaded here, so the splitter learns abbreviations ("U.S.", "Dr.")
from the corpus it serves; an index without a trained model gets Punkt with no learned parameters.
For a large store a rebuild trains it in a process of its own (`python -m
cpcsearch.index.sentences STORE FOLDER`) while it indexes.
"""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
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
# From this many documents on, a rebuild lasts long enough to hide training in another process.
BACKGROUND_DOCS = 5000
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
    a snippet's sentence splitting was spent deciding them again)."""

    def __init__(self, params: object = None) -> None:
        super().__init__(params, lang_vars=StdlibPatterns(), token_cls=StdlibToken)
        self.text_contains_sentbreak = lru_cache(CACHED_CONTEXTS)(super().text_contains_sentbreak)


def train(texts: Iterable[str]) -> PunktSentenceTokenizer:
    """Return a Punkt tokenizer trained on (a bounded sample of) `texts`."""
    trainer = PunktTrainer(lang_vars=StdlibPatterns(), token_cls=StdlibToken)
    trainer.INCLUDE_ALL_COLLOCS = True
    size = 0
    for text in texts:
        trainer.train(text, finalize=False)
        size += len(text)
        if size > TRAINING_CHARS:
            break
    trainer.finalize_training()
    return Splitter(trainer.get_params())


def save(tokenizer: PunktSentenceTokenizer, folder: Path) -> None:
    """Write a trained tokenizer's parameters beside the index it was trained for."""
    tmp = folder / f"{MODEL_FILE}.tmp"
    tmp.write_bytes(pickle.dumps(tokenizer._params))
    tmp.replace(folder / MODEL_FILE)


def load(folder: Path) -> PunktSentenceTokenizer:
    """Return the tokenizer saved beside an index (our own file), or an untrained one."""
    path = folder / MODEL_FILE
    if not path.exists():
        return Splitter()
    saved = pickle.loads(path.read_bytes())
    return Splitter(getattr(saved, "_params", saved))  # older indexes saved the tokenizer


def sentence_spans(text: str, tokenizer: PunktSentenceTokenizer) -> list[tuple[int, int]]:
    """Return the (start, end) of each sentence of one paragraph, spaces around it left out."""
    spans = []
    for start, end in tokenizer.span_tokenize(text):
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        size = len(piece.strip())
        if size:
            spans.append((start + lead, start + lead + size))
    return spans


class Training:
    """Train the splitter of a new generation on the store and save it in the generation's folder.

    For a large store it starts at once, in a process of its own; `finish` waits for it.
    """

    def __init__(self, store: Store, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self.process = None
        if store.count() >= BACKGROUND_DOCS:
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(store.path), str(folder)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def finish(self) -> None:
        """Train here, or wait for the training process; raise if it failed."""
        if self.process is None:
            save(train(self.store.bodies()), self.folder)
            return
        _, errors = self.process.communicate()
        if self.process.returncode:
            lines = errors.strip().splitlines()
            raise RuntimeError(f"training the sentence splitter for {self.folder} failed "
                               f"(exit code {self.process.returncode}): "
                               f"{lines[-1] if lines else ''}")

    def cancel(self) -> None:
        """Stop the training process, if any."""
        if self.process is not None:
            self.process.kill()
            self.process.communicate()


if __name__ == "__main__":
    with Store(sys.argv[1], create=False) as source:
        save(train(source.bodies()), Path(sys.argv[2]))
