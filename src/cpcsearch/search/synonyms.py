"""Acronyms, synonyms and name variants of the field, as data, and the parser plugin using them.

A query naming one variant of a group searches for every variant of it: "TITR" also finds
"Middle Corridor", "SPP" also finds "Security and Politics Program", "Turkey" also finds
"Türkiye". The plugin rewrites the parsed words of the query tree, never its text: quoted
phrases and fielded words (`title:titr`) are left as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from whoosh.qparser import syntax
from whoosh.qparser.plugins import PhrasePlugin, Plugin

from cpcsearch.index.analysis import word_terms
from cpcsearch.search.ranking import DisMax

# The centre's programs first: readers search by them, by acronym or by name.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("SPP", "Security and Politics Program"),
    ("EEP", "Energy and Economy Program"),
    ("CAP", "Central Asia Program"),
    ("SCP", "South Caucasus Program"),
    ("Middle Corridor", "TITR", "Trans-Caspian International Transport Route"),
    ("C5+1", "C5 + 1", "C5 plus 1"),
    ("CSTO", "Collective Security Treaty Organization"),
    ("BTC pipeline", "Baku-Tbilisi-Ceyhan pipeline", "BTC oil pipeline"),
    ("SCO", "Shanghai Cooperation Organisation", "Shanghai Cooperation Organization"),
    ("OTS", "Organization of Turkic States"),
    ("CPC pipeline", "Caspian Pipeline Consortium"),
    ("SGC", "Southern Gas Corridor"),
    ("TCP", "Trans-Caspian Pipeline", "Trans-Caspian gas pipeline"),
    ("EAEU", "Eurasian Economic Union"),
    ("BRI", "Belt and Road Initiative"),
    ("LNG", "liquefied natural gas"),
    ("OPEC", "Organization of the Petroleum Exporting Countries"),
    ("NATO", "North Atlantic Treaty Organization"),
    ("OSCE", "Organization for Security and Co-operation in Europe"),
    ("CIS", "Commonwealth of Independent States"),
    ("EBRD", "European Bank for Reconstruction and Development"),
    ("ADB", "Asian Development Bank"),
    ("IMF", "International Monetary Fund"),
    ("WTO", "World Trade Organization"),
    ("Türkiye", "Turkey", "Turkiye"),
    ("Kyrgyzstan", "Kyrgyz Republic"),
    ("Nagorno-Karabakh", "Karabakh"),
    ("US", "U.S.", "USA", "U.S.A.", "United States"),
    ("EU", "E.U.", "European Union"),
    ("UN", "U.N.", "United Nations"),
    ("UK", "U.K.", "United Kingdom"),
)
# The region's countries and the names of their people (and language): "Uzbek cotton" is about
# Uzbekistan too (the stems differ), so a people's name also searches its country's, weighing
# less than the word typed. Not the other way: an article about a country names it, and each
# name more searched costs a query on it a tenth of its time.
PEOPLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Türkiye", ("Turkish",)),
    ("Kyrgyzstan", ("Kyrgyz",)),
    ("Azerbaijan", ("Azerbaijani", "Azerbaijanis", "Azeri", "Azeris")),
    ("Armenia", ("Armenian", "Armenians")),
    ("Georgia", ("Georgian", "Georgians")),
    ("Kazakhstan", ("Kazakh", "Kazakhs", "Kazakhstani", "Kazakhstanis")),
    ("Tajikistan", ("Tajik", "Tajiks")),
    ("Turkmenistan", ("Turkmen", "Turkmens")),
    ("Uzbekistan", ("Uzbek", "Uzbeks")),
    ("Afghanistan", ("Afghan", "Afghans")),
    ("Russia", ("Russian", "Russians")),
    ("Iran", ("Iranian", "Iranians")),
    ("China", ("Chinese",)),
)


# A variant's words; an acronym's letters joined by dots ("U.S.") are one word, as the
# analyzer has them.
WORD = re.compile(r"\w+(?:\.\w+)*")


# A possessive's ending: "Turkey's drones" names Turkey, so Türkiye too.
POSSESSIVE = re.compile(r"['\u2019]s?$", re.IGNORECASE)


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(text.lower()))


def _named(word: syntax.WordNode) -> str:
    """Return what a typed word names: itself, or the name a possessive is of."""
    return POSSESSIVE.sub("", word.text)


def _is_short_acronym(variant: str) -> bool:
    """Tell whether a variant is a short acronym that could be an everyday word ("US", "CAP")."""
    return variant.isupper() and len(variant) <= 3


def _peoples_group(country: str, people: tuple[str, ...]) -> tuple[str, ...]:
    """Return what a people's name searches: its country's group (or name), and its own."""
    return (*next((group for group in SYNONYMS if country in group), (country,)), *people)


PEOPLE = frozenset(_tokens(name) for _, people in PEOPLES for name in people)
# token sequence -> (the group it names, whether it must be typed in capitals); a people's name
# names its country's group too, a country's name only its own (`PEOPLES`)
VARIANTS: dict[tuple[str, ...], tuple[tuple[str, ...], bool]] = {
    **{_tokens(v): (group, _is_short_acronym(v)) for group in SYNONYMS for v in group},
    **{_tokens(name): (_peoples_group(country, people), False)
       for country, people in PEOPLES for name in people}}
LONGEST = max(len(tokens) for tokens in VARIANTS)
VARIANT_WORDS = frozenset(word for tokens in [*VARIANTS, *(_tokens(c) for c, _ in PEOPLES)]
                          for word in tokens)


def names_typed(text: str) -> list[str]:
    """Return the variants of several words that a text names ("liquefied natural gas")."""
    tokens, found, at = _tokens(text), [], 0
    while at < len(tokens):
        size = next((size for size in range(min(LONGEST, len(tokens) - at), 1, -1)
                     if tuple(tokens[at:at + size]) in VARIANTS), 1)
        if size > 1:
            found.append(" ".join(tokens[at:at + size]))
        at += size
    return found


def is_synonym(word: str) -> bool:
    """Tell whether a word is, or is part of, a variant of some group (known vocabulary)."""
    return word.lower() in VARIANT_WORDS


class SynonymGroup(syntax.DisMaxGroup):
    """The variants of one group, scored as the best-matching one (so naming a thing twice
    over does not outrank naming it once)."""

    qclass = DisMax


# A short acronym in the text may be an everyday word ("price cap" for CAP), so as an
# alternative it weighs less than the name it stands for.
AMBIGUOUS_WEIGHT = 0.3
# A country's name as an alternative to its people's (`PEOPLES`).
RELATED_WEIGHT = 0.5


def _alternative(variant: str, typed_words: int, related: bool) -> syntax.SyntaxNode:
    """Return one variant as a node weighted to count as much as the words the reader typed
    (less if it is only `related` to them).

    A phrase scores the sum of its words, so a five-word alternative to a two-word query would
    otherwise outweigh the query itself.
    """
    words = _tokens(variant)
    node = (syntax.WordNode(variant) if len(words) == 1
            else PhrasePlugin.PhraseNode(" ".join(WORD.findall(variant)), 0))
    weight = AMBIGUOUS_WEIGHT if _is_short_acronym(variant) else min(1.0, typed_words / len(words))
    weight *= RELATED_WEIGHT if related else 1.0
    # The fields' own weights are set on the node when it fans out to them; the variant's weight
    # goes on a group around it.
    return syntax.OrGroup([node], boost=weight)


@cache
def _distinct(group: tuple[str, ...]) -> tuple[str, ...]:
    """Return the variants of a group that the text analyzer tells apart, the first of each
    kind (a plural of a people's name, or Turkiye beside Türkiye, searches nothing more)."""
    kinds = {tuple(map(word_terms, _tokens(v))): v for v in reversed(group)}
    return tuple(v for v in group if v in kinds.values())


def _typed_weight(typed: list[syntax.WordNode], group: tuple[str, ...]) -> int:
    """Return how many words the typed variant counts as: an acronym, as many as it stands for."""
    text = " ".join(map(_named, typed))
    if len(typed) == 1 and text.isupper():
        return max(len(_tokens(v)) for v in group)
    return len(_tokens(text))


def _word_runs(group: syntax.GroupNode) -> Iterator[list[int]]:
    """Yield the positions of each run of unfielded words, whitespace between them allowed."""
    run: list[int] = []
    for i, node in enumerate(group.nodes):
        if type(node) is syntax.WordNode and node.fieldname is None:
            run.append(i)
        elif not isinstance(node, syntax.Whitespace):
            if run:
                yield run
            run = []
    if run:
        yield run


def _match(words: list[syntax.WordNode]) -> tuple[int, tuple[str, ...], bool] | None:
    """Return how many of `words` the longest variant at their start spans, its group, and
    whether it names a people (`PEOPLES`)."""
    tokens: list[str] = []
    ends: dict[int, int] = {}  # token count at the end of each word -> words used
    for used, node in enumerate(words, 1):
        tokens.extend(_tokens(_named(node)))
        ends[len(tokens)] = used
        if len(tokens) >= LONGEST:
            break
    for size in sorted(ends, reverse=True):
        found = VARIANTS.get(tuple(tokens[:size]))
        if found is None:
            continue
        group, capitals_only = found
        typed = words[:ends[size]]
        if capitals_only and not all(_named(w).isupper() for w in typed):
            continue
        return ends[size], group, tuple(tokens[:size]) in PEOPLE
    return None


class SynonymsPlugin(Plugin):
    """Replace the words naming a variant by the group of all its variants."""

    def filters(self, parser: object) -> list[tuple[object, int]]:
        # After field names are applied (100), before the words fan out to fields (110).
        return [(self.expand, 105)]

    def expand(self, parser: object, group: syntax.GroupNode) -> syntax.GroupNode:
        for i, node in enumerate(group.nodes):
            if isinstance(node, syntax.GroupNode) and not isinstance(node, SynonymGroup):
                group.nodes[i] = self.expand(parser, node)
        replaced: dict[int, tuple[int, syntax.SyntaxNode]] = {}
        for run in _word_runs(group):
            words = [group.nodes[i] for i in run]
            at = 0
            while at < len(words):
                found = _match(words[at:])
                if found is None:
                    at += 1
                    continue
                used, variants, people = found
                variants = _distinct(variants)
                typed = _typed_weight(words[at:at + used], variants)
                alternatives = SynonymGroup([
                    _alternative(v, typed, related=people and _tokens(v) not in PEOPLE)
                    for v in variants])
                alternatives.set_range(words[at].startchar, words[at + used - 1].endchar)
                replaced[run[at]] = (run[at + used - 1], alternatives)
                at += used
        if not replaced:
            return group
        nodes, i = [], 0
        while i < len(group.nodes):
            if i in replaced:
                last, alternatives = replaced[i]
                nodes.append(alternatives)
                i = last + 1
            else:
                nodes.append(group.nodes[i])
                i += 1
        group.nodes = nodes
        return group
