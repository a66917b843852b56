"""The exception tree; turned into HTTP statuses or CLI messages only at the edges."""

from __future__ import annotations

from typing import Any


class CpcSearchError(Exception):
    """Base of every error cpcsearch raises on purpose."""


class ConfigError(CpcSearchError, ValueError):
    """A setting has a value it does not accept."""


class DocumentError(CpcSearchError, ValueError):
    """A document or one of its fields is invalid."""


class ScrapeError(CpcSearchError):
    """A page could not be fetched or read."""


class QueryError(CpcSearchError, ValueError):
    """A query parameter is invalid (bad date, bad page number...)."""


class StoreError(CpcSearchError):
    """The document store is missing or unreadable."""


class IndexBusy(CpcSearchError):
    """Another writer holds the index lock."""


class JobRunning(IndexBusy):
    """Another reindex job is running; `job` is its row, as `GET /admin/jobs/<id>` shows it."""

    def __init__(self, message: str, job: dict[str, Any]) -> None:
        super().__init__(message)
        self.job = job


class EmptyRebuild(CpcSearchError):
    """A full rebuild would replace a non-empty index with an empty one."""


class IndexMissing(CpcSearchError):
    """No index exists yet at the configured place."""


class IndexCorrupt(IndexMissing):
    """The index exists but a file of it cannot be read."""


class NotFound(CpcSearchError, LookupError):
    """No document has the requested id."""


class Overloaded(CpcSearchError):
    """Too many costly searches are running at once; the caller may try again shortly."""
