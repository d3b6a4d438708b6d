"""A region's figures for officials and administrators: the summary and the monthly report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from carbon.domain.errors import InvalidValue
from carbon.domain.identifiers import region_problem
from carbon.domain.vocabulary import Role
from carbon.services import access, auth, queries
from carbon.store.db import Database
from carbon.store.models import Enterprise


def summary(db: Database, *, by: auth.Principal | None) -> dict[str, Any]:
    """The service's summary: an official's of their region, an administrator's of all
    (``access.region_scope``)."""
    p = access.require_role(by, Role.OFFICIAL, Role.ADMIN)
    with db.read() as session:
        return queries.summary(session, region=access.region_scope(p))


def monthly_report(
    db: Database,
    region: str,
    month: str,
    out_dir: Path,
    *,
    by: auth.Principal | None,
    origin: str | None = None,
) -> dict[str, Any]:
    """The monthly report of a region (xlsx and PDF): an official's own region or a part
    of it, or any region for an administrator (``access.require_region``). It names
    enterprises, so it is a read of each enterprise it lists."""
    from carbon.services.monthly import monthly_report as build

    p = access.require_role(by, Role.OFFICIAL, Role.ADMIN)
    problem = region_problem((region or "").strip())
    if problem:
        raise InvalidValue(problem)
    access.require_region(p, region)
    out = build(db, region, month, out_dir)
    if access.audited(p):
        with db.unit_of_work() as session:
            seen = list(session.scalars(select(Enterprise.uscc).where(access.in_region(region))))
            access.record_reads(
                session, p, seen, "report.monthly", origin, {"region": region, "month": month}
            )
    return out
