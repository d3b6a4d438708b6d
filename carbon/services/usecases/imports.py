"""Uploading workbooks: the import, its record and error workbook, the template."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.domain.errors import InvalidValue, NotFound
from carbon.domain.vocabulary import Role, Scope
from carbon.services import access, auth, jobs
from carbon.services.import_retention import Retention, purge_rejected
from carbon.services.imports import ImportResult, Progress, Uploader
from carbon.services.imports import import_file as _import_file
from carbon.services.jobs import InProcessRunner
from carbon.services.usecases._reads import enterprise_read
from carbon.services.views import EnterpriseImportView
from carbon.store.db import Database
from carbon.store.models import Enterprise, ImportRow, Job, MonthlyInput


def import_file(
    db: Database,
    data: bytes,
    filename: str,
    *,
    by: auth.Principal | None,
    dry_run: bool = False,
    progress: Progress | None = None,
    runner: InProcessRunner | None = None,
    origin: str | None = None,
) -> ImportResult:
    """Import a workbook; the recomputation it queues runs on ``runner`` (at once if eager).

    An enterprise user may import files of its own USCCs only; an administrator (and the
    operator's CLI) any file (``access.upload_scope``)."""
    p = access.require_role(by, Role.ENTERPRISE, Role.ADMIN, scope=Scope.WRITE)
    uploader = Uploader(p.user_id or None, p.username, origin, access.upload_scope(p))
    result = _import_file(db, data, filename, dry_run=dry_run, progress=progress, uploader=uploader)
    if result.job_id is not None:
        runner = runner or InProcessRunner(db, "eager")
        done = runner.submit(result.job_id)
        if isinstance(done, Job):
            result.job = access.job_view_for(p, jobs.job_dict(done, db.settings.jobs))
    return result


def _own_import(db: Database, import_id: int, by: auth.Principal | None) -> None:
    """Refuse an import ``by`` may not see as if it did not exist (``access.may_read_import``)."""
    p = access.require_login(by)
    with db.read() as session:
        row = session.execute(select(ImportRow.uploaded_by).where(ImportRow.id == import_id)).first()
    if row is None or not access.may_read_import(p, row.uploaded_by):
        raise NotFound(f"no import {import_id} / 导入记录{import_id}不存在")


def import_record(db: Database, import_id: int, *, by: auth.Principal | None) -> dict[str, Any]:
    """One recorded import (a rejected one too): status, file, counts, errors, warnings."""
    from carbon.services import error_report

    _own_import(db, import_id, by)
    return error_report.import_view(db, import_id)


def import_error_workbook(db: Database, import_id: int, *, by: auth.Principal | None) -> tuple[bytes, str]:
    """A rejected import's workbook with every bad cell marked, and its file name."""
    from carbon.services import error_report

    _own_import(db, import_id, by)
    return error_report.error_workbook(db, import_id)


def enterprise_imports(
    db: Database, uscc: str, *, by: auth.Principal | None, origin: str | None = None
) -> list[EnterpriseImportView]:
    """Every import that wrote rows of the enterprise, newest first: the months it wrote for
    it, how many of those rows are still current and how many a later import revised, and
    whether it revised earlier data itself (a row of revision 2 or more). Who may see it:
    whoever may read the enterprise's account (a bank: that consent); audited the same way.
    The file name only to whom the import's record is open (``access.may_read_import``)."""

    def read(session: Session) -> list[EnterpriseImportView]:
        assert by is not None  # enterprise_read let it in (access.enterprise_for)
        e = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc.strip().upper()))
        if e is None:
            raise NotFound(f"no enterprise {uscc} / 企业{uscc}不存在")
        rows = session.execute(
            select(
                ImportRow.id,
                ImportRow.filename,
                ImportRow.created_at,
                ImportRow.status,
                ImportRow.uploaded_by,
                MonthlyInput.year,
                MonthlyInput.month,
                MonthlyInput.is_current,
                MonthlyInput.revision,
            )
            .join(MonthlyInput, MonthlyInput.import_id == ImportRow.id)
            .where(MonthlyInput.enterprise_id == e.id)
        ).all()
        out: dict[int, EnterpriseImportView] = {}
        months: dict[int, set[str]] = {}
        for r in rows:
            view = out.get(r.id)
            if view is None:
                readable = access.may_read_import(by, r.uploaded_by)
                view = out[r.id] = EnterpriseImportView(
                    id=r.id,
                    filename=r.filename if readable else None,
                    record_visible=readable,
                    uploaded_at=r.created_at.isoformat() if r.created_at else None,
                    status=r.status,
                    months=[],
                    rows_current=0,
                    rows_revised=0,
                    revised_earlier=False,
                )
                months[r.id] = set()
            months[r.id].add(f"{r.year:04d}-{r.month:02d}")
            if r.is_current:
                view["rows_current"] += 1
            else:
                view["rows_revised"] += 1
            if r.revision > 1:
                view["revised_earlier"] = True
        for import_id, view in out.items():
            view["months"] = sorted(months[import_id])
        return sorted(out.values(), key=lambda v: (v["uploaded_at"] or "", v["id"]), reverse=True)

    return enterprise_read(db, by, uscc, access.ACCOUNT, "imports", read, origin)


def purge_rejected_files(db: Database, keep: Retention, *, by: auth.Principal | None) -> dict[str, Any]:
    """Delete the bytes of rejected files beyond ``keep`` (their sha256, size, name and
    errors stay): an administrator's (or the operator's) housekeeping."""
    access.require_admin(by)
    with db.unit_of_work() as session:
        return {**purge_rejected(session, keep).as_dict(), "days": keep.days, "max_bytes": keep.max_bytes}


def template(lang: str = "zh") -> bytes:
    """The energy workbook template (public)."""
    from importers.template import write_template

    if lang not in ("zh", "en"):
        raise InvalidValue("lang must be zh or en / 语言应为zh或en")
    return write_template(None, lang=lang)
