"""The article body of a page in the centre's layout: paragraphs and headings, nothing else."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from cpcsearch.scrape import layout
from cpcsearch.scrape.metadata import clean_text, split_authors

MIN_BODY_CHARS = 200


def find_body(soup: BeautifulSoup) -> Tag | None:
    """Return the element holding the article text, or None if the layout is not the centre's."""
    for selector in layout.BODY_SELECTORS:
        for element in soup.select(selector):
            if sum(len(p.get_text()) for p in element.find_all("p")) >= MIN_BODY_CHARS:
                return element
    return None


def strip_boilerplate(root: Tag) -> None:
    """Remove, in place, the elements that never hold article text."""
    for selector in layout.BOILERPLATE_SELECTORS:
        for element in root.select(selector):
            if element is not root:
                element.decompose()


def _is_caption(block: Tag) -> bool:
    """Tell whether a paragraph is only an italic line under embedded media."""
    children = [c for c in block.contents if not (isinstance(c, str) and not c.strip())]
    if len(children) != 1 or not isinstance(children[0], Tag):
        return False
    if children[0].name not in layout.CAPTION_WRAPPERS:
        return False
    previous = block.find_previous_sibling()
    return previous is not None and (
        previous.name in layout.MEDIA_TAGS or previous.find(layout.MEDIA_TAGS) is not None
    )


def _is_date_line(text: str) -> bool:
    """Tell whether a line holds nothing but a date (a dateline, not prose)."""
    match = layout.VISIBLE_DATE.search(text)
    return match is not None and len(text) - len(match.group(0)) <= 12


def body_paragraphs(root: Tag) -> list[str]:
    """Return the text blocks of `root` in reading order, boilerplate lines dropped."""
    captions = {id(p) for p in root.find_all("p") if _is_caption(p)}
    strip_boilerplate(root)
    for line_break in root.find_all("br"):
        line_break.replace_with(" ")
    paragraphs = []
    for block in root.find_all(layout.BODY_BLOCK_TAGS):
        if block.find_parent(layout.BODY_BLOCK_TAGS) or id(block) in captions:
            continue
        text = clean_text(block.get_text())
        if text and not layout.BOILERPLATE_LINES.match(text) and not _is_date_line(text):
            paragraphs.append(text)
    return paragraphs


def pop_byline(paragraphs: list[str]) -> list[str]:
    """Remove a leading "By A and B" line from `paragraphs`; return its names."""
    if paragraphs and paragraphs[0].lower().startswith("by ") and len(paragraphs[0]) < 120:
        return split_authors(paragraphs.pop(0))
    return []
