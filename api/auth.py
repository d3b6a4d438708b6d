"""Who is asking: a bearer token (API clients, utility feeds) or a login session (pages).

The principal is resolved once per request and kept in ``flask.g``; use cases decide what
it may do (authorization lives in the services, so the CLI, API, exports and reports all
obey the same rules). A bad or expired token is a 401 before anything else happens.

A login session lives in the database (``carbon.services.sessions``); the signed cookie
carries only its random id (``sid``) and the CSRF token, so logout, a password change or a
disabled user ends it for every copy of the cookie, and it expires after an idle and an
absolute lifetime (``lifetimes``). What this needs from the configuration (the signing key,
Secure cookies, session lifetimes) is the app's ``WebSettings`` (``carbon.settings``).

CSRF: a browser sends the session cookie with every request to this site, whoever made
the page that asks. So a request that changes something (POST, PUT, PATCH, DELETE) and is
authenticated by the session must also carry the session's CSRF token (made at login,
returned by the login and by ``GET /api/v1/auth/me``) in the ``X-CSRF-Token`` header, or in
a form field ``csrf_token``; otherwise it is a 403 ``csrf_failed``. Bearer tokens are sent
by programs, never by a browser on its own, and need none; the login itself needs none.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, request, session

from carbon.domain.errors import Forbidden
from carbon.services import sessions
from carbon.services.auth import Principal
from carbon.services.usecases import principal_from_session, principal_from_token
from carbon.settings import WebSettings

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
CSRF_EXEMPT = frozenset({"/api/v1/auth/login", "/login"})
FORMS = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


class CsrfFailed(Forbidden):
    code = "csrf_failed"


def current() -> Principal | None:
    principal: Principal | None = g.get("principal")
    return principal


def origin() -> str | None:
    """From where, for the audit log."""
    return request.remote_addr


def new_csrf_token() -> str:
    """A fresh CSRF token for the session (at login); the token to hand to the page."""
    session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def csrf_token() -> str:
    """The session's CSRF token (one is made for a session older than CSRF tokens)."""
    token = session.get("csrf")
    return token if isinstance(token, str) and token else new_csrf_token()


def check_csrf() -> None:
    """Refuse an unsafe request authenticated by the session cookie without its CSRF token."""
    principal = current()
    if request.method not in UNSAFE_METHODS or principal is None or principal.via != "session":
        return
    if request.path in CSRF_EXEMPT:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.mimetype in FORMS:
        sent = request.form.get(CSRF_FIELD)
    expected = session.get("csrf")
    if not (isinstance(sent, str) and isinstance(expected, str) and expected):
        ok = False
    else:
        ok = hmac.compare_digest(sent.encode(), expected.encode())
    if not ok:
        raise CsrfFailed(
            f"missing or wrong CSRF token: send the {CSRF_HEADER} header given at login "
            f"(or GET /api/v1/auth/me) / 缺少或错误的CSRF令牌：请在{CSRF_HEADER}请求头中发送登录时返回的令牌"
        )


def secret_key(app: Flask, key: str | None = None) -> str:
    """The session-signing key: ``key`` (CARBON_SECRET_KEY), else one generated once and kept
    beside the SQLite database in instance/ (never in the repository)."""
    if key:
        return key
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip()


def lifetimes(app: Flask) -> sessions.Lifetimes:
    """How long a login session lasts: ``SESSION_IDLE_MINUTES`` without a request (30,
    CARBON_SESSION_IDLE_MINUTES) and ``SESSION_ABSOLUTE_HOURS`` after the login (12,
    CARBON_SESSION_ABSOLUTE_HOURS), from the app's settings unless its config says otherwise."""
    idle = float(app.config["SESSION_IDLE_MINUTES"])
    absolute = float(app.config["SESSION_ABSOLUTE_HOURS"])
    return sessions.Lifetimes(dt.timedelta(minutes=idle), dt.timedelta(hours=absolute))


def session_id() -> str | None:
    """The server-side session id the cookie carries (a cookie without one is no session)."""
    sid = session.get("sid")
    return sid if isinstance(sid, str) and sid else None


def install(app: Flask, settings: WebSettings) -> None:
    app.config.setdefault("SESSION_IDLE_MINUTES", settings.session_idle_minutes)
    app.config.setdefault("SESSION_ABSOLUTE_HOURS", settings.session_absolute_hours)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app, settings.secret_key)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
    )

    @app.before_request
    def resolve_principal() -> Any:
        db = app.extensions["carbon_db"]
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            g.principal = principal_from_token(db, header[7:].strip())
        elif session_id() is not None:
            g.principal = principal_from_session(db, str(session_id()), lifetimes(app))
        else:
            g.principal = None
        check_csrf()
        return None
