"""Consent, audit and scoping (docs/access.md) as lifecycles and details: what a bank sees
before, under and after an enterprise's consent; what the enterprise sees of who read its
data; the audit export. An enterprise user's imports, jobs and meter feeds, an official's
region, suppressed benchmarks and the operator's CLI are tests/integration/test_access_roles.py;
which role may call which endpoint at all is tests/integration/test_access_matrix.py. On SQLite
and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import warnings

from access_world import (
    ACCOUNT_PATHS,
    BANK,
    CSV_HEADER,
    GHOST,
    OTHER_BANK,
    PNG,
    RATING_PATHS,
    E,
    as_user,
    assert_refused_like_a_missing_enterprise,
    grant,
    is_envelope,
    today,
    usccs,
    without_digits,
)
from access_world import w as w  # the fixture: imported so that pytest finds it here
from click.testing import CliRunner
from sqlalchemy import update

from api.cli import cli
from carbon.services import usecases
from carbon.services.auth import SYSTEM
from carbon.store.models import Consent, utcnow

# --- 1. consent lifecycle ------------------------------------------------------------------


def test_consent_lifecycle_rating_then_account_then_revoked_then_expired(app, w):
    A, admin, ent, bank = w.A, w.admin, w.ent, w.bank
    r = ent.get("/api/v1/consents/institutions")
    assert r.status_code == 200, r.json
    assert {BANK, OTHER_BANK} <= {i["institution"] for i in r.json}, r.json
    assert usccs(bank, E) == [] and usccs(bank, "/api/v1/ratings?year=2023") == []
    assert_refused_like_a_missing_enterprise(bank, A, RATING_PATHS)

    # scope rating: the ratings, without emissions or explanation; no account
    r = grant(ent, A, "rating")
    assert r.status_code == 201, r.json
    rating_grant = r.json
    assert (rating_grant["uscc"], rating_grant["institution"], rating_grant["scope"]) == (A, BANK, "rating")
    assert rating_grant["active"] is True and rating_grant["granted_by"] == "ent-a"
    assert rating_grant["revoked_at"] is None
    assert [c["id"] for c in ent.get("/api/v1/consents").json] == [rating_grant["id"]]
    assert [c["id"] for c in bank.get("/api/v1/consents").json] == [rating_grant["id"]]
    assert w.other_bank.get("/api/v1/consents").json == []
    assert usccs(w.other_bank, E) == []

    assert usccs(bank, f"{E}?page_size=100") == [A]
    listed = bank.get("/api/v1/ratings?year=2023").json
    assert [x["uscc"] for x in listed] == [A]
    assert listed[0]["emissions_tco2"] is None and listed[0]["scope"] == "rating", listed[0]

    full = admin.get(f"{E}/{A}/ratings/2023").json
    assert full["emissions_tco2"] > 0 and "explanation" in full and "scope" not in full
    r = bank.get(f"{E}/{A}/ratings/2023")
    assert r.status_code == 200, r.json
    assert r.json["emissions_tco2"] is None and r.json["scope"] == "rating"
    assert "explanation" not in r.json
    assert r.json["carbon_efficiency"] == full["carbon_efficiency"]
    assert r.json["three_dimensional"] == full["three_dimensional"]
    history = bank.get(f"{E}/{A}/ratings")
    assert history.status_code == 200 and len(history.json) == 2
    assert all(h["emissions_tco2"] is None and h["scope"] == "rating" for h in history.json)
    assert all("explanation" not in h for h in history.json)
    assert bank.get(f"{E}/{A}").status_code == 200
    chart = bank.get(f"{E}/{A}/charts/grade-history")
    assert chart.status_code == 200 and chart.mimetype == "image/png" and chart.data.startswith(PNG)
    assert_refused_like_a_missing_enterprise(bank, A, ACCOUNT_PATHS)

    # scope account as well: everything the administrator sees
    r = grant(ent, A, "account")
    assert r.status_code == 201, r.json
    account_grant = r.json
    for path in (f"{E}/{A}/accounts/2023", f"{E}/{A}/accounts/2023?month=2023-06", f"{E}/{A}/ratings/2023"):
        mine, theirs = bank.get(path), admin.get(path)
        assert mine.status_code == 200 and mine.json == theirs.json, path
    assert bank.get(f"{E}/{A}/ratings/2023").json["emissions_tco2"] == full["emissions_tco2"]
    chart = bank.get(f"{E}/{A}/charts/monthly-emissions?year=2023")
    assert chart.status_code == 200 and chart.data.startswith(PNG)
    assert bank.get(f"{E}/{A}/supplier-contracts").status_code == 200
    assert bank.get("/api/v1/ratings?year=2023").json[0]["emissions_tco2"] == full["emissions_tco2"]

    # both revoked: nothing, and the refusal does not tell A exists
    for c in (rating_grant, account_grant):
        r = ent.post(f"/api/v1/consents/{c['id']}/revoke")
        assert r.status_code == 200, r.json
        assert r.json["active"] is False and r.json["revoked_by"] == "ent-a" and r.json["revoked_at"]
    assert usccs(bank, E) == [] and usccs(bank, "/api/v1/ratings?year=2023") == []
    assert_refused_like_a_missing_enterprise(bank, A, RATING_PATHS + ACCOUNT_PATHS)
    assert [c["active"] for c in bank.get("/api/v1/consents").json] == [False, False]

    # an expired grant gives nothing either
    again = grant(ent, A, "account").json
    assert bank.get(f"{E}/{A}/accounts/2023").status_code == 200
    with app.extensions["carbon_db"].unit_of_work() as s:
        s.execute(
            update(Consent)
            .where(Consent.id == again["id"])
            .values(expires_at=utcnow() - dt.timedelta(minutes=1))
        )
    assert usccs(bank, E) == [] and usccs(bank, "/api/v1/ratings?year=2023") == []
    assert_refused_like_a_missing_enterprise(bank, A, RATING_PATHS + ACCOUNT_PATHS)
    mine = {c["id"]: c for c in ent.get("/api/v1/consents").json}
    assert mine[again["id"]]["active"] is False and mine[again["id"]]["revoked_at"] is None


def test_a_rating_only_consent_shows_the_intensity_chart_but_not_the_emissions(w):
    """docs/access.md: the intensity chart shows what the rating shows (intensity per year,
    beside the peers'); the monthly emissions need the account."""
    assert grant(w.ent, w.A, "rating").status_code == 201
    r = w.bank.get(f"{E}/{w.A}/charts/intensity")
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert w.bank.get(f"{E}/{w.A}/charts/monthly-emissions?year=2023").status_code == 403
    assert grant(w.ent, w.A, "account").status_code == 201
    assert w.bank.get(f"{E}/{w.A}/charts/monthly-emissions?year=2023").status_code == 200


# --- 2. granting and revoking are validated --------------------------------------------------


def test_granting_is_validated_and_only_the_enterprise_grants(app, w, anon):
    day = dt.timedelta(days=1)
    ok = {"uscc": w.A, "institution": BANK, "scope": "rating", "expires_on": (today() + 30 * day).isoformat()}
    r = w.ent.post("/api/v1/consents", json={**ok, "uscc": w.B})
    assert is_envelope(r, 403, "forbidden"), r.json
    r = w.ent.post("/api/v1/consents", json={**ok, "uscc": GHOST})
    assert is_envelope(r, 403, "forbidden"), r.json
    bad = {
        "unknown institution": {"institution": "不存在的银行"},
        "an official is no institution": {"institution": "330802"},
        "scope": {"scope": "everything"},
        "yesterday": {"expires_on": (today() - day).isoformat()},
        "today": {"expires_on": today().isoformat()},
        "more than 3 years ahead": {"expires_on": (today() + (3 * 366 + 1) * day).isoformat()},
        "4 years ahead": {"expires_on": (today() + 4 * 365 * day).isoformat()},
    }
    for why, change in bad.items():
        r = w.ent.post("/api/v1/consents", json={**ok, **change})
        assert is_envelope(r, 422), (why, r.status_code, r.json)
    # the service's own checks say what is wrong
    r = w.ent.post("/api/v1/consents", json={**ok, "institution": "不存在的银行"})
    assert r.json["code"] == "invalid_value" and "不存在的银行" in r.json["message"]
    r = w.ent.post("/api/v1/consents", json={**ok, "expires_on": (today() - day).isoformat()})
    assert r.json["code"] == "invalid_value" and "expires_on" in r.json["message"]
    r = w.ent.post("/api/v1/consents", json={**ok, "scope": "everything"})
    assert "scope" in json.dumps(r.json["errors"])

    for who in (w.bank, w.official, w.admin):
        assert is_envelope(who.post("/api/v1/consents", json=ok), 403, "forbidden")
    assert is_envelope(anon.post("/api/v1/consents", json=ok), 401, "not_authenticated")
    read_only = usecases.create_token(app.extensions["carbon_db"], SYSTEM, "ent-a", "ro", ["read"], 30)
    r = as_user(app, read_only["token"], "10.0.0.9").post("/api/v1/consents", json=ok)
    assert is_envelope(r, 403, "forbidden") and "write" in r.json["message"]
    assert w.admin.get("/api/v1/consents").json == []  # nothing was stored

    # three calendar years ahead is the longest grant
    longest = (today() + 3 * 365 * day).isoformat()
    assert w.ent.post("/api/v1/consents", json={**ok, "expires_on": longest}).status_code == 201

    # revoking: one's own only; someone else's is like one that does not exist
    theirs = grant(w.ent_b, w.B, "account").json
    r = w.ent.post(f"/api/v1/consents/{theirs['id']}/revoke")
    missing = w.ent.post("/api/v1/consents/999999/revoke")
    assert is_envelope(r, 404, "not_found") and is_envelope(missing, 404, "not_found")
    assert without_digits(r.json) == without_digits(missing.json)
    for who in (w.bank, w.official):
        assert is_envelope(who.post(f"/api/v1/consents/{theirs['id']}/revoke"), 403, "forbidden")
    assert is_envelope(anon.post(f"/api/v1/consents/{theirs['id']}/revoke"), 401)
    assert [c["active"] for c in w.ent_b.get("/api/v1/consents").json] == [True]
    assert [c["uscc"] for c in w.ent.get("/api/v1/consents").json] == [w.A]  # not B's grant
    assert sorted(c["uscc"] for c in w.bank.get("/api/v1/consents").json) == sorted([w.A, w.B])
    r = w.admin.post(f"/api/v1/consents/{theirs['id']}/revoke")
    assert r.status_code == 200 and r.json["revoked_by"] == "operator"
    assert usccs(w.bank, E) == [w.A]


# --- 3. the enterprise sees every access ---------------------------------------------------


def test_the_enterprise_sees_every_access_to_its_data(w):
    A = w.A
    consent = grant(w.ent, A, "rating").json
    assert w.bank.get(f"{E}/{A}/ratings/2023").status_code == 200
    assert w.official.get(f"{E}/{A}/accounts/2023").status_code == 200
    assert w.other_bank.get(f"{E}/{A}/accounts/2023").status_code == 403  # no consent
    assert w.bank.get(f"{E}/{A}/accounts/2023").status_code == 403  # rating only
    assert w.admin.get(f"{E}/{w.B}/accounts/2023").status_code == 200  # B's, not A's
    assert w.ent.post(f"/api/v1/consents/{consent['id']}/revoke").status_code == 200

    r = w.ent.get(f"{E}/{A}/accesses")
    assert r.status_code == 200, r.json
    log = r.json
    ids = [e["id"] for e in log]
    assert ids == sorted(ids, reverse=True), "newest first"
    assert {e["subject"] for e in log} == {A}

    def one(action: str, actor_has: str) -> dict:
        found = [e for e in log if e["action"] == action and actor_has in e["actor"]]
        assert len(found) == 1, (action, actor_has, [(e["action"], e["actor"]) for e in log])
        return found[0]

    read_rating = one("read.rating", BANK)
    assert "bank-x" in read_rating["actor"] and read_rating["origin"] == "10.0.0.3"
    assert read_rating["details"]["role"] == "bank" and read_rating["at"]
    read_account = one("read.account", "off-kecheng")
    assert read_account["origin"] == "10.0.0.5" and read_account["details"]["role"] == "official"
    denied = [e for e in log if e["action"] == "read.denied"]
    assert {(e["origin"], e["details"].get("what")) for e in denied} == {
        ("10.0.0.4", "account"),
        ("10.0.0.3", "account"),
    }
    assert any(OTHER_BANK in e["actor"] for e in denied) and any(BANK in e["actor"] for e in denied)
    granted, revoked = one("consent.grant", "ent-a"), one("consent.revoke", "ent-a")
    assert granted["details"]["institution"] == BANK and granted["details"]["scope"] == "rating"
    assert granted["origin"] == "10.0.0.1" and revoked["details"]["consent_id"] == consent["id"]
    assert revoked["id"] > read_account["id"] > read_rating["id"] > granted["id"]
    assert not any(e["actor"] == "ent-a" and e["action"].startswith("read.") for e in log)

    # the enterprise reading its own data adds nothing
    for path in RATING_PATHS + ACCOUNT_PATHS:
        assert w.ent.get(f"{E}/{A}{path}").status_code == 200, path
    assert usccs(w.ent, E) == [A] and usccs(w.ent, "/api/v1/ratings?year=2023") == [A]
    assert w.ent.get(f"{E}/{A}/accesses").json == log

    # another enterprise's accesses are refused, whether it exists or not
    r, ghost = w.ent.get(f"{E}/{w.B}/accesses"), w.ent.get(f"{E}/{GHOST}/accesses")
    assert is_envelope(r, 403, "forbidden") and r.json == ghost.json
    for who in (w.bank, w.official):
        assert is_envelope(who.get(f"{E}/{A}/accesses"), 403, "forbidden")
    assert w.admin.get(f"{E}/{A}/accesses").status_code == 200


# --- 4. the audit export -------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), data[:20]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_audit_export_csv_by_api_and_cli(app, w, anon, db_url, tmp_path):
    login = app.test_client().post(
        "/api/v1/auth/login", json={"username": "bank-x", "password": "correct horse battery"}
    )
    assert login.status_code == 200
    assert grant(w.ent, w.A, "rating").status_code == 201
    assert w.bank.get(f"{E}/{w.A}/ratings/2023").status_code == 200
    assert w.official.get(f"{E}/{w.A}/accounts/2023").status_code == 200

    r = w.admin.get("/api/v1/audit/export.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv", r.headers
    rows = read_csv(r.data)
    assert rows[0] == CSV_HEADER
    body = rows[1:]
    assert [int(x[0]) for x in body] == sorted(int(x[0]) for x in body), "oldest first"
    actions = {x[4] for x in body}
    assert {"auth.login", "import", "consent.grant", "read.rating", "read.account"} <= actions, actions
    assert all(isinstance(json.loads(x[6]), dict) for x in body)
    bank_read = [x for x in body if x[4] == "read.rating" and BANK in x[2]]
    assert [(x[3], x[5]) for x in bank_read] == [("10.0.0.3", w.A)]
    assert "audit.export" not in actions  # the export is recorded after it was read

    reads = w.admin.get("/api/v1/audit/export.csv?action=read")
    read_rows = read_csv(reads.data)
    assert read_rows[0] == CSV_HEADER and read_rows[1:]
    assert read_rows[1:] == [x for x in body if x[4].startswith("read")]

    exports = w.admin.get("/api/v1/audit?action=audit.export").json
    assert [(e["actor"], e["subject"]) for e in exports] == [("operator", "all"), ("operator", "read")]
    for who in (w.ent, w.bank, w.official):
        assert is_envelope(who.get("/api/v1/audit/export.csv"), 403, "forbidden")
    assert is_envelope(anon.get("/api/v1/audit/export.csv"), 401, "not_authenticated")
    assert len(w.admin.get("/api/v1/audit?action=audit.export").json) == 2

    out = tmp_path / "audit.csv"
    res = CliRunner().invoke(cli, ["--db", db_url, "audit", "--export", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    cli_rows = read_csv(out.read_bytes())
    assert cli_rows[0] == CSV_HEADER
    assert cli_rows[: len(rows)] == rows, "the CLI writes what the API exported, and what came since"
    assert [x[4] for x in cli_rows[len(rows) :]] == ["audit.export", "audit.export"]
    exports = w.admin.get("/api/v1/audit?action=audit.export").json
    assert exports[-1]["actor"].startswith("cli:") and exports[-1]["subject"] == "all"


def test_reading_part_of_the_audit_log_leaves_no_database_cursor_open(w):
    """``GET /api/v1/audit?limit=1`` reads the first entry of a streamed query; the rest of
    the stream must be closed, not left to the garbage collector (on PostgreSQL an open
    server-side cursor, found by schemathesis as a ResourceWarning)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = w.admin.get("/api/v1/audit?limit=1")
        gc.collect()
    assert r.status_code == 200 and len(r.json) == 1
    leaks = [str(x.message) for x in caught if issubclass(x.category, ResourceWarning)]
    assert not leaks, (
        "GET /api/v1/audit?limit=1 as an administrator left a database cursor of the audit "
        f"query open (audit.entries / iter_entries): {leaks}"
    )
