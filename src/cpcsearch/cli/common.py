"""What every command shares: the settings, resolved once, and the --store/--index-dir options."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from cpcsearch.config import Config


def settings(ctx: click.Context) -> Config:
    """Return the settings: defaults, then CPCSEARCH_*, then --store / --index-dir."""
    root = ctx.find_root()
    if "config" not in root.meta:
        root.meta["config"] = Config.load(**root.meta.get("overrides", {}))
    return root.meta["config"]


def current_config() -> Config:
    """Return the settings of the running command."""
    return settings(click.get_current_context())


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
