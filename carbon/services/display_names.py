"""An enterprise's English name (企业英文名称): a display name, shown in English charts and
answers (a proper name is not translated by the service).

It is not part of the enterprise's identity (``carbon.services.identity``: no change request,
no identity history): an upload that gives it sets or updates it at once, whoever uploads;
one that leaves it blank keeps what is on record. Works inside the import's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from carbon.domain.records import MonthlyRecord
from carbon.services import audit
from carbon.services.views import ChangeView, FieldChangeView
from carbon.store.models import Enterprise, utcnow

CHUNK = 5000  # ids per IN (...) list


def given(records: Iterable[MonthlyRecord], seen: set[str]) -> dict[str, MonthlyRecord]:
    """The first record of each USCC that gives an English name, for the USCCs not in
    ``seen`` (which takes them in). A file gives one English name per enterprise: the
    importer refuses one that gives two."""
    out: dict[str, MonthlyRecord] = {}
    for r in records:
        if r.name_en is not None and r.uscc not in seen:
            seen.add(r.uscc)
            out[r.uscc] = r
    return out


def store(
    session: Session,
    named: Mapping[str, MonthlyRecord],
    ids: Mapping[str, int],
    known: set[int],
    *,
    dry_run: bool,
    actor: str,
    origin: str | None,
    import_id: int | None,
) -> list[ChangeView]:
    """Set the English names the file gives where they differ from those on record (``ids``:
    USCC -> enterprise id; ``known``: the ids of enterprises on record before this file).
    Returns the changes of enterprises on record (old → new; ``period`` None: the
    enterprise itself), which a dry run only lists."""
    if not named:
        return []
    before = [ids[u] for u in named if ids[u] in known]
    on_record: dict[int, str | None] = {}
    for i in range(0, len(before), CHUNK):
        stmt = select(Enterprise.id, Enterprise.name_en).where(Enterprise.id.in_(before[i : i + CHUNK]))
        on_record.update((eid, name) for eid, name in session.execute(stmt))
    now = utcnow()
    changes: list[ChangeView] = []
    updates: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for uscc, r in named.items():
        eid = ids[uscc]
        old = on_record.get(eid)
        if old == r.name_en:
            continue
        updates.append({"eid": eid, "v": r.name_en, "at": now})
        if eid not in known:
            continue  # a new enterprise: its rows are listed as added
        field: FieldChangeView = {"old": old, "new": r.name_en}
        changes.append({"uscc": uscc, "period": None, "action": "changed", "sheet": r.sheet, "row": r.row,
                        "fields": {"name_en": field}})  # fmt: skip
        details = {"import_id": import_id, "old": old, "new": r.name_en}
        entries.append({"at": now, "actor": actor[:100], "origin": (origin or "")[:100] or None,
                        "action": "enterprise.name_en", "subject": uscc, "details": details})  # fmt: skip
    if dry_run or not updates:
        return changes
    t = cast(Table, Enterprise.__table__)
    by_id = update(t).where(t.c.id == bindparam("eid"))
    session.execute(by_id.values(name_en=bindparam("v"), updated_at=bindparam("at")), updates)
    audit.append(session, entries)
    return changes
