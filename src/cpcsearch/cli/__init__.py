"""The `cpcsearch` command line: each command parses, calls one library function, prints.

Heavy libraries (Whoosh's analyzers and NLTK, trafilatura, Flask) are imported inside
the commands that use them, so `cpcsearch --help` and `cpcsearch stats` start at once.
Commands live by pipeline stage: `documents` (extract, import, crawl, reextract), `indexing`
(reindex, jobs, check, backup) and `searching` (search, serve, stats).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import traceback
from typing import Any

import click

from cpcsearch.cli import documents, indexing, searching
from cpcsearch.cli.common import paths_options, settings
from cpcsearch.errors import CpcSearchError


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

            store = settings(ctx).STORE
            if "full" in str(exc):
                raise click.ClickException(f"the document store {store} is on a full disk "
                                           f"({exc}): the write was rolled back; free some "
                                           "space and run the command again") from exc
            raise click.ClickException(f"the document store {store} cannot be read ({exc}): "
                                       f"{RESTORE_HINT}") from exc
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                config = settings(ctx)
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
        return (f"the index in {settings(ctx).INDEX_DIR} cannot be read ({what}): run "
                "`cpcsearch check`, then `cpcsearch reindex --full` to rebuild it from the store")
    return f"unexpected error ({what}); run with -v to see where"


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


for command in (*documents.COMMANDS, *indexing.COMMANDS, *searching.COMMANDS):
    main.add_command(command)
