"""The page as a reader sees it: its visible text lines in reading order, whatever the markup.

The last step of each metadata cascade reads these lines, so that a page rendered from nothing
but hashed `<div>`s still yields its title, byline and date; the body steps use them to drop
captions wherever they sit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag

from cpcsearch.scrape import layout

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Line:
    """One visible line: its text, how prominent it is, and whether it sits under media."""

    text: str
    rank: int = 0  # 6 for an <h1> (or role=heading level 1) down to 1 for an <h6>, 0 for text
    in_figure: bool = False  # inside a <figure> or <figcaption>
    after_media: bool = False  # the first line after a video or other embed


def read_lines(soup: BeautifulSoup) -> list[Line]:
    """Return the page's visible text lines in reading order, without touching the tree."""
    reader = _Reader()
    reader.read(soup.body or soup)
    return reader.lines


class _Reader:
    """Flatten a tree into lines: each block element starts a new one."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.parts: list[str] = []
        self.rank = 0
        self.in_figure = False
        self.after_media = False

    def flush(self) -> None:
        text = " ".join("".join(self.parts).split())
        if WORD.search(text):
            self.lines.append(Line(text, self.rank, self.in_figure, self.after_media))
            self.after_media = False
        self.parts, self.rank, self.in_figure = [], 0, False

    def read(self, root: Tag) -> None:
        # A stack rather than recursion: framework pages nest <div>s thousands deep.
        # Each entry is a node with its heading rank and figure flag; None closes a block.
        stack: list[tuple[PageElement | None, int, bool]] = [(root, 0, False)]
        while stack:
            node, rank, in_figure = stack.pop()
            if node is None:
                self.flush()
            elif isinstance(node, NavigableString):
                self.text(node, rank, in_figure)
            elif isinstance(node, Tag) and not _hidden(node):
                if node.name in layout.EMBED_TAGS:
                    self.flush()
                    self.after_media = True
                block = node.name in layout.VISIBLE_BLOCK_TAGS
                if block or node.name == "br":
                    self.flush()
                rank = max(rank, _heading_rank(node))
                in_figure = in_figure or node.name in ("figure", "figcaption")
                if block:
                    stack.append((None, 0, False))
                stack.extend((child, rank, in_figure) for child in reversed(node.contents))
        self.flush()

    def text(self, string: NavigableString, rank: int, in_figure: bool) -> None:
        if type(string) is not NavigableString:
            return  # a comment, CDATA section or doctype
        if string.strip():
            self.parts.append(str(string))
            self.rank = max(self.rank, rank)
            self.in_figure = self.in_figure or in_figure
        else:
            self.parts.append(" ")


def _hidden(tag: Tag) -> bool:
    """Tell whether an element is never shown to a reader."""
    if tag.name in layout.INVISIBLE_TAGS or tag.has_attr("hidden"):
        return True
    style = str(tag.get("style") or "").replace(" ", "").lower()
    return str(tag.get("aria-hidden", "")).lower() == "true" or "display:none" in style


HEADING_LEVELS = frozenset("123456")  # of aria-level (not '²', which `isdigit` takes)


def _heading_rank(tag: Tag) -> int:
    if tag.name in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return 7 - int(tag.name[1])
    if tag.get("role") == "heading":
        level = str(tag.get("aria-level") or "2")
        return 7 - int(level) if level in HEADING_LEVELS else 5
    return 0


def words(text: str) -> list[str]:
    """Return the lower-cased words of `text`, apostrophes dropped ("Russia’s" → "russias")."""
    return WORD.findall(re.sub(r"['’]", "", text.lower()))


def slug_words(url: str) -> list[str]:
    """Return the words of the last path segment of `url` ("…/gas-deal-signed" → gas, deal…)."""
    path = unquote(urlsplit(url).path).rstrip("/")
    segment = path.rsplit("/", 1)[-1]
    segment = re.sub(r"\.(html?|php|aspx?)$", "", segment)
    return words(segment.replace("-", " ").replace("_", " "))


def overlap(candidate: str, reference: list[str]) -> float:
    """Return the share of `candidate`'s words found in `reference` (and vice versa, the lower)."""
    mine, theirs = set(words(candidate)), set(reference)
    if not mine or not theirs:
        return 0.0
    common = len(mine & theirs)
    return min(common / len(mine), common / len(theirs))


def is_byline(text: str) -> bool:
    """Tell whether a line is a byline ("Author: A, B", "Authors: …", "By A and B").

    The names must read as names ("By 2030, the pipeline…" is prose).
    """
    match = layout.VISIBLE_BYLINE.match(text)
    if match is None or len(text) > layout.MAX_BYLINE_CHARS:
        return False
    names = [n.split() for n in layout.AUTHOR_SEPARATORS.split(text[match.end():]) if n.strip()]
    return bool(names) and all(
        len(name) <= layout.MAX_AUTHOR_WORDS
        and all(w[0].isupper() or w.lower() in layout.NAME_PARTICLES for w in name)
        for name in names
    )


def is_date_line(text: str) -> bool:
    """Tell whether a line holds nothing but a date (a dateline, not prose)."""
    match = layout.VISIBLE_DATE.search(text)
    return match is not None and len(text) - len(match.group(0)) <= layout.DATE_LINE_SLACK


def is_heading_like(text: str) -> bool:
    """Tell whether a line reads like a title: a few words, capitalized, no closing period."""
    count = len(text.split())
    return (layout.MIN_TITLE_WORDS <= count <= layout.MAX_TITLE_WORDS
            and any(c.isupper() for c in text) and not text.rstrip().endswith((".", ",", ";")))


def captions(lines: list[Line]) -> set[str]:
    """Return the lines that caption media: in a figure, or a short label right under an embed.

    Not under a bare image: product boxes and pull quotes sit there too.
    """
    return {
        line.text for line in lines
        if not line.rank and len(line.text.split()) <= layout.MAX_CAPTION_WORDS
        and (line.in_figure or line.after_media and not line.text.endswith(layout.SENTENCE_ENDS))
    }
