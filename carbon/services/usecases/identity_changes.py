"""Use cases of identity change requests and identity history (carbon.services.identity).

Who may do what (docs/access.md): an enterprise user lists its own enterprises' requests;
an official lists, approves and rejects those of enterprises whose region, current or
requested, lies inside theirs; an administrator (and the operator's CLI) all of them. A
request one may not see is a 404, like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from carbon.domain.errors import AlreadyDecided, Forbidden, InvalidValue, NotFound
from carbon.domain.identifiers import region_prefix
from carbon.services import access, audit, auth, identity, jobs, queries
from carbon.services.jobs import InProcessRunner
from carbon.services.usecases._reads import enterprise_read
from carbon.store.db import Database
from carbon.store.models import Enterprise, IdentityChange, Job, MonthlyInput, as_utc, utcnow

STATUSES = ("pending", "approved", "rejected", "superseded")
MAX_LISTED = 1000
_STATUS_ZH = {"approved": "已批准", "rejected": "已驳回", "superseded": "已被新申请取代"}


def _seen(p: auth.Principal, *, deciding: bool = False) -> ColumnElement[bool]:
    """A condition on ``IdentityChange`` joined with ``Enterprise``: the requests ``p`` sees,
    or (``deciding``) may decide. The official of the region a request would move to sees it,
    but only the official of the enterprise's current region decides: the enterprise must
    not pick who approves its move by naming a region."""
    if p.role == "admin":
        return true()
    if p.role == "enterprise":
        return Enterprise.uscc.in_(sorted(p.usccs)) if p.usccs else false()
    if p.role == "official" and p.region_code:
        prefix = region_prefix(p.region_code)
        home = Enterprise.region_code.startswith(prefix)
        return home if deciding else or_(home, IdentityChange.new_region_code.startswith(prefix))
    return false()


def change_dict(c: IdentityChange, e: Enterprise) -> dict[str, Any]:
    new = {k: getattr(c, f"new_{k}") for k in identity.FIELDS}
    return {
        "id": c.id,
        "uscc": e.uscc,
        "status": c.status,
        "old": {k: getattr(c, f"old_{k}") for k in identity.FIELDS},
        "new": {k: v for k, v in new.items() if v is not None},
        "import_id": c.import_id,
        "sheet": c.sheet,
        "row": c.row,
        "requested_by": c.requested_by_name,
        "requested_at": as_utc(c.requested_at).isoformat(),
        "decided_by": c.decided_by,
        "decided_at": as_utc(c.decided_at).isoformat() if c.decided_at else None,
        "reason": c.reason,
        "job_id": c.job_id,
    }


def list_changes(
    db: Database, *, by: auth.Principal | None, status: str | None = None, origin: str | None = None
) -> list[dict[str, Any]]:
    """The requests ``by`` may see, oldest first (``status``: only those)."""
    p = access.require_role(by, "enterprise", "official", "admin")
    if status is not None and status not in STATUSES:
        raise InvalidValue(f"status must be one of {', '.join(STATUSES)} / 状态取值无效")
    stmt = select(IdentityChange, Enterprise).join(Enterprise, Enterprise.id == IdentityChange.enterprise_id)
    stmt = stmt.where(_seen(p)).order_by(IdentityChange.id).limit(MAX_LISTED)
    if status:
        stmt = stmt.where(IdentityChange.status == status)
    with db.read() as session:
        items = [change_dict(c, e) for c, e in session.execute(stmt)]
    if access.audited(p) and items:
        with db.unit_of_work() as session:
            access.record_reads(session, p, [i["uscc"] for i in items], "identity_changes", origin)
    return items


def _decidable(session: Session, p: auth.Principal, change_id: int) -> tuple[IdentityChange, Enterprise]:
    """The pending request ``p`` may decide; not found when ``p`` may not see it."""
    row = session.execute(
        select(IdentityChange, Enterprise, _seen(p, deciding=True))
        .join(Enterprise, Enterprise.id == IdentityChange.enterprise_id)
        .where(IdentityChange.id == change_id, _seen(p))
    ).first()
    if row is None:
        raise NotFound(f"no identity change request {change_id} / 企业信息变更申请{change_id}不存在")
    change, e, home = row
    if not home:
        raise Forbidden(
            f"identity change request {change_id} is decided by the official of the enterprise's "
            f"current region / 企业信息变更申请{change_id}由企业现所在地区的主管部门审批"
        )
    if change.status != "pending":
        raise AlreadyDecided(
            f"identity change request {change_id} is already {change.status} "
            f"/ 企业信息变更申请{change_id}{_STATUS_ZH.get(change.status, '已处理')}"
        )
    return change, e


def _years(session: Session, enterprise_id: int) -> list[int]:
    """The years the enterprise has figures for: its ratings there depend on its codes."""
    stmt = select(MonthlyInput.year).where(
        MonthlyInput.enterprise_id == enterprise_id, MonthlyInput.is_current.is_(True)
    )
    return sorted(set(session.scalars(stmt.distinct())))


def _decide(
    db: Database,
    by: auth.Principal | None,
    change_id: int,
    act: Callable[[Session, auth.Principal, IdentityChange, Enterprise], None],
) -> tuple[auth.Principal, dict[str, Any]]:
    p = access.require_role(by, "official", "admin", scope="write")
    with db.unit_of_work() as session:
        change, e = _decidable(session, p, change_id)
        act(session, p, change, e)
        change.decided_by, change.decided_at = p.username[:100], utcnow()
        session.flush()
        return p, change_dict(change, e)


def approve(
    db: Database,
    change_id: int,
    *,
    by: auth.Principal | None,
    runner: jobs.Runner | None = None,
    origin: str | None = None,
) -> dict[str, Any]:
    """Apply a pending request: the new identity, a version in its history, an audit entry,
    and the recomputation of the enterprise's years (run on ``runner``, at once if eager)."""

    def act(session: Session, p: auth.Principal, change: IdentityChange, e: Enterprise) -> None:
        new = {k: getattr(change, f"new_{k}") for k in identity.FIELDS}
        reason = f"change request {change.id}"
        identity.apply(session, e, new, p.username, reason, request_id=change.id, origin=origin)
        change.status = "approved"
        years = _years(session, e.id)
        if years:
            job = jobs.enqueue_recompute(
                session, years, reason="identity", import_id=None, requested_by=p.user_id or None
            )
            change.job_id = job.id
        audit.record(session, p.username, "identity.approve", e.uscc, {"request_id": change.id}, origin)

    p, out = _decide(db, by, change_id, act)
    out["job"] = None
    if out["job_id"] is not None:
        done = (runner or InProcessRunner(db, "eager")).submit(out["job_id"])
        out["job"] = {"id": out["job_id"], "status": "queued"}
        if isinstance(done, Job):  # below an administrator: no grade counts
            out["job"] = access.job_view_for(p, jobs.job_dict(done, db.settings.jobs))
    return out


def reject(
    db: Database, change_id: int, reason: str, *, by: auth.Principal | None, origin: str | None = None
) -> dict[str, Any]:
    """Refuse a pending request, with a reason; the enterprise's identity stays as it is."""
    text = (reason or "").strip()
    if not text:
        raise InvalidValue("a rejection needs a reason / 驳回须说明理由")

    def act(session: Session, p: auth.Principal, change: IdentityChange, e: Enterprise) -> None:
        change.status, change.reason = "rejected", text[:2000]
        details = {"request_id": change.id, "reason": change.reason}
        audit.record(session, p.username, "identity.reject", e.uscc, details, origin)

    return _decide(db, by, change_id, act)[1]


def history(
    db: Database, uscc: str, *, by: auth.Principal | None, origin: str | None = None
) -> list[dict[str, Any]]:
    """Every identity (name, industry, region) the enterprise had, oldest first."""

    def read(session: Session) -> list[dict[str, Any]]:
        return identity.history(session, queries.enterprise(session, uscc))

    return enterprise_read(db, by, uscc, access.RATING, "identity_history", read, origin)
