"""Who an enterprise is (name, GB/T 4754 industry, GB/T 2260 region), and how that changes.

The industry and region decide an enterprise's peer groups and which official sees it, so
an enterprise's own upload never rewrites them: a different name or code in its file
becomes a change request (``identity_changes``), and its figures import as usual. An
official whose region covers the enterprise (old or new region) or an administrator
approves or rejects the request (``carbon.services.usecases.identity_changes``). Uploads by the
operator's CLI or an administrator change the identity at once. Every identity an
enterprise had is kept (``enterprise_identities``), from its first import on.

This module works inside the caller's transaction; the use cases are in
``identity_changes``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carbon import names
from carbon.domain.errors import CellError
from carbon.domain.identifiers import parse_industry
from carbon.services import audit
from carbon.store.bulk import insert_many
from carbon.store.models import Enterprise, IdentityChange, IdentityVersion, as_utc, utcnow

FIELDS = ("name", "industry_code", "region_code")
_BEFORE = "as recorded before identity history"
LABELS = {
    "name": ("name", "企业名称"),
    "industry_code": ("industry code", "行业代码"),
    "region_code": ("region code", "行政区划代码"),
}
VERSION_COLUMNS = (
    "enterprise_id", "name", "industry_code", "division", "section", "region_code", "valid_from",
    "changed_by", "reason", "import_id", "request_id",
)  # fmt: skip


def differences(e: Enterprise, attrs: Mapping[str, Any]) -> list[str]:
    """The identity fields a file gives (not blank) that differ from the stored ones."""
    return [k for k in FIELDS if attrs.get(k) and getattr(e, k) != attrs[k]]


def _codes(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The given fields, with the division and section of a given industry code."""
    out = {k: attrs[k] for k in FIELDS if attrs.get(k)}
    if "industry_code" in out:
        ind = parse_industry(out["industry_code"])
        out.update(industry_code=ind.code, division=ind.division, section=ind.section)
    return out


def _version(
    eid: int, a: Mapping[str, Any], at: datetime, changed_by: str, reason: str | None, **refs: int | None
) -> tuple[Any, ...]:
    """A row of ``enterprise_identities``: ``a`` holds the name and the four codes."""
    return (
        eid, a["name"], a["industry_code"], a["division"], a["section"], a["region_code"], at,
        changed_by[:100], reason, refs.get("import_id"), refs.get("request_id"),
    )  # fmt: skip


def _now(e: Enterprise) -> dict[str, Any]:
    return {k: getattr(e, k) for k in ("name", "industry_code", "division", "section", "region_code")}


def record_first(
    session: Session, enterprises: Iterable[tuple[int, Mapping[str, Any]]], changed_by: str, import_id: int
) -> None:
    """The first identity version of the enterprises (id, identity) an import has just created."""
    now = utcnow()
    rows = (_version(eid, a, now, changed_by, "first import", import_id=import_id) for eid, a in enterprises)
    insert_many(session, IdentityVersion.__table__, VERSION_COLUMNS, rows)


def apply(
    session: Session,
    e: Enterprise,
    attrs: Mapping[str, Any],
    changed_by: str,
    reason: str,
    *,
    import_id: int | None = None,
    request_id: int | None = None,
    origin: str | None = None,
) -> None:
    """Change the enterprise's identity now, keep the new version in its history, audit it."""
    if not _has_history(session, e.id):  # an enterprise older than the history: its first version
        session.add(_version_row(_version(e.id, _now(e), as_utc(e.created_at), "migration", _BEFORE)))
    old = _now(e)
    for k, v in _codes(attrs).items():
        setattr(e, k, v)
    e.updated_at = utcnow()
    refs = {"import_id": import_id, "request_id": request_id}
    session.add(_version_row(_version(e.id, _now(e), e.updated_at, changed_by, reason, **refs)))
    details = {"reason": reason, **refs, "old": old, "new": _now(e)}
    audit.record(session, changed_by, "identity.change", e.uscc, details, origin)
    session.flush()


def _version_row(values: tuple[Any, ...]) -> IdentityVersion:
    return IdentityVersion(**dict(zip(VERSION_COLUMNS, values, strict=True)))


def _has_history(session: Session, enterprise_id: int) -> bool:
    stmt = select(IdentityVersion.id).where(IdentityVersion.enterprise_id == enterprise_id).limit(1)
    return session.scalar(stmt) is not None


def request(
    session: Session,
    e: Enterprise,
    attrs: Mapping[str, Any],
    keys: list[str],
    *,
    user_id: int | None,
    actor: str,
    import_id: int | None,
    sheet: str,
    row: int | None,
    origin: str | None = None,
) -> IdentityChange:
    """Record a change request (or find the same one pending); an earlier pending request
    of the enterprise asking for something else is superseded."""
    new = {f"new_{k}": attrs[k] if k in keys else None for k in FIELDS}
    pending = session.scalars(
        select(IdentityChange).where(IdentityChange.enterprise_id == e.id, IdentityChange.status == "pending")
    ).all()
    for p in pending:
        if all(getattr(p, k) == v for k, v in new.items()):
            return p
    if pending:
        session.execute(
            update(IdentityChange)
            .where(IdentityChange.id.in_([p.id for p in pending]))
            .values(status="superseded", decided_at=utcnow(), decided_by=actor[:100])
        )
    change = IdentityChange(
        enterprise_id=e.id, status="pending", old_name=e.name, old_industry_code=e.industry_code,
        old_region_code=e.region_code, **new, import_id=import_id, sheet=sheet[:100] or None, row=row,
        requested_by=user_id, requested_by_name=actor[:100], requested_at=utcnow(),
    )  # fmt: skip
    session.add(change)
    session.flush()
    details = {"request_id": change.id, "import_id": import_id, "fields": keys}
    audit.record(session, actor, "identity.request", e.uscc, details, origin)
    return change


def _said(e: Enterprise, attrs: Mapping[str, Any], keys: list[str]) -> tuple[str, str]:
    en = ", ".join(f"{LABELS[k][0]} {attrs[k]} (recorded: {getattr(e, k)})" for k in keys)
    zh = "、".join(f"{LABELS[k][1]}{attrs[k]}（登记为{getattr(e, k)}）" for k in keys)
    return en, zh


def requested_warning(
    e: Enterprise,
    attrs: Mapping[str, Any],
    keys: list[str],
    sheet: str,
    row: int | None,
    change_id: int | None,
) -> CellError:
    """What an enterprise user is told when its file carries a different identity."""
    en, zh = _said(e, attrs, keys)
    if change_id is None:  # a dry run
        message = (
            f"{e.uscc}: the file gives {en}. An upload does not change your enterprise's record: "
            "importing this file would ask the official of your region to approve the change "
            f"/ 文件中的{zh}与登记信息不同，上传不会更改企业登记信息，"
            "正式导入时将提交变更申请，待所在地主管部门审核"
        )
    else:
        message = (
            f"{e.uscc}: the file gives {en}. An upload does not change your enterprise's record: "
            f"change request {change_id} awaits approval by the official of your region; the figures "
            f"were imported as usual / 文件中的{zh}与登记信息不同，上传不会更改企业登记信息，已提交变更申请"
            f"（编号{change_id}），待所在地主管部门审核；数据已照常导入"
        )
    return CellError(sheet, row, "/".join(LABELS[k][1] for k in keys), message)


def changed_warning(
    e: Enterprise, attrs: Mapping[str, Any], keys: list[str], sheet: str, row: int | None
) -> CellError:
    """What the operator or an administrator is told when its file changes an identity."""
    en, zh = _said(e, attrs, keys)
    message = (
        f"{e.uscc}: {en}; the enterprise record is updated, the earlier one stays in its identity "
        f"history / 企业登记信息已按文件更新：{zh}，原信息保留在变更历史中"
    )
    return CellError(sheet, row, "/".join(LABELS[k][1] for k in keys), message)


def version_dict(v: IdentityVersion, valid_to: datetime | None) -> dict[str, Any]:
    return {
        "name": v.name,
        "industry_code": v.industry_code,
        "division": v.division,
        "section": v.section,
        "region_code": v.region_code,
        "industry_name": names.pair(names.division(v.division)),
        "region_name": names.pair(names.region(v.region_code)),
        "valid_from": as_utc(v.valid_from).isoformat(),
        "valid_to": as_utc(valid_to).isoformat() if valid_to else None,
        "current": valid_to is None,
        "changed_by": v.changed_by,
        "reason": v.reason,
        "import_id": v.import_id,
        "request_id": v.request_id,
    }


def history(session: Session, e: Enterprise) -> list[dict[str, Any]]:
    """Every identity the enterprise had, oldest first, each with when it stopped being valid."""
    versions = list(
        session.scalars(
            select(IdentityVersion)
            .where(IdentityVersion.enterprise_id == e.id)
            .order_by(IdentityVersion.valid_from, IdentityVersion.id)
        )
    )
    if not versions:  # stored before the history was kept, and never changed since
        versions = [_version_row(_version(e.id, _now(e), as_utc(e.created_at), "migration", _BEFORE))]
    ends: list[datetime | None] = [v.valid_from for v in versions[1:]]
    return [version_dict(v, end) for v, end in zip(versions, [*ends, None], strict=True)]
