"""Sentence splitting with NLTK Punkt, trained on the indexed text itself.

No Punkt model can be downloaded here, so the splitter learns abbreviations ("U.S.", "Dr.")
from the corpus it serves; an index without a trained model gets Punkt with no learned parameters.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from pathlib import Path

from nltk.tokenize.punkt import PunktSentenceTokenizer, PunktTrainer

MODEL_FILE = "punkt.pickle"
TRAINING_CHARS = 500_000


def train(texts: Iterable[str]) -> PunktSentenceTokenizer:
    """Return a Punkt tokenizer trained on (a bounded sample of) `texts`."""
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    size = 0
    for text in texts:
        trainer.train(text, finalize=False)
        size += len(text)
        if size > TRAINING_CHARS:
            break
    trainer.finalize_training()
    return PunktSentenceTokenizer(trainer.get_params())


def save(tokenizer: PunktSentenceTokenizer, folder: Path) -> None:
    """Write a trained tokenizer beside the index it was trained for."""
    tmp = folder / f"{MODEL_FILE}.tmp"
    tmp.write_bytes(pickle.dumps(tokenizer))
    tmp.replace(folder / MODEL_FILE)


def load(folder: Path) -> PunktSentenceTokenizer:
    """Return the tokenizer saved beside an index (our own file), or an untrained one."""
    path = folder / MODEL_FILE
    return pickle.loads(path.read_bytes()) if path.exists() else PunktSentenceTokenizer()


def split_sentences(text: str, tokenizer: PunktSentenceTokenizer) -> list[str]:
    """Split text into sentences, paragraph breaks always ending one."""
    return [s for para in text.split("\n\n") for s in tokenizer.tokenize(para.strip()) if s]
