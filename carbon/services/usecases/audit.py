"""The audit log, for administrators: read and exported."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carbon.services import access, audit, auth
from carbon.store.db import Database


def audit_log(
    db: Database, *, by: auth.Principal | None, action: str | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """The append-only audit log, oldest first."""
    access.require_admin(by)
    with db.read() as session:
        return audit.entries(session, action=action, limit=limit)


def audit_export(
    db: Database,
    *,
    by: auth.Principal | None,
    action: str | None = None,
    since: dt.datetime | None = None,
    origin: str | None = None,
) -> bytes:
    """The audit log as CSV (UTF-8 with a byte-order mark, so spreadsheets show Chinese),
    for administrators; the export itself is recorded."""
    p = access.require_admin(by)
    with db.read() as session:
        data = audit.to_csv(audit.iter_entries(session, action=action, since=since))
    with db.unit_of_work() as session:
        audit.record(
            session,
            p.username,
            "audit.export",
            action or "all",
            {"since": since and since.isoformat()},
            origin,
        )
    return data
