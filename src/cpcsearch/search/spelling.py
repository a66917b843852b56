""""Did you mean": corrections of the words of a parsed query, from the index's own lexicons.

A word is corrected only when it matches nothing in its fields, or far fewer documents than the
correction would; a word whose stem matched, a stop word, a synonym and any author, topic or
section word is known and left alone (the ranked text holds those names too), and so is an
acronym typed in capitals (`LNG`). A word typed in a
field (`author:okafr`) is corrected from that field's lexicon; field prefixes and syntax stay as
typed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh.searching import Searcher

from cpcsearch.index.lexicon import Lexicon
from cpcsearch.index.schema import AUTHOR_WORDS
from cpcsearch.search import ranking
from cpcsearch.search.arrays import Postings
from cpcsearch.search.parse import WORD, ParsedQuery, TypedWord
from cpcsearch.search.synonyms import is_synonym

# The unstemmed lexicon corrections are drawn from, by the field a word was typed in: the
# vocabulary of the text and titles, or the words of the exact author, topic and section names.
LEXICONS = {None: "words", "title": "title_words", AUTHOR_WORDS: "authors",
            "topic_text": "topics", "section_text": "section"}
NAMES = frozenset({"authors", "topics", "section"})
MIN_WORD = 3
MAX_DISTANCE = 2
# A word found in some documents is still corrected when the correction is found in this
# many times more (a typo that also occurs as a typo somewhere).
FEWER = 20
# ... but only while it is this rare.
RARE = 3
CANDIDATES = 10
MAX_ACRONYM = 5
COUNTED = 20_000  # words whose counts a commit keeps


class DocumentCounts:
    """How many live documents a word matches in the field it was typed in, counted from the
    commit's term arrays (the query's own words were read to search them) and kept."""

    def __init__(self, postings: Postings) -> None:
        self.postings = postings
        self.count = lru_cache(maxsize=COUNTED)(self._count)

    def _count(self, word: str, fieldname: str | None) -> int | None:
        """Return the count, or None for a word the field's analyzer keeps no term of (a stop
        word: in every article, so searched in none)."""
        name = fieldname or ranking.CONTENT
        schema = self.postings.searcher.schema
        if name not in schema:
            return 0
        return max((self.postings.count(name, term)
                    for term in schema[name].process_text(word, mode="query")), default=None)


Vocabulary = Callable[[str | None, str], list[str]]


def words_from(searcher: Searcher, lexicons: Lexicon, fieldname: str | None,
               letter: str) -> list[str]:
    """Return the words of a field's lexicon that start with `letter`, lowercase and sorted
    (`lexicons`: the commit's terms by field and letter)."""
    lexicon = LEXICONS.get(fieldname)
    if lexicon is None or lexicon not in searcher.schema:
        return []
    # A name's every word counts ("okafor" in "Samuel Okafor"); text lexicons hold words.
    terms = (map(bytes.decode, searcher.reader().lexicon(lexicon)) if lexicon in NAMES
             else lexicons(lexicon, letter)[0])
    return sorted({w for term in terms for w in WORD.findall(term.lower())
                   if w.startswith(letter)})


def _candidates(words: Vocabulary, fieldname: str | None, word: str) -> list[tuple[int, str]]:
    """Return (distance, word) of the words spelt like `word` in its field's lexicon."""
    found = process.extract(word, words(fieldname, word[0]), scorer=OSA.distance,
                            score_cutoff=MAX_DISTANCE, limit=CANDIDATES)
    return [(int(distance), candidate) for candidate, distance, _ in found]


def _correction(counts: DocumentCounts, words: Vocabulary, word: TypedWord) -> str | None:
    core = WORD.search(word.text)
    if core is None or word.fieldname not in LEXICONS:  # a field without words (date:)
        return None
    lowered = core.group().lower()
    if (len(lowered) < MIN_WORD or not lowered.isalpha() or is_synonym(lowered)
            or is_acronym(core.group())):
        return None
    found = counts.count(lowered, word.fieldname)
    if found is None or found > RARE:  # a stop word is spelt right
        return None
    # The closest spelling first, then the one in more documents: farther ones are not counted
    # when a closer one will do.
    candidates = [(distance, c) for distance, c in _candidates(words, word.fieldname, lowered)
                  if c != lowered]
    for nearest in sorted({distance for distance, _ in candidates}):
        better, candidate = min((-(counts.count(c, word.fieldname) or 0), c)
                                for distance, c in candidates if distance == nearest)
        if better and (found == 0 or found * FEWER <= -better):
            return word.text.replace(core.group(), _cased(candidate, core.group()), 1)
    return None


def is_acronym(typed: str) -> bool:
    """Tell whether a word typed in capitals is short enough to be an acronym (LNG, OPEC), which
    a spelling checker leaves alone: LNG is no typo of 'long'. A longer one is taken as typed
    with caps lock on (SANCTOINS)."""
    return typed.isupper() and len(typed) <= MAX_ACRONYM


def _cased(word: str, typed: str) -> str:
    """Return a correction (lowercase, from a lexicon) in the capitals of the word typed."""
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def suggest_spelling(counts: DocumentCounts, words: Vocabulary,
                     parsed: ParsedQuery) -> str | None:
    """Return the query text with its misspelt words corrected, or None if none is.

    `words(field, letter)` gives a lexicon's words by first letter, asked for only when some
    word matched too little.
    """
    text, changed = parsed.text, False
    for word in sorted(parsed.words, key=lambda w: w.start, reverse=True):
        corrected = _correction(counts, words, word)
        if corrected is not None and text[word.start:word.end] == word.text:
            text = text[:word.start] + corrected + text[word.end:]
            changed = True
    return text if changed else None
