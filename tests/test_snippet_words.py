"""Snippets find a query's words and phrases by their cores as reading every word would."""

from __future__ import annotations

from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st

from cpcsearch.document import is_subheading
from cpcsearch.index.analysis import word_cores, word_terms
from cpcsearch.search.highlight import (
    LEAD_CHARS,
    TOKEN,
    WINDOW_CHARS,
    Marks,
    _best_paragraph,
    _matches,
    _phrase_matches,
    _read,
    _read_words,
    _searchable,
    _words_with,
    mark_terms,
)

ASCII_WORDS = st.from_regex(r"[A-Za-z][a-z]{0,13}(?:['\u2019][a-z]{1,3})?", fullmatch=True)
# Pieces of text that try the rules: forms of one stem, Snowball's special words, possessives
# and typographic apostrophes, dots and hyphens inside words, stop words.
PIECES = ["oil", "Oil", "OIL", "soil", "oils", "oiled", "U.S.", "u.s", "us", "dying", "die",
          "died", "skies", "sky", "possibility", "possible", "happily", "happy", "relational",
          "hoping", "hope", "I\u2019m", "i'm", "O'Neil", "policy's", "Policies", "states'",
          "long-term", "longterm", "x-ray", "Xray", "re-late", "news", "the", "of", "1987",
          '"', "'"]
SEPARATORS = ["", " ", " ", ", ", ".", "-", "--", "\n", "'", "_"]
TEXTS = st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)),
                 max_size=25).map(lambda pairs: "".join(w + s for w, s in pairs))
# A hyphenated word's joined term is left out unless its first stem is whole ("longterm").
# Odd syntax can make a term of what no word holds (`"`).
TERMS = sorted({t for w in PIECES if "-" not in w for t in word_terms(w)} | {"longterm", '"'})


@given(ASCII_WORDS)
@settings(max_examples=3000)
def test_every_term_of_a_word_has_a_core_in_it(word: str) -> None:
    for term in word_terms(word):
        assert any(core in word.lower() for core in word_cores(term)), (word, term)


@given(st.lists(TEXTS, min_size=1, max_size=12).map(" ".join),
       st.sets(st.sampled_from(TERMS), min_size=1, max_size=3), st.booleans())
@settings(max_examples=1500)
def test_words_found_by_their_cores_are_the_words_read_one_by_one(text: str, terms: set[str],
                                                                 window: bool) -> None:
    marks = Marks(frozenset(terms))
    assert (_words_with(text, marks.words, marks.cores, window)
            == _read_words(text, marks, window))


PHRASES = st.lists(st.lists(st.sampled_from(TERMS), min_size=2, max_size=3).map(tuple),
                   min_size=1, max_size=2).map(tuple)


@given(st.lists(TEXTS, min_size=1, max_size=12).map(" ".join),
       st.sets(st.sampled_from(TERMS), max_size=2), PHRASES)
@settings(max_examples=1500)
def test_phrases_found_by_their_words_cores_are_the_phrases_read_word_by_word(
        text: str, terms: set[str], phrases: tuple[tuple[str, ...], ...]) -> None:
    """A phrase's words stand next to each other when only stop words, spaces and punctuation
    are between them."""
    marks = Marks(frozenset(terms), phrases)
    search = _searchable(text, marks.terms)
    assert search is not None
    assert (_phrase_matches(text, marks, partial(search.held, marks.cores), window=False)
            == _phrase_matches(text, marks, partial(_read, text), window=False))


@given(st.lists(TEXTS, min_size=8, max_size=30).map(" ".join), st.booleans(),
       st.sets(st.sampled_from(TERMS), max_size=2), PHRASES)
@settings(max_examples=800)
def test_a_long_text_is_read_for_phrases_as_far_as_its_snippet_window(
        text: str, beyond_ascii: bool, terms: set[str],
        phrases: tuple[tuple[str, ...], ...]) -> None:
    """What the window around the first match holds is what reading the whole text finds."""
    text = f"Türkiye {text}" if beyond_ascii else text  # read word by word
    marks = Marks(frozenset(terms), phrases)
    whole, cut = _matches(text, marks), _matches(text, marks, window=True)
    if not whole:
        assert cut == []
        return
    reach = max(0, whole[0][0] - LEAD_CHARS) + WINDOW_CHARS
    assert [m for m in cut if m[0] < reach] == [m for m in whole if m[0] < reach]


@given(st.lists(st.one_of(TEXTS, TEXTS.map(lambda text: f"{text} Türkiye")), min_size=1,
                max_size=6),
       st.sets(st.sampled_from(TERMS), max_size=3), PHRASES)
@settings(max_examples=1000)
def test_the_paragraph_with_most_terms_is_the_one_reading_every_word_finds(
        paragraphs: list[str], terms: set[str], phrases: tuple[tuple[str, ...], ...]) -> None:
    """The paragraphs are searched for their terms' cores as one text (the first with the most
    terms wins, one not a subheading before one that is; a phrase counts where all its words
    are)."""
    marks = Marks(frozenset(terms), phrases)
    weights = []
    for paragraph in paragraphs:
        found = {term for word in TOKEN.findall(paragraph) for term in word_terms(word)}
        weights.append(len(found & marks.words) + len({t for phrase in phrases
                                                       if found.issuperset(phrase)
                                                       for t in phrase} - marks.words))
    scores = [(weight, not is_subheading(paragraph))
              for weight, paragraph in zip(weights, paragraphs, strict=True)]
    expected = scores.index(max(scores)) if marks.terms and len(paragraphs) > 1 else 0
    assert _best_paragraph(paragraphs, marks) == expected


def test_among_paragraphs_with_as_many_terms_prose_beats_a_subheading() -> None:
    heading = "A Template for the Southern Gas Corridor"
    prose = "The most important legacy of the pipeline may be the gas pipelines after it."
    gas, both = Marks(frozenset({"gas"})), Marks(frozenset({"gas", "corridor"}))
    assert _best_paragraph([heading, prose], gas) == 1
    assert _best_paragraph([heading, prose, f"Gas {prose}"], gas) == 1  # the first of prose
    assert _best_paragraph([heading, prose], both) == 0  # more terms win, heading or not
    assert _best_paragraph(["Gas prices", "Gas fields"], gas) == 0  # no prose: the first
    assert _best_paragraph(["Gas prices", "Gas prices rose, he said:"], gas) == 1
    assert _best_paragraph(["Gas " + "pipeline talk " * 10, "Gas ends here."], gas) == 0


def test_a_stretch_of_text_read_leaves_out_a_word_that_may_go_on_past_it() -> None:
    text = "Gaz boru hattı pipelines"
    assert [text[a:b] for a, b, _ in _read(text, 17)] == ["Gaz", "boru", "hattı"]  # "pip..."
    assert [text[a:b] for a, b, _ in _read(text, len(text))][-1] == "pipelines"


def test_a_phrase_is_marked_across_stop_words_and_not_across_other_words() -> None:
    marks = Marks(frozenset(), (("oil", "price"),))
    text = "Oil prices, oil of the prices; oil and gas prices. OIL-PRICE."
    assert [text[a:b] for a, b, _ in _matches(text, marks)] == [
        "Oil", "prices", "oil", "prices", "OIL-PRICE"]


def test_a_word_of_thousands_of_parts_is_read_once() -> None:
    """Each place a core stands in one long word finds that word: it is looked at once (it was
    walked back to its start from each place, which took a minute for this one)."""
    text = f"A {'-'.join(['gas'] * 20_000)} and {'.'.join(['u'] * 20_000)}, then gas."
    for terms in ({"gas"}, {"u.u"}):
        marks = Marks(frozenset(terms))
        for window in (False, True):
            assert (_words_with(text, marks.words, marks.cores, window)
                    == _read_words(text, marks, window))


def test_a_text_with_letters_beyond_ascii_has_every_word_read() -> None:
    marks = Marks(frozenset({"turkiy", "corridor"}))
    text = "The corridor crosses Türkiye and TÜRKIYE’s ports."
    assert _words_with(text, marks.words, marks.cores) is None
    assert str(mark_terms(text, marks)) == ("The <mark>corridor</mark> crosses <mark>Türkiye"
                                            "</mark> and <mark>TÜRKIYE’s</mark> ports.")


def test_a_hyphenated_word_is_found_by_its_parts_and_its_joined_term() -> None:
    text = "A long-term plan; the longterm view; a term."
    assert [text[a:b] for a, b, _ in _words_with(text, frozenset({"term"}), word_cores("term"))
            ] == ["long-term", "term"]
    assert [text[a:b] for a, b, _ in _words_with(text, frozenset({"longterm"}),
                                                 word_cores("longterm"))
            ] == ["long-term", "longterm"]


def test_the_variants_of_one_synonym_count_as_one_term() -> None:
    """"European Union" is EU written out: a paragraph with it alone is not worth more than one
    with the query's other word, and less than one with EU and that word."""
    alike = frozenset({"eu", "european", "union"})
    marks = Marks(frozenset({"eu", "sanction"}), (("european", "union"),), (alike,))
    name_only = "Exports from the European Union rose."
    other_word = "Sanctions were imposed in 2022."
    both = "The EU adopted new sanctions."
    assert marks.count({"european", "union"}) == marks.count({"sanction"}) == 1
    assert marks.count({"eu", "european", "union", "sanction"}) == 2
    assert _best_paragraph([name_only, other_word], marks) == 0  # a tie: the first
    assert _best_paragraph([name_only, other_word, both], marks) == 2
    plain = Marks(marks.words, marks.phrases)  # without the group, the name counted twice
    assert _best_paragraph([name_only, other_word, both], plain) == 0


def test_a_query_marks_the_variants_of_each_synonym_as_one_group(demo_engine) -> None:  # type: ignore[no-untyped-def]
    marks = demo_engine.marks("EU sanctions -Russia")
    assert marks.alike == (frozenset({"eu", "e.u", "european", "union"}),)
    assert marks.words == {"eu", "e.u", "sanction"} and marks.phrases == (("european", "union"),)
    assert demo_engine.marks("gas sanctions").alike == ()
