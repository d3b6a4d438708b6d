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


def annotate(
    data: bytes,
    filename: str,
    errors: list[dict[str, Any]],
    notes: list[str] | None = None,
    *,
    max_errors: int,
) -> tuple[bytes, str]:
    """The error workbook for a file that was not recorded (a dry run): bytes and name.
    At most ``max_errors`` cells are marked (CARBON_MAX_ERRORS, as the import that found them
    kept: ``settings.imports.max_errors``); the summary says how many more there were."""
    keep = max_errors
    notes = [*_more(len(errors) - keep, None), *(notes or [])] if len(errors) > keep else (notes or [])
    return annotate_workbook(data, filename, errors[:keep], notes), error_workbook_name(filename)


def _more(more: int, counts: dict[str, Any] | None) -> list[str]:
    """The summary's lines for errors not listed: how many, and where most of them are."""
    if more <= 0:
        return []
    lines = [f"… {more:,} more error(s) not listed or marked / 另有{more:,}处错误未列出、未标注"]
    columns = [c for c in (counts or {}).get("by_column", []) if c.get("count")]
    if columns:
        lines.append(
            "errors per column / 各列错误数: "
            + ", ".join(f"{c['column']} {c['count']:,}" for c in columns[:20])
        )
    kinds = [k for k in (counts or {}).get("by_kind", []) if k.get("count")]
    lines.extend(f"{k['count']:,} × {k['kind']}" for k in kinds[:10])
    return lines


def _purged(imp: ImportRow) -> list[str]:
    if imp.content_purged_at is None:
        return []
    when = imp.content_purged_at.date().isoformat()
    return [
        f"the uploaded file was deleted on {when} (rejected files are kept for a limited time); "
        f"only the list of errors is available "
        f"/ 上传的文件已于{when}删除（被拒文件仅保留一段时间），仅提供错误清单"
    ]


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
    errors = list(imp.errors or [])
    counts = imp.error_counts or {}
    keep = db.settings.imports.max_errors  # as the imports keep: imports.import_file
    more = max(0, len(errors) - keep) + int(counts.get("omitted") or 0)
    notes = [*_more(more, counts), *_purged(imp)]
    return annotate(imp.content or b"", imp.filename, errors[:keep], notes, max_errors=keep)


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
        "errors_total": (imp.error_counts or {}).get("total", len(imp.errors or [])),
        "error_counts": imp.error_counts,
        "content_purged_at": imp.content_purged_at.isoformat() if imp.content_purged_at else None,
    }
