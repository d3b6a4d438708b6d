"""Users, roles, passwords and bearer tokens; who is asking (``Principal``).

Roles (issue 6): an **enterprise** user acts for one or more USCCs; a **bank** user for an
institution; an **official** for a region (330800 sees every 3308xx); an **admin**
manages reference data and recalculations. Passwords are hashed with argon2id at the cost
of ``PasswordSettings`` (``configure_hashing``, at start-up; a stored hash verifies whatever
the cost it was made with, and is made again at the current cost at the next login); a token
is shown once and only its sha256 is stored. Logins, failed logins and token changes go
to the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from carbon.domain.errors import Forbidden, InvalidValue, NotAuthenticated, NotFound, TooManyRequests
from carbon.domain.identifiers import region_problem, uscc_problem
from carbon.services import audit, sessions
from carbon.settings import PasswordSettings
from carbon.store.models import ApiToken, AuditEntry, LoginLock, User, UserEnterprise, as_utc, utcnow

ROLES = ("enterprise", "bank", "official", "admin")
SCOPES = ("read", "write", "feeds", "admin")
TOKEN_PREFIX = "cat_"  # carbon account token
MIN_PASSWORD = 10
MAX_TOKEN_DAYS = 366
DEFAULT_TOKEN_DAYS = 90
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# Login throttling, counted from the audit log (so it holds across processes and restarts):
# a username with MAX_FAILURES_PER_USER failed logins, or an origin (client IP) with
# MAX_FAILURES_PER_ORIGIN, within LOGIN_WINDOW is refused before any password is checked.
LOGIN_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ORIGIN = 20


def _make_hasher(cost: PasswordSettings) -> PasswordHasher:
    return PasswordHasher(time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism)


_hasher = _make_hasher(PasswordSettings())  # argon2id; configure_hashing sets the cost
# Verifying against this when the user does not exist keeps a failed login's timing the same.
_DUMMY_PASSWORD = "not a password of anyone"
_dummy_hash = _hasher.hash(_DUMMY_PASSWORD)


def configure_hashing(cost: PasswordSettings) -> None:
    """Hash passwords at ``cost`` in this process from now on (the app factory and the CLI
    call this with the settings they loaded)."""
    global _hasher, _dummy_hash
    hasher = _make_hasher(cost)
    _hasher, _dummy_hash = hasher, hasher.hash(_DUMMY_PASSWORD)


@dataclass(frozen=True)
class Principal:
    """Who is asking, and what a token allows (a session allows what the role allows)."""

    user_id: int
    username: str
    role: str
    region_code: str | None = None
    institution: str | None = None
    usccs: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = frozenset(SCOPES)
    via: str = "session"  # session | token | cli
    expires_at: dt.datetime | None = None  # a token's expiry (a token never outlives it)

    def as_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "role": self.role,
            "region_code": self.region_code,
            "institution": self.institution,
            "usccs": sorted(self.usccs),
            "scopes": sorted(self.scopes),
            "via": self.via,
        }


# Work the service does on its own behalf (jobs, benchmarks scripts).
SYSTEM = Principal(0, "system", "admin", via="system")


# The operator at the machine: the CLI acts with the administrator's rights.
def cli_principal(actor: str) -> Principal:
    return Principal(0, actor, "admin", via="cli")


def require_admin(p: Principal | None) -> Principal:
    """Reference data, recalculation and the audit log are for administrators."""
    if p is None:
        raise NotAuthenticated("log in or send a bearer token / 请先登录或提供访问令牌")
    if p.role != "admin" or "admin" not in p.scopes:
        raise Forbidden("this needs an administrator / 需要管理员权限")
    return p


def role_scopes(role: str) -> tuple[str, ...]:
    """What a login session of ``role`` may do: every scope but ``admin`` below an administrator."""
    return SCOPES if role == "admin" else tuple(s for s in SCOPES if s != "admin")


def _principal(
    session: Session,
    user: User,
    *,
    scopes: Iterable[str] | None = None,
    via: str,
    expires_at: dt.datetime | None = None,
) -> Principal:
    usccs: frozenset[str] = frozenset()
    if user.role == "enterprise":  # only an enterprise user acts for enterprises
        mine = select(UserEnterprise.uscc).where(UserEnterprise.user_id == user.id)
        usccs = frozenset(session.scalars(mine))
    granted = frozenset(role_scopes(user.role) if scopes is None else scopes)
    return Principal(
        user.id, user.username, user.role, user.region_code, user.institution, usccs, granted, via, expires_at
    )


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidValue(f"a password has at least {MIN_PASSWORD} characters / 密码至少{MIN_PASSWORD}位")
    return _hasher.hash(password)


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    region_code: str | None = None,
    institution: str | None = None,
    usccs: Iterable[str] = (),
    actor: str,
    origin: str | None = None,
) -> dict[str, Any]:
    username = username.strip()
    problems = []
    if not username or len(username) > 80 or not username.isprintable() or any(c.isspace() for c in username):
        problems.append("username: 1-80 characters, no spaces / 用户名为1-80个字符，不含空格")
    if role not in ROLES:
        problems.append(f"role must be one of {', '.join(ROLES)} / 角色无效")
    codes = sorted({u.strip().upper() for u in usccs if u.strip()})
    if role == "enterprise":
        if not codes:
            problems.append("an enterprise user needs at least one USCC / 企业用户须关联统一社会信用代码")
        problems += [f"USCC {c}: {uscc_problem(c)}" for c in codes if uscc_problem(c)]
    if role == "official" and (region_code is None or region_problem(region_code)):
        problems.append(
            "an official needs a region code (GB/T 2260, e.g. 330800) / 政府用户须指定行政区划代码"
        )
    if role == "bank" and not (institution or "").strip():
        problems.append("a bank user needs an institution / 银行用户须指定所属机构")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        problems.append(f"username {username!r} is taken / 用户名已存在")
    if problems:
        raise InvalidValue("; ".join(problems))
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        region_code=region_code if role == "official" else None,
        institution=institution.strip() if role == "bank" and institution else None,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    session.add_all(UserEnterprise(user_id=user.id, uscc=c) for c in codes if role == "enterprise")
    session.flush()
    audit.record(session, actor, "user.create", username, {"role": role, "usccs": codes}, origin)
    return _principal(session, user, via="session").as_dict()


def set_password(session: Session, username: str, password: str, *, actor: str, origin: str | None) -> None:
    user = _user(session, username)
    user.password_hash = hash_password(password)
    sessions.end_all_of(session, user.id, "password")
    session.flush()
    audit.record(session, actor, "user.password", username, {}, origin)


def disable_user(session: Session, username: str, *, actor: str, origin: str | None) -> None:
    """A disabled user can no longer log in; their sessions end and their tokens stop working."""
    user = _user(session, username)
    if user.disabled_at is None:
        user.disabled_at = utcnow()
    sessions.end_all_of(session, user.id, "disabled")
    session.flush()
    audit.record(session, actor, "user.disable", username, {}, origin)


def _user(session: Session, username: str) -> User:
    user = None if "\x00" in username else session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r} / 用户不存在")
    return user


def _shown(username: str) -> str:
    """A username as the audit log keeps it (PostgreSQL refuses NUL in text)."""
    return username.replace("\x00", "\\0")


def _wait(session: Session, column: Any, value: str, limit: int, now: dt.datetime) -> int:
    """Seconds until fewer than ``limit`` failed logins with ``column == value`` are inside
    the window (when the oldest of the latest ``limit`` leaves it); 0 if not throttled."""
    recent = select(AuditEntry.at).where(
        AuditEntry.action == "auth.login_failed", AuditEntry.at > now - LOGIN_WINDOW, column == value
    )
    latest = list(session.scalars(recent.order_by(AuditEntry.at.desc()).limit(limit)))
    if len(latest) < limit:
        return 0
    left = (as_utc(latest[-1]) + LOGIN_WINDOW - now).total_seconds()
    return max(1, math.ceil(left))


def lock_username(session: Session, username: str) -> None:
    """Take the username's login lock until the transaction ends: one upsert of its
    ``login_locks`` row, the transaction's first statement. On PostgreSQL that holds the
    row lock; on SQLite the first write takes the database's write lock (what BEGIN
    IMMEDIATE would), and a fresh snapshot with it. Either way a parallel login for the
    same username waits here, and then counts the failures this one recorded."""
    dialect = session.get_bind().dialect.name
    upsert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    stmt = upsert(LoginLock).values(username=_shown(username)[:200], tried_at=now)
    session.execute(stmt.on_conflict_do_update(index_elements=["username"], set_={"tried_at": now}))


def login_throttle(session: Session, username: str, origin: str | None) -> int:
    """Seconds a login for ``username`` from ``origin`` must wait; 0 when it may go ahead."""
    now = utcnow()
    wait = _wait(session, AuditEntry.subject, _shown(username)[:200], MAX_FAILURES_PER_USER, now)
    if origin:
        wait = max(wait, _wait(session, AuditEntry.origin, origin[:100], MAX_FAILURES_PER_ORIGIN, now))
    return wait


def login(session: Session, username: str, password: str, *, origin: str | None) -> Principal | None:
    """Check a password: the principal, or None. A success is written to the audit log here;
    the caller records a failure with ``login_failed`` in this same transaction, which holds
    the username's login lock (``lock_username``) from the count to the record, so parallel
    attempts cannot all pass the count before any failure is written.

    Refused with ``TooManyRequests`` before the password is looked at when the username or
    the origin has had too many failed logins lately (a right password is refused too); the
    caller records that refusal (``login_throttled``) in a transaction of its own."""
    lock_username(session, username)
    wait = login_throttle(session, username, origin)
    if wait:
        raise TooManyRequests(
            f"too many failed logins: try again in {wait} seconds / 登录失败次数过多，请{wait}秒后重试",
            retry_after=wait,
        )
    # a name that cannot be stored cannot be a user's (and PostgreSQL refuses NUL in text)
    user = None if "\x00" in username else session.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash, password)
        ok = user is not None and user.disabled_at is None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit.record(session, username, "auth.login", username, {}, origin)
    return _principal(session, user, via="session")


def login_failed(session: Session, username: str, origin: str | None) -> NotAuthenticated:
    """Record a failed login; the error to raise, which never says whether the user exists."""
    shown = _shown(username)
    audit.record(session, shown[:100] or "?", "auth.login_failed", shown[:200], {}, origin)
    return NotAuthenticated("wrong username or password / 用户名或密码错误")


def login_throttled(session: Session, username: str, origin: str | None, error: TooManyRequests) -> None:
    """Record a login refused by the throttle (in a transaction of its own)."""
    shown = _shown(username)
    details = {"retry_after": error.retry_after}
    audit.record(session, shown[:100] or "?", "auth.login_throttled", shown[:200], details, origin)


def principal_of_user(session: Session, user_id: int) -> Principal | None:
    user = session.get(User, user_id)
    if user is None or user.disabled_at is not None:
        return None
    return _principal(session, user, via="session")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_mint(by: Principal, scopes: Iterable[str], expires_at: dt.datetime) -> None:
    """Who may mint what (issue 12): minting needs ``write``; the new token's scopes are a
    subset of the minter's (a session has its role's scopes) and it expires no later than the
    minting token (a session: ``MAX_TOKEN_DAYS``, checked with the days). The operator at the
    machine (CLI) and the service itself are not limited."""
    if by.via in ("cli", "system"):
        return
    if "write" not in by.scopes:
        raise Forbidden("minting a token needs the write scope / 创建令牌需要write权限")
    extra = sorted(set(scopes) - by.scopes)
    if extra:
        raise Forbidden(
            f"a token may only have scopes its maker has; not {', '.join(extra)} "
            f"/ 新令牌的权限不能超出当前令牌或会话的权限"
        )
    if by.expires_at is not None and expires_at > by.expires_at:
        raise Forbidden(
            f"a token may not outlive the token that makes it ({by.expires_at:%Y-%m-%d %H:%M} UTC) "
            f"/ 新令牌的有效期不能晚于当前令牌"
        )


def token_denied(
    session: Session, by: Principal, username: str, scopes: Iterable[str], days: int | None,
    error: Forbidden, origin: str | None,
) -> None:  # fmt: skip
    """Record a refused token creation (in a transaction of its own)."""
    details = {"scope": sorted(set(scopes)), "days": days, "via": by.via, "reason": error.message}
    audit.record(session, by.username, "token.denied", _shown(username)[:200], details, origin)


def create_token(
    session: Session,
    username: str,
    name: str,
    scopes: Iterable[str],
    days: int | None,
    *,
    actor: str,
    origin: str | None = None,
    by: Principal | None = None,
) -> dict[str, Any]:
    """A new bearer token; the token itself is in the answer once and never stored. With
    ``by``, the minting rule (``check_mint``) applies; ``days`` None is
    ``DEFAULT_TOKEN_DAYS``, or the minting token's own expiry if that comes sooner."""
    user = _user(session, username)
    if "\x00" in name:
        raise InvalidValue("the token's name must not contain NUL characters / 令牌名称不能包含NUL字符")
    scope = sorted(set(scopes))
    bad = [s for s in scope if s not in SCOPES]
    if bad or not scope:
        raise InvalidValue(f"scopes must be some of {', '.join(SCOPES)} / 权限范围无效")
    if "admin" in scope and user.role != "admin":
        raise Forbidden("only an administrator's token may have the admin scope / 仅管理员令牌可含admin权限")
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidValue(f"a token lasts 1-{MAX_TOKEN_DAYS} days / 令牌有效期为1-{MAX_TOKEN_DAYS}天")
    now = utcnow()
    expires_at = now + dt.timedelta(days=DEFAULT_TOKEN_DAYS if days is None else days)
    if days is None and by is not None and by.expires_at is not None:
        expires_at = min(expires_at, by.expires_at)
    if by is not None:
        check_mint(by, scope, expires_at)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, name=name.strip()[:100] or "token", token_hash=_digest(token), scope=" ".join(scope),
        created_at=now, expires_at=expires_at,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "token.create",
        f"{username}/{row.id}",
        {"scope": scope, "days": days, "expires_at": expires_at.isoformat()},
        origin,
    )
    return {**token_dict(row), "token": token}


def token_dict(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "scopes": t.scope.split(),
        "created_at": t.created_at.isoformat(),
        "expires_at": t.expires_at.isoformat(),
        "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
    }


def revoke_token(
    session: Session, token_id: int, *, by: Principal, origin: str | None = None
) -> dict[str, Any]:
    t = session.get(ApiToken, token_id)
    if t is None or (by.role != "admin" and t.user_id != by.user_id):
        raise NotFound(f"no token {token_id} / 令牌不存在")
    if t.revoked_at is None:
        t.revoked_at = utcnow()
        session.flush()
        audit.record(session, by.username, "token.revoke", str(token_id), {}, origin)
    return token_dict(t)


def tokens_of(session: Session, user_id: int) -> list[dict[str, Any]]:
    return [token_dict(t) for t in session.scalars(select(ApiToken).where(ApiToken.user_id == user_id))]


_TOKEN = (  # built once: every request with a token asks it
    select(ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at, ApiToken.last_used_at)
    .add_columns(ApiToken.scope, User)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("digest"))
)


def authenticate_token(session: Session, token: str) -> tuple[Principal, int | None]:
    """The principal of a bearer token, and the token's id when its last use is due to be
    recorded (``touch_token``); expired, revoked or unknown tokens are refused alike. Reads
    only: one query for the token and its user."""
    found = session.execute(_TOKEN, {"digest": _digest(token)}).first()
    now = utcnow()
    if found is None:
        raise NotAuthenticated("the token is unknown, expired or revoked / 访问令牌无效、已过期或已撤销")
    token_id, revoked_at, expires_at, last_used_at, scope, user = found
    if revoked_at is not None or as_utc(expires_at) <= now or user.disabled_at is not None:
        raise NotAuthenticated("the token is unknown, expired or revoked / 访问令牌无效、已过期或已撤销")
    # Kept to the minute: a write on every request would serialise readers on SQLite.
    stale = last_used_at is None or now - as_utc(last_used_at) > LAST_USED_RESOLUTION
    p = _principal(session, user, scopes=scope.split(), via="token", expires_at=as_utc(expires_at))
    return p, token_id if stale else None


def touch_token(session: Session, token_id: int) -> None:
    """Record that a token was used now."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def list_users(session: Session) -> list[dict[str, Any]]:
    return [
        _principal(session, u, via="session").as_dict()
        for u in session.scalars(select(User).order_by(User.id))
    ]
