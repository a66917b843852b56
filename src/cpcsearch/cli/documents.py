"""Commands that put documents into the store: extract, import, crawl, reextract."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from cpcsearch.cli.common import current_config, paths_options
from cpcsearch.cli.indexing import progress_drawer, reindex_line
from cpcsearch.errors import CpcSearchError

if TYPE_CHECKING:
    from cpcsearch.document import Document


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--url", default="", help="The page's URL, when reading a file or stdin.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document a line.")
@click.option("--text", "as_text", is_flag=True, help="The body text alone.")
@paths_options
def extract(sources: tuple[str, ...], url: str, as_json: bool, as_text: bool) -> None:
    """Print the normalized document of each page (a file, a URL, or - for stdin).

    Example: cpcsearch extract scraper/demo/some-article.html --json
    """
    from cpcsearch.scrape import extract_document
    from cpcsearch.scrape.sources import read_page

    failed = 0
    for source in sources:
        try:
            html, page_url = read_page(source, url)
            doc = extract_document(html, page_url)
        except CpcSearchError as exc:
            click.echo(f"{source}: {exc}", err=True)
            failed += 1
            continue
        if as_json:
            click.echo(json.dumps(doc.to_dict(), ensure_ascii=False))
        elif as_text:
            click.echo(doc.body)
        else:
            click.echo(_describe(doc))
    if failed:
        sys.exit(1)


def _describe(doc: Document) -> str:
    data = doc.to_dict()
    head = [f"{key:9} {', '.join(value) if isinstance(value, list) else value}"
            for key, value in data.items() if key not in ("body", "summary") and value]
    return "\n".join([*head, "", data["body"], ""])


@click.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@paths_options
def import_(paths: tuple[str, ...]) -> None:
    """Add saved HTML pages, folders of them, or .jsonl documents to the store.

    A bad .jsonl line is reported (file:line: field: problem) and skipped; the exit status
    is 1 when any document failed.

    Example: cpcsearch import scraper/demo ../shared/data/news/bbc/docs.jsonl
    """
    from cpcsearch.importer import import_paths
    from cpcsearch.store import Store

    with Store(current_config().STORE) as store:
        report = import_paths(store, list(paths))
    shown = 50
    for problem in report.problems[:shown]:
        click.echo(problem, err=True)
    if len(report.problems) > shown:
        click.echo(f"... and {len(report.problems) - shown} more problems", err=True)
    click.echo(report.summary())
    if report.added or report.changed:
        click.echo("run `cpcsearch reindex` to make them searchable")
    if report.failed:
        sys.exit(1)


@click.command()
@click.argument("start_urls", nargs=-1)
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Fetch at most this many pages.")
@click.option("--delay", type=click.FloatRange(min=0), default=None,
              help="Seconds between requests to a host (default: CPCSEARCH_CRAWL_DELAY).")
@paths_options
def crawl(start_urls: tuple[str, ...], limit: int | None, delay: float | None) -> None:
    """Fetch the site politely into the store (incremental); `cpcsearch reindex` indexes it.

    The exit status is 1 when a page failed or none could be fetched.

    Example: cpcsearch crawl https://www.caspianpolicy.org/research --limit 200
    """
    from cpcsearch.scrape.crawl import crawl as run_crawl
    from cpcsearch.store import Store

    config = current_config()
    with Store(config.STORE) as store:
        report = run_crawl(store, config, list(start_urls) or None, limit=limit, delay=delay)
    for url, reason in report.failures[:50]:
        click.echo(f"{url}: {reason}", err=True)
    click.echo(report.summary())
    if report.new or report.changed or report.gone:
        click.echo("run `cpcsearch reindex` to make the changes searchable")
    if report.failed or not report.fetched:
        raise click.ClickException(f"{report.failed} pages failed" if report.failed else
                                   "no page could be fetched: see the messages above")


@click.command()
@paths_options
def reextract() -> None:
    """Re-run the extractor over every stored raw page, then update the index.

    Example: cpcsearch reextract
    """
    from cpcsearch.pipeline import run_reindex
    from cpcsearch.scrape.crawl import reextract as run_reextract
    from cpcsearch.store import Store

    config = current_config()
    with Store(config.STORE, create=False) as store:
        report = run_reextract(store)
    click.echo(report.summary())
    click.echo(reindex_line(run_reindex(config, progress=progress_drawer())))


COMMANDS = (extract, import_, crawl, reextract)
