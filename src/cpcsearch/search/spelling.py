""""Did you mean": corrections drawn from the index's own vocabulary of unstemmed words."""

from __future__ import annotations

import re

from whoosh.searching import Searcher

VOCABULARY_FIELD = "words"
MIN_WORD = 3
MAX_DISTANCE = 2


def suggest_spelling(searcher: Searcher, text: str, words: list[str]) -> str | None:
    """Return `text` with its unknown words corrected, or None if nothing could be corrected."""
    reader = searcher.reader()
    corrector = searcher.corrector(VOCABULARY_FIELD)
    corrections: dict[str, str] = {}
    for word in words:
        lowered = word.lower()
        if len(lowered) < MIN_WORD or not lowered.isalpha() or lowered in corrections:
            continue
        if reader.doc_frequency(VOCABULARY_FIELD, lowered):
            continue
        found = corrector.suggest(lowered, limit=1, maxdist=MAX_DISTANCE, prefix=1)
        if found:
            corrections[lowered] = found[0]
    if not corrections:
        return None
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, corrections)) + r")\b", re.IGNORECASE)
    return pattern.sub(lambda m: corrections[m.group(0).lower()], text)
