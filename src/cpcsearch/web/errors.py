"""Errors at the web edge: one JSON shape for the API, a friendly page for readers."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from cpcsearch.errors import (
    CpcSearchError,
    IndexBusy,
    IndexMissing,
    NotFound,
    Overloaded,
    QueryError,
    StoreError,
)

log = logging.getLogger(__name__)
STATUS = {QueryError: 400, NotFound: 404, IndexBusy: 409, IndexMissing: 503, Overloaded: 503,
          StoreError: 503}


def error_response(status: int, message: str) -> tuple[Response, int]:
    """Return the one JSON error shape: `{"error": {"status", "message"}}`."""
    return jsonify({"error": {"status": status, "message": message}}), status


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/admin/", "/healthz"))


def _render(status: int, message: str) -> ResponseReturnValue:
    if _wants_json():
        return error_response(status, message)
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    """Turn every error into a JSON or HTML answer with the right status."""

    @app.errorhandler(CpcSearchError)
    def known(exc: CpcSearchError) -> ResponseReturnValue:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 500)
        return _render(status, str(exc))

    @app.errorhandler(HTTPException)
    def http(exc: HTTPException) -> ResponseReturnValue:
        return _render(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        log.exception("unexpected error on %s", request.path)
        return _render(500, "internal error: the failure is logged on the server")
