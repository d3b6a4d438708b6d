"""Bearer tokens: minted, revoked and listed by their users (docs/access.md, Minting tokens)."""

from __future__ import annotations

from typing import Any

from carbon.domain.errors import Forbidden
from carbon.services import access, auth
from carbon.store.db import Database


def create_token(
    db: Database, by: auth.Principal, username: str, name: str, scopes: list[str], days: int | None,
    origin: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A user makes tokens for themself; an administrator (with the admin scope) for anyone
    (``access.may_mint_for``). What a token or session may mint: ``auth.check_mint``; a
    refusal is audited."""
    try:
        if not access.may_mint_for(by, username):
            raise Forbidden("you may create tokens for yourself only / 只能为本人创建令牌")
        with db.unit_of_work() as session:
            return auth.create_token(
                session, username, name, scopes, days, actor=by.username, origin=origin, by=by
            )
    except Forbidden as refused:  # rolled back: record the refusal on its own
        with db.unit_of_work() as session:
            auth.token_denied(session, by, username, scopes, days, refused, origin)
        raise


def revoke_token(
    db: Database, by: auth.Principal, token_id: int, origin: str | None = None
) -> dict[str, Any]:
    """Revoke a token (its user, or an administrator)."""
    with db.unit_of_work() as session:
        return auth.revoke_token(session, token_id, by=by, origin=origin)


def my_tokens(db: Database, by: auth.Principal) -> list[dict[str, Any]]:
    """The caller's own tokens."""
    with db.read() as session:
        return auth.tokens_of(session, by.user_id)
