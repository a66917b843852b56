"""Commands that read the index: search, serve, stats."""

from __future__ import annotations

import json
from typing import TextIO

import click

from cpcsearch.cli.common import current_config, paths_options


@click.command()
@click.argument("query", required=False, default="")
@click.option("--author", multiple=True, help="Only articles by this author (repeatable: any).")
@click.option("--topic", multiple=True, help="Only articles with this topic (repeatable: any).")
@click.option("--section", multiple=True, help="Only articles of this program (repeatable: any).")
@click.option("--from", "date_from", default="", help="Published on or after (2023, 2023-05...).")
@click.option("--to", "date_to", default="", help="Published on or before.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many hits (at most 100).")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True,
              help="Which page of hits.")
@click.option("--queries", type=click.File(encoding="utf-8"),
              help='A file of {"id", "text"} lines; prints one ranked list a line.')
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@paths_options
def search(query: str, author: tuple[str, ...], topic: tuple[str, ...], section: tuple[str, ...],
           date_from: str, date_to: str, sort: str, limit: int, page: int,
           queries: TextIO | None, as_json: bool) -> None:
    """Search the index.

    Examples: cpcsearch search '"middle corridor" author:smith date:2024'
              cpcsearch search --queries queries.jsonl --limit 100 --json
    """
    from cpcsearch.search.engine import SearchEngine
    from cpcsearch.search.request import MAX_PER_PAGE, SearchRequest

    if limit > MAX_PER_PAGE:
        raise click.BadParameter(f"{limit} is beyond the cap of {MAX_PER_PAGE} hits a page: "
                                 f"use --page for the next ones", param_hint="--limit")
    items = _read_queries(queries) if queries is not None else []
    engine = SearchEngine.from_config(current_config())
    if queries is not None:
        for query_id, text in items:  # the users' search, without snippets or facets
            found = engine.search(SearchRequest(q=text, per_page=min(limit, MAX_PER_PAGE),
                                                snippets=False, facets=False))
            click.echo(json.dumps({"id": query_id, "hits": [
                {"id": hit.id, "score": round(hit.score, 4)} for hit in found.hits]}))
        return
    request = SearchRequest(q=query, authors=author, topics=topic, sections=section,
                            date_from=date_from, date_to=date_to, sort=sort, page=page,
                            per_page=limit)
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


@click.command()
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

    config = current_config()
    added = ensure_demo_index(config)
    if added:
        click.echo(f"indexed {added} demo articles from {config.DEMO_DIR}")
    click.echo(f"serving search on http://{host}:{port}/ (Ctrl+C to stop)")
    waitress_serve(create_app(config), host=host, port=port, threads=8, _quiet=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@paths_options
def stats(as_json: bool) -> None:
    """Print counts of the store and the index, and the last reindex.

    Example: cpcsearch stats --json
    """
    from cpcsearch.pipeline import collect_stats

    data = collect_stats(current_config())
    if as_json:
        click.echo(json.dumps(data))
        return
    for key, value in data.items():
        shown = json.dumps(value) if isinstance(value, dict) else value
        click.echo(f"{key:18} {shown}")


COMMANDS = (search, serve, stats)
