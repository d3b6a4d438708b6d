"""Who is asking: a bearer token (API clients, utility feeds) or a login session (pages).

The principal is resolved once per request and kept in ``flask.g``; use cases decide what
it may do (authorization lives in the services, so the CLI, API, exports and reports all
obey the same rules). A bad or expired token is a 401 before anything else happens.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, request, session

from carbon.services.auth import Principal
from carbon.services.usecases import principal_from_session, principal_from_token


def current() -> Principal | None:
    principal: Principal | None = g.get("principal")
    return principal


def origin() -> str | None:
    """From where, for the audit log."""
    return request.remote_addr


def secret_key(app: Flask) -> str:
    """The session-signing key: CARBON_SECRET_KEY, else one generated once and kept beside
    the SQLite database in instance/ (never in the repository)."""
    key = os.environ.get("CARBON_SECRET_KEY")
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


def install(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("CARBON_SECURE_COOKIES", "").lower() == "true",
    )

    @app.before_request
    def resolve_principal() -> Any:
        db = app.extensions["carbon_db"]
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            g.principal = principal_from_token(db, header[7:].strip())
        elif "uid" in session:
            g.principal = principal_from_session(db, int(session["uid"]))
        else:
            g.principal = None
        return None
