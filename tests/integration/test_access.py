"""Consent, audit and scoping (docs/access.md) as lifecycles and details: what a bank sees
before, under and after an enterprise's consent; what the enterprise sees of who read its
data; the audit export; an enterprise user's imports, jobs and meter feeds; an official's
region; suppressed benchmarks; the operator's CLI. Which role may call which endpoint at
all is tests/integration/test_access_matrix.py. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import re
import warnings
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from conftest import make_user
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from api.cli import cli
from carbon.domain.identifiers import make_uscc
from carbon.services import usecases
from carbon.services.auth import SYSTEM
from carbon.services.benchmarks import FIGURES
from carbon.store.models import Consent, Enterprise, FeedReading, MonthlyInput, utcnow
from importers.template import write_template

ENVELOPE = {"code", "status", "message", "errors"}
BANK, OTHER_BANK = "衢州农商银行", "浙商银行衢州分行"
GHOST = make_uscc("91330802MA2C99999")  # well formed, never imported
PNG = b"\x89PNG\r\n\x1a\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_HEADER = ["id", "at", "actor", "origin", "action", "subject", "details"]
E = "/api/v1/enterprises"


def as_user(app, token: str, origin: str):
    """A client sending ``token`` with every request, from the address ``origin``."""
    c = app.test_client()
    c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    c.environ_base["REMOTE_ADDR"] = origin
    return c


def today() -> dt.date:
    return utcnow().date()


def grant(client, uscc: str, scope: str, days: int = 30, institution: str = BANK):
    expires = (today() + dt.timedelta(days=days)).isoformat()
    body = {"uscc": uscc, "institution": institution, "scope": scope, "expires_on": expires}
    return client.post("/api/v1/consents", json=body)


def usccs(client, path: str) -> list[str]:
    r = client.get(path)
    assert r.status_code == 200, r.json
    return sorted(x["uscc"] for x in r.json)


def is_envelope(r, status: int, code: str | None = None) -> bool:
    body = r.json
    return (
        r.status_code == status
        and isinstance(body, dict)
        and ENVELOPE <= body.keys()
        and body["status"] == status
        and (code is None or body["code"] == code)
        and isinstance(body["message"], str)
        and bool(body["message"])
    )


def without_digits(body: dict) -> dict:
    """An error body with the ids in its message blanked (``no import 7`` ~ ``no import 99``)."""
    return {**body, "message": re.sub(r"\d+", "#", body["message"])}


@pytest.fixture
def w(app, loaded):
    """Two counties' samples; A (and A2) in Kecheng 330802, B in Qujiang 330803; an
    enterprise user of each, two banks, an official of Kecheng and one of Qujiang, each
    calling from an address of its own."""
    ents = loaded.get(f"{E}?page_size=100").json
    kecheng = sorted(e["uscc"] for e in ents if e["region_code"] == "330802")
    qujiang = sorted(e["uscc"] for e in ents if e["region_code"] == "330803")
    assert len(kecheng) >= 3 and len(qujiang) >= 3
    A, B = kecheng[0], qujiang[0]
    return SimpleNamespace(
        A=A,
        B=B,
        kecheng=kecheng,
        qujiang=qujiang,
        admin=loaded,
        ent=as_user(app, make_user(app, "ent-a", "enterprise", usccs=[A]), "10.0.0.1"),
        ent_b=as_user(app, make_user(app, "ent-b", "enterprise", usccs=[B]), "10.0.0.2"),
        bank=as_user(app, make_user(app, "bank-x", "bank", institution=BANK), "10.0.0.3"),
        other_bank=as_user(app, make_user(app, "bank-y", "bank", institution=OTHER_BANK), "10.0.0.4"),
        official=as_user(app, make_user(app, "off-kecheng", "official", region_code="330802"), "10.0.0.5"),
        official_q=as_user(app, make_user(app, "off-qujiang", "official", region_code="330803"), "10.0.0.6"),
    )


# --- 1. consent lifecycle ------------------------------------------------------------------

RATING_PATHS = ("", "/ratings", "/ratings/2023", "/charts/grade-history")
ACCOUNT_PATHS = (
    "/accounts/2023",
    "/accounts/2023?month=2023-06",
    "/supplier-contracts",
    "/charts/monthly-emissions?year=2023",
)


def assert_refused_like_a_missing_enterprise(client, uscc: str, suffixes) -> None:
    for suffix in suffixes:
        r, ghost = client.get(f"{E}/{uscc}{suffix}"), client.get(f"{E}/{GHOST}{suffix}")
        assert is_envelope(r, 403, "forbidden"), (suffix, r.status_code, r.json)
        assert r.json == ghost.json, (suffix, r.json, ghost.json)


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


# --- 5. an enterprise's imports, jobs and feeds ----------------------------------------------

OWN = make_uscc("91330802MA2C00101")  # the enterprise user's own, new enterprise


def workbook(*codes: str) -> bytes:
    """Three months of 2023 for each USCC, every one alike but for its code."""
    rows = [
        {
            "uscc": code,
            "name": "测试化工有限公司",
            "industry_code": "2614",
            "region_code": "330802",
            "month": f"2023-{m:02d}",
            "electricity": 100 + m,
            "natural_gas": 10.0,
            "value_added": 1000.0,
        }
        for code in codes
        for m in (1, 2, 3)
    ]
    return write_template(rows, lang="zh")


def upload(client, data: bytes, name: str = "mine.xlsx"):
    return client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def counts(app) -> tuple[int, int, int]:
    with app.extensions["carbon_db"].read() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m)) for m in (Enterprise, MonthlyInput, FeedReading)
        )


def reading(uscc: str, key: str) -> dict:
    return {
        "key": key,
        "uscc": uscc,
        "carrier": "electricity",
        "period": "2023-05",
        "value": 12.5,
        "unit": "万千瓦时",
    }


def test_an_enterprise_imports_and_pushes_readings_of_its_own_enterprises_only(app, w):
    token = make_user(app, "ent-own", "enterprise", usccs=[OWN])
    ent = as_user(app, token, "10.0.0.7")
    before, b_account = counts(app), w.admin.get(f"{E}/{w.B}/accounts/2023").json

    refused = {}
    for other in (w.B, GHOST):  # an existing enterprise and one that is not there
        r = upload(ent, workbook(OWN, other))
        assert is_envelope(r, 422, "import_rejected"), r.json
        errors = r.json["errors"]
        assert errors, r.json
        for e in errors:
            assert other in e["message"] and "not an enterprise you act for" in e["message"], e
        assert all(isinstance(e["row"], int) and e["row"] > 1 for e in errors), errors
        assert not any(OWN in e["message"] for e in errors)
        refused[other] = json.loads(json.dumps(r.json).replace(other, "<USCC>"))
    assert counts(app) == before, "nothing was written"
    assert w.admin.get(f"{E}/{w.B}/accounts/2023").json == b_account
    assert w.admin.get(f"{E}/{OWN}").status_code == 404
    same = {k: v for k, v in refused[w.B].items() if k not in ("import_id", "error_workbook")}
    assert same == {k: v for k, v in refused[GHOST].items() if k not in ("import_id", "error_workbook")}
    assert set(refused[w.B]) == set(refused[GHOST])

    r = upload(ent, workbook(OWN))
    assert r.status_code == 201 and r.json["status"] == "imported", r.json
    import_id, job_id = r.json["import_id"], r.json["job"]["id"]
    # the recomputation rated every enterprise of the year: their grade changes are not theirs to see
    assert r.json["job"]["result"]["ratings_written"] > 0
    assert "grade_changes" not in r.json["job"]["result"] and "colour_changes" not in r.json["job"]["result"]
    assert "grade_changes" not in ent.get(f"/api/v1/jobs/{job_id}").json["result"]
    assert "grade_changes" in w.admin.get(f"/api/v1/jobs/{job_id}").json["result"]
    mine = ent.get(f"/api/v1/imports/{import_id}")
    assert mine.status_code == 200 and mine.json["id"] == import_id and OWN in mine.json["enterprises"]
    assert ent.get(f"/api/v1/jobs/{job_id}").json["status"] == "done"
    assert usccs(ent, E) == [OWN]
    # another user's import or job is like one that does not exist (1 is the operator's)
    for suffix in ("", "/errors.xlsx"):
        r = w.ent_b.get(f"/api/v1/imports/{import_id}{suffix}")
        gone = w.ent_b.get(f"/api/v1/imports/999999{suffix}")
        path = f"/api/v1/imports/{import_id}{suffix}"
        assert is_envelope(r, 404, "not_found") and without_digits(r.json) == without_digits(gone.json), path
    assert is_envelope(w.ent_b.get(f"/api/v1/jobs/{job_id}"), 404, "not_found")
    assert is_envelope(w.ent_b.get("/api/v1/jobs/999999"), 404, "not_found")
    for path in ("/api/v1/imports/1", "/api/v1/jobs/1"):
        assert is_envelope(ent.get(path), 404, "not_found"), path
        assert w.admin.get(path).status_code == 200
    assert w.admin.get(f"/api/v1/imports/{import_id}").status_code == 200

    # meter readings: its own USCC only, all or nothing
    url = "/api/v1/feeds/readings"
    stored = counts(app)[2]
    r = ent.post(url, json={"source": "own-meter", "readings": [reading(OWN, "k1")]})
    assert r.status_code == 201 and r.json["accepted"] == 1, r.json
    assert counts(app)[2] == stored + 1
    refusals = {}
    for other in (w.B, GHOST):
        for batch in ([reading(other, "k2")], [reading(OWN, "k3"), reading(other, "k4")]):
            r = ent.post(url, json={"source": "own-meter", "readings": batch})
            assert is_envelope(r, 403, "forbidden"), (other, r.json)
            refusals[other] = r.json["message"].replace(other, "<USCC>")
    assert refusals[w.B] == refusals[GHOST]
    assert counts(app)[2] == stored + 1, "nothing more was stored"
    read_only = usecases.create_token(app.extensions["carbon_db"], SYSTEM, "ent-own", "t", ["read"], 30)
    r = as_user(app, read_only["token"], "10.0.0.7").post(
        url, json={"source": "own-meter", "readings": [reading(OWN, "k5")]}
    )
    assert is_envelope(r, 403, "forbidden") and "feeds" in r.json["message"], r.json
    assert counts(app)[2] == stored + 1


def test_someone_elses_job_is_refused_like_one_that_does_not_exist(app, w):
    """docs/access.md: "Imports and jobs of someone else are a 404, like one that does not
    exist" — the same answer, so the message must not tell them apart either."""
    ent = as_user(app, make_user(app, "ent-own", "enterprise", usccs=[OWN]), "10.0.0.7")
    theirs, missing = ent.get("/api/v1/jobs/1"), ent.get("/api/v1/jobs/999999")
    assert w.admin.get("/api/v1/jobs/1").status_code == 200
    assert is_envelope(theirs, 404, "not_found") and is_envelope(missing, 404, "not_found")
    assert without_digits(theirs.json) == without_digits(missing.json), (
        "BUG: GET /api/v1/jobs/{id} as an enterprise user: another user's job answers "
        f"{theirs.json['message']!r} but a job that does not exist {missing.json['message']!r}, "
        "so the message tells whether the job exists (usecases.job vs jobs.job_view)"
    )


# --- 6. an official's region -----------------------------------------------------------------


def test_an_official_sees_their_region_and_its_summary_and_report(app, w):
    off, admin = w.official, w.admin
    assert usccs(off, f"{E}?page_size=100") == w.kecheng
    assert usccs(off, "/api/v1/ratings?year=2023&page_size=100") == w.kecheng
    assert usccs(off, f"{E}?region=330803") == []  # a filter does not widen the region
    assert usccs(off, f"{E}?region=330800&page_size=100") == w.kecheng
    assert_refused_like_a_missing_enterprise(off, w.B, RATING_PATHS + ACCOUNT_PATHS)
    assert off.get(f"{E}/{w.A}/accounts/2023").json == admin.get(f"{E}/{w.A}/accounts/2023").json

    whole = admin.get("/api/v1/summary").json
    kecheng, qujiang = off.get("/api/v1/summary").json, w.official_q.get("/api/v1/summary").json
    assert (kecheng["region"], kecheng["enterprises"]) == ("330802", len(w.kecheng))
    assert (qujiang["region"], qujiang["enterprises"]) == ("330803", len(w.qujiang))
    assert whole["enterprises"] == len(w.kecheng) + len(w.qujiang)
    for year in whole["years"]:
        k = next(y for y in kecheng["years"] if y["year"] == year["year"])
        q = next(y for y in qujiang["years"] if y["year"] == year["year"])
        assert k["total_tco2"] + q["total_tco2"] == pytest.approx(year["total_tco2"], abs=1e-3 + 1e-9)
        assert {g: k["grades"][g] + q["grades"][g] for g in year["grades"]} == year["grades"]
        assert k["enterprises"] + q["enterprises"] == year["enterprises"]
        ratings = admin.get(f"/api/v1/ratings?year={year['year']}&region=330802&page_size=100").json
        grades = {g: sum(str(x["carbon_efficiency"]["grade"]) == g for x in ratings) for g in k["grades"]}
        assert grades == k["grades"], year["year"]
        # the summary gives tCO2 to 0.001 t
        assert sum(x["emissions_tco2"] for x in ratings) == pytest.approx(k["total_tco2"], abs=5e-4 + 1e-9)

    r = off.get("/api/v1/reports/monthly?region=330802&month=2023-06&format=xlsx")
    assert r.status_code == 200 and r.mimetype == XLSX, r.data[:200]
    cells = {
        c.value for ws in load_workbook(io.BytesIO(r.data)).worksheets for row in ws.iter_rows() for c in row
    }
    assert not cells & set(w.qujiang), "a Qujiang enterprise in Kecheng's report"
    for region in ("330803", "330800"):
        r = off.get(f"/api/v1/reports/monthly?region={region}&month=2023-06&format=xlsx")
        assert is_envelope(r, 403, "forbidden"), region

    city = as_user(app, make_user(app, "off-city", "official", region_code="330800"), "10.0.0.8")
    assert usccs(city, f"{E}?page_size=100") == sorted(w.kecheng + w.qujiang)
    assert city.get(f"{E}/{w.B}/accounts/2023").status_code == 200
    s = city.get("/api/v1/summary").json
    assert s["enterprises"] == whole["enterprises"] and s["years"] == whole["years"]
    r = city.get("/api/v1/reports/monthly?region=330803&month=2023-06&format=xlsx")
    assert r.status_code == 200 and load_workbook(io.BytesIO(r.data)).worksheets

    assert grant(w.ent, w.A, "account").status_code == 201  # a consent shows no summary or report
    for who in (w.bank, w.ent):
        assert is_envelope(who.get("/api/v1/summary"), 403, "forbidden")
        r = who.get(f"/api/v1/reports/monthly?region={w.A[2:8]}&month=2023-06&format=xlsx")
        assert is_envelope(r, 403, "forbidden")


# --- 7. benchmarks ---------------------------------------------------------------------------


def test_small_peer_groups_are_suppressed_below_an_administrator(w):
    full = w.admin.get("/api/v1/benchmarks?year=2023").json
    assert all(r["suppressed"] is False for r in full)
    small = [r for r in full if r["peer_count"] is not None and r["peer_count"] < 3]
    big = [r for r in full if r["peer_count"] is not None and r["peer_count"] >= 3]
    assert small and big, "the samples have groups of both sizes"
    assert all(r["intensity"] is not None for r in small), "the administrator sees every figure"
    for who in (w.ent, w.bank, w.official):
        r = who.get("/api/v1/benchmarks?year=2023")
        assert r.status_code == 200, r.json
        seen = {x["id"]: x for x in r.json}
        assert seen.keys() == {x["id"] for x in full}
        for row in small:
            got = seen[row["id"]]
            assert got["suppressed"] is True and got["peer_count"] is None, got
            assert all(got[k] is None for k in FIGURES), got
            assert {k: v for k, v in got.items() if k not in (*FIGURES, "peer_count", "suppressed")} == {
                k: v for k, v in row.items() if k not in (*FIGURES, "peer_count", "suppressed")
            }
        for row in big:
            assert seen[row["id"]] == row


# --- 8. the operator's CLI -------------------------------------------------------------------


def test_the_cli_acts_as_the_operator_and_its_reads_are_audited(w, db_url):
    runner = CliRunner()

    def carbon(*args: str):
        res = runner.invoke(cli, ["--db", db_url, *args], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        return res

    account = json.loads(carbon("account", w.A, "--year", "2023", "--json").stdout)
    assert account["emissions_tco2"] == w.admin.get(f"{E}/{w.A}/accounts/2023").json["emissions_tco2"]
    assert w.A in carbon("rate", w.A, "--year", "2023").stdout
    assert w.B in carbon("account", w.B, "--year", "2023").stdout

    log = w.ent.get(f"{E}/{w.A}/accesses").json
    cli_reads = [(e["action"], e["origin"]) for e in log if e["actor"].startswith("cli:")]
    assert sorted(a for a, _ in cli_reads) == ["read.account", "read.rating"], log
    assert all(o.startswith("cli@") for _, o in cli_reads)


def test_an_import_is_audited_with_the_status_it_ended_with(w):
    """Imported, then the same figures in other bytes (unchanged), then a rejected file:
    each audit entry says how that upload ended, not how it began."""
    from importers.template import write_template

    rows = [
        {"uscc": make_uscc("91330802MA2D0AUD1"), "name": "测试化工有限公司", "industry_code": "2614",
         "region_code": "330802", "month": f"2023-{m:02d}", "electricity": 100 + m, "value_added": 1000.0}
        for m in (1, 2, 3)
    ]  # fmt: skip
    statuses = []
    for data in (write_template(rows, lang="zh"), write_template(rows, lang="en"), b"not a workbook"):
        r = upload(w.admin, data)
        statuses.append(r.json["code"] if r.status_code >= 400 else r.json["status"])
    assert statuses == ["imported", "unchanged", "import_rejected"]
    log = [e for e in w.admin.get("/api/v1/audit?action=import").json if e["action"] == "import"]
    assert [e["details"]["status"] for e in log[-3:]] == ["imported", "unchanged", "rejected"]
