"""Admin commands behind a bearer token: reindex, and the progress of its jobs."""

from __future__ import annotations

import hmac
import json
from typing import Any

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from cpcsearch import jobs
from cpcsearch.errors import JobRunning, QueryError, StoreError
from cpcsearch.numbers import whole_number
from cpcsearch.web.context import settings, store
from cpcsearch.web.errors import error_response
from cpcsearch.web.jobs import start_reindex

bp = Blueprint("admin", __name__, url_prefix="/admin")
REINDEX_OPTIONS = {"full": bool, "allow_empty": bool}
MAX_JOB_ID = 2**63 - 1  # SQLite's largest integer: a larger id names no job


@bp.before_request
def require_token() -> ResponseReturnValue | None:
    """Refuse every admin request without the configured bearer token."""
    token = settings().ADMIN_TOKEN
    if not token:
        return error_response(403, "the admin API is off: set CPCSEARCH_ADMIN_TOKEN to enable it")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # Compared as bytes: compare_digest refuses non-ASCII text, and a header may hold any byte.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode("utf-8", "replace"), token.encode("utf-8")):
        return error_response(401, "missing or wrong token: send 'Authorization: Bearer <token>'")
    return None


def _reindex_options() -> dict[str, Any]:
    """Read the optional JSON body `{"full": bool, "allow_empty": bool}`; raise `QueryError`."""
    raw = request.get_data(cache=False)
    if not raw.strip():
        body: Any = {}
    else:
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise QueryError(f"the body is not JSON ({exc}): send {{\"full\": true}} "
                             "or nothing") from None
    if not isinstance(body, dict):
        raise QueryError("the body must be a JSON object such as {\"full\": true}")
    unknown = sorted(set(body) - set(REINDEX_OPTIONS))
    if unknown:
        raise QueryError(f"unknown key {unknown[0]!r}: use {', '.join(REINDEX_OPTIONS)}")
    for key, kind in REINDEX_OPTIONS.items():
        if key in body and not isinstance(body[key], kind):
            raise QueryError(f"{key} must be true or false, not {json.dumps(body[key])}")
    return {key: body.get(key, False) for key in REINDEX_OPTIONS}


@bp.post("/reindex")
def reindex() -> ResponseReturnValue:
    """Start a reindex (`{"full": true}` rebuilds) in its own process; answer with its job.

    While another reindex runs, answer 409 with that job.
    """
    options = _reindex_options()
    try:
        job = start_reindex(settings(), options)
    except JobRunning as exc:
        response, status = error_response(409, str(exc))
        response.set_data(json.dumps({**response.get_json(), "job": exc.job}))
        return response, status
    except StoreError as exc:
        return error_response(503, str(exc))
    return {"job": job.id, "status_url": f"/admin/jobs/{job.id}"}, 202


@bp.get("/jobs")
def recent_jobs() -> ResponseReturnValue:
    """Return the latest jobs, newest first."""
    return {"jobs": [job.to_dict() for job in jobs.recent(store(), 20)]}


@bp.get("/jobs/<job_id>")
def job(job_id: str) -> ResponseReturnValue:
    """Return a job's phase, progress, ETA and result."""
    number = whole_number(job_id, MAX_JOB_ID)
    found = jobs.get(store(), number) if number is not None else None
    if found is None:
        return error_response(404, f"no job has the id {job_id!r}")
    return found.to_dict()
