"""Who may see what (docs/access.md), decided here for every entry point.

- an **enterprise** user sees the USCCs it acts for;
- an **official** sees every enterprise whose region code lies inside theirs (330800 covers
  3308xx);
- a **bank** sees an enterprise only under an active consent grant to its institution, with
  scope ``rating`` (ratings only) or ``account`` (everything the enterprise sees);
- an **administrator** (and the operator's CLI) sees everything.

A refusal never tells whether the enterprise exists. Every read by someone other than the
enterprise itself is written to the audit log, one entry per enterprise read, so the
enterprise can see who looked.

Each rule is a named policy below (listed in docs/access.md); the use cases
(``carbon.services.usecases``) call them and hold no rule of their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import ColumnElement, bindparam, false, select, true
from sqlalchemy.orm import Session

from carbon.domain.errors import Forbidden, NotAuthenticated
from carbon.domain.identifiers import region_prefix
from carbon.domain.vocabulary import ConsentScope, Role, Scope
from carbon.services import audit, auth, jobs, view_cache
from carbon.services.auth import Principal
from carbon.services.views import JobRecord, JobView, RatingView, rating_only_view
from carbon.store.db import READ_MEMO
from carbon.store.models import Consent, Enterprise, Job, utcnow

# What may be seen of an enterprise, least first: its rating, its account, everything.
RATING: str = ConsentScope.RATING.value
ACCOUNT: str = ConsentScope.ACCOUNT.value
FULL = "full"
_RANK = {RATING: 1, ACCOUNT: 2, FULL: 3}
NO_ACCESS = "you have no access to this enterprise / 无权访问该企业数据"
LOGIN = "log in or send a bearer token / 请先登录或提供访问令牌"
ADMIN, BANK, ENTERPRISE, OFFICIAL = (
    Role.ADMIN.value,
    Role.BANK.value,
    Role.ENTERPRISE.value,
    Role.OFFICIAL.value,
)


# -- who is asking -----------------------------------------------------------------------------


def require_login(p: Principal | None, scope: str = Scope.READ.value) -> Principal:
    """Anything but the public reference data needs a login (a session or a bearer token),
    and a token needs the scope of what it asks for (``read`` for reads)."""
    if p is None:
        raise NotAuthenticated(LOGIN)
    scope = str(scope)  # a Scope is its id
    if scope not in p.scopes:
        raise Forbidden(f"this token lacks the {scope!r} scope / 访问令牌缺少{scope}权限")
    return p


def require_role(p: Principal | None, *roles: str, scope: str = Scope.READ.value) -> Principal:
    """``require_login``, and the caller's role is one of ``roles``."""
    p = require_login(p, scope)
    if p.role not in roles:
        raise Forbidden(f"this needs the role {' or '.join(roles)} / 当前角色无权执行此操作")
    return p


def require_admin(p: Principal | None) -> Principal:
    """Reference data (publishing, retiring), recalculations, users and the audit log are
    for an administrator holding the ``admin`` scope (``carbon.services.auth.require_admin``)."""
    return auth.require_admin(p)


# -- enterprises -------------------------------------------------------------------------------


def _active(now: dt.datetime) -> ColumnElement[bool]:
    return (Consent.revoked_at.is_(None)) & (Consent.expires_at > now)


def region_inside(region: str, scope: str | None) -> bool:
    """Whether the region ``region`` lies inside ``scope`` (330802 inside 330800)."""
    return bool(scope) and region_prefix(region).startswith(region_prefix(scope or ""))


def in_region(region: str) -> ColumnElement[bool]:
    """A condition on ``Enterprise``: its current region lies inside ``region``."""
    return code_prefix(Enterprise.region_code, region_prefix(region))


def code_prefix(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with the digits ``prefix``, as a range (3308 <= code < 3309) that a
    plain index serves; a LIKE prefix is served by one only under the "C" collation."""
    if not prefix.isdigit() or set(prefix) == {"9"}:
        return column.startswith(prefix, autoescape=True)  # type: ignore[no-any-return]
    upper = str(int(prefix) + 1).zfill(len(prefix))
    return (column >= prefix) & (column < upper)  # type: ignore[no-any-return]


# built once: constructing a statement costs more than running it on an indexed table
_CONSENTS = select(Consent.uscc, Consent.scope).where(
    Consent.uscc.in_(bindparam("codes", expanding=True)),
    Consent.institution == bindparam("institution"),
    _active(bindparam("now")),  # type: ignore[arg-type]
)


def consent_scopes(session: Session, institution: str | None, usccs: Iterable[str]) -> dict[str, str]:
    """The widest scope an institution holds now on each of ``usccs`` that it holds any on."""
    codes = sorted(set(usccs))
    if not institution or not codes:
        return {}
    memo = session.info.get(READ_MEMO)  # a read-only session asks once per set of codes
    if memo is not None and (institution, *codes) in memo:
        return dict(memo[(institution, *codes)])
    out: dict[str, str] = {}
    rows = session.execute(_CONSENTS, {"codes": codes, "institution": institution, "now": utcnow()})
    for uscc, scope in rows:
        if out.get(uscc) != ACCOUNT:
            out[uscc] = scope
    if memo is not None:
        memo[(institution, *codes)] = dict(out)
    return out


def consent_scope(session: Session, institution: str | None, uscc: str) -> str | None:
    """The widest scope an institution holds on a USCC now, or None."""
    return consent_scopes(session, institution, [uscc]).get(uscc)


def level(session: Session, p: Principal, e: Enterprise | None, uscc: str) -> str | None:
    """What ``p`` may see of the enterprise ``uscc`` (``e`` when it exists): full, account,
    rating, or None. An administrator: everything; an enterprise user: its own USCCs; an
    official: enterprises whose current region lies inside theirs; a bank: what its
    institution's active consent on the USCC grants."""
    if p.role == ADMIN:
        return FULL
    if p.role == ENTERPRISE:
        return FULL if uscc in p.usccs else None
    if p.role == OFFICIAL:
        return FULL if e is not None and region_inside(e.region_code, p.region_code) else None
    if p.role == BANK:
        return consent_scope(session, p.institution, uscc)
    return None


def enterprise_for(
    session: Session, p: Principal | None, uscc: str, need: str = RATING, scope: str = Scope.READ.value
) -> Enterprise | None:
    """Check that ``p`` may see ``need`` of the enterprise; the enterprise (None when it does
    not exist and ``p`` could have seen it). Whether an enterprise one may not see exists
    is never told: the refusal is the same."""
    p = require_login(p, scope)
    code = uscc.strip().upper()
    e = None if "\x00" in code else view_cache.enterprise_by_uscc(session, code)
    got = level(session, p, e, code)
    if got is None or _RANK[got] < _RANK[need]:
        raise Forbidden(NO_ACCESS)
    return e


def visible(session: Session, p: Principal | None) -> ColumnElement[bool]:
    """A condition on ``Enterprise`` selecting what ``p`` may see in lists: the same
    enterprises ``level`` lets ``p`` see one by one."""
    p = require_login(p)
    if p.role == ADMIN:
        return true()
    if p.role == ENTERPRISE:
        return Enterprise.uscc.in_(sorted(p.usccs)) if p.usccs else false()
    if p.role == OFFICIAL and p.region_code:
        return in_region(p.region_code)
    if p.role == BANK and p.institution:
        granted = select(Consent.uscc).where(Consent.institution == p.institution, _active(utcnow()))
        return Enterprise.uscc.in_(granted)
    return false()


def chart_needs(kind: str) -> str:
    """A chart needs what it shows: the monthly emissions chart the account; the intensity
    and grade-history charts the rating."""
    return ACCOUNT if kind == "monthly-emissions" else RATING


# -- ratings -----------------------------------------------------------------------------------


def rating_only(session: Session, p: Principal, usccs: Iterable[str]) -> set[str]:
    """Of ``usccs``, those ``p`` sees under a rating-only consent (a bank)."""
    if p.role != BANK:
        return set()
    return {u for u, scope in consent_scopes(session, p.institution, usccs).items() if scope == RATING}


def rating_view_for(p: Principal, consent: str | None, rating: RatingView) -> RatingView:
    """A rating as ``p`` may see it, ``consent`` being the scope ``p``'s institution holds
    on the enterprise: a bank with a rating-only consent gets its grades, classes, colours
    and scores without the emissions and the explanation (carriers, account, cuts), marked
    ``scope: rating``; everyone else who may see the rating sees all of it."""
    if p.role != BANK or consent != RATING:
        return rating
    return rating_only_view(rating)


def ratings_for(session: Session, p: Principal, ratings: Iterable[RatingView]) -> list[RatingView]:
    """``rating_view_for`` applied to each of ``ratings`` (one look at the consents)."""
    items = list(ratings)
    if p.role != BANK:
        return items
    scopes = consent_scopes(session, p.institution, [r["uscc"] for r in items])
    return [rating_view_for(p, scopes.get(r["uscc"]), r) for r in items]


# -- regions -----------------------------------------------------------------------------------


def region_scope(p: Principal) -> str | None:
    """The region a summary of ``p`` covers: an official's own (every enterprise inside
    it); None, the whole service, for an administrator."""
    return p.region_code if p.role == OFFICIAL else None


def require_region(p: Principal, region: str) -> None:
    """A region's report (it names enterprises): an official may ask for their own region
    or a part of it, an administrator for any; anything else is refused."""
    if p.role == ADMIN:
        return
    if p.role != OFFICIAL or not region_inside(region.strip(), p.region_code):
        raise Forbidden(f"your region is {p.region_code}; {region} is outside it / 该地区不在您的管辖范围内")


# -- imports, feeds and jobs -------------------------------------------------------------------


def upload_scope(p: Principal) -> frozenset[str] | None:
    """The USCCs whose figures ``p`` may import or push: an enterprise user its own; an
    administrator (and the operator's CLI) any (None)."""
    return p.usccs if p.role == ENTERPRISE else None


def may_read_import(p: Principal, uploaded_by: int | None) -> bool:
    """An import (its record, errors and error workbook) is its uploader's and
    administrators' to see; to anyone else it does not exist (404)."""
    return p.role == ADMIN or (uploaded_by is not None and uploaded_by == p.user_id)


def may_read_job(p: Principal, job: Job) -> bool:
    """A job is its requester's, those whose requests joined it (an import of the same
    years while it was queued) and administrators'; to anyone else it does not exist."""
    return p.role == ADMIN or p.user_id in jobs.requesters(job)


def job_view_for(p: Principal, job: JobRecord) -> JobView:
    """A job as ``p`` may see it. Who asked is never shown. A recomputation rates every
    enterprise of the year, so below an administrator its counts of grade and colour
    changes (other enterprises' ratings, however few) are left out; so are the requests of
    others that joined it and, unless ``p`` asked for it, the import that queued it."""
    out = cast(JobView, {k: v for k, v in job.items() if k != "requested_by"})
    if p.role == ADMIN:
        return out
    result = job.get("result")
    if isinstance(result, dict):
        out["result"] = {k: v for k, v in result.items() if k not in ("grade_changes", "colour_changes")}
    params = job.get("params") or {}
    merged = params.get("merged") or []
    if merged or job.get("import_id") is not None:
        mine = [m for m in merged if m.get("requested_by") == p.user_id]
        out["params"] = {k: v for k, v in params.items() if k != "merged"} | (
            {"merged": mine} if mine else {}
        )
        if job.get("requested_by") != p.user_id:
            out["import_id"] = None
    return out


# -- reference data, benchmarks, tokens --------------------------------------------------------


def sees_small_groups(p: Principal) -> bool:
    """Benchmarks: an administrator sees every peer group's figures; below, a group of
    fewer than 3 enterprises shows none (they would be one or two enterprises' own)."""
    return p.role == ADMIN


def may_mint_for(p: Principal, username: str) -> bool:
    """A user mints tokens for themself; only an administrator holding the ``admin`` scope
    mints for someone else (what a token may carry: ``carbon.services.auth.check_mint``)."""
    return username == p.username or (p.role == ADMIN and Scope.ADMIN in p.scopes)


# -- consents ----------------------------------------------------------------------------------


def may_grant_consent(p: Principal, uscc: str) -> bool:
    """Only the enterprise itself grants a bank access to its data (not an administrator)."""
    return p.role == ENTERPRISE and uscc in p.usccs


def may_revoke_consent(p: Principal, consent: Consent) -> bool:
    """An enterprise revokes the grants of its own USCCs, an administrator any; to anyone
    else a grant does not exist (404)."""
    return p.role == ADMIN or (p.role == ENTERPRISE and consent.uscc in p.usccs)


def consents_visible(p: Principal) -> ColumnElement[bool]:
    """A condition on ``Consent``: an enterprise sees the grants of its USCCs, a bank those
    to its institution, an administrator all."""
    if p.role == ADMIN:
        return true()
    if p.role == ENTERPRISE:
        return Consent.uscc.in_(sorted(p.usccs))
    if p.role == BANK:
        return Consent.institution == (p.institution or "")
    return false()


def may_see_accesses(p: Principal, uscc: str) -> bool:
    """Who read an enterprise's data is the enterprise's own to see, and administrators'."""
    return p.role == ADMIN or (p.role == ENTERPRISE and uscc in p.usccs)


# -- the audit of reads ------------------------------------------------------------------------


def audited(p: Principal) -> bool:
    """Reads by anyone but the enterprise itself are recorded; the service's own are not."""
    return p.role in (BANK, OFFICIAL, ADMIN) and p.via != "system"


def read_entries(
    p: Principal,
    usccs: Iterable[str],
    what: str,
    origin: str | None,
    details: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The audit entries of a read: one per enterprise (action ``read.<what>``, subject the
    USCC); none when ``p``'s reads are not audited (``audited``)."""
    if not audited(p):
        return []
    now = utcnow()
    who = p.username if p.role != BANK else f"{p.username} ({p.institution})"
    return [
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


def record_reads(
    session: Session,
    p: Principal,
    usccs: Iterable[str],
    what: str,
    origin: str | None,
    details: dict[str, Any] | None = None,
) -> int:
    """Add the audit entries of a read (``read_entries``) in ``session``'s transaction."""
    rows = read_entries(p, usccs, what, origin, details)
    audit.append(session, rows)  # chained (carbon.services.audit)
    return len(rows)
