"""The English text analyzer shared by indexing and querying (Whoosh + NLTK stemmers)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

from nltk.stem import PorterStemmer, SnowballStemmer
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
    Token,
)
from whoosh.support.charset import accent_map

# Words joined by hyphens, apostrophes or dots stay one token ("high-speed", "aircraft's", "u.s")
# so the filters below can decide how to split them.
TOKEN_PATTERN = r"\w+(?:[-.'\u2019]\w+)*"

# NLTK's English stop-word list (nltk_data/corpora/stopwords/english), shipped here because
# nltk_data cannot be downloaded at run time.
STOP_WORDS = frozenset("""
i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves
he him his himself she she's her hers herself it it's its itself they them their theirs themselves
what which who whom this that that'll these those am is are was were be been being have has had
having do does did doing a an the and but if or because as until while of at by for with about
against between into through during before after above below to from up down in out on off over
under again further then once here there when where why how all any both each few more most other
some such no nor not only own same so than too very s t can will just don don't should should've
now d ll m o re ve y ain aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn
hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn
shouldn't wasn wasn't weren weren't won won't wouldn wouldn't
""".split())


class PossessiveFilter(Filter):
    """Normalize typographic apostrophes and strip possessives ("policy's" -> "policy")."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text.replace("\u2019", "'")
            if text.endswith("'s") or text.endswith("s'"):
                text = text[:-2] if text.endswith("'s") else text[:-1]
            t.text = text
            yield t


class HyphenFilter(Filter):
    """Split hyphenated words into their parts and keep the joined form too.

    "high-speed" yields "high" and "speed" at consecutive positions (so phrases match either
    spelling) plus "highspeed" at the last part's position (so it stays adjacent to the next
    word); later tokens shift accordingly. Queries get the parts only.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0
        for t in tokens:
            if t.positions:
                t.pos += shift
            if "-" not in t.text.strip("-"):
                yield t
                continue
            first_pos = t.pos if t.positions else 0
            parts, offset = [], 0
            for text in t.text.split("-"):
                if text:
                    piece = t.copy()
                    piece.text = text
                    if t.positions:
                        piece.pos = first_pos + len(parts)
                    if t.chars:
                        piece.startchar = t.startchar + offset
                        piece.endchar = piece.startchar + len(text)
                    parts.append(piece)
                offset += len(text) + 1
            yield from parts
            if t.mode == "query":
                continue  # a query's words become a phrase's words: the parts alone must follow
            t.text = "".join(p.text for p in parts)
            if t.positions:
                t.pos = parts[-1].pos
            yield t
            shift += len(parts) - 1


_SNOWBALL = SnowballStemmer("english")
STEMMERS: dict[str, Callable[[str], str]] = {
    "snowball": _SNOWBALL.stem,
    "porter": PorterStemmer().stem,
}
STEM_CACHE_SIZE = 100_000


TEXT_STEMMER = "snowball"
# Words' terms as a rebuild's text analyzer saved them (`vocabulary.py`; lowercase when ASCII):
# a word a rebuild analysed need not be analysed, nor stemmed, again in this process.
_LEARNT: dict[str, str] = {}


def learn(words: dict[str, str]) -> None:
    """Remember words' terms (space-separated) as a rebuild's text analyzer saved them."""
    _LEARNT.update(words)


@lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(algorithm: str, word: str) -> str:
    """Return the stem of `word`, cached across analyzers and searchers."""
    if algorithm == TEXT_STEMMER and word.isascii() and word.isalpha() and word.islower():
        learnt = _LEARNT.get(word)  # such a word's one term, if it is not a stop word
        if learnt:
            return learnt
    return STEMMERS[algorithm](word)


class NltkStemFilter(Filter):
    """Stem tokens with an NLTK stemmer ("snowball" English or "porter")."""

    # Whoosh unpickles the schema anew for every searcher, so the cache lives at module level.
    def __init__(self, algorithm: str = "snowball") -> None:
        if algorithm not in STEMMERS:
            raise ValueError(f"unknown stemmer {algorithm!r}: use one of {', '.join(STEMMERS)}")
        self.algorithm = algorithm

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NltkStemFilter) and other.algorithm == self.algorithm

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.stopped:
                t.text = stem(self.algorithm, t.text)
            yield t


def text_analyzer() -> Analyzer:
    """Return the analyzer of the TEXT fields: tokenize, fold, drop stop words, split, stem."""
    return (RegexTokenizer(TOKEN_PATTERN)
            | CharsetFilter(accent_map)
            | LowercaseFilter()
            | PossessiveFilter()
            | StopFilter(stoplist=STOP_WORDS, minsize=1)
            | HyphenFilter()
            | NltkStemFilter(TEXT_STEMMER))


_TEXT_ANALYZER = text_analyzer()


@lru_cache(maxsize=200_000)
def word_terms(word: str) -> frozenset[str]:
    """Return the index terms the text analyzer makes of one word (learnt, or analysed once)."""
    learnt = _LEARNT.get(word.lower() if word.isascii() else word)
    if learnt is not None:
        return frozenset(learnt.split())
    return frozenset(t.text for t in _TEXT_ANALYZER(word))


def _core(term: str) -> str:
    # Snowball changes no more of a word than its stem's last letter: "happi" (happy), "hope"
    # (hoping), "possibl" (possibility), "relat" (relational).
    return term[:-1] if len(term) > 1 and term[-1] in "eil" else term


def _special_cores() -> dict[str, set[str]]:
    """Return Snowball's special words whose stems break that rule ("dying" -> "die")."""
    found: dict[str, set[str]] = {}
    for word, stemmed in _SNOWBALL.stemmer._EnglishStemmer__special_words.items():
        if _core(stemmed) not in word:
            found.setdefault(stemmed, set()).add(word)
    return found


_SPECIAL_CORES = _special_cores()


@lru_cache(maxsize=10_000)
def word_cores(term: str) -> frozenset[str]:
    """Return strings one of which every ASCII word with the text analyzer's `term` holds, once
    lowercased and stripped of hyphens, so a text can be searched for the term's words.

    A hyphenated word's joined term is its parts' stems run together ("longterm"), which it
    holds unless a stem but the last is cut short ("inline-block" -> "inlinblock").
    """
    cores = {_core(term), *_SPECIAL_CORES.get(term, ())}
    return frozenset(cores | {core.replace("'", "\u2019") for core in cores if "'" in core})
