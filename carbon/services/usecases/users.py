"""Users, managed by administrators (and the operator's CLI); the demo users."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from carbon.domain.vocabulary import Role
from carbon.services import access, auth
from carbon.store.db import Database
from carbon.store.models import Enterprise


def set_password(db: Database, by: auth.Principal, username: str, password: str, origin: str | None) -> None:
    """An administrator sets a user's password; the user's sessions end."""
    access.require_admin(by)
    with db.unit_of_work() as session:
        auth.set_password(session, username, password, actor=by.username, origin=origin)


def disable_user(db: Database, by: auth.Principal, username: str, origin: str | None) -> None:
    """An administrator disables a user: no more logins, sessions or tokens."""
    access.require_admin(by)
    with db.unit_of_work() as session:
        auth.disable_user(session, username, actor=by.username, origin=origin)


def create_user(db: Database, by: auth.Principal, **fields: Any) -> dict[str, Any]:
    """An administrator creates a user."""
    access.require_admin(by)
    with db.unit_of_work() as session:
        return auth.create_user(session, actor=by.username, **fields)


def list_users(db: Database, by: auth.Principal) -> list[dict[str, Any]]:
    """Every user (administrators)."""
    access.require_admin(by)
    with db.read() as session:
        return auth.list_users(session)


def demo_users(db: Database) -> list[dict[str, str]]:
    """One user per role for trying the service, each with a new random password (printed
    by ``carbon demo``; nothing secret is kept in the repository)."""
    import secrets

    from carbon.services import consents
    from carbon.store.models import User

    with db.unit_of_work() as session:
        first = session.scalar(select(Enterprise.uscc).order_by(Enterprise.uscc).limit(1))
        specs: list[tuple[str, str, dict[str, Any]]] = [
            ("demo-admin", Role.ADMIN.value, {}),
            ("demo-official", Role.OFFICIAL.value, {"region_code": "330800"}),
            ("demo-bank", Role.BANK.value, {"institution": "衢州示范银行 (demo bank)"}),
        ]
        if first:
            specs.append(("demo-enterprise", Role.ENTERPRISE.value, {"usccs": [first]}))
        out = []
        for username, role, fields in specs:
            password = secrets.token_urlsafe(12)
            if session.scalar(select(User.id).where(User.username == username)) is None:
                auth.create_user(session, username, password, role, actor="demo", origin="cli", **fields)
            else:
                auth.set_password(session, username, password, actor="demo", origin="cli")
            out.append({"username": username, "role": role, "password": password, **{
                k: (", ".join(v) if isinstance(v, list) else v) for k, v in fields.items()
            }})  # fmt: skip
        if first:  # the demo enterprise lets the demo bank see its whole account
            bank = next(u for u in out if u["role"] == Role.BANK)
            if access.consent_scope(session, bank["institution"], first) != access.ACCOUNT:
                ent = auth.principal_of_user(
                    session, session.scalar(select(User.id).where(User.username == "demo-enterprise")) or 0
                )
                until = dt.date.today() + dt.timedelta(days=365)
                consents.grant(session, ent, first, bank["institution"], access.ACCOUNT, until, "cli")
            bank["consent"] = f"{first} (account)"
        return out
