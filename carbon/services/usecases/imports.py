"""Uploading workbooks: the import, its record and error workbook, the template."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from carbon.domain.errors import InvalidValue, NotFound
from carbon.domain.vocabulary import Role, Scope
from carbon.services import access, auth, jobs
from carbon.services.import_retention import Retention, purge_rejected
from carbon.services.imports import ImportResult, Progress, Uploader
from carbon.services.imports import import_file as _import_file
from carbon.services.jobs import InProcessRunner
from carbon.store.db import Database
from carbon.store.models import ImportRow, Job


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
