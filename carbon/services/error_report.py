"""A rejected import, handed back: its record, and the user's workbook with the errors marked.

Every rejected import is kept with its file and errors (``carbon.services.imports``); here
they are read back. The workbook itself is made by ``reports.error_workbook``.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy.orm import defer

from carbon.domain.errors import InvalidValue, NotFound
from carbon.store.db import Database
from carbon.store.models import ImportRow
from reports.error_workbook import annotate_workbook


def error_workbook_name(filename: str) -> str:
    """``<stem>-errors.xlsx`` for the file as the user named it (no directories)."""
    stem = os.path.splitext(os.path.basename(filename.replace("\\", "/")))[0].strip()
    return f"{stem or 'import'}-errors.xlsx"


def annotate(data: bytes, filename: str, errors: list[dict[str, Any]]) -> tuple[bytes, str]:
    """The error workbook for a file that was not recorded (a dry run): bytes and name."""
    return annotate_workbook(data, filename, errors), error_workbook_name(filename)


def _import_row(db: Database, import_id: int, *, content: bool) -> ImportRow:
    with db.read() as session:
        options = [] if content else [defer(ImportRow.content)]  # the file may be 50 MB
        imp = session.get(ImportRow, import_id, options=options)
        if imp is None:
            raise NotFound(f"no import {import_id} / 导入记录{import_id}不存在")
        session.expunge(imp)
    return imp


def error_workbook(db: Database, import_id: int) -> tuple[bytes, str]:
    """The rejected file with every bad cell marked (xlsx bytes) and its download name."""
    imp = _import_row(db, import_id, content=True)
    if imp.status != "rejected":
        raise InvalidValue(
            f"import {import_id} was not rejected ({imp.status}); it has no errors to mark "
            f"/ 导入记录{import_id}未被拒绝，没有错误可标注"
        )
    return annotate(imp.content, imp.filename, list(imp.errors or []))


def import_view(db: Database, import_id: int) -> dict[str, Any]:
    """One import: what it was, what became of it, and every error and warning."""
    imp = _import_row(db, import_id, content=False)
    return {
        "id": imp.id,
        "status": imp.status,
        "filename": imp.filename,
        "sha256": imp.sha256,
        "size": imp.size,
        "rows_accepted": imp.rows_accepted,
        "rows_rejected": imp.rows_rejected,
        "rows_added": imp.rows_added,
        "rows_changed": imp.rows_changed,
        "rows_unchanged": imp.rows_unchanged,
        "enterprises": list(imp.enterprises or []),
        "errors": list(imp.errors or []),
        "warnings": list(imp.warnings or []),
        "created_at": imp.created_at.isoformat() if imp.created_at else None,
    }
