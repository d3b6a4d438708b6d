"""Four holes an attacker found (issue 12, items 1, 2, 4, 5): tokens minting stronger or
longer-lived tokens, sessions outliving logout, formulas in the audit CSV, and parallel
wrong passwords slipping past the login throttle. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from typing import NamedTuple

import pytest
from click.testing import CliRunner
from conftest import make_user
from sqlalchemy import func, select

from api.cli import cli
from carbon.domain.exports import FORMULA_START
from carbon.services import auth as auth_service
from carbon.services import usecases
from carbon.services.auth import SYSTEM
from carbon.store.models import ApiToken, AuditEntry

PASSWORD = "correct horse battery"
USCC = "913308027F17MGU4XE"


@pytest.fixture
def web(app):
    return app.test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(web, username: str, password: str = PASSWORD):
    return web.post("/api/v1/auth/login", json={"username": username, "password": password})


def token_of(app, username: str, scopes: list[str], days: int = 30) -> str:
    return usecases.create_token(app.extensions["carbon_db"], SYSTEM, username, "t", scopes, days)["token"]


class Entry(NamedTuple):
    action: str
    actor: str
    subject: str
    details: dict


def audit_rows(app, action: str) -> list[Entry]:
    with app.extensions["carbon_db"].read() as s:
        q = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return [Entry(e.action, e.actor, e.subject, e.details) for e in s.scalars(q)]


def token_count(app) -> int:
    with app.extensions["carbon_db"].read() as s:
        return s.scalar(select(func.count()).select_from(ApiToken))


def is_refusal(r, status: int = 403) -> bool:
    body = r.json
    return r.status_code == status and body["status"] == status and " / " in body["message"]


# --- 1. token escalation ----------------------------------------------------------------------


@pytest.mark.parametrize("scopes", [["read"], ["feeds"], ["read", "feeds"]])
def test_a_token_without_write_cannot_mint_tokens(app, web, scopes):
    make_user(app, "firm", "enterprise", usccs=[USCC])
    weak = token_of(app, "firm", scopes)
    before = token_count(app)
    wanted = {"name": "escalate", "scopes": ["read", "write", "feeds"], "days": 366}
    for body in (wanted, {"name": "same", "scopes": scopes, "days": 1}):
        r = web.post("/api/v1/auth/tokens", json=body, headers=bearer(weak))
        assert is_refusal(r) and r.json["code"] == "forbidden", r.json
        assert "write" in r.json["message"]
    assert token_count(app) == before
    denied = audit_rows(app, "token.denied")
    assert len(denied) == 2 and denied[0].actor == "firm" and denied[0].details["via"] == "token"
    assert denied[0].details["scope"] == ["feeds", "read", "write"] and denied[0].details["days"] == 366


def test_an_administrators_read_token_cannot_mint_an_admin_token(app, web):
    make_user(app, "ops", "admin")
    read_only = token_of(app, "ops", ["read"])
    r = web.post("/api/v1/auth/tokens", json={"name": "x", "scopes": ["admin"]}, headers=bearer(read_only))
    assert is_refusal(r)
    assert web.get("/api/v1/audit/export.csv", headers=bearer(read_only)).status_code == 403
    # with write, still only a subset of its own scopes
    writer = token_of(app, "ops", ["read", "write"])
    r = web.post("/api/v1/auth/tokens", json={"name": "x", "scopes": ["admin"]}, headers=bearer(writer))
    assert is_refusal(r) and "admin" in r.json["message"]
    assert [e.details["scope"] for e in audit_rows(app, "token.denied")] == [["admin"], ["admin"]]


def test_a_token_mints_only_a_subset_of_its_scopes_that_expires_no_later(app, web):
    make_user(app, "bank", "bank", institution="衢州农商银行")
    parent = token_of(app, "bank", ["read", "write"], days=30)
    with app.extensions["carbon_db"].read() as s:
        parent_expiry = max(s.scalars(select(ApiToken.expires_at)))
    mint = lambda body: web.post("/api/v1/auth/tokens", json=body, headers=bearer(parent))  # noqa: E731
    assert is_refusal(mint({"name": "x", "scopes": ["read", "feeds"], "days": 1}))  # feeds: not its own
    assert is_refusal(mint({"name": "x", "scopes": ["read"], "days": 31}))  # outlives it
    assert is_refusal(mint({"name": "x", "scopes": ["read"], "days": 30}))  # a moment later than it
    r = mint({"name": "ok", "scopes": ["read", "write"], "days": 29})
    assert r.status_code == 201 and r.json["scopes"] == ["read", "write"]
    r = mint({"name": "default days"})  # 90 days by default, but no later than the parent
    assert r.status_code == 201
    assert dt.datetime.fromisoformat(r.json["expires_at"]) <= parent_expiry.replace(tzinfo=dt.UTC)
    assert len(audit_rows(app, "token.denied")) == 3


def test_a_session_mints_its_roles_scopes_for_at_most_the_maximum_days(app, web):
    make_user(app, "firm", "enterprise", usccs=[USCC])
    csrf = {"X-CSRF-Token": login(web, "firm").json["csrf_token"]}
    body = {"name": "s", "scopes": ["read", "write", "feeds"], "days": auth_service.MAX_TOKEN_DAYS}
    assert web.post("/api/v1/auth/tokens", json=body, headers=csrf).status_code == 201
    r = web.post("/api/v1/auth/tokens", json={**body, "scopes": ["admin"]}, headers=csrf)
    assert is_refusal(r)
    r = web.post("/api/v1/auth/tokens", json={**body, "days": auth_service.MAX_TOKEN_DAYS + 1}, headers=csrf)
    assert r.status_code == 422


def test_the_minting_rule_is_documented(web):
    op = web.get("/openapi.json").json["paths"]["/api/v1/auth/tokens"]["post"]
    assert "write" in op["description"] and "subset" in op["description"] and "403" in op["responses"]


# --- 2. sessions end on the server --------------------------------------------------------------


def saved_cookie(web) -> str:
    return web.get_cookie("session").value


def replay(app, cookie: str):
    """Another browser holding a copy of the cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def assert_dead(app, cookie: str, csrf: str) -> None:
    other = replay(app, cookie)
    r = other.get("/api/v1/auth/me")
    assert r.status_code == 401 and r.json["code"] == "not_authenticated"
    body = {"name": "x", "scopes": ["read", "write"], "days": 366}
    r = other.post("/api/v1/auth/tokens", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 401


def test_a_cookie_saved_before_logout_is_dead_after_it(app, web):
    make_user(app, "firm", "enterprise", usccs=[USCC])
    csrf = login(web, "firm").json["csrf_token"]
    cookie = saved_cookie(web)
    assert replay(app, cookie).get("/api/v1/auth/me").status_code == 200
    assert web.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert_dead(app, cookie, csrf)
    with app.extensions["carbon_db"].read() as s:
        assert s.scalar(select(func.count()).select_from(ApiToken)) == 1  # make_user's only


def test_logging_in_again_ends_the_browsers_previous_session(app, web):
    make_user(app, "firm", "enterprise", usccs=[USCC])
    csrf = login(web, "firm").json["csrf_token"]
    cookie = saved_cookie(web)
    assert login(web, "firm").status_code == 200  # the same browser logs in again
    assert_dead(app, cookie, csrf)
    assert web.get("/api/v1/auth/me").status_code == 200  # the new session lives


@pytest.mark.parametrize("how", ["password", "disable"])
def test_a_password_change_or_disabling_the_user_ends_their_sessions(app, web, db_url, how):
    make_user(app, "firm", "enterprise", usccs=[USCC])
    csrf = login(web, "firm").json["csrf_token"]
    cookie = saved_cookie(web)
    assert replay(app, cookie).get("/api/v1/auth/me").status_code == 200
    args = (
        ["users", "password", "firm", "--password-stdin"]
        if how == "password"
        else ["users", "disable", "firm"]
    )
    r = CliRunner().invoke(cli, ["--db", db_url, *args], input="another long password\n")
    assert r.exit_code == 0, r.output
    assert_dead(app, cookie, csrf)
    assert web.get("/api/v1/auth/me").status_code == 401
    assert audit_rows(app, f"user.{how}")[0].subject == "firm"
    if how == "password":
        assert login(web, "firm", "another long password").status_code == 200
    else:
        assert login(web, "firm").status_code == 401


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    from carbon.services import sessions

    c = Clock()
    monkeypatch.setattr(sessions, "utcnow", c)
    return c


def test_a_session_expires_after_the_idle_lifetime(app, web, clock):
    assert app.config["SESSION_IDLE_MINUTES"] == 30 and app.config["SESSION_ABSOLUTE_HOURS"] == 12
    make_user(app, "firm", "enterprise", usccs=[USCC])
    login(web, "firm")
    for _ in range(3):  # a request every 29 minutes keeps it alive
        clock.advance(minutes=29)
        assert web.get("/api/v1/auth/me").status_code == 200
    clock.advance(minutes=30, seconds=1)
    assert web.get("/api/v1/auth/me").status_code == 401
    clock.advance(minutes=1)
    assert web.get("/api/v1/auth/me").status_code == 401  # and it stays dead


def test_a_session_expires_after_the_absolute_lifetime_however_busy(app, web, clock):
    make_user(app, "firm", "enterprise", usccs=[USCC])
    login(web, "firm")
    for _ in range(12 * 3 - 1):
        clock.advance(minutes=20)
        assert web.get("/api/v1/auth/me").status_code == 200
    clock.advance(minutes=20)  # 12 h after the login
    assert web.get("/api/v1/auth/me").status_code == 401


def test_session_lifetimes_are_configured(app, web, clock):
    app.config.update(SESSION_IDLE_MINUTES=1, SESSION_ABSOLUTE_HOURS=0.05)  # 1 min, 3 min
    make_user(app, "firm", "enterprise", usccs=[USCC])
    login(web, "firm")
    clock.advance(seconds=61)
    assert web.get("/api/v1/auth/me").status_code == 401
    login(web, "firm")
    for _ in range(5):
        clock.advance(seconds=35)
        assert web.get("/api/v1/auth/me").status_code == 200
    clock.advance(seconds=10)  # 185 s after the login
    assert web.get("/api/v1/auth/me").status_code == 401


# --- 4. formulas in the audit CSV -----------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://x","y")'
CMD = "=cmd|' /C calc'!A0"


def live_formulas(data: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) > 2
    cells = [c for row in rows for c in row]
    return [c for c in cells if c.startswith(FORMULA_START) and not c.lstrip("+-").isdigit()]


def plant_formulas(app, client, sample_files) -> None:
    assert login(app.test_client(), HYPERLINK, "wrong password!").status_code == 401
    sample = sample_files[0]
    r = client.post(
        "/api/v1/imports", data={"file": (sample.open("rb"), CMD)}, content_type="multipart/form-data"
    )
    assert r.status_code in (200, 201, 422), r.json
    actions = {
        (e.action, e.subject) for e in audit_rows(app, "auth.login_failed") + audit_rows(app, "import")
    }
    assert ("auth.login_failed", HYPERLINK) in actions and ("import", CMD) in actions


def test_the_audit_export_escapes_formulas(app, client, sample_files):
    plant_formulas(app, client, sample_files)
    r = client.get("/api/v1/audit/export.csv")
    assert r.status_code == 200
    assert live_formulas(r.data) == []
    text = r.data.decode("utf-8-sig")
    assert "'" + HYPERLINK.replace('"', '""') in text and "'" + CMD in text


def test_the_cli_audit_export_escapes_formulas(app, client, sample_files, db_url, tmp_path):
    plant_formulas(app, client, sample_files)
    out = tmp_path / "audit.csv"
    r = CliRunner().invoke(cli, ["--db", db_url, "audit", "--export", str(out)])
    assert r.exit_code == 0, r.output
    data = out.read_bytes()
    assert live_formulas(data) == []
    assert "'" + CMD in data.decode("utf-8-sig")


def test_csv_text_escapes_formulas_but_not_numbers():
    from carbon.domain.exports import csv_text

    for bad in ("=1+1", "+cmd", "-cmd", "@SUM(A1)", "\t=1", "\r=1", "-", "+"):
        assert csv_text(bad) == "'" + bad
    for fine in ("-5", "+3.5", "-1e3", "2026-01-01T00:00:00+00:00", "127.0.0.1", "{}", ""):
        assert csv_text(fine) == fine


# --- 5. the login throttle under parallel attempts ------------------------------------------------


class CountingHasher:
    """Counts password verifications (from any thread), delegating to the real hasher."""

    def __init__(self, real) -> None:
        self.real = real
        self.verified = 0
        self._lock = threading.Lock()

    def verify(self, *args, **kwargs):
        with self._lock:
            self.verified += 1
        return self.real.verify(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_thirty_parallel_wrong_passwords_check_at_most_five(app, monkeypatch):
    make_user(app, "firm", "enterprise", usccs=[USCC])
    spy = CountingHasher(auth_service._hasher)
    monkeypatch.setattr(auth_service, "_hasher", spy)
    n = 30
    start = threading.Barrier(n)
    statuses: list[int] = []

    def attempt() -> None:
        client = app.test_client()  # one client per thread: the test client is not thread-safe
        start.wait()
        r = login(client, "firm", "wrong password!")
        statuses.append(r.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(statuses) == n
    limit = auth_service.MAX_FAILURES_PER_USER
    assert spy.verified == limit  # exactly the limit: the first five are checked, no more
    assert statuses.count(401) == spy.verified and statuses.count(429) == n - spy.verified
    assert len(audit_rows(app, "auth.login_failed")) == spy.verified
    assert len(audit_rows(app, "auth.login_throttled")) == n - spy.verified
