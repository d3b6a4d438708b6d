"""Hardening (issue 6): login throttling, CSRF for session requests, security headers, the
documented error envelope, no tracebacks in answers and no database password anywhere.
On SQLite and PostgreSQL (the CLI and URL checks need no database)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import logging
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path

import jsonschema_rs
import pytest
from conftest import make_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from api.security import PAGE_CSP
from carbon.services import audit
from carbon.services import auth as auth_service
from carbon.store.models import AuditEntry, User

PASSWORD = "correct horse battery"
ENVELOPE = {"code", "status", "message", "errors"}
SECRET = "S3cretPw"
BAD_URL = f"postgresql+psycopg://user:{SECRET}@127.0.0.1:1/x"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def web(app):
    """A browser or program without credentials (its own, whatever the shared fixtures send)."""
    return app.test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(web, username: str, password: str = PASSWORD, origin: str = "127.0.0.1"):
    return web.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": origin},
    )


def is_envelope(body, status: int, code: str) -> bool:
    return (
        isinstance(body, dict)
        and ENVELOPE <= body.keys()
        and body["status"] == status
        and body["code"] == code
        and isinstance(body["message"], str)
    )


def bilingual(message: str) -> bool:
    return " / " in message and bool(CJK.search(message)) and bool(re.search(r"[A-Za-z]{3}", message))


def audit_actions(app, prefix: str = "auth.") -> list[tuple[str, str, str | None, dict]]:
    with app.extensions["carbon_db"].read() as s:
        q = select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)
        return [(e.action, e.subject, e.origin, e.details) for e in s.scalars(q)]


def add_failures(app, n: int, *, ago: dt.timedelta, subject: str = "x", origin: str = "10.9.9.9") -> None:
    """``n`` failed logins recorded ``ago`` (the audit log takes inserts, never updates)."""
    at = dt.datetime.now(dt.UTC) - ago
    row = {"at": at, "actor": subject, "origin": origin, "action": "auth.login_failed", "subject": subject}
    with app.extensions["carbon_db"].unit_of_work() as s:
        audit.append(s, [{**row, "details": {}} for _ in range(n)])  # hash-chained, as the service does


class SpyHasher:
    """Counts password verifications, delegating everything to the real hasher."""

    def __init__(self, real) -> None:
        self.real = real
        self.verified = 0

    def verify(self, *args, **kwargs):
        self.verified += 1
        return self.real.verify(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


# --- login throttling ----------------------------------------------------------------------


def test_five_failed_logins_lock_the_username_even_for_the_right_password(app, web, monkeypatch):
    make_user(app, "firm-a", "enterprise", usccs=["913308027F17MGU4XE"])
    make_user(app, "firm-b", "enterprise", usccs=["913308027F17MGU4XE"])
    for _ in range(auth_service.MAX_FAILURES_PER_USER):
        r = login(web, "firm-a", "wrong password!")
        assert r.status_code == 401 and r.json["code"] == "not_authenticated"
    spy = SpyHasher(auth_service._hasher)
    monkeypatch.setattr(auth_service, "_hasher", spy)

    r = login(web, "firm-a")  # the right password, during the lockout
    assert r.status_code == 429 and is_envelope(r.json, 429, "too_many_requests"), r.json
    assert bilingual(r.json["message"])
    retry = int(r.headers["Retry-After"])
    window = int(auth_service.LOGIN_WINDOW.total_seconds())
    assert window - 60 < retry <= window and str(retry) in r.json["message"]
    assert spy.verified == 0  # refused before any password was looked at
    assert "Set-Cookie" not in r.headers and web.get("/api/v1/auth/me").status_code == 401

    # another username from the same address is not locked (5 < the per-origin limit)
    assert login(web, "firm-b").status_code == 200 and spy.verified == 1

    actions = audit_actions(app)
    assert [a for a, *_ in actions] == ["auth.login_failed"] * 5 + ["auth.login_throttled", "auth.login"]
    throttled = actions[5]
    assert throttled[1] == "firm-a" and throttled[2] == "127.0.0.1"
    assert throttled[3] == {"retry_after": retry}


def test_the_lock_ends_when_the_oldest_counted_failure_leaves_the_window(app, web):
    make_user(app, "bank-a", "bank", institution="衢州农商银行")
    window = auth_service.LOGIN_WINDOW
    # failures older than the window do not count
    add_failures(app, 10, ago=window + dt.timedelta(seconds=5), subject="bank-a")
    assert login(web, "bank-a").status_code == 200
    # the oldest of the latest five leaves the window in about 60 s
    add_failures(app, 3, ago=window - dt.timedelta(seconds=30), subject="bank-a")  # not among the latest 5
    add_failures(app, 1, ago=window - dt.timedelta(seconds=60), subject="bank-a")
    add_failures(app, 4, ago=dt.timedelta(minutes=1), subject="bank-a")
    r = login(web, "bank-a")
    assert r.status_code == 429
    assert 50 <= int(r.headers["Retry-After"]) <= 61, r.headers["Retry-After"]


def test_the_lock_is_lifted_after_the_window(app, web, monkeypatch):
    make_user(app, "admin-a", "admin")
    for _ in range(auth_service.MAX_FAILURES_PER_USER):
        login(web, "admin-a", "wrong password!")
    assert login(web, "admin-a").status_code == 429
    later = dt.datetime.now(dt.UTC) + auth_service.LOGIN_WINDOW + dt.timedelta(seconds=1)
    monkeypatch.setattr(auth_service, "utcnow", lambda: later)
    assert login(web, "admin-a").status_code == 200


def test_twenty_failures_from_one_address_lock_that_address(app, web):
    make_user(app, "official-a", "official", region_code="330800")
    for i in range(auth_service.MAX_FAILURES_PER_ORIGIN):
        assert login(web, f"ghost{i}", "wrong password!", origin="10.1.1.1").status_code == 401
    r = login(web, "official-a", origin="10.1.1.1")
    assert r.status_code == 429 and is_envelope(r.json, 429, "too_many_requests")
    assert int(r.headers["Retry-After"]) > 0
    assert login(web, "official-a", origin="10.1.1.2").status_code == 200
    throttled = [e for e in audit_actions(app) if e[0] == "auth.login_throttled"]
    assert [(s, o) for _, s, o, _ in throttled] == [("official-a", "10.1.1.1")]


def test_throttle_is_checked_in_the_service_and_shared_by_every_process(db):
    """Another Database object (as another process would have) sees the same failures."""
    from carbon.domain.errors import TooManyRequests
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM
    from carbon.store.db import Database

    usecases.create_user(db, SYSTEM, username="ops", password=PASSWORD, role="admin")
    for _ in range(auth_service.MAX_FAILURES_PER_USER):
        with pytest.raises(Exception, match="wrong username or password"):
            usecases.login(db, "ops", "nope nope nope", origin=None)
    other = Database(db.url)
    try:
        with pytest.raises(TooManyRequests) as err:
            usecases.login(other, "ops", PASSWORD, origin=None)
        assert err.value.status == 429 and err.value.retry_after > 0
    finally:
        other.dispose()
    with db.read() as s:
        rows = list(s.scalars(select(AuditEntry.action).where(AuditEntry.action == "auth.login_throttled")))
    assert rows == ["auth.login_throttled"]


# --- CSRF ------------------------------------------------------------------------------------


def test_session_requests_that_change_something_need_the_csrf_token(app, web):
    make_user(app, "firm", "enterprise", usccs=["913308027F17MGU4XE"])
    r = login(web, "firm")
    assert r.status_code == 200
    token = r.json["csrf_token"]
    assert isinstance(token, str) and len(token) >= 32
    me = web.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json["csrf_token"] == token

    for headers in ({}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": token + "x"}):
        r = web.post("/api/v1/auth/tokens", json={"name": "x"}, headers=headers)
        assert r.status_code == 403 and is_envelope(r.json, 403, "csrf_failed"), r.json
        assert bilingual(r.json["message"])
        r = web.post("/api/v1/auth/logout", headers=headers)
        assert r.status_code == 403 and r.json["code"] == "csrf_failed"
    assert web.get("/api/v1/auth/me").status_code == 200  # still logged in

    r = web.post("/api/v1/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201
    assert web.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    assert web.get("/api/v1/auth/me").status_code == 401
    # after logout, the old token is worth nothing and no session needs one
    assert web.post("/api/v1/auth/logout").status_code == 204


@pytest.mark.parametrize("content_type", ["multipart/form-data", "application/x-www-form-urlencoded"])
def test_forms_may_send_the_csrf_token_as_a_field(app, web, content_type):
    make_user(app, "firm", "enterprise", usccs=["913308027F17MGU4XE"])
    token = login(web, "firm").json["csrf_token"]
    r = web.post("/api/v1/auth/logout", data={"csrf_token": "nope"}, content_type=content_type)
    assert r.status_code == 403 and r.json["code"] == "csrf_failed"
    r = web.post("/api/v1/auth/logout", data={"csrf_token": token}, content_type=content_type)
    assert r.status_code == 204
    assert web.get("/api/v1/auth/me").status_code == 401


def test_bearer_tokens_and_the_login_itself_need_no_csrf_token(app, web):
    token = make_user(app, "bank", "bank", institution="衢州农商银行")
    me = web.get("/api/v1/auth/me", headers=bearer(token))
    assert me.status_code == 200 and "csrf_token" not in me.json
    r = web.post("/api/v1/auth/tokens", json={"name": "loan system"}, headers=bearer(token))
    assert r.status_code == 201
    first = login(web, "bank")
    assert first.status_code == 200
    # logged in, a bearer token still needs none (a browser never adds one by itself) ...
    r = web.post("/api/v1/auth/tokens", json={"name": "second"}, headers=bearer(token))
    assert r.status_code == 201
    # ... and logging in again needs none, and gives a new token
    again = login(web, "bank")
    assert again.status_code == 200 and again.json["csrf_token"] != first.json["csrf_token"]
    r = web.post("/api/v1/auth/logout", headers={"X-CSRF-Token": first.json["csrf_token"]})
    assert r.status_code == 403


def test_a_session_from_before_csrf_tokens_gets_one_from_me(app, web):
    make_user(app, "ops", "admin")
    with app.extensions["carbon_db"].read() as s:
        uid = s.scalar(select(User.id).where(User.username == "ops"))
    from carbon.services import usecases

    sid = usecases.open_session(app.extensions["carbon_db"], uid)  # a server-side session ...
    with web.session_transaction() as sess:
        sess["sid"] = sid  # ... whose cookie has no csrf token in it
    assert web.post("/api/v1/auth/logout").status_code == 403
    token = web.get("/api/v1/auth/me").json["csrf_token"]
    assert web.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204


def test_the_csrf_token_is_documented(web):
    doc = web.get("/openapi.json").json
    assert "csrf_token" in doc["components"]["schemas"]["Principal"]["properties"]
    assert "429" in doc["paths"]["/api/v1/auth/login"]["post"]["responses"]


# --- security headers ------------------------------------------------------------------------

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize(
    "path, status",
    [
        ("/api/v1/auth/me", 401),
        ("/api/v1/factor-sets", 200),
        ("/api/v1/nowhere", 404),
        ("/openapi.json", 200),
        ("/healthz", 200),
        ("/templates/energy.xlsx", 200),
        ("/", 303),  # the home page: who is not logged in goes to the login page
    ],
)
def test_every_answer_carries_the_security_headers(web, path, status):
    r = web.get(path)
    assert r.status_code == status
    for name, value in BASE_HEADERS.items():
        assert r.headers.get(name) == value, name
    if path == "/":  # a page: scripts, styles and images from this origin only
        assert r.headers["Content-Security-Policy"] == PAGE_CSP
    else:
        assert r.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    if path.startswith("/api/"):
        assert r.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in r.headers
    assert not re.search(r"\d", r.headers.get("Server", ""))  # no server version


def test_enterprise_data_is_never_cached(app, web):
    token = make_user(app, "ops", "admin")
    for path in ("/api/v1/enterprises?page_size=1", "/api/v1/ratings", "/api/v1/auth/tokens"):
        r = web.get(path, headers=bearer(token))
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", path


def test_hsts_only_behind_https(db_url, monkeypatch):
    from api.app import create_app

    monkeypatch.setenv("CARBON_SECURE_COOKIES", "true")
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "JOBS": "eager"})
    try:
        r = app.test_client().get("/healthz")
        assert r.headers["Strict-Transport-Security"] == "max-age=31536000"
    finally:
        app.extensions["carbon_jobs"].shutdown()
        app.extensions["carbon_db"].dispose()


def test_swagger_ui_is_allowed_what_it_loads_and_nothing_more(web):
    r = web.get("/docs")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for name, value in BASE_HEADERS.items():
        assert r.headers[name] == value
    csp = directives(r.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["img-src"] == ["'self'", "data:"] and "'self'" in csp["connect-src"]
    assert "'self'" in csp["style-src"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    # the page's one inline script is allowed by its hash, exactly
    inline = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert csp["script-src"] == ["'self'", f"'sha256-{digest}'"]
    # everything else it loads is served from here, under the same policy for the docs
    assets = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link href="([^"]+)"', html)
    assert len(assets) == 3
    for asset in assets:
        assert asset.startswith("/_swagger-ui/")
        a = web.get(asset)
        assert a.status_code == 200
        assert directives(a.headers["Content-Security-Policy"])["img-src"] == ["'self'", "data:"]
        a.close()
    spec_url = re.search(r'url: "([^"]+)"', html)[1]
    assert spec_url.startswith("/") and web.get(spec_url).status_code == 200


# --- the documented error envelope -----------------------------------------------------------


def test_the_documented_error_schema_is_the_envelope_every_error_has(app, web, db_url):
    from api.app import create_app

    def boom():
        raise RuntimeError("kaboom")

    app.add_url_rule("/api/v1/boom", "boom", boom)  # before the first request
    doc = web.get("/openapi.json").json
    error = doc["components"]["schemas"]["Error"]
    props = error["properties"]
    assert props["code"]["type"] == "string" and props["status"]["type"] == "integer"
    assert props["message"]["type"] == "string"
    assert set(error["required"]) == ENVELOPE
    assert doc["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    validator = jsonschema_rs.Draft4Validator(error)

    token = make_user(app, "ops", "admin")
    make_user(app, "firm", "enterprise", usccs=["913308027F17MGU4XE"])
    answers = [
        (web.get("/api/v1/nowhere"), 404),
        (web.get("/api/v1/auth/me"), 401),
        (web.get("/api/v1/enterprises/NOTAUSCC", headers=bearer(token)), None),
        (web.post("/api/v1/auth/login", json={"username": "firm"}), 422),
        (web.post("/api/v1/auth/tokens", json={"name": "x"}, headers=bearer("cat_nope")), 401),
        (web.get("/api/v1/boom"), 500),
        (
            web.post(
                "/api/v1/imports",
                data={"file": (io.BytesIO(b"not a workbook"), "x.xlsx")},
                content_type="multipart/form-data",
                headers=bearer(token),
            ),
            422,
        ),
    ]
    for _ in range(auth_service.MAX_FAILURES_PER_USER):
        login(web, "firm", "wrong password!")
    answers.append((login(web, "firm"), 429))
    csrf = login(web, "ops").json["csrf_token"]
    assert csrf
    answers.append((web.post("/api/v1/auth/logout"), 403))
    small = create_app({"DATABASE_URL": db_url, "TESTING": True, "JOBS": "eager", "MAX_CONTENT_LENGTH": 1024})
    try:
        big = {"file": (io.BytesIO(b"x" * 5000), "big.xlsx")}
        answers.append(
            (
                small.test_client().post(
                    "/api/v1/imports", data=big, content_type="multipart/form-data", headers=bearer(token)
                ),
                413,
            )
        )
    finally:
        small.extensions["carbon_jobs"].shutdown()
        small.extensions["carbon_db"].dispose()
    for r, status in answers:
        assert status is None or r.status_code == status, (r.status_code, r.json)
        assert r.status_code >= 400 and r.json["status"] == r.status_code
        errors = list(validator.iter_errors(r.json))
        assert not errors, (r.status_code, r.json, [str(e) for e in errors])


# --- no tracebacks, no passwords -------------------------------------------------------------


def test_an_unhandled_error_is_a_500_envelope_without_traceback(app, web, caplog):
    def boom():
        raise RuntimeError(f"kaboom: password {SECRET} in a query")

    app.add_url_rule("/api/v1/boom", "boom", boom, methods=["GET", "POST"])
    with caplog.at_level(logging.ERROR):
        r = web.get("/api/v1/boom")
    assert (
        r.status_code == 500 and is_envelope(r.json, 500, "internal_error") and bilingual(r.json["message"])
    )
    body = r.get_data(as_text=True)
    for leak in ("Traceback", "RuntimeError", "kaboom", SECRET, 'File "'):
        assert leak not in body
    assert r.headers["Cache-Control"] == "no-store" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert "kaboom" in caplog.text  # the operator's log has it
    token = make_user(app, "ops", "admin")
    r = web.post("/api/v1/boom", json={}, headers=bearer(token))
    assert r.status_code == 500 and "kaboom" not in r.get_data(as_text=True)


def test_an_oversized_upload_with_a_valid_token_is_413(db_url):
    from api.app import create_app

    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "JOBS": "eager", "MAX_CONTENT_LENGTH": 1024})
    try:
        token = make_user(app, "ops", "admin")
        web = app.test_client()
        r = web.post(
            "/api/v1/imports",
            data={"file": (io.BytesIO(b"x" * 5000), "big.xlsx")},
            content_type="multipart/form-data",
            headers=bearer(token),
        )
        assert r.status_code == 413 and is_envelope(r.json, 413, "request_entity_too_large")
        assert "limit" in r.json["message"]
        # a session upload too (the CSRF check reads the form first: still a 413)
        login(web, "ops")
        r = web.post(
            "/api/v1/imports",
            data={"file": (io.BytesIO(b"x" * 5000), "big.xlsx")},
            content_type="multipart/form-data",
        )
        assert r.status_code == 413 and is_envelope(r.json, 413, "request_entity_too_large")
    finally:
        app.extensions["carbon_jobs"].shutdown()
        app.extensions["carbon_db"].dispose()


CARBON = Path(sys.executable).with_name("carbon")


@pytest.mark.parametrize(
    "args",
    [
        ["users", "list"],
        ["audit", "--json"],
        ["serve", "--port", "0"],
        ["demo", "--no-serve"],
    ],
)
def test_the_cli_never_shows_the_database_password(tmp_path, args):
    env = {k: v for k, v in os.environ.items() if k != "CARBON_DATABASE_URL"}
    r = subprocess.run(
        [str(CARBON), "--db", BAD_URL, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert SECRET not in out and "Traceback" not in out
    assert "cannot use the database postgresql+psycopg://user:***@127.0.0.1:1/x" in out
    assert "Connection refused" in out or "connection" in out.lower()


@pytest.mark.parametrize(
    "url, secret",
    [
        (BAD_URL, SECRET),
        (f"postgresql+psycopg://user:{SECRET}@127.0.0.1:notaport/x", SECRET),  # not a port
        (f"user:{SECRET}@127.0.0.1/x", SECRET),  # not a URL at all
        (f"postgresql+nodriver://user:{SECRET}@127.0.0.1/x", SECRET),  # no such driver
        ("postgresql+psycopg://user:S3c@retPw@127.0.0.1:1/x", "retPw"),  # "@" not encoded
        ("postgresql+psycopg://user:S3c%40retPw@127.0.0.1:1/x", "retPw"),
    ],
)
def test_the_store_never_logs_or_raises_the_password(url, secret, caplog):
    from carbon.store.db import Database, DatabaseUnavailable, safe_url

    with caplog.at_level(logging.DEBUG), pytest.raises(DatabaseUnavailable) as err:
        Database(url)
    shown = [
        str(err.value),
        repr(err.value),
        err.value.message,
        "".join(traceback.format_exception(err.value)),
        caplog.text,
        safe_url(url),
    ]
    for text in shown:
        assert secret not in text, text
    assert err.value.message.startswith("cannot use the database ")
    assert err.value.code == "database_unavailable" and bilingual(err.value.message)


def test_database_errors_surfaced_later_are_rendered_without_the_password():
    from carbon.store.db import Database, describe_error, safe_url, scrub

    err = OperationalError("select 1", {}, Exception(f"password={SECRET} host=db rejected\nmore"))
    said = describe_error(err, BAD_URL)
    assert SECRET not in said and "rejected" in said and "sqlalche.me" not in said
    assert scrub(f"at {BAD_URL}: no", BAD_URL) == "at postgresql+psycopg://user:***@127.0.0.1:1/x: no"
    assert safe_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
    plain = "postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dt_1"
    assert safe_url(plain) == plain
    db = Database.__new__(Database)
    db.url = BAD_URL
    assert SECRET not in repr(db) and SECRET not in str(db)
