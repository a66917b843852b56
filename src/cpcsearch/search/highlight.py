"""Snippets: the passage with the most distinct query terms, escaped, with matches in `<mark>`.

This is the one place where scraped text becomes HTML: every fragment is escaped here, and
only the `<mark>` tags added here are markup. Words are matched by their index terms through
the text analyzer, one distinct word at a time (cached). In a text without letters beyond ASCII,
only the words that hold a query term's core (`word_cores`) are looked at, found by string
search; otherwise a snippet costs a regular-expression pass over the text.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, partial

from markupsafe import Markup, escape

from cpcsearch.document import is_subheading
from cpcsearch.index.analysis import TOKEN_PATTERN, word_cores, word_terms
from cpcsearch.search.splitting import Span, paragraphs

SNIPPET_CHARS = 260
# Only this much of a long paragraph, from half a snippet before its first match, is split
# into sentences: Punkt's cost grows with the text, and most of a snippet's time was Punkt's.
WINDOW_CHARS = 2 * SNIPPET_CHARS
LEAD_CHARS = SNIPPET_CHARS // 2
TOKEN = re.compile(TOKEN_PATTERN)
# A letter or digit beyond ASCII: the analyzer folds accents, so word cores need not hold.
NON_ASCII_WORD = re.compile(r"[^\W\x00-\x7f]")
JOINERS = "-.'\u2019"  # what joins the parts of one token (TOKEN_PATTERN)
Match = tuple[int, int, frozenset[str]]  # a word's span in a text, and its query terms


@dataclass(frozen=True)
class Marks:
    """What a query marks: its words wherever they stand, a phrase's words where it stands;
    `alike` holds the terms of each group of alternatives (a synonym's variants: EU, E.U.,
    "European Union"), which count as one where a passage's terms are counted."""

    words: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()
    alike: tuple[frozenset[str], ...] = ()

    def count(self, terms: set[str] | frozenset[str]) -> int:
        """Return how many distinct terms `terms` holds, those of one group of `alike` as one."""
        if not self.alike:
            return len(terms)
        left = set(terms)
        groups = 0
        for group in self.alike:
            if not left.isdisjoint(group):
                groups += 1
                left -= group
        return groups + len(left)

    @cached_property
    def terms(self) -> frozenset[str]:
        """Every term marked somewhere: the words and the phrases' words."""
        return self.words.union(*self.phrases)

    @cached_property
    def cores(self) -> frozenset[str]:
        """What a word with a marked term holds (`word_cores`); a term that no word can have
        (`"`, from odd syntax) has none."""
        return frozenset(core for term in self.terms if TOKEN.match(term)
                         for core in word_cores(term))


def _runs(words: list[Match], phrase: tuple[str, ...]) -> Iterator[list[Match]]:
    """Yield each run of consecutive words that spells `phrase` (stop words, which hold no
    terms, are not among `words`; a hyphenated word holds the terms of its parts)."""
    for first in range(len(words)):
        k, j = 0, first
        while j < len(words) and k < len(phrase) and phrase[k] in words[j][2]:
            used: set[str] = set()
            while k < len(phrase) and phrase[k] in words[j][2] and phrase[k] not in used:
                used.add(phrase[k])
                k += 1
            j += 1
        if k == len(phrase):
            yield words[first:j]


def _token_start(text: str, at: int) -> int:
    """Return where the token of an ASCII text that holds the word character at `at` starts."""
    while True:
        while at and (text[at - 1].isalnum() or text[at - 1] == "_"):
            at -= 1
        if at > 1 and text[at - 1] in JOINERS and (text[at - 2].isalnum() or text[at - 2] == "_"):
            at -= 1
        else:
            return at


class _Cores:
    """A text searched for the words that hold some cores, each word read once."""

    def __init__(self, text: str, lowered: str, terms: frozenset[str]) -> None:
        self.text, self.lowered, self.terms = text, lowered, terms
        self.searched = lowered.replace("-", "")  # the cores of joined terms have no hyphens
        self.words: dict[int, tuple[int, frozenset[str]]] = {}  # start -> end, terms

    @cached_property
    def _hyphens(self) -> tuple[list[int], list[int]]:
        """Where each hyphen is in the text, and where it was in `searched`."""
        hyphens: list[int] = []
        shifts: list[int] = []
        at = self.lowered.find("-") if len(self.searched) < len(self.lowered) else -1
        while at >= 0:
            shifts.append(at - len(hyphens))
            hyphens.append(at)
            at = self.lowered.find("-", at + 1)
        return hyphens, shifts

    def holds_any(self, cores: frozenset[str]) -> bool:
        """Tell whether any of `cores` is in the text (if none is, no word has their terms)."""
        return any(core in self.searched for core in cores)

    def starts(self, core: str, before: int) -> Iterator[int]:
        """Yield where each word that holds `core` where a term can begin, and starts before
        `before`, starts.

        A term begins a word, or a part of it after a hyphen (Snowball changes a word's end
        only): `core` inside a word ("us" in "Russia") is passed over unread.
        """
        hyphens, shifts = self._hyphens
        text = self.text
        limit = before - bisect_left(hyphens, before)
        at = self.searched.find(core, 0, limit)
        while at >= 0:
            place = at + bisect_right(shifts, at)
            if place and (text[place - 1].isalnum() or text[place - 1] == "_"):
                at = self.searched.find(core, at + 1, limit)
                continue
            start = _token_start(text, place)
            if start not in self.words:
                word = TOKEN.match(text, start)
                self.words[start] = (word.end(), word_terms(word.group()) & self.terms)
            yield start
            end = self.words[start][0]  # the core again within this word finds it again
            at = self.searched.find(core, max(at + 1, end - bisect_left(hyphens, end)), limit)

    def held(self, cores: frozenset[str], before: int) -> list[Match]:
        """Return the words with any of the terms that start before `before`, in order; where
        a word that is not a stop word stands between two of them, a word with no terms stands
        for it (a phrase does not go on across it)."""
        for core in cores:
            for _ in self.starts(core, before):
                pass
        words: list[Match] = []
        for start, (end, terms) in sorted(self.words.items()):
            if terms:
                if words and _holds_word(self.text, words[-1][1], start):
                    words.append((start, start, frozenset()))
                words.append((start, end, terms))
        return words


def _holds_word(text: str, start: int, end: int) -> bool:
    """Tell whether `text[start:end]` holds a word that is not a stop word."""
    return any(word_terms(match.group()) for match in TOKEN.finditer(text, start, end))


def _beyond_ascii(text: str) -> bool:
    """Tell whether a text has letters or digits beyond ASCII (where word cores need not hold)."""
    return not text.isascii() and NON_ASCII_WORD.search(text) is not None


def _searchable(text: str, terms: frozenset[str]) -> _Cores | None:
    """Return a text to search for the words with `terms` by their cores; None if it has
    letters beyond ASCII."""
    if _beyond_ascii(text):
        return None
    lowered = text.lower()
    if len(lowered) != len(text):  # offsets must hold (none of the characters lengthens)
        return None
    return _Cores(text, lowered, terms)


def _words_with(text: str, terms: frozenset[str], cores: frozenset[str],
                window: bool = False) -> list[Match] | None:
    """Return the words of `text` with any of `terms` (and those terms), found by searching for
    the terms' `cores` (with `window`, those within the window of `_matches`); None if the
    text has letters beyond ASCII."""
    search = _searchable(text, terms)
    if search is None:
        return None
    if not search.holds_any(cores):  # most paragraphs of a long article, for most queries
        return []
    first = reach = len(text)
    if window:  # the first match, then the window from half a snippet before it
        for core in cores:
            first = next((start for start in search.starts(core, first)
                          if search.words[start][1]), first)
        if first == len(text):
            return []
        reach = max(0, first - LEAD_CHARS) + WINDOW_CHARS
    for core in cores:
        for _ in search.starts(core, reach):
            pass
    return [(start, end, found) for start, (end, found) in sorted(search.words.items())
            if found and (end <= reach or start == first)]  # the first, however long


def _matches(text: str, marks: Marks, window: bool = False) -> list[Match]:
    """Return every word of `text` to mark, with its span and its marked terms.

    With `window`, the words are read only as far as the window cut around the first match
    reaches (a long paragraph is cut there).
    """
    if marks.phrases:
        search = _searchable(text, marks.terms)
        words = partial(search.held, marks.cores) if search else partial(_read, text)
        return _phrase_matches(text, marks, words, window)
    found = _words_with(text, marks.words, marks.cores, window)
    return _read_words(text, marks, window) if found is None else found


def _phrase_matches(text: str, marks: Marks, words: Callable[[int], list[Match]],
                    window: bool) -> list[Match]:
    """`_matches` of a query with phrases: the words with a marked word's terms, and those of
    each run of `words` (the words that start before a place) that spells a phrase.

    With `window`, the text is read in stretches from its start, each twice the last, until
    the first match is found and, past the window from half a snippet before it, as many words
    as a phrase has (a phrase that began in the window ends by then).
    """
    longest = max(map(len, marks.phrases))
    before = min(WINDOW_CHARS, len(text)) if window else len(text)
    while True:
        read = words(before)
        found = [(start, end, terms & marks.words) for start, end, terms in read
                 if not terms.isdisjoint(marks.words)]
        matched = _with_phrases(read, found, marks.phrases)
        if before >= len(text):
            return matched
        if matched:
            reach = max(0, matched[0][0] - LEAD_CHARS) + WINDOW_CHARS
            if sum(1 for start, _, terms in read if terms and start >= reach) >= longest:
                return matched
        before = min(2 * before, len(text))


def _read(text: str, before: int) -> list[Match]:
    """Return the words of `text` that start before `before` (not a stop word), read one by
    one, with their terms; a word that may go on past `before` is left out."""
    words = []
    for match in TOKEN.finditer(text, 0, before):
        if match.end() == before < len(text):
            break
        terms = word_terms(match.group())
        if terms:
            words.append((match.start(), match.end(), terms))
    return words


def _read_words(text: str, marks: Marks, window: bool) -> list[Match]:
    """`_matches` of a query without phrases, reading every word of the text."""
    found: list[Match] = []
    wanted = marks.words
    reach = len(text)
    for match in TOKEN.finditer(text):
        if match.end() > reach:
            break
        word = word_terms(match.group())
        if not word.isdisjoint(wanted):  # a stop word has no terms
            if window and not found:
                reach = max(0, match.start() - LEAD_CHARS) + WINDOW_CHARS
            found.append((match.start(), match.end(), word & wanted))
    return found


def _with_phrases(words: list[Match], found: list[Match],
                  phrases: tuple[tuple[str, ...], ...]) -> list[Match]:
    """Return the words `found` and those of each run of `words` that spells a phrase, with
    their marked terms."""
    marked = {at: terms for at, _, terms in found}
    for phrase in phrases:
        for run in _runs(words, phrase):
            for at, _, terms in run:
                marked[at] = marked.get(at, frozenset()) | terms.intersection(phrase)
    ends = {at: to for at, to, _ in words}  # every marked word holds terms, so is among them
    return [(at, ends[at], terms) for at, terms in sorted(marked.items())]


def _marked(text: str, found: list[Match], start: int, end: int) -> Markup:
    """Return `text[start:end]` escaped, with the words of `found` in that span marked."""
    pieces: list[str] = []
    last = start
    for word_start, word_end, _ in found:
        if start <= word_start and word_end <= end:
            pieces += (escape(text[last:word_start]), "<mark>", escape(text[word_start:word_end]),
                       "</mark>")
            last = word_end
    pieces.append(escape(text[last:end]))
    return Markup("".join(pieces))  # every piece of the text is escaped; the tags are ours


def mark_terms(text: str, marks: Marks) -> Markup:
    """Return `text` escaped, with the words it has of `marks` marked."""
    return _marked(text, _matches(text, marks), 0, len(text))


def _paragraph_terms(paragraphs: list[str], marks: Marks) -> Iterator[set[str]]:
    """Yield the marked terms each paragraph has, in order.

    The paragraphs are searched as one text for the terms' cores (a word never spans two), as
    far as the paragraph asked for; a paragraph with letters beyond ASCII is read word by word.
    """
    text = "\n\n".join(paragraphs)
    lowered = text.lower()
    search = _Cores(text, lowered, marks.terms) if len(lowered) == len(text) else None
    starts: Iterator[int] = iter(())
    if search is not None:  # the words' starts, in order (each core's come in order)
        starts = heapq.merge(*(search.starts(core, len(text)) for core in marks.cores))
    start = next(starts, None)
    end = -2
    for paragraph in paragraphs:
        end += 2 + len(paragraph)
        found: set[str] = set()
        while start is not None and start < end:
            found |= search.words[start][1]
            start = next(starts, None)
        if search is None or _beyond_ascii(paragraph):
            found = set()
            for word in set(TOKEN.findall(paragraph.lower())):  # the analyzer lowercases first
                found |= word_terms(word) & marks.terms
        yield found


def _best_paragraph(paragraphs: list[str], marks: Marks) -> int:
    """Return the paragraph with the most distinct marked terms (`Marks.count`), a phrase's
    words counting only in a paragraph that has them all; among equals, the first that is not
    a subheading.

    A cheap first pass, so only that paragraph is split into sentences and weighed closely; it
    stops at the first paragraph, not a subheading, that has every term.
    """
    if not marks.terms or len(paragraphs) < 2:
        return 0
    best, most = 0, (-1, False)
    every = (marks.count(marks.terms), True)
    for i, found in enumerate(_paragraph_terms(paragraphs, marks)):
        weight = marks.count(found & marks.words | {
            term for phrase in marks.phrases if found.issuperset(phrase) for term in phrase})
        score = (weight, not is_subheading(paragraphs[i]))
        if score > most:
            best, most = i, score
            if most == every:
                break
    return best


def best_passage(sentences: list[Span], found: list[Match], limit: int = SNIPPET_CHARS,
                 count: Callable[[set[str]], int] = len) -> tuple[Span, bool, bool]:
    """Return the run of sentences with the most distinct terms, as `count` counts them (its
    first and last character), and whether sentences precede/follow it.

    Among equals, a passage that opens on a matching sentence wins, then the earlier one, so a
    document's lead shows when nothing matches better.
    """
    if not sentences:
        return (0, 0), False, False
    starts = [start for start, _ in sentences]
    matched: list[set[str]] = [set() for _ in sentences]
    for word_start, _, terms in found:
        i = bisect_right(starts, word_start) - 1
        if i >= 0 and word_start < sentences[i][1]:
            matched[i] |= terms
    best, best_score = (0, 1), (-1, False)
    for first in range(len(sentences)):
        distinct: set[str] = set()
        end = first
        while end < len(sentences) and (end == first
                                        or sentences[end][1] - starts[first] <= limit):
            distinct |= matched[end]
            end += 1
        score = (count(distinct), bool(matched[first]))
        if score > best_score:
            best, best_score = (first, end), score
    first, end = best
    return (starts[first], sentences[end - 1][1]), first > 0, end < len(sentences)


def _window(paragraph: str, found: list[Match]) -> tuple[Span, bool, bool]:
    """Return the part of a long paragraph around its first match (`found` are its matches),
    and whether it was cut."""
    if len(paragraph) <= WINDOW_CHARS:
        return (0, len(paragraph)), False, False
    first = found[0][0] if found else 0
    start = max(0, first - LEAD_CHARS)
    end = min(len(paragraph), start + WINDOW_CHARS)
    return (start, end), start > 0, end < len(paragraph)


def snippet(text: str, marks: Marks, sentences: Callable[[str, int, int], Sequence[Span]]
            ) -> Markup:
    """Return the best passage of a text (paragraphs apart by blank lines) as marked HTML.

    `sentences(paragraph, start, end)` returns the spans of a paragraph's sentences there.
    """
    parts = paragraphs(text)
    best = _best_paragraph(parts, marks)
    paragraph = parts[best]
    found = _matches(paragraph, marks, window=True)
    (start, end), cut_before, cut_after = _window(paragraph, found)
    spans = list(sentences(paragraph, start, end))
    if cut_before and len(spans) > 1:
        spans = spans[1:]  # the first one starts mid-sentence
    if cut_after and len(spans) > 1:
        spans = spans[:-1]
    (start, end), before, after = best_passage(spans, found, count=marks.count)
    if end - start > SNIPPET_CHARS:  # one long sentence: cut at a space
        space = paragraph.rfind(" ", start, start + SNIPPET_CHARS)
        end, after = (space if space > start else start + SNIPPET_CHARS), True
    html = _marked(paragraph, found, start, end)
    before = before or cut_before or best > 0
    after = after or cut_after or best < len(parts) - 1
    return Markup("".join(["… " if before else "", html, " …" if after else ""]))
