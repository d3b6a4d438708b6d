"""Consent, audit and scoping (docs/access.md), continued from tests/integration/test_access.py:
an enterprise user's imports, jobs and meter feeds; an official's region; suppressed
benchmarks; the operator's CLI. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json

import pytest
from access_world import (
    ACCOUNT_PATHS,
    GHOST,
    RATING_PATHS,
    XLSX,
    E,
    as_user,
    assert_refused_like_a_missing_enterprise,
    grant,
    is_envelope,
    usccs,
    without_digits,
)
from access_world import w as w  # the fixture: imported so that pytest finds it here
from click.testing import CliRunner
from conftest import make_user
from openpyxl import load_workbook
from sqlalchemy import func, select

from api.cli import cli
from carbon.domain.identifiers import make_uscc
from carbon.services import usecases
from carbon.services.auth import SYSTEM
from carbon.services.benchmarks import FIGURES
from carbon.store.models import Enterprise, FeedReading, MonthlyInput
from importers.template import write_template

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
