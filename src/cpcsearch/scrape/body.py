"""The article body: paragraphs and headings, nothing else, read without changing the tree."""

from __future__ import annotations

import copy

from bs4 import BeautifulSoup, Tag

from cpcsearch.scrape import layout, visible
from cpcsearch.scrape.metadata import find_byline
from cpcsearch.scrape.page import Page, clean_text
from cpcsearch.scrape.visible import is_date_line

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


def body_paragraphs(container: Tag) -> list[str]:
    """Return the text blocks of `container` in reading order, boilerplate lines dropped.

    The page's tree is left as it was: boilerplate is stripped from a copy.
    """
    root = copy.copy(container)
    captions = {id(p) for p in root.find_all("p") if _is_caption(p)}
    strip_boilerplate(root)
    for line_break in root.find_all("br"):
        line_break.replace_with(" ")
    paragraphs = []
    for block in root.find_all(layout.BODY_BLOCK_TAGS):
        if block.find_parent(layout.BODY_BLOCK_TAGS) or id(block) in captions:
            continue
        text = clean_text(block.get_text())
        if text and not layout.BOILERPLATE_LINES.match(text) and not is_date_line(text):
            paragraphs.append(text)
    return paragraphs


def trim(paragraphs: list[str], page: Page, title: str) -> list[str]:
    """Drop what a body extractor kept around the article, in any layout.

    Captions and credit lines go wherever they sit; the page furniture, repeated title,
    byline and dateline before the first paragraph go; so does everything from a
    "Related Articles" heading on.
    """
    captions = sorted(visible.captions(page.lines), key=len, reverse=True)
    kept = [p for p in paragraphs
            if not _only_captions(p, captions) and not layout.BOILERPLATE_LINES.match(p)]
    byline = find_byline(page)
    shown = {title, *([page.lines[byline[0]].text, byline[1]] if byline else [])}
    head = [i for i, p in enumerate(kept[:layout.HEAD_PARAGRAPHS]) if _is_head_line(page, p, shown)]
    if head and all(len(p.split()) <= layout.MAX_HEAD_WORDS for p in kept[:head[-1]]):
        kept = kept[head[-1] + 1:]
    return kept[:_article_end(page, kept)]


def _article_end(page: Page, paragraphs: list[str]) -> int:
    """Return where the article ends: at the first paragraph the page shows under a "Related
    Articles" heading (extractors often drop the heading yet keep the teasers under it).

    A cut that would leave less than half the text is a sidebar's heading, not the end.
    """
    lines = [line.text for line in page.lines]
    starts = [i for i, text in enumerate(lines) if i and layout.RELATED_HEADING.match(text)]
    total = sum(map(len, paragraphs))
    for start in starts:
        after = set(lines[start:]) - set(lines[:start])
        for i, paragraph in enumerate(paragraphs):
            if i and paragraph in after and sum(map(len, paragraphs[:i])) * 2 >= total:
                return i
    return len(paragraphs)


def _only_captions(paragraph: str, captions: list[str]) -> bool:
    """Tell whether a paragraph is made of captions alone (extractors may glue two together)."""
    for caption in captions:
        paragraph = paragraph.replace(caption, " ")
    return not visible.WORD.search(paragraph)


def _is_head_line(page: Page, paragraph: str, shown: set[str]) -> bool:
    """Tell whether a paragraph repeats the title or byline, or is a dateline, a byline's
    label or the site's name."""
    words = visible.words(paragraph)
    return (any(words == visible.words(text) for text in shown) or visible.is_byline(paragraph)
            or layout.BYLINE_LABEL.match(paragraph) is not None
            or visible.is_date_line(paragraph) or page.is_site_name(paragraph))
