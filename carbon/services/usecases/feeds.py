"""Meter-reading feeds: a batch of readings pushed by a system."""

from __future__ import annotations

from typing import Any, cast

from carbon.domain.errors import InvalidValue
from carbon.domain.vocabulary import Role, Scope
from carbon.services import access, auth, jobs
from carbon.services.jobs import InProcessRunner
from carbon.store.db import Database
from carbon.store.models import Job


def push_readings(
    db: Database,
    body: bytes,
    *,
    content_type: str,
    source: str | None = None,
    runner: InProcessRunner | None = None,
    by: auth.Principal | None,
) -> dict[str, Any]:
    """Store a batch of meter readings (JSON or CSV) and run the recomputation it queues.
    It needs the ``feeds`` scope: an administrator's feed may send any enterprise's
    readings, an enterprise's its own USCCs' only (``access.upload_scope``)."""
    from carbon.services import feeds

    p = access.require_role(by, Role.ENTERPRISE, Role.ADMIN, scope=Scope.FEEDS)
    if content_type == "text/csv":
        raw = feeds.parse_csv(body)
        source = feeds.check_source(source)
    elif content_type == "application/json":
        source, raw = feeds.parse_json(body, source)
    else:
        raise InvalidValue("send application/json or text/csv / 请以JSON或CSV格式提交")
    result = feeds.push(db, source, raw, body, allowed=access.upload_scope(p), requested_by=p.user_id or None)
    if result.job_id is not None:
        runner = runner or InProcessRunner(db, "eager")
        done = runner.submit(result.job_id)
        if isinstance(done, Job):
            result.job = cast(dict[str, Any], access.job_view_for(p, jobs.job_dict(done, db.settings.jobs)))
    out = result.as_dict()
    out["status"] = "accepted" if result.changed else "unchanged"
    return out
