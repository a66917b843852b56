"""Commands that keep the index and the store sound: reindex, jobs, check, backup."""

from __future__ import annotations

import json
import sys
import time
from typing import IO, TYPE_CHECKING, Any

import click

from cpcsearch.cli.common import current_config, paths_options

if TYPE_CHECKING:
    from cpcsearch.index.writing import Progress, ReindexReport

LOG_EVERY_SECONDS = 5.0


@click.command()
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

    report = run_reindex(current_config(), full=full, progress=progress_drawer(),
                         allow_empty=allow_empty, job_id=job_id)
    click.echo(reindex_line(report))


def reindex_line(report: ReindexReport) -> str:
    """Return the one-line outcome of a reindex."""
    return (f"{'rebuilt' if report.full else 'updated'} index {report.generation}: "
            f"{report.indexed} indexed, {report.removed} removed, {report.total} in total")


def progress_drawer(stream: IO[str] | None = None) -> Progress:
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


@click.command()
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

    with Store(current_config().STORE, create=False) as store:
        found = job_rows.recent(store, limit)
    for job in found:
        click.echo(json.dumps(job.to_dict()) if as_json else job.describe())


@click.command()
@paths_options
def check() -> None:
    """Check the store (SQLite integrity_check) and read every segment of the index.

    Example: cpcsearch check
    """
    from cpcsearch.index.writing import check_index
    from cpcsearch.store import RESTORE_HINT, Store

    config = current_config()
    with Store(config.STORE, create=False) as store:
        problems = [f"store {config.STORE}: {p}: {RESTORE_HINT}"
                    for p in store.integrity_problems()]
    problems += check_index(config.INDEX_DIR)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problems found, see above")
    click.echo(f"store {config.STORE}: ok\nindex {config.INDEX_DIR}: ok")


@click.command()
@click.argument("destination", type=click.Path(dir_okay=True))
@paths_options
def backup(destination: str) -> None:
    """Copy the store to DESTINATION (a file or folder), safely while it is in use.

    Example: cpcsearch backup /var/backups/cpcsearch/documents.sqlite
    """
    from cpcsearch.store import Store

    config = current_config()
    with Store(config.STORE, create=False) as store:
        written = store.backup(destination)
        count = store.count()
    click.echo(f"backed up {config.STORE} ({count} documents) to {written}")


COMMANDS = (reindex, jobs, check, backup)
