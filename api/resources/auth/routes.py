"""Logging in and out (a session for pages), who am I, and bearer tokens for API clients."""

from __future__ import annotations

from typing import Any

from flask import session
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.auth import CSRF_HEADER, csrf_token, current, new_csrf_token, origin, session_id
from api.errors import ErrorSchema
from api.resources.common import ID_IN_PATH, NO_NUL, PUBLIC, db
from carbon.domain.errors import NotAuthenticated
from carbon.services import usecases
from carbon.services.auth import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, SCOPES, Principal

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Login and tokens 登录与令牌")


class LoginSchema(Schema):
    username = fields.String(required=True, validate=[validate.Length(min=1, max=80), NO_NUL])
    password = fields.String(
        required=True, validate=[validate.Length(min=1, max=1000), NO_NUL], load_only=True
    )


class PrincipalSchema(Schema):
    username = fields.String()
    role = fields.String(metadata={"enum": ["enterprise", "bank", "official", "admin"]})
    region_code = fields.String(allow_none=True)
    institution = fields.String(allow_none=True)
    usccs = fields.List(fields.String())
    scopes = fields.List(fields.String())
    via = fields.String(metadata={"enum": ["session", "token"]})
    csrf_token = fields.String(
        metadata={
            "description": (
                f"session logins only: send it back in the {CSRF_HEADER} header (or a form field "
                "csrf_token) with every POST, PUT, PATCH and DELETE made with the session cookie"
            )
        }
    )


class TokenInSchema(Schema):
    name = fields.String(required=True, validate=[validate.Length(min=1, max=100), NO_NUL])
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), load_default=["read"])
    days = fields.Integer(
        load_default=None,
        validate=validate.Range(1, MAX_TOKEN_DAYS),
        metadata={
            "description": (
                f"how long it lasts; default {DEFAULT_TOKEN_DAYS} days, or until the minting token "
                "expires if that is sooner. A token may not outlive the token that mints it"
            )
        },
    )


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    scopes = fields.List(fields.String())
    created_at = fields.String()
    expires_at = fields.String()
    revoked_at = fields.String(allow_none=True)
    last_used_at = fields.String(allow_none=True)
    token = fields.String(metadata={"description": "shown once, when the token is created"})


def me() -> Principal:
    p = current()
    if p is None:
        raise NotAuthenticated("log in or send a bearer token / 请先登录或提供访问令牌")
    return p


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(200, PrincipalSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="wrong username or password")
    @blp.alt_response(
        429, schema=ErrorSchema, description="too many failed logins lately; wait Retry-After seconds"
    )
    @blp.doc(operationId="login", **PUBLIC)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Log in with a password: a session cookie for the pages (HttpOnly, SameSite=Lax),
        and the CSRF token every unsafe request made with that cookie must carry."""
        p = usecases.login(db(), body["username"], body["password"], origin=origin())
        if isinstance(session.get("sid"), str):  # a login replaces the browser's session:
            usecases.close_session(db(), session["sid"])  # a saved copy of the old cookie dies too
        session.clear()
        session["sid"] = usecases.open_session(db(), p.user_id)
        return {**p.as_dict(), "csrf_token": new_csrf_token()}


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    @blp.doc(operationId="logout", **PUBLIC)
    def post(self) -> None:
        """End the session on the server, for every copy of its cookie (with the session's
        CSRF token, like every unsafe request)."""
        sid = session_id()
        if sid is not None:
            usecases.close_session(db(), sid)
        session.clear()


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, PrincipalSchema)
    @blp.doc(operationId="getMe")
    def get(self) -> dict[str, Any]:
        """Who is asking: role, region, institution, enterprises, scopes (and, for a session,
        its CSRF token)."""
        p = me()
        return {**p.as_dict(), "csrf_token": csrf_token()} if p.via == "session" else p.as_dict()


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    @blp.doc(operationId="listTokens")
    def get(self) -> list[dict[str, Any]]:
        """Your tokens (never the tokens themselves)."""
        return usecases.my_tokens(db(), me())

    @blp.arguments(TokenInSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(
        403, schema=ErrorSchema, description="the minting rule refuses it (audited as token.denied)"
    )
    @blp.doc(operationId="createToken")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """A new bearer token for yourself; the token is in this answer only.

        Minting needs the ``write`` scope (a session login has its role's scopes). The new
        token's scopes must be a subset of the caller's, and it may not expire later than
        the token that mints it (from a session: at most the maximum days). Otherwise 403
        ``forbidden``, written to the audit log as ``token.denied``."""
        p = me()
        return usecases.create_token(
            db(), p, p.username, body["name"], body["scopes"], body["days"], origin=origin()
        )


@blp.route(f"/tokens/<{ID_IN_PATH}:token_id>/revoke")
class Revoke(MethodView):
    @blp.response(200, TokenSchema)
    @blp.doc(operationId="revokeToken")
    def post(self, token_id: int) -> dict[str, Any]:
        """Revoke one of your tokens (an administrator: anyone's)."""
        return usecases.revoke_token(db(), me(), token_id, origin=origin())
