"""Settings, each declared once: defaults → `CPCSEARCH_*` environment → explicit overrides.

Paths default to folders under the current one (the project folder, as the README runs it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from cpcsearch.errors import ConfigError


def _text(raw: str) -> str:
    return raw


def _path(raw: str) -> str:
    if not raw.strip():
        raise ValueError("a path, not an empty value")
    return raw


def _number(low: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not value >= low:
            raise ValueError(f"a number from {low:g} up")
        return value
    return parse


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, help, and the parser of its environment value."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = _text


SETTINGS: tuple[Setting, ...] = (
    Setting("STORE", "scraper/documents.sqlite",
            "SQLite file of the document store (the source of truth).", _path),
    Setting("INDEX_DIR", "index",
            "Folder of the Whoosh index; rebuilt from the store by `cpcsearch reindex --full`.",
            _path),
    Setting("DEMO_DIR", "scraper/demo",
            "Saved demo pages imported by `cpcsearch serve` when the index is empty.", _path),
    Setting("ADMIN_TOKEN", "",
            "Bearer token of the admin API; empty turns the admin API off."),
    Setting("USER_AGENT", "cpcsearch/0.1 (search indexer of the Caspian Policy Center's articles)",
            "User-Agent sent by the crawler."),
    Setting("CRAWL_DELAY", 1.0, "Seconds between two requests to the same host.", _number(0)),
    Setting("START_URLS", "https://www.caspianpolicy.org/research",
            "Space-separated URLs where `cpcsearch crawl` starts."),
    Setting("RELOAD_SECONDS", 2.0,
            "How often a running server checks the index for a newer version.", _number(0)),
)


@dataclass(frozen=True)
class Config:
    """The resolved settings of one process or app."""

    STORE: str
    INDEX_DIR: str
    DEMO_DIR: str
    ADMIN_TOKEN: str
    USER_AGENT: str
    CRAWL_DELAY: float
    START_URLS: str
    RELOAD_SECONDS: float

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Resolve every setting from its default, `CPCSEARCH_<NAME>`, then `overrides`.

        Raise `ConfigError` naming the variable and what it accepts when a value is bad.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            variable = f"CPCSEARCH_{setting.name}"
            raw = env.get(variable)
            try:
                value = setting.default if raw is None else setting.parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{variable}={raw!r} is not accepted: use {exc}") from None
            values[setting.name] = overrides.get(setting.name, value)
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Config:
        """Return a copy with some settings replaced."""
        return replace(self, **overrides)

    def environment(self) -> dict[str, str]:
        """Return these settings as `CPCSEARCH_*` variables, paths made absolute.

        A subprocess given them sees the same store and index whatever its working folder.
        """
        paths = {"STORE", "INDEX_DIR", "DEMO_DIR"}
        return {f"CPCSEARCH_{s.name}": os.path.abspath(value) if s.name in paths else str(value)
                for s in SETTINGS for value in [getattr(self, s.name)]}


assert {f.name for f in fields(Config)} == {s.name for s in SETTINGS}
