"""Users, login sessions and bearer tokens; administrator-only operations (issue 6, first
part). On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from conftest import make_user
from sqlalchemy import select, update

from api.cli import cli
from carbon.store.models import ApiToken, AuditEntry, User


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_password_login_session_and_logout(app, anon):
    make_user(app, "qz-official", "official", region_code="330800")
    r = anon.post("/api/v1/auth/login", json={"username": "qz-official", "password": "wrong password!"})
    assert r.status_code == 401 and r.json["code"] == "not_authenticated"
    unknown = anon.post("/api/v1/auth/login", json={"username": "nobody", "password": "wrong password!"})
    assert unknown.status_code == 401 and unknown.json["message"] == r.json["message"]  # no user probing
    assert anon.get("/api/v1/auth/me").status_code == 401
    r = anon.post("/api/v1/auth/login", json={"username": "qz-official", "password": "correct horse battery"})
    assert r.status_code == 200 and r.json["role"] == "official" and r.json["region_code"] == "330800"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    me = anon.get("/api/v1/auth/me").json
    assert me["username"] == "qz-official" and me["scopes"] == ["feeds", "read", "write"]  # no admin
    assert anon.post("/api/v1/auth/logout").status_code == 403  # a session's POST needs its CSRF token
    assert anon.post("/api/v1/auth/logout", headers={"X-CSRF-Token": r.json["csrf_token"]}).status_code == 204
    assert anon.get("/api/v1/auth/me").status_code == 401
    with app.extensions["carbon_db"].read() as s:
        auth_log = select(AuditEntry.action).where(AuditEntry.action.startswith("auth."))
        actions = list(s.scalars(auth_log.order_by(AuditEntry.id)))
        stored = s.scalar(select(User.password_hash).where(User.username == "qz-official"))
    assert actions == ["auth.login_failed", "auth.login_failed", "auth.login"]
    assert stored.startswith("$argon2id$") and "correct horse" not in stored


def test_tokens_expire_are_revoked_and_are_stored_only_as_hashes(app, anon):
    token = make_user(app, "bank-a", "bank", institution="衢州农商银行")
    me = anon.get("/api/v1/auth/me", headers=bearer(token))
    assert me.status_code == 200 and me.json["institution"] == "衢州农商银行" and me.json["via"] == "token"
    assert anon.get("/api/v1/auth/me", headers=bearer(token + "x")).status_code == 401
    second = anon.post("/api/v1/auth/tokens", json={"name": "loan system"}, headers=bearer(token))
    assert second.status_code == 201 and second.json["scopes"] == ["read"]
    new = second.json["token"]
    assert anon.get("/api/v1/auth/me", headers=bearer(new)).json["scopes"] == ["read"]
    # a bank token may not carry the admin scope
    r = anon.post("/api/v1/auth/tokens", json={"name": "x", "scopes": ["admin"]}, headers=bearer(token))
    assert r.status_code == 403
    with app.extensions["carbon_db"].read() as s:
        hashes = set(s.scalars(select(ApiToken.token_hash)))
    assert new not in hashes and token not in hashes and len(hashes) == 2
    r = anon.post(f"/api/v1/auth/tokens/{second.json['id']}/revoke", headers=bearer(token))
    assert r.status_code == 200 and r.json["revoked_at"]
    assert anon.get("/api/v1/auth/me", headers=bearer(new)).status_code == 401
    with app.extensions["carbon_db"].unit_of_work() as s:
        s.execute(update(ApiToken).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert anon.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/api/v1/factor-sets", {"id": "x", "version": 1}),
        ("post", "/api/v1/factor-sets/cn-east-grid@1/retire", {"reason": "x"}),
        ("post", "/api/v1/methodologies", {"id": "x", "version": 1}),
        ("post", "/api/v1/recalculations", {"years": [2023]}),
        ("get", "/api/v1/audit", None),
    ],
)
def test_administrator_operations_need_an_administrator(app, anon, method, path, body):
    official = make_user(app, "official", "official", region_code="330800")
    call = getattr(anon, method)
    kwargs = {"json": body} if body is not None else {}
    assert call(path, **kwargs).status_code == 401
    r = call(path, headers=bearer(official), **kwargs)
    assert r.status_code == 403 and r.json["code"] == "forbidden"
    admin = make_user(app, "root", "admin")
    assert call(path, headers=bearer(admin), **kwargs).status_code not in (401, 403)


def test_users_are_validated(app):
    from carbon.domain.errors import InvalidValue
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM

    db = app.extensions["carbon_db"]
    bad = [
        {"username": "e", "password": "long enough pw", "role": "enterprise"},  # no USCC
        {"username": "o", "password": "long enough pw", "role": "official", "region_code": "33"},
        {"username": "b", "password": "long enough pw", "role": "bank"},  # no institution
        {"username": "s", "password": "short", "role": "admin"},
        {"username": "two words", "password": "long enough pw", "role": "admin"},
        {"username": "r", "password": "long enough pw", "role": "root"},
    ]
    for fields in bad:
        with pytest.raises(InvalidValue):
            usecases.create_user(db, SYSTEM, **fields)


def test_cli_creates_users_and_tokens_and_revokes_them(db_url):
    runner = CliRunner()

    def carbon(*args, stdin=None):
        r = runner.invoke(cli, ["--db", db_url, *args], input=stdin, catch_exceptions=False)
        return r.exit_code, r.output

    code, out = carbon(
        "users", "create", "ops", "--role", "admin", "--password-stdin", stdin="a long password\n"
    )
    assert code == 0 and "ops: admin" in out
    code, out = carbon(
        "users", "create", "ops", "--role", "admin", "--password-stdin", stdin="a long password\n"
    )
    assert code == 1 and "taken" in out
    code, out = carbon("tokens", "create", "ops", "--name", "feed", "--scope", "feeds", "--days", "7")
    assert code == 0 and "cat_" in out
    token_id = out.split()[1]
    code, out = carbon("tokens", "revoke", token_id)
    assert code == 0 and "revoked" in out
    code, out = carbon("users", "list")
    assert "ops" in out and "admin" in out
    code, out = carbon("audit", "--action", "token")
    assert "token.create" in out and "token.revoke" in out
