"""Per-app and per-request resources: the search engine, the store, the settings."""

from __future__ import annotations

from flask import current_app, g
from werkzeug.routing import PathConverter

from cpcsearch.config import Config
from cpcsearch.document import Document
from cpcsearch.errors import NotFound
from cpcsearch.search.engine import SearchEngine
from cpcsearch.store import Store


class IdConverter(PathConverter):
    """Match an article id of any characters, `/` included, even as its first character."""

    regex = ".+?"
    part_isolating = False  # werkzeug would infer True: the regex has no "/" in it


def settings() -> Config:
    """Return the app's settings."""
    return current_app.config["CPCSEARCH"]


def engine() -> SearchEngine:
    """Return the app's search engine."""
    return current_app.extensions["cpcsearch.engine"]


def store() -> Store:
    """Open the document store for this request, once."""
    if "store" not in g:
        g.store = Store(settings().STORE)
    return g.store


def close_store(_exc: BaseException | None = None) -> None:
    """Close this request's store connection, if it opened one."""
    opened = g.pop("store", None)
    if opened is not None:
        opened.close()


def article(doc_id: str) -> Document:
    """Return a live document, or raise `NotFound`."""
    doc = store().get(doc_id)
    if doc is None:
        raise NotFound(f"no article has the id {doc_id!r}")
    return doc
