"""The readers' page in a real headless Chromium against a real server on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Without these flags Chromium tries to reach Google's hosts, which this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: run the README's test command, which installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page; at the end, no page it showed broke the Content-Security-Policy."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    yield page
    context.close()
    assert not blocked, blocked


def test_a_reader_searches_refines_and_opens_an_article(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_label("Search articles").fill("pipeline")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result-count")).to_contain_text("results for pipeline")
    hits = page.locator("li.hit")
    assert hits.count() == 10
    expect(hits.first.locator("mark").first).to_be_visible()

    author = page.locator("aside.facets li a").first
    name = author.inner_text()
    author.click()
    expect(page).to_have_url(re.compile(r"author="))
    for meta in page.locator("li.hit p.meta").all():
        assert name in meta.inner_text()

    title = page.locator("li.hit h2 a").first
    heading = title.inner_text()
    title.click()
    expect(page.locator("article.doc h1")).to_have_text(heading)
    expect(page.locator("section.related li").first).to_be_visible()


def test_next_page_and_sorting(page: Page, live_server: str) -> None:
    page.goto(live_server + "/search?q=caspian&sort=newest")
    first_page = page.locator("li.hit h2").all_inner_texts()
    page.get_by_role("link", name="Next →").click()
    expect(page.locator(".pager")).to_contain_text("Page 2")
    assert set(page.locator("li.hit h2").all_inner_texts()).isdisjoint(first_page)
    dates = page.locator("li.hit time").all_inner_texts()
    assert dates == sorted(dates, reverse=True)


def test_search_as_you_type_fills_suggestions(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_label("Search articles").press_sequentially("pipel", delay=30)
    options = page.locator("#suggestions option")
    expect(options.first).to_be_attached()
    # the list follows the last text typed: a shorter prefix's answer may come first on a slow
    # machine (each key 30 ms apart, the input waits 80 ms before asking)
    expect(page.locator("#suggestions option:not([value*='pipel' i])")).to_have_count(0)


def test_a_misspelling_shows_the_correction(page: Page, live_server: str) -> None:
    page.goto(live_server + "/search?q=pipleine")
    expect(page.locator(".suggestion")).to_contain_text("pipeline")
    expect(page.locator("li.hit").first).to_be_visible()


def test_a_researcher_refines_pages_cites_downloads_and_follows_an_author(
        page: Page, live_server: str) -> None:
    page.goto(live_server + "/search?q=caspian")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    everything = page.locator("#result-count").inner_text().split("(")[0].strip()
    page.locator("aside.facets li a").first.click()
    expect(page).to_have_url(re.compile(r"author="))
    assert not page.locator("#result-count").inner_text().startswith(everything)
    page.locator(".chips a, a.chip, aside.facets a:has-text('Clear filters')").first.click()
    expect(page).not_to_have_url(re.compile(r"author="))
    expect(page.locator("#result-count")).to_contain_text(everything)
    page.get_by_role("link", name="Next →").click()
    expect(page.locator(".pager")).to_contain_text("Page 2")
    shown = page.locator("li.hit h2 a").all_inner_texts()

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(
        Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert set(shown) <= {r["title"] for r in rows} and len(rows) > len(shown)

    chosen = page.locator("li.hit:has(a.author) h2 a").first
    title = chosen.inner_text()
    chosen.click()
    expect(page.locator("article.doc h1")).to_have_text(title)
    bibtex = page.locator(".cite pre").first
    expect(bibtex).to_be_hidden()
    page.get_by_text("Cite", exact=True).click()
    expect(bibtex).to_be_visible()
    expect(bibtex).to_contain_text("@misc{")
    expect(page.locator(".cite .reference")).to_contain_text(f"“{title}")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy BibTeX").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == bibtex.inner_text()

    author = page.locator("article.doc p.meta a.author").first
    name = author.inner_text()
    author.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Articles by {name}")
    expect(page.locator(".by-year li").first).to_be_visible()
    for meta in page.locator("li.hit p.meta").all():
        assert name in meta.inner_text()
    dates = page.locator("li.hit time").all_inner_texts()
    assert dates == sorted(dates, reverse=True)


def test_keyboard_only_reaches_a_result(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    expect(page.get_by_label("Search articles")).to_be_focused()  # the focus is there on arrival
    page.keyboard.type("pipeline")
    page.keyboard.press("Enter")
    expect(page.locator("li.hit").first).to_be_visible()
    for _ in range(25):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('li.hit h2 a')"):
            break
    else:
        pytest.fail("Tab never reached a result")
    heading = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(page.locator("article.doc h1")).to_have_text(heading)


def test_on_a_phone_the_filters_fold_above_the_results(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server + "/search?q=gas")
    toggle = page.get_by_role("button", name="Refine results")
    facet = page.locator("aside.facets li a").first
    expect(facet).to_be_hidden()
    assert toggle.bounding_box()["y"] < page.locator("li.hit").first.bounding_box()["y"]
    toggle.click()
    expect(facet).to_be_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    context.close()


def test_no_results_offers_the_broadest_next_step(page: Page, live_server: str) -> None:
    page.goto(live_server + "/search?q=pipeline+zzqqxx&author=Nobody+Here")
    expect(page.locator("#result-count")).to_contain_text("No results")
    steps = page.locator(".next-steps li")
    expect(steps.first).to_contain_text("without")
    steps.first.locator("a").click()
    expect(page.locator("li.hit").first).to_be_visible()
