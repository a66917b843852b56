"""Settings, each declared once: defaults → `CPCSEARCH_*` environment → explicit overrides."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default and help."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("STORE", str(PROJECT_ROOT / "scraper" / "documents.sqlite"),
            "SQLite file of the document store (the source of truth)."),
    Setting("INDEX_DIR", str(PROJECT_ROOT / "index"),
            "Folder of the Whoosh index; rebuilt from the store by `cpcsearch reindex --full`."),
    Setting("DEMO_DIR", str(PROJECT_ROOT / "scraper" / "demo"),
            "Saved demo pages imported by `cpcsearch serve` when the index is empty."),
    Setting("ADMIN_TOKEN", "",
            "Bearer token of the admin API; empty turns the admin API off."),
    Setting("USER_AGENT", "cpcsearch/0.1 (search indexer of the Caspian Policy Center's articles)",
            "User-Agent sent by the crawler."),
    Setting("CRAWL_DELAY", 1.0, "Seconds between two requests to the same host."),
    Setting("START_URLS", "https://www.caspianpolicy.org/research",
            "Space-separated URLs where `cpcsearch crawl` starts."),
    Setting("RELOAD_SECONDS", 2.0,
            "How often a running server checks the index for a newer version."),
    Setting("SEMANTIC_WEIGHT", 0.5,
            "Share of semantic similarity in the ranking, from 0 (BM25 words only) to 1."),
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
    SEMANTIC_WEIGHT: float

    @classmethod
    def load(cls, env: dict[str, str] | None = None, **overrides: Any) -> Config:
        """Resolve every setting from its default, `CPCSEARCH_<NAME>`, then `overrides`."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(f"CPCSEARCH_{setting.name}")
            value = setting.default if raw is None else type(setting.default)(raw)
            values[setting.name] = overrides.get(setting.name, value)
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Config:
        """Return a copy with some settings replaced."""
        return replace(self, **overrides)


assert {f.name for f in fields(Config)} == {s.name for s in SETTINGS}
