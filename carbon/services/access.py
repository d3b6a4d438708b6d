"""Who may see which enterprise's data (docs/access.md), decided here for every entry point.

- an **enterprise** user sees the USCCs it acts for;
- an **official** sees every enterprise whose region code lies inside theirs (330800 covers
  3308xx);
- a **bank** sees an enterprise only under an active consent grant to its institution, with
  scope ``rating`` (ratings only) or ``account`` (everything the enterprise sees);
- an **administrator** (and the operator's CLI) sees everything.

A refusal never tells whether the enterprise exists. Every read by someone other than the
enterprise itself is written to the audit log, one entry per enterprise read, so the
enterprise can see who looked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from carbon.domain.errors import Forbidden, NotAuthenticated
from carbon.domain.identifiers import region_prefix
from carbon.services import audit
from carbon.services.auth import Principal
from carbon.store.models import Consent, Enterprise, utcnow

RATING, ACCOUNT, FULL = "rating", "account", "full"
_RANK = {RATING: 1, ACCOUNT: 2, FULL: 3}
NO_ACCESS = "you have no access to this enterprise / 无权访问该企业数据"
LOGIN = "log in or send a bearer token / 请先登录或提供访问令牌"


def require_login(p: Principal | None, scope: str = "read") -> Principal:
    if p is None:
        raise NotAuthenticated(LOGIN)
    if scope not in p.scopes:
        raise Forbidden(f"this token lacks the {scope!r} scope / 访问令牌缺少{scope}权限")
    return p


def require_role(p: Principal | None, *roles: str, scope: str = "read") -> Principal:
    p = require_login(p, scope)
    if p.role not in roles:
        raise Forbidden(f"this needs the role {' or '.join(roles)} / 当前角色无权执行此操作")
    return p


def _active(now: dt.datetime) -> ColumnElement[bool]:
    return (Consent.revoked_at.is_(None)) & (Consent.expires_at > now)


def region_inside(region: str, scope: str | None) -> bool:
    """Whether the region ``region`` lies inside ``scope`` (330802 inside 330800)."""
    return bool(scope) and region_prefix(region).startswith(region_prefix(scope or ""))


def in_region(region: str) -> ColumnElement[bool]:
    return Enterprise.region_code.startswith(region_prefix(region))


def consent_scopes(session: Session, institution: str | None, usccs: Iterable[str]) -> dict[str, str]:
    """The widest scope an institution holds now on each of ``usccs`` that it holds any on."""
    codes = sorted(set(usccs))
    if not institution or not codes:
        return {}
    out: dict[str, str] = {}
    rows = session.execute(
        select(Consent.uscc, Consent.scope).where(
            Consent.uscc.in_(codes), Consent.institution == institution, _active(utcnow())
        )
    )
    for uscc, scope in rows:
        if out.get(uscc) != ACCOUNT:
            out[uscc] = scope
    return out


def consent_scope(session: Session, institution: str | None, uscc: str) -> str | None:
    """The widest scope an institution holds on a USCC now, or None."""
    return consent_scopes(session, institution, [uscc]).get(uscc)


def level(session: Session, p: Principal, e: Enterprise | None, uscc: str) -> str | None:
    """What ``p`` may see of the enterprise ``uscc`` (``e`` when it exists): full, account,
    rating, or None."""
    if p.role == "admin":
        return FULL
    if p.role == "enterprise":
        return FULL if uscc in p.usccs else None
    if p.role == "official":
        return FULL if e is not None and region_inside(e.region_code, p.region_code) else None
    if p.role == "bank":
        return consent_scope(session, p.institution, uscc)
    return None


def enterprise_for(
    session: Session, p: Principal | None, uscc: str, need: str = RATING, scope: str = "read"
) -> Enterprise | None:
    """Check that ``p`` may see ``need`` of the enterprise; the enterprise (None when it does
    not exist and ``p`` could have seen it). Whether an enterprise one may not see exists
    is never told: the refusal is the same."""
    p = require_login(p, scope)
    code = uscc.strip().upper()
    e = None if "\x00" in code else session.scalar(select(Enterprise).where(Enterprise.uscc == code))
    got = level(session, p, e, code)
    if got is None or _RANK[got] < _RANK[need]:
        raise Forbidden(NO_ACCESS)
    return e


def visible(session: Session, p: Principal | None) -> ColumnElement[bool]:
    """A condition on ``Enterprise`` selecting what ``p`` may see in lists."""
    p = require_login(p)
    if p.role == "admin":
        return true()
    if p.role == "enterprise":
        return Enterprise.uscc.in_(sorted(p.usccs)) if p.usccs else false()
    if p.role == "official" and p.region_code:
        return in_region(p.region_code)
    if p.role == "bank" and p.institution:
        granted = select(Consent.uscc).where(Consent.institution == p.institution, _active(utcnow()))
        return Enterprise.uscc.in_(granted)
    return false()


def rating_only(session: Session, p: Principal, usccs: Iterable[str]) -> set[str]:
    """Of ``usccs``, those ``p`` sees under a rating-only consent (a bank)."""
    if p.role != "bank":
        return set()
    return {u for u, scope in consent_scopes(session, p.institution, usccs).items() if scope == RATING}


def audited(p: Principal) -> bool:
    """Reads by anyone but the enterprise itself are recorded; the service's own are not."""
    return p.role in ("bank", "official", "admin") and p.via != "system"


def record_reads(
    session: Session,
    p: Principal,
    usccs: Iterable[str],
    what: str,
    origin: str | None,
    details: dict[str, Any] | None = None,
) -> int:
    """One audit entry per enterprise read (action ``read.<what>``, subject the USCC)."""
    if not audited(p):
        return 0
    now = utcnow()
    who = p.username if p.role != "bank" else f"{p.username} ({p.institution})"
    rows = [
        {
            "at": now,
            "actor": who[:100],
            "origin": (origin or "")[:100] or None,
            "action": f"read.{what}"[:40],
            "subject": u.replace("\x00", "")[:200],  # PostgreSQL text cannot hold NUL
            "details": {"role": p.role, "via": p.via, **(details or {})},
        }
        for u in sorted(set(usccs))
    ]
    audit.append(session, rows)  # chained (carbon.services.audit)
    return len(rows)
