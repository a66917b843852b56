"""Admin commands behind a bearer token: reindex, and the progress of its job."""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue

from cpcsearch.pipeline import run_reindex
from cpcsearch.web.context import settings
from cpcsearch.web.errors import error_response

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_token() -> ResponseReturnValue | None:
    """Refuse every admin request without the configured bearer token."""
    token = settings().ADMIN_TOKEN
    if not token:
        return error_response(403, "the admin API is off: set CPCSEARCH_ADMIN_TOKEN to enable it")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), token):
        return error_response(401, "missing or wrong token: send 'Authorization: Bearer <token>'")
    return None


@bp.post("/reindex")
def reindex() -> ResponseReturnValue:
    """Start a reindex (`{"full": true}` rebuilds) and answer with its job id."""
    body = request.get_json(silent=True) or {}
    full = bool(body.get("full", False)) if isinstance(body, dict) else False
    config = settings()
    job = current_app.extensions["cpcsearch.jobs"].start(
        "reindex", lambda progress: run_reindex(config, full=full, progress=progress))
    return {"job": job.id, "status_url": f"/admin/jobs/{job.id}"}, 202


@bp.get("/jobs/<job_id>")
def job(job_id: str) -> ResponseReturnValue:
    """Return a job's progress and result."""
    found = current_app.extensions["cpcsearch.jobs"].get(job_id)
    if found is None:
        return error_response(404, f"no job has the id {job_id!r}")
    return found.to_dict()
