"""Relaxing a query that found nothing: a restriction to an author, topic or section that no
article has searches as plain words.

A label pasted with a sentence (`Section: 3.2 results of ...`, `Author: John wrote ...`) reads as
a restriction, and one that matches no article empties the results (DESIGN: a `:` in pasted text
never empties the query). Its words are searched as plain words instead, which also search the
names (`ranking.py`), and a notice says so (or, if they find nothing either, that no article has
it). A restriction that some article has is kept, even when the query as a whole finds
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from whoosh import query as wq

from cpcsearch.search.parse import FIELD_ALIASES, ParsedQuery, field_prefix, positive_leaves
from cpcsearch.search.rewrite import RESTRICTION_FIELDS

# The restricting fields relaxed (author, topic, section: dates, which have no alias, have their
# own fallback in `dates.py`), by the name readers know them by.
NAMED = {name: FIELD_ALIASES[name][0] for name in RESTRICTION_FIELDS & FIELD_ALIASES.keys()}


def relaxed(parsed: ParsedQuery, matches_any: Callable[[wq.Query], bool]) -> tuple[str, str] | None:
    """Return the query's text with the restrictions that match no article written as plain
    words, and what no article has ("that author ('Smith')"); None if every restriction matches
    some article.

    `matches_any(leaf)` tells whether a term or phrase matches any live article.
    """
    empty = {leaf.field() for leaf in positive_leaves(parsed.query)
             if leaf.field() in NAMED and not matches_any(leaf)}
    if not empty:
        return None
    text = parsed.text
    for fieldname in sorted(empty):
        text = re.sub(field_prefix([fieldname, *FIELD_ALIASES[fieldname]]), "", text)
    named = " or ".join(NAMED[fieldname] for fieldname in sorted(empty))
    typed = ", ".join(repr(word.text) for word in parsed.words if word.fieldname in empty)
    return text, f"that {named} ({typed})"
