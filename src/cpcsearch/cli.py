"""The `cpcsearch` command line: each command parses, calls one library function, prints."""

from __future__ import annotations

import json
import logging
import sys
from typing import TextIO

import click

from cpcsearch.config import Config
from cpcsearch.document import Document
from cpcsearch.errors import CpcSearchError
from cpcsearch.index.writing import Progress, ReindexReport


def _config() -> Config:
    return Config.load()


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from exc


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log each step.")
def main(verbose: bool) -> None:
    """Search the Caspian Policy Center's articles.

    Settings come from CPCSEARCH_* environment variables (see README).
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(message)s")


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--url", default="", help="The page's URL, when reading a file or stdin.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document a line.")
@click.option("--text", "as_text", is_flag=True, help="The body text alone.")
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


@main.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def import_(paths: tuple[str, ...]) -> None:
    """Add saved HTML pages, folders of them, or .jsonl documents to the store.

    Example: cpcsearch import scraper/demo ../shared/data/news/bbc/docs.jsonl
    """
    from cpcsearch.importer import import_paths
    from cpcsearch.store import Store

    with Store(_config().STORE) as store:
        report = import_paths(store, list(paths))
    for problem in report.problems[:20]:
        click.echo(problem, err=True)
    click.echo(f"imported {report.added}, unchanged {report.unchanged}, failed {report.failed}"
               + (f" ({len(report.problems)} problems, see above)" if report.problems else ""))
    click.echo("run `cpcsearch reindex` to make them searchable")


@main.command()
@click.argument("start_urls", nargs=-1)
@click.option("--limit", type=int, default=None, help="Fetch at most this many pages.")
@click.option("--delay", type=float, default=None,
              help="Seconds between requests to a host (default: CPCSEARCH_CRAWL_DELAY).")
def crawl(start_urls: tuple[str, ...], limit: int | None, delay: float | None) -> None:
    """Fetch the site politely into the store (incremental), then update the index.

    Example: cpcsearch crawl https://www.caspianpolicy.org/research --limit 200
    """
    from cpcsearch.pipeline import run_reindex
    from cpcsearch.scrape.crawl import crawl as run_crawl
    from cpcsearch.store import Store

    config = _config()
    try:
        with Store(config.STORE) as store:
            report = run_crawl(store, config, list(start_urls) or None, limit=limit, delay=delay)
        click.echo(report.summary())
        click.echo(_reindex_line(run_reindex(config)))
    except CpcSearchError as exc:
        _fail(exc)


@main.command()
def reextract() -> None:
    """Re-run the extractor over every stored raw page, then update the index.

    Example: cpcsearch reextract
    """
    from cpcsearch.pipeline import run_reindex
    from cpcsearch.scrape.crawl import reextract as run_reextract
    from cpcsearch.store import Store

    config = _config()
    try:
        with Store(config.STORE) as store:
            report = run_reextract(store)
        click.echo(report.summary())
        click.echo(_reindex_line(run_reindex(config)))
    except CpcSearchError as exc:
        _fail(exc)


@main.command()
@click.option("--full", is_flag=True, help="Rebuild beside the live index, then swap it in.")
def reindex(full: bool) -> None:
    """Bring the index up to date with the document store.

    Example: cpcsearch reindex --full
    """
    from cpcsearch.pipeline import run_reindex

    try:
        report = run_reindex(_config(), full=full, progress=_progress_bar())
    except CpcSearchError as exc:
        _fail(exc)
    click.echo(_reindex_line(report))


def _reindex_line(report: ReindexReport) -> str:
    return (f"{'rebuilt' if report.full else 'updated'} index {report.generation}: "
            f"{report.indexed} indexed, {report.removed} removed, {report.total} in total")


def _progress_bar() -> Progress:
    from tqdm import tqdm

    bar: dict[str, tqdm] = {}

    def progress(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="doc", file=sys.stderr, leave=False)
        bar["bar"].n = done
        bar["bar"].refresh()

    return progress


@main.command()
@click.argument("query", required=False, default="")
@click.option("--author", multiple=True, help="Only articles by this author (repeatable: any).")
@click.option("--topic", multiple=True, help="Only articles with this topic (repeatable: any).")
@click.option("--section", multiple=True, help="Only articles of this program (repeatable: any).")
@click.option("--from", "date_from", default="", help="Published on or after (2023, 2023-05...).")
@click.option("--to", "date_to", default="", help="Published on or before.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance")
@click.option("--limit", default=10, show_default=True, help="How many hits.")
@click.option("--page", default=1, show_default=True, help="Which page of hits.")
@click.option("--queries", type=click.File(encoding="utf-8"),
              help='A file of {"id", "text"} lines; prints one ranked list a line.')
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def search(query: str, author: tuple[str, ...], topic: tuple[str, ...], section: tuple[str, ...],
           date_from: str, date_to: str, sort: str, limit: int, page: int,
           queries: TextIO | None, as_json: bool) -> None:
    """Search the index.

    Examples: cpcsearch search '"middle corridor" author:smith date:2024'
              cpcsearch search --queries queries.jsonl --limit 100 --json
    """
    from cpcsearch.search.engine import SearchEngine
    from cpcsearch.search.request import SearchRequest

    engine = SearchEngine.from_config(_config())
    try:
        if queries is not None:
            items = [json.loads(line) for line in queries if line.strip()]
            for item in items:  # the users' search, without snippets or facets
                found = engine.search(SearchRequest(q=item["text"], per_page=limit,
                                                    snippets=False, facets=False))
                click.echo(json.dumps({"id": item["id"], "hits": [
                    {"id": hit.id, "score": round(hit.score, 4)} for hit in found.hits]}))
            return
        request = SearchRequest(q=query, authors=author, topics=topic, sections=section,
                                date_from=date_from, date_to=date_to, sort=sort, page=page,
                                per_page=min(max(limit, 1), 100))
        results = engine.search(request)
    except CpcSearchError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False))
        return
    from cpcsearch.search.text import format_results

    click.echo(format_results(results).replace("1 results", "1 result", results.total == 1))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the web app; an empty index is first filled with the demo pages.

    Example: cpcsearch serve --port 8000
    """
    from waitress import serve as waitress_serve

    from cpcsearch.pipeline import ensure_demo_index
    from cpcsearch.web import create_app

    config = _config()
    added = ensure_demo_index(config)
    if added:
        click.echo(f"indexed {added} demo articles from {config.DEMO_DIR}")
    click.echo(f"serving search on http://{host}:{port}/ (Ctrl+C to stop)")
    waitress_serve(create_app(config), host=host, port=port, threads=8, _quiet=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats(as_json: bool) -> None:
    """Print counts of the store and the index.

    Example: cpcsearch stats --json
    """
    from cpcsearch.pipeline import collect_stats

    data = collect_stats(_config())
    if as_json:
        click.echo(json.dumps(data))
    else:
        for key, value in data.items():
            click.echo(f"{key:18} {value}")
