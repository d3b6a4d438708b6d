"""A region's figures for officials and administrators: the summary and the monthly report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from carbon.domain.errors import InvalidValue
from carbon.domain.identifiers import region_problem
from carbon.domain.vocabulary import Role
from carbon.services import access, auth, queries
from carbon.services.monthly import Format
from carbon.services.region_tables import breakdown as region_tables_of
from carbon.services.usecases._reads import audited
from carbon.store.db import Database
from carbon.store.models import Enterprise


def summary(db: Database, *, by: auth.Principal | None) -> dict[str, Any]:
    """The service's summary: an official's of their region, an administrator's of all
    (``access.region_scope``)."""
    p = access.require_role(by, Role.OFFICIAL, Role.ADMIN)
    with db.read() as session:
        return queries.summary(session, region=access.region_scope(p))


def region_tables(db: Database, year: int, *, by: auth.Principal | None) -> dict[str, list[dict[str, Any]]]:
    """The county and industry tables of the current ratings of ``year`` in an official's
    region, or of all for an administrator (``region_tables.breakdown``)."""
    p = access.require_role(by, Role.OFFICIAL, Role.ADMIN)
    with db.read() as session:
        return region_tables_of(session, year, access.visible(session, p))


def monthly_report(
    db: Database,
    region: str,
    month: str,
    out_dir: Path,
    *,
    by: auth.Principal | None,
    origin: str | None = None,
) -> dict[str, Any]:
    """The monthly report of a region, both files written into ``out_dir`` (the CLI): an
    official's own region or a part of it, or any region for an administrator
    (``access.require_region``). It names enterprises, so it is a read of each enterprise
    it lists."""
    from carbon.services.monthly import monthly_report as build

    p = _may_report(by, region)
    out = build(db, region, month, out_dir)
    _record_reads(db, p, region, month, origin)
    return out


def monthly_report_file(
    db: Database,
    region: str,
    month: str,
    fmt: Format,
    *,
    by: auth.Principal | None,
    origin: str | None = None,
) -> tuple[bytes, str]:
    """The monthly report in one format (``xlsx`` or ``pdf``), only that one rendered: its
    bytes and file name (a download). Who may ask, and the reads recorded, as
    ``monthly_report``."""
    from carbon.services.monthly import monthly_report_file as build

    p = _may_report(by, region)
    out = build(db, region, month, fmt)
    _record_reads(db, p, region, month, origin)
    return out


def _may_report(by: auth.Principal | None, region: str) -> auth.Principal:
    p = access.require_role(by, Role.OFFICIAL, Role.ADMIN)
    problem = region_problem((region or "").strip())
    if problem:
        raise InvalidValue(problem)
    access.require_region(p, region)
    return p


def _record_reads(db: Database, p: auth.Principal, region: str, month: str, origin: str | None) -> None:
    if access.audited(p):  # by the group-commit writer, like every other audited read
        with db.read() as session:
            seen = list(session.scalars(select(Enterprise.uscc).where(access.in_region(region))))
        details = {"region": region, "month": month}
        audited(db, access.read_entries(p, seen, "report.monthly", origin, details))
