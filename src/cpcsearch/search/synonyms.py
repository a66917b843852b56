"""Acronyms, synonyms and name variants of the field, as data, and the query expansion using them.

A query naming one variant of a group searches for every variant of it: "TITR" also finds
"Middle Corridor", "Turkey" also finds "Türkiye".
"""

from __future__ import annotations

import re

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
    ("Türkiye", "Turkey", "Turkiye"),
    ("Kyrgyzstan", "Kyrgyz Republic"),
    ("Nagorno-Karabakh", "Karabakh"),
    ("US", "USA", "United States"),
    ("EU", "European Union"),
)

QUOTED = re.compile(r'"[^"]*"')
# Joins the variants of one group; the parser reads it as "any of these, scored by the best",
# so an article naming a thing twice over is not ranked above one naming it once.
ALTERNATIVE = "SYNONYMOR"


def _pattern(variant: str) -> str:
    words = re.split(r"[\s-]+", variant)
    return r"[\s-]+".join(re.escape(w) for w in words)


def _as_phrase(variant: str, typed_words: int) -> str:
    """Spell a variant for the parser, weighted to count as much as the words the reader typed.

    A phrase scores the sum of its words, so a five-word alternative to a two-word query would
    otherwise outweigh the query itself.
    """
    words = re.findall(r"\w+", variant)
    spelled = words[0] if len(words) == 1 else '"' + " ".join(words) + '"'
    return spelled if len(words) <= typed_words else f"{spelled}^{typed_words / len(words):.2g}"


def _is_short_acronym(variant: str) -> bool:
    """Tell whether a variant is a short acronym that could be an everyday word ("US", "CAP")."""
    return variant.isupper() and len(variant) <= 3


def _alternation(variants: list[str]) -> str:
    # Longest first, so "BTC pipeline" wins over a shorter variant inside it.
    return "|".join(_pattern(v) for v in sorted(variants, key=len, reverse=True))


VARIANTS = {v.lower(): group for group in SYNONYMS for v in group}
# One pass, so an inserted alternative is never expanded again; a variant must stand alone
# (not be a field value such as `title:titr`), and short acronyms match in capitals only.
MATCHER = re.compile(
    r"(?<![\w:\"])((?i:"
    + _alternation([v for g in SYNONYMS for v in g if not _is_short_acronym(v)])
    + ")|"
    + _alternation([v for g in SYNONYMS for v in g if _is_short_acronym(v)])
    + r")(?![\w+])"
)


def _alternatives(match: re.Match[str]) -> str:
    spelled = re.sub(r"[\s-]+", " ", match.group(0)).lower()
    group = VARIANTS.get(spelled) or VARIANTS[next(v for v in VARIANTS
                                                  if re.fullmatch(_pattern(v), spelled, re.I))]
    typed_words = len(re.findall(r"\w+", spelled))
    variants = dict.fromkeys(_as_phrase(v, typed_words) for v in group)
    return "(" + f" {ALTERNATIVE} ".join(variants) + ")"


def expand_synonyms(text: str) -> str:
    """Rewrite each variant named outside quotes into the alternatives of its whole group."""
    parts, last = [], 0
    for quoted in QUOTED.finditer(text):
        parts.append(MATCHER.sub(_alternatives, text[last:quoted.start()]))
        parts.append(quoted.group(0))
        last = quoted.end()
    parts.append(MATCHER.sub(_alternatives, text[last:]))
    return "".join(parts)
