"""Consent: an enterprise lets a bank see its data (docs/access.md).

A grant names one of the enterprise's USCCs, an institution (as on the bank's users), a
scope (``rating`` or ``account``) and an expiry. Grants are never deleted: a revoked or
expired one stays listed. Granting and revoking are in the audit log, and the enterprise
can list every read of its data (``accesses``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.domain.errors import Forbidden, InvalidValue, NotFound
from carbon.domain.vocabulary import CONSENT_SCOPES, Role, Scope
from carbon.services import access, audit
from carbon.services.auth import Principal
from carbon.store.models import AuditEntry, Consent, User, as_utc, utcnow

SCOPES = CONSENT_SCOPES  # rating, account
MAX_DAYS = 3 * 366


class ConsentView(TypedDict):
    id: int
    uscc: str
    institution: str
    scope: str  # a ConsentScope
    granted_by: str
    granted_at: str
    expires_at: str
    revoked_at: str | None
    revoked_by: str | None
    active: bool


def consent_dict(c: Consent, now: dt.datetime | None = None) -> ConsentView:
    now = now or utcnow()
    expires = as_utc(c.expires_at)
    return {
        "id": c.id,
        "uscc": c.uscc,
        "institution": c.institution,
        "scope": c.scope,
        "granted_by": c.granted_by,
        "granted_at": as_utc(c.granted_at).isoformat(),
        "expires_at": expires.isoformat(),
        "revoked_at": as_utc(c.revoked_at).isoformat() if c.revoked_at else None,
        "revoked_by": c.revoked_by,
        "active": c.revoked_at is None and expires > now,
    }


def institutions(session: Session) -> list[str]:
    """The banks one can grant to: every institution with an enabled bank user."""
    rows = session.scalars(
        select(User.institution)
        .where(User.role == Role.BANK.value, User.disabled_at.is_(None), User.institution.is_not(None))
        .distinct()
        .order_by(User.institution)
    )
    return [r for r in rows if r]


def grant(
    session: Session,
    by: Principal | None,
    uscc: str,
    institution: str,
    scope: str,
    expires_on: dt.date,
    origin: str | None = None,
) -> ConsentView:
    """An enterprise lets a bank see one of its USCCs (``access.may_grant_consent``)."""
    p = access.require_role(by, Role.ENTERPRISE, scope=Scope.WRITE)
    code = uscc.strip().upper()
    if not access.may_grant_consent(p, code):
        raise Forbidden("you may grant access to your own enterprises only / 只能授权本企业的数据")
    problems = []
    if scope not in SCOPES:
        problems.append("scope must be rating or account / 授权范围应为rating或account")
    name = institution.strip()
    if name not in institutions(session):
        problems.append(f"no bank institution named {name!r} / 未找到该银行机构")
    today = utcnow().date()
    if not today < expires_on <= today + dt.timedelta(days=MAX_DAYS):
        problems.append(
            f"expires_on must be after today and at most {MAX_DAYS} days ahead "
            f"/ 到期日须晚于今天且不超过{MAX_DAYS}天"
        )
    if problems:
        raise InvalidValue("; ".join(problems))
    # the grant ends at the end of its expiry day, China time (UTC+8)
    end = dt.datetime.combine(
        expires_on + dt.timedelta(days=1), dt.time(), dt.timezone(dt.timedelta(hours=8))
    )
    c = Consent(
        uscc=code, institution=name, scope=scope, granted_by=p.username,
        granted_at=utcnow(), expires_at=end.astimezone(dt.UTC),
    )  # fmt: skip
    session.add(c)
    session.flush()
    details = {"consent_id": c.id, "institution": name, "scope": scope, "expires_on": expires_on.isoformat()}
    audit.record(session, p.username, "consent.grant", code, details, origin)
    return consent_dict(c)


def list_for(session: Session, by: Principal | None) -> list[ConsentView]:
    """An enterprise: the grants of its USCCs; a bank: those to its institution; admin: all
    (``access.consents_visible``)."""
    p = access.require_role(by, Role.ENTERPRISE, Role.BANK, Role.ADMIN)
    q = select(Consent).where(access.consents_visible(p)).order_by(Consent.id)
    now = utcnow()
    return [consent_dict(c, now) for c in session.scalars(q)]


def revoke(session: Session, by: Principal | None, consent_id: int, origin: str | None = None) -> ConsentView:
    p = access.require_role(by, Role.ENTERPRISE, Role.ADMIN, scope=Scope.WRITE)
    c = session.get(Consent, consent_id)
    if c is None or not access.may_revoke_consent(p, c):
        raise NotFound(f"no consent {consent_id} / 授权不存在")
    if c.revoked_at is None:
        c.revoked_at = utcnow()
        c.revoked_by = p.username
        session.flush()
        audit.record(
            session,
            p.username,
            "consent.revoke",
            c.uscc,
            {"consent_id": c.id, "institution": c.institution},
            origin,
        )
    return consent_dict(c)


def accesses(session: Session, by: Principal | None, uscc: str, limit: int = 1000) -> list[dict[str, Any]]:
    """Every read of the enterprise's data by a bank, an official or an administrator, and
    every consent change, newest first."""
    p = access.require_login(by)
    code = uscc.strip().upper()
    if not access.may_see_accesses(p, code):
        raise Forbidden(
            "you may see the accesses to your own enterprises only / 只能查看本企业数据的访问记录"
        )
    if "\x00" in code:  # no USCC has it (and PostgreSQL text cannot hold it)
        return []
    q = (
        select(AuditEntry)
        .where(AuditEntry.subject == code)
        .where(AuditEntry.action.startswith("read.") | AuditEntry.action.startswith("consent."))
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return [audit.entry_dict(e) for e in session.scalars(q)]
