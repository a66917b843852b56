"""The store → index steps that the CLI, the admin API and `serve` share."""

from __future__ import annotations

from typing import Any

from cpcsearch.config import Config
from cpcsearch.errors import IndexMissing
from cpcsearch.importer import import_paths
from cpcsearch.index.reading import current_path, open_index
from cpcsearch.index.writing import Progress, ReindexReport, reindex
from cpcsearch.store import Store


def run_reindex(config: Config, full: bool = False,
                progress: Progress | None = None) -> ReindexReport:
    """Bring the configured index up to date with the configured store."""
    with Store(config.STORE) as store:
        return reindex(store, config.INDEX_DIR, full=full, progress=progress)


def ensure_demo_index(config: Config) -> int:
    """Import and index the demo pages when there is no index yet; return how many were added."""
    try:
        if open_index(config.INDEX_DIR).doc_count():
            return 0
    except IndexMissing:
        pass
    with Store(config.STORE) as store:
        added = import_paths(store, [config.DEMO_DIR]).added if not store.count() else 0
        reindex(store, config.INDEX_DIR, full=True)
    return added


def collect_stats(config: Config) -> dict[str, Any]:
    """Return counts of the store and the index."""
    with Store(config.STORE) as store:
        stats: dict[str, Any] = {"store_documents": store.count(), "store_seq": store.last_seq()}
    try:
        stats["index_documents"] = open_index(config.INDEX_DIR).doc_count()
        stats["index_generation"] = current_path(config.INDEX_DIR).name
    except IndexMissing:
        stats["index_documents"] = 0
        stats["index_generation"] = None
    return stats
