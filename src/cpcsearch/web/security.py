"""Security headers on every response, and bounds on what a request may send."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, request
from werkzeug.exceptions import (
    HTTPException,
    RequestEntityTooLarge,
    RequestHeaderFieldsTooLarge,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# No inline script or style anywhere: scripts and styles are files under /static/.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
PUBLIC_API = ("/api/", "/healthz")  # read by scripts of any origin (CORS)
MAX_QUERY_BYTES = 16 * 1024  # well under waitress's 256 KB, so the app answers in its own shape
MAX_HEADER_BYTES = 32 * 1024
MAX_BODY_BYTES = 64 * 1024  # the admin API's bodies are a few bytes of JSON


class URITooLong(HTTPException):
    """414: werkzeug names this status but has no exception for it."""

    code = 414
    description = "URI too long"


def check_size() -> None:
    """Refuse a query string, headers or a body too large, naming the size and the limit."""
    size = len(request.query_string)
    if size > MAX_QUERY_BYTES:
        raise URITooLong(f"the query string is {size:,} bytes: keep it under "
                         f"{MAX_QUERY_BYTES:,} (search with fewer words)")
    # each header as the server handed it on (HTTP_NAME), without parsing them into `headers`
    size = sum(len(name) + len(value) - 1 for name, value in request.environ.items()
               if name.startswith("HTTP_") and isinstance(value, str))
    if size > MAX_HEADER_BYTES:
        raise RequestHeaderFieldsTooLarge(f"the request headers are {size:,} bytes: keep them "
                                          f"under {MAX_HEADER_BYTES:,}")
    size = request.content_length or 0
    if size > MAX_BODY_BYTES:
        raise RequestEntityTooLarge(f"the request body is {size:,} bytes: keep it under "
                                    f"{MAX_BODY_BYTES:,}")


def with_headers(app: WSGIApplication) -> WSGIApplication:
    """Wrap a WSGI app so that every response it starts, errors included, carries the security
    headers it does not set itself, and let any site's scripts read the public JSON API (a
    researcher's notebook in a browser): it sends no cookies and holds public articles; the
    admin API stays closed to them. The headers are added to the list the server is handed,
    not parsed and checked again (a tenth of a cached answer's time went to it)."""

    def app_with_headers(environ: WSGIEnvironment,
                         start_response: StartResponse) -> Iterable[bytes]:
        public = environ.get("PATH_INFO", "").startswith(PUBLIC_API)

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            given = {name.lower() for name, _ in headers}
            headers += [(name, value) for name, value in HEADERS.items()
                        if name.lower() not in given]
            if public and "access-control-allow-origin" not in given:
                headers.append(("Access-Control-Allow-Origin", "*"))
            return start_response(status, headers, *exc_info)

        return app(environ, start)

    return app_with_headers


def register(app: Flask) -> None:
    """Bound every request and add the headers to every response, errors included."""
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.before_request(check_size)
    app.wsgi_app = with_headers(app.wsgi_app)  # type: ignore[method-assign]
