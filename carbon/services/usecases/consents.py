"""Consent: an enterprise grants a bank access to its data, lists and revokes its grants,
and sees who read its data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carbon.services import access, auth, consents
from carbon.services.consents import ConsentView
from carbon.store.db import Database


def grant_consent(
    db: Database,
    by: auth.Principal | None,
    uscc: str,
    institution: str,
    scope: str,
    expires_on: dt.date,
    origin: str | None = None,
) -> ConsentView:
    """An enterprise grants an institution ``scope`` on one of its USCCs until ``expires_on``."""
    with db.unit_of_work() as session:
        return consents.grant(session, by, uscc, institution, scope, expires_on, origin)


def list_consents(db: Database, by: auth.Principal | None) -> list[ConsentView]:
    """The grants ``by`` may see (``access.consents_visible``)."""
    with db.read() as session:
        return consents.list_for(session, by)


def revoke_consent(
    db: Database, by: auth.Principal | None, consent_id: int, origin: str | None = None
) -> ConsentView:
    """Revoke a grant (``access.may_revoke_consent``)."""
    with db.unit_of_work() as session:
        return consents.revoke(session, by, consent_id, origin)


def consent_institutions(db: Database, by: auth.Principal | None) -> list[str]:
    """The institutions one can grant to (anyone logged in)."""
    access.require_login(by)
    with db.read() as session:
        return consents.institutions(session)


def accesses(
    db: Database, uscc: str, *, by: auth.Principal | None, limit: int = 1000
) -> list[dict[str, Any]]:
    """Every read of an enterprise's data by others, newest first (``access.may_see_accesses``)."""
    with db.read() as session:
        return consents.accesses(session, by, uscc, limit)
