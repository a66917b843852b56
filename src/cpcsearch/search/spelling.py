""""Did you mean": corrections of the words of a parsed query, from the index's own lexicons.

A word is corrected only when it matches nothing in its fields, or far fewer documents than the
correction would; a word whose stem matched, a synonym and any author, topic or section word
is known and left alone (plain words search those fields too). A word typed in a field
(`author:okafr`) is corrected from that field's lexicon; field prefixes and syntax stay as typed.
"""

from __future__ import annotations

from nltk.metrics.distance import edit_distance
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from cpcsearch.search import ranking
from cpcsearch.search.parse import WORD, ParsedQuery, TypedWord
from cpcsearch.search.synonyms import is_synonym

# The unstemmed lexicon corrections are drawn from, by the field a word was typed in: the
# vocabulary of the text, or the words of the exact author, topic and section names.
LEXICONS = {None: "words", "title": "title_words"}
NAME_LEXICONS = {"author_text": "authors", "topic_text": "topics", "section_text": "section"}
MIN_WORD = 3
MAX_DISTANCE = 2
# A word found in some documents is still corrected when the correction is found in this
# many times more (a typo that also occurs as a typo somewhere).
FEWER = 20
CANDIDATES = 10


def _documents(reader: IndexReader, searcher: Searcher, word: str,
               fieldname: str | None) -> int:
    """Return how many documents the word matches in its fields (the most in any one)."""
    fields = [fieldname] if fieldname else list(ranking.FIELD_BOOSTS)
    found = 0
    for name in fields:
        if name not in searcher.schema:
            continue
        for token in searcher.schema[name].analyzer(word, mode="query"):
            found = max(found, reader.doc_frequency(name, token.text))
    return found


def _candidates(searcher: Searcher, fieldname: str | None, word: str) -> list[str]:
    """Return words spelt like `word` in the lexicon of the field it was typed in."""
    if fieldname in NAME_LEXICONS:
        names = searcher.reader().lexicon(NAME_LEXICONS[fieldname])
        words = {w for name in names for w in WORD.findall(name.decode().lower())}
        return [w for w in words if w[0] == word[0]
                and edit_distance(word, w, transpositions=True) <= MAX_DISTANCE]
    lexicon = LEXICONS.get(fieldname)
    if lexicon is None:
        return []
    return searcher.corrector(lexicon).suggest(word, limit=CANDIDATES, maxdist=MAX_DISTANCE,
                                               prefix=1)


def _correction(searcher: Searcher, word: TypedWord) -> str | None:
    core = WORD.search(word.text)
    if core is None:
        return None
    lowered = core.group().lower()
    if len(lowered) < MIN_WORD or not lowered.isalpha() or is_synonym(lowered):
        return None
    reader = searcher.reader()
    found = _documents(reader, searcher, lowered, word.fieldname)
    # Whoosh ranks candidates by frequency alone; the closest spelling comes first here.
    candidates = [c for c in _candidates(searcher, word.fieldname, lowered) if c != lowered]
    scored = sorted((edit_distance(lowered, c, transpositions=True),
                     -_documents(reader, searcher, c, word.fieldname), c) for c in candidates)
    for _, better, candidate in scored:
        if better and (found == 0 or found * FEWER <= -better):
            return word.text.replace(core.group(), candidate, 1)
    return None


def suggest_spelling(searcher: Searcher, parsed: ParsedQuery) -> str | None:
    """Return the query text with its misspelt words corrected, or None if none is."""
    text, changed = parsed.text, False
    for word in sorted(parsed.words, key=lambda w: w.start, reverse=True):
        corrected = _correction(searcher, word)
        if corrected is not None and text[word.start:word.end] == word.text:
            text = text[:word.start] + corrected + text[word.end:]
            changed = True
    return text if changed else None
