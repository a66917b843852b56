"""The `cpcsearch` command line: each command parses, calls one library function, prints.

Heavy libraries (Whoosh's analyzers and NLTK, numpy, trafilatura, Flask) are imported inside
the commands that use them, so `cpcsearch --help` and `cpcsearch stats` start at once.
"""

from __future__ import annotations

import errno
import json
import logging
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, TextIO

import click

from cpcsearch.config import Config
from cpcsearch.errors import CpcSearchError

if TYPE_CHECKING:
    from cpcsearch.document import Document
    from cpcsearch.index.writing import Progress, ReindexReport

LOG_EVERY_SECONDS = 5.0


class _Commands(click.Group):
    """Turn every failure of a command into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except CpcSearchError as exc:
            raise click.ClickException(str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            from cpcsearch.store import RESTORE_HINT

            store = _settings(ctx).STORE
            if "full" in str(exc):
                raise click.ClickException(f"the document store {store} is on a full disk "
                                           f"({exc}): the write was rolled back; free some "
                                           "space and run the command again") from exc
            raise click.ClickException(f"the document store {store} cannot be read ({exc}): "
                                       f"{RESTORE_HINT}") from exc
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                config = _settings(ctx)
                raise click.ClickException(
                    f"no space left on the disk of {exc.filename or config.INDEX_DIR} (store "
                    f"{config.STORE}, index {config.INDEX_DIR}): free some space and run the "
                    "command again; the live index is unchanged") from exc
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from exc
        except Exception as exc:
            if ctx.meta.get("verbose"):
                raise
            raise click.ClickException(_unexpected(ctx, exc)) from exc


def _unexpected(ctx: click.Context, exc: Exception) -> str:
    """Describe an error nobody raised on purpose, naming the index when Whoosh failed."""
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    frames = traceback.extract_tb(exc.__traceback__)
    if any("/whoosh/" in frame.filename for frame in frames[-3:]):
        return (f"the index in {_settings(ctx).INDEX_DIR} cannot be read ({what}): run "
                "`cpcsearch check`, then `cpcsearch reindex --full` to rebuild it from the store")
    return f"unexpected error ({what}); run with -v to see where"


def _settings(ctx: click.Context) -> Config:
    root = ctx.find_root()
    if "config" not in root.meta:
        root.meta["config"] = Config.load(**root.meta.get("overrides", {}))
    return root.meta["config"]


def _config() -> Config:
    return _settings(click.get_current_context())


def _set_override(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is not None:
            ctx.find_root().meta.setdefault("overrides", {})[name] = value
    return callback


def paths_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--store` and `--index-dir`, which override the settings, to a command."""
    command = click.option("--index-dir", expose_value=False, callback=_set_override("INDEX_DIR"),
                           help="Index folder (default: CPCSEARCH_INDEX_DIR or index/).")(command)
    return click.option("--store", expose_value=False, callback=_set_override("STORE"),
                        help="Store file (default: CPCSEARCH_STORE or "
                             "scraper/documents.sqlite).")(command)


@click.group(cls=_Commands)
@click.option("-v", "--verbose", is_flag=True, help="Log each step; show tracebacks.")
@paths_options
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Search the Caspian Policy Center's articles.

    Settings come from CPCSEARCH_* environment variables (see README); --store and
    --index-dir override them, here or after any command.
    """
    ctx.meta["verbose"] = verbose
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(message)s")


@main.command()
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


@main.command(name="import")
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

    with Store(_config().STORE) as store:
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


@main.command()
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

    config = _config()
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


@main.command()
@paths_options
def reextract() -> None:
    """Re-run the extractor over every stored raw page, then update the index.

    Example: cpcsearch reextract
    """
    from cpcsearch.pipeline import run_reindex
    from cpcsearch.scrape.crawl import reextract as run_reextract
    from cpcsearch.store import Store

    config = _config()
    with Store(config.STORE, create=False) as store:
        report = run_reextract(store)
    click.echo(report.summary())
    click.echo(_reindex_line(run_reindex(config, progress=_progress())))


@main.command()
@click.option("--full", is_flag=True, help="Rebuild beside the live index, then swap it in.")
@click.option("--allow-empty", is_flag=True,
              help="Let a rebuild from an empty store replace a non-empty index.")
@click.option("--job", "job_id", type=int, hidden=True,
              help="Run this job queued by the admin API (its row holds the options).")
@paths_options
def reindex(full: bool, allow_empty: bool, job_id: int | None) -> None:
    """Bring the index up to date with the document store (one reindex at a time).

    Example: cpcsearch reindex --full
    """
    from cpcsearch.pipeline import run_reindex

    report = run_reindex(_config(), full=full, progress=_progress(), allow_empty=allow_empty,
                         job_id=job_id)
    click.echo(_reindex_line(report))


def _reindex_line(report: ReindexReport) -> str:
    return (f"{'rebuilt' if report.full else 'updated'} index {report.generation}: "
            f"{report.indexed} indexed, {report.removed} removed, {report.total} in total")


def _progress(stream: IO[str] | None = None) -> Progress:
    """Draw progress as a tqdm bar per phase on a terminal, as log lines otherwise."""
    stream = stream or sys.stderr
    if stream.isatty():
        return _bar(stream)
    last = {"phase": "", "at": 0.0}

    def log_line(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != last["phase"] or done >= total or now - last["at"] >= LOG_EVERY_SECONDS:
            last.update(phase=phase, at=now)
            click.echo(f"reindex: {phase} {done}/{total}", file=stream)

    return log_line


def _bar(stream: IO[str]) -> Progress:
    from tqdm import tqdm

    state: dict[str, Any] = {"phase": None, "bar": None}

    def draw(phase: str, done: int, total: int) -> None:
        if phase != state["phase"]:
            if state["bar"] is not None:
                state["bar"].close()
            unit = "doc" if phase == "indexing" else "step"
            state.update(phase=phase, bar=tqdm(total=total, desc=phase, unit=unit, file=stream,
                                               leave=False))
        state["bar"].total = total
        state["bar"].n = done
        state["bar"].refresh()
        if phase == "swapping" and done >= total:
            state["bar"].close()

    return draw


@main.command()
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="How many jobs, newest first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON job a line.")
@paths_options
def jobs(limit: int, as_json: bool) -> None:
    """List the latest reindex jobs, whoever started them (CLI, cron, admin API).

    Example: cpcsearch jobs --limit 5
    """
    from cpcsearch import jobs as job_rows
    from cpcsearch.store import Store

    with Store(_config().STORE, create=False) as store:
        found = job_rows.recent(store, limit)
    for job in found:
        click.echo(json.dumps(job.to_dict()) if as_json else job.describe())


@main.command()
@click.argument("query", required=False, default="")
@click.option("--author", default="", help="Only articles by this author.")
@click.option("--topic", default="", help="Only articles with this topic or section.")
@click.option("--from", "date_from", default="", help="Published on or after (2023, 2023-05...).")
@click.option("--to", "date_to", default="", help="Published on or before.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many hits (at most 100 a page; more with --queries).")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True,
              help="Which page of hits.")
@click.option("--queries", type=click.File(encoding="utf-8"),
              help='A file of {"id", "text"} lines; prints one ranked list a line.')
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@paths_options
def search(query: str, author: str, topic: str, date_from: str, date_to: str, sort: str,
           limit: int, page: int, queries: TextIO | None, as_json: bool) -> None:
    """Search the index.

    Examples: cpcsearch search '"middle corridor" author:smith date:2024'
              cpcsearch search --queries queries.jsonl --limit 100 --json
    """
    from cpcsearch.search.engine import SearchEngine
    from cpcsearch.search.request import MAX_PER_PAGE, SearchRequest

    if queries is None and limit > MAX_PER_PAGE:
        raise click.BadParameter(f"{limit} is beyond the cap of {MAX_PER_PAGE} hits a page: "
                                 f"use --page for the next ones", param_hint="--limit")
    items = _read_queries(queries) if queries is not None else []
    engine = SearchEngine.from_config(_config())
    if queries is not None:
        ranked = engine.rank([text for _, text in items], limit)
        for (query_id, _), hits in zip(items, ranked, strict=True):
            click.echo(json.dumps({"id": query_id, "hits": [
                {"id": doc_id, "score": round(score, 4)} for doc_id, score in hits]}))
        return
    request = SearchRequest(q=query, author=author, topic=topic, date_from=date_from,
                            date_to=date_to, sort=sort, page=page, per_page=limit)
    results = engine.search(request)
    if as_json:
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False))
        return
    from cpcsearch.search.text import format_results

    click.echo(format_results(results))


def _read_queries(lines: TextIO) -> list[tuple[str, str]]:
    """Read `{"id", "text"}` lines; a bad one stops the run with its file and line."""
    name = getattr(lines, "name", "-")
    items = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise click.ClickException(f"{name}:{number}: not JSON ({exc})") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or \
                not isinstance(item.get("id"), str | int) or isinstance(item.get("id"), bool):
            raise click.ClickException(f"{name}:{number}: a query line is a JSON object with "
                                       'a string "id" and a string "text"')
        items.append((str(item["id"]), item["text"]))
    return items


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@paths_options
def serve(host: str, port: int) -> None:
    """Serve the web app; an empty index is first filled with the demo pages.

    For production, serve wsgi.py with gunicorn (see README). Example: cpcsearch serve --port 8000
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
@paths_options
def stats(as_json: bool) -> None:
    """Print counts of the store and the index, and the last reindex.

    Example: cpcsearch stats --json
    """
    from cpcsearch.pipeline import collect_stats

    data = collect_stats(_config())
    if as_json:
        click.echo(json.dumps(data))
        return
    for key, value in data.items():
        shown = json.dumps(value) if isinstance(value, dict) else value
        click.echo(f"{key:18} {shown}")


@main.command()
@paths_options
def check() -> None:
    """Check the store (SQLite integrity_check) and read every segment of the index.

    Example: cpcsearch check
    """
    from cpcsearch.index.writing import check_index
    from cpcsearch.store import RESTORE_HINT, Store

    config = _config()
    with Store(config.STORE, create=False) as store:
        problems = [f"store {config.STORE}: {p}: {RESTORE_HINT}"
                    for p in store.integrity_problems()]
    problems += check_index(config.INDEX_DIR)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problems found, see above")
    click.echo(f"store {config.STORE}: ok\nindex {config.INDEX_DIR}: ok")


@main.command()
@click.argument("destination", type=click.Path(dir_okay=True))
@paths_options
def backup(destination: str) -> None:
    """Copy the store to DESTINATION (a file or folder), safely while it is in use.

    Example: cpcsearch backup /var/backups/cpcsearch/documents.sqlite
    """
    from cpcsearch.store import Store

    config = _config()
    with Store(config.STORE, create=False) as store:
        written = store.backup(destination)
        count = store.count()
    click.echo(f"backed up {config.STORE} ({count} documents) to {written}")
