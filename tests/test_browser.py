"""The readers' page in a real headless Chromium against a real server on 127.0.0.1."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

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
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


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
    assert all("pipel" in v.lower() for v in
               options.evaluate_all("els => els.map(e => e.value)"))


def test_a_misspelling_shows_the_correction(page: Page, live_server: str) -> None:
    page.goto(live_server + "/search?q=pipleine")
    expect(page.locator(".suggestion")).to_contain_text("pipeline")
    expect(page.locator("li.hit").first).to_be_visible()
