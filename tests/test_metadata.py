"""Each metadata extractor alone: the JSON-LD → meta → visible-text cascade, field by field."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from cpcsearch.scrape import metadata, visible
from cpcsearch.scrape.urls import canonical_url, doc_id_for


def page(html: str, url: str = "") -> metadata.Page:
    return metadata.Page.parse(BeautifulSoup(html, "lxml"), url)


@pytest.mark.parametrize(("line", "names"), [
    ("Author: Jane Doe", ["Jane Doe"]),
    ("Authors: Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("Author: A. Smith, B. Jones, C. Brown", ["A. Smith", "B. Jones", "C. Brown"]),
    ("Author: A Smith, B Jones and C Brown", ["A Smith", "B Jones", "C Brown"]),
    ("By Leyla Gasimova", ["Leyla Gasimova"]),
    ("by Jane Doe & John Roe", ["Jane Doe", "John Roe"]),
    ("Kerem Aydın; Elena Marsh", ["Kerem Aydın", "Elena Marsh"]),
])
def test_author_lines_split_into_clean_names(line: str, names: list[str]) -> None:
    assert metadata.split_authors(line) == names


@pytest.mark.parametrize(("text", "iso"), [
    ("Apr 25, 2024", "2024-04-25"), ("April 25, 2024", "2024-04-25"),
    ("08/25/2021", "2021-08-25"), ("25 April 2024", "2024-04-25"),
    ("2025-03-14T09:00:00+04:00", "2025-03-14"), ("Posted on Sept. 3, 2019 by staff", "2019-09-03"),
    ("no date here", None), ("13/45/2020", None),
])
def test_dates_as_the_site_writes_them(text: str, iso: str | None) -> None:
    date = metadata.parse_date(text)
    assert (date.isoformat() if date else None) == iso


def test_date_cascade_prefers_jsonld_then_meta_then_text() -> None:
    jsonld = ('<script type="application/ld+json">{"@graph": [{"@type": "WebSite"}, '
              '{"@type": "NewsArticle", "datePublished": "2024-01-02"}]}</script>')
    meta = '<meta property="article:published_time" content="2023-05-06T10:00:00Z">'
    visible = "<h1>T</h1><p class='date'>Jul 8, 2022</p>"
    assert metadata.extract_date(page(jsonld + meta + visible)) == dt.date(2024, 1, 2)
    assert metadata.extract_date(page(meta + visible)) == dt.date(2023, 5, 6)
    assert metadata.extract_date(page(visible)) == dt.date(2022, 7, 8)
    assert metadata.extract_date(page("<h1>T</h1><p>Filed 03/04/2020 in Baku</p>")) == \
        dt.date(2020, 3, 4)


def test_title_prefers_the_heading_over_the_site_title() -> None:
    html = "<title>Gas Deal | Caspian Policy Center</title><body><main><h1>Gas Deal Signed</h1>"
    assert metadata.extract_title(page(html)) == "Gas Deal Signed"
    assert metadata.extract_title(page("<title>Caspian Policy Center - Gas Deal</title>")) == \
        "Gas Deal"


@pytest.mark.parametrize(("html", "url", "section"), [
    ('<meta property="article:section" content="Energy and Economy Program (EEP)">', "",
     "Energy and Economy Program (EEP)"),
    ('<div class="breadcrumbs"><a href="/">Home</a> / <a href="/research">Research</a> / '
     '<a href="/research/spp">Security and Politics Program (SPP)</a></div>', "",
     "Security and Politics Program (SPP)"),
    ("<p>nothing</p>", "https://www.caspianpolicy.org/research/central-asia-program-cap/x",
     "Central Asia Program (CAP)"),
    ("<p>nothing</p>", "https://www.caspianpolicy.org/research/new-initiative/x",
     "New Initiative"),
])
def test_section_from_meta_breadcrumb_or_url(html: str, url: str, section: str) -> None:
    assert metadata.extract_section(page(html, url)) == section


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://www.caspianpolicy.org/?s=pipeline&ref=nav", "https://www.caspianpolicy.org/?s=pipeline"),
    ("https://www.caspianpolicy.org/research?page=2&_ga=2.1", "https://www.caspianpolicy.org/research?page=2"),
    ("http://127.0.0.1:8080/a/?b=2&a=1", "http://127.0.0.1:8080/a?a=1&b=2"),
    ("mailto:office@example.org", "mailto:office@example.org"),
])
def test_canonical_urls_keep_the_query_that_selects_content(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_regions_found_in_text_become_topics() -> None:
    text = "Kazakhstan and the Kyrgyz Republic met in Astana. Bishkek agreed; Kazakh officials too."
    assert metadata.find_regions(text) == ["Kazakhstan", "Kyrgyzstan"]


@pytest.mark.parametrize("url", [
    "http://caspianpolicy.com/research/eep/gas-deal/",
    "https://caspianpolicy.org/research/eep/gas-deal?utm_source=x&fbclid=y",
    "https://WWW.caspianpolicy.org/research/eep/gas-deal#top",
    "https://www.caspianpolicy.org:443/research/eep/gas-deal/?utm_campaign=a&msclkid=b&share=tw",
])
def test_mirror_hosts_and_tracking_collapse_to_one_canonical_url(url: str) -> None:
    assert canonical_url(url) == "https://www.caspianpolicy.org/research/eep/gas-deal"
    assert doc_id_for(url) == doc_id_for("https://www.caspianpolicy.org/research/eep/gas-deal")


def divs(*lines: str, title: str = "CPC") -> str:
    """Return a page of nothing but nested <div>s with hashed classes, one per line."""
    body = "".join(f'<div class="css-{n}x{n * 7}"><div class="css-q{n}">{line}</div></div>'
                   for n, line in enumerate(lines))
    return f"<html><head><title>{title}</title></head><body><div id=root>{body}</div></body></html>"


PROSE = "The ministry published the new tariff schedule on Monday, after a year of talks. " * 3


@pytest.mark.parametrize(("html", "url", "title"), [
    # No slug and a <title> that is only the site's name: the line above the byline.
    (divs("CPC - Caspian Policy Center", "Research", "Gas Deal Signed in Baku",
          "Author: Jane Doe", PROSE), "", "Gas Deal Signed in Baku"),
    # The slug names the article: the matching line, not a more prominent teaser.
    (divs("Caspian Policy Center", "<h2>Subscribe to Our Weekly Digest</h2>",
          "gas deal signed in baku", "Gas Deal Signed in Baku", PROSE),
     "https://example.org/research/eep/gas-deal-signed-in-baku", "Gas Deal Signed in Baku"),
    # The <title> minus the site's name points at the visible heading, which is fuller.
    (divs("Home", "Gas Deal Signed", "By Jane Doe", PROSE, title="CPC"), "", "Gas Deal Signed"),
    # A heading that is only the site's name is never the title.
    ("<title>Caspian Policy Center</title><h1>Caspian Policy Center</h1>"
     "<div>Pipeline Talks Resume</div><div>Authors: A Smith and B Jones</div>", "",
     "Pipeline Talks Resume"),
])
def test_title_from_visible_text(html: str, url: str, title: str) -> None:
    assert metadata.extract_title(page(html, url)) == title


@pytest.mark.parametrize(("title_tag", "title"), [
    ("Gas Deal | CPC", "Gas Deal"), ("CPC - Gas Deal", "Gas Deal"),
    ("Gas Deal – Caspian Policy Center", "Gas Deal"), ("CPC", ""),
    ("Kazakhstan – Russia Relations | CPC", "Kazakhstan – Russia Relations"),
    ("Gas Deal | CPC - Caspian Policy Center", "Gas Deal"), ("CPC | CPC | CPC", ""),
])
def test_site_name_and_its_initials_leave_the_title(title_tag: str, title: str) -> None:
    assert page(f"<title>{title_tag}</title>").strip_site_name(title_tag) == title


def test_byline_and_date_from_the_lines_after_the_title() -> None:
    html = divs("CPC", "Research", "Gas Deal Signed in Baku", "Author: Jane Doe, John Roe",
                "Apr 25, 2024", "Image source: Energy Ministry", PROSE)
    assert metadata.extract_authors(page(html)) == ["Jane Doe", "John Roe"]
    assert metadata.extract_date(page(html)) == dt.date(2024, 4, 25)


@pytest.mark.parametrize("line", [
    "By 2030, the pipeline will carry twice as much gas.", "By then the talks had stalled",
    "Author unknown at the time of writing, sources say the talks will continue",
])
def test_prose_that_opens_like_a_byline_is_not_one(line: str) -> None:
    html = divs("CPC", "Gas Deal Signed in Baku", line, "Apr 25, 2024", PROSE)
    assert metadata.extract_authors(page(html)) == []


def test_a_date_in_the_prose_far_below_the_byline_is_not_the_date() -> None:
    html = divs("Gas Deal Signed", "By Jane Doe", *[PROSE] * 4, "Apr 25, 2024")
    assert metadata.extract_date(page(html)) is None


def test_captions_are_lines_in_figures_or_short_labels_under_embeds() -> None:
    html = ("<div><figure><img src=a.jpg><figcaption>Tankers at Ceyhan, 2021.</figcaption></figure>"
            "<div><iframe src=v></iframe></div><div>Footage of the signing ceremony</div>"
            "<div><video src=v.mp4></video></div><div>A long paragraph after a video is prose, "
            "and it ends with a full stop like prose does.</div>"
            "<div><iframe src=v></iframe></div><h3>A Heading After a Video</h3></div>")
    assert visible.captions(page(html).lines) == {
        "Tankers at Ceyhan, 2021.", "Footage of the signing ceremony"}


def test_hidden_and_script_text_is_not_visible() -> None:
    html = ("<body><script>var a = 'Title';</script><div hidden>Hidden</div>"
            "<div style='display: none'>Gone</div><div aria-hidden=true>Icon</div>"
            "<div>Shown <span>inline</span> text</div><div>Second<br>line</div></body>")
    assert [line.text for line in page(html).lines] == ["Shown inline text", "Second", "line"]


def test_a_lower_case_heading_gives_way_to_its_capitalized_spelling() -> None:
    html = ("<title>CPC</title><div>CPC - Caspian Policy Center</div><h1>gas deal signed in baku"
            "</h1><div>Gas Deal Signed in Baku</div><div>By Jane Doe</div>")
    assert metadata.extract_title(page(html)) == "Gas Deal Signed in Baku"
    assert metadata.extract_title(page("<h1>CPC - Caspian Policy Center</h1><h2>Gas Deal</h2>"
                                       "<div>Author: Jane Doe</div>")) == "Gas Deal"


def test_a_byline_label_alone_on_its_line_takes_the_next_line() -> None:
    html = divs("CPC", "Gas Deal Signed in Baku", "Authors:", "Jane Doe, John Roe", "Apr 25, 2024",
                PROSE)
    assert metadata.extract_title(page(html)) == "Gas Deal Signed in Baku"
    assert metadata.extract_authors(page(html)) == ["Jane Doe", "John Roe"]
    assert metadata.extract_date(page(html)) == dt.date(2024, 4, 25)


@pytest.mark.parametrize(("html", "url"), [
    ('<meta name="parsely-pub-date" content="2023-02-01T10:00:00Z"><h1>T</h1>', ""),
    ("<h1>T</h1><p>No date in the text.</p>", "https://example.org/2023/02/01/gas-deal"),
])
def test_htmldate_finds_dates_in_markup_the_cascade_does_not_know(html: str, url: str) -> None:
    assert metadata.extract_date(page(html, url)) == dt.date(2023, 2, 1)
