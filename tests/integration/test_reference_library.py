"""Factor sets and methodologies as published versions; recalculation with a chosen
version; the audit log. On SQLite and PostgreSQL (issue 5, "done when")."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DatabaseError

from api.cli import cli
from carbon.services.reference import factor_set_documents
from carbon.store.models import AccountRow, AuditEntry, RatingRow

USCC = None  # set by the fixture: an enterprise of the loaded sample data


def cn_default_v3(grid_2023: float = 0.60) -> dict:
    doc = copy.deepcopy(factor_set_documents()["cn-default@2"])
    doc["version"] = 3
    doc["published"] = "2026-11-23"
    doc["grid"]["2023"] = {
        "value": grid_2023,
        "unit": "tCO2/MWh",
        "source": {"document": "a republished 2023 national grid factor (test)", "published": "2026-11-01"},
    }
    return doc


def publish(client, doc, path="factor-sets"):
    return client.post(f"/api/v1/{path}", data=json.dumps(doc), content_type="application/json")


def current_account(app, year=2023):
    with app.extensions["carbon_db"].read() as s:
        rows = s.execute(
            select(AccountRow.factor_set, func.count(), func.sum(AccountRow.total))
            .where(AccountRow.year == year, AccountRow.is_current.is_(True))
            .group_by(AccountRow.factor_set)
        ).all()
    return {fs: (n, total) for fs, n, total in rows}


def test_a_new_grid_factor_changes_results_only_after_an_explicit_recalculation(app, loaded, admin):
    before = current_account(app)
    assert list(before) == ["cn-default@2"]

    r = publish(loaded, cn_default_v3())
    assert r.status_code == 201, r.json
    assert r.json["ref"] == "cn-default@3" and r.json["origin"] == "admin"
    # publishing changes no stored result
    assert current_account(app) == before

    dry = loaded.post("/api/v1/recalculations", json={"years": [2023], "factor_set": "cn-default@3"})
    assert dry.status_code == 200, dry.json
    assert dry.json["status"] == "dry_run" and dry.json["factor_sets"] == {"2023": "cn-default@3"}
    assert dry.json["changes_total"] > 0
    change = dry.json["changes"][0]
    assert change["new"]["total"] > change["old"]["total"]  # 0.60 > 0.5306 tCO2/MWh
    assert {"total", "intensity", "grade", "colour"} <= change["new"].keys() & change["old"].keys()
    assert current_account(app) == before  # a dry run stores nothing

    run = loaded.post(
        "/api/v1/recalculations",
        json={
            "years": [2023],
            "factor_set": "cn-default@3",
            "dry_run": False,
            "note": "grid factor republished",
        },
    )
    assert run.status_code == 200 and run.json["status"] == "done"
    after = current_account(app)
    assert list(after) == ["cn-default@3"]
    assert after["cn-default@3"][0] == before["cn-default@2"][0]
    assert after["cn-default@3"][1] > before["cn-default@2"][1]

    # the old results stay readable, and everything names its versions
    with app.extensions["carbon_db"].read() as s:
        old = s.scalar(
            select(func.count())
            .select_from(AccountRow)
            .where(
                AccountRow.factor_set == "cn-default@2",
                AccountRow.year == 2023,
                AccountRow.is_current.is_(False),
            )
        )
        assert old == before["cn-default@2"][0]
        assert (
            s.scalar(select(func.count()).select_from(RatingRow).where(RatingRow.is_current.is_(False))) > 0
        )
        uscc = s.scalar(select(func.min(RatingRow.enterprise_id)))
    assert uscc is not None
    enterprise = loaded.get("/api/v1/enterprises?page_size=1").json[0]["uscc"]
    account = loaded.get(f"/api/v1/enterprises/{enterprise}/accounts/2023").json
    assert account["factor_set"]["id"] == "cn-default" and account["factor_set"]["version"] == 3
    history = loaded.get(f"/api/v1/enterprises/{enterprise}/ratings?all_revisions=true").json
    assert {(h["year"], h["factor_set"]["version"]) for h in history if h["year"] == 2023} >= {
        (2023, 2),
        (2023, 3),
    }

    log = [e for e in loaded.get("/api/v1/audit").json if e["action"].startswith(("factor_set.", "recalc."))]
    assert [e["action"] for e in log] == ["factor_set.publish", "recalc.run"]
    assert log[0]["subject"] == "cn-default@3" and log[1]["details"]["note"] == "grid factor republished"
    assert log[1]["details"]["factor_sets"] == {"2023": "cn-default@3"}
    assert log[0]["actor"] == log[1]["actor"] == "operator"


def test_published_versions_never_change_and_bad_documents_are_refused(admin):
    client = admin
    doc = cn_default_v3()
    assert publish(client, doc).status_code == 201
    assert publish(client, doc).json["status"] == "unchanged"  # the same document again
    other = cn_default_v3(0.61)
    r = publish(client, other)
    assert r.status_code == 409 and "version 4" in r.json["message"]
    # a factor in the wrong unit, out of range, or a key given twice
    bad_unit = cn_default_v3()
    bad_unit["version"] = 4
    bad_unit["grid"]["2023"]["unit"] = "kgCO2/kWh"
    assert publish(client, bad_unit).status_code == 422
    grams = cn_default_v3(530.6)  # gCO2/kWh typed as tCO2/MWh
    grams["version"] = 4
    r = publish(client, grams)
    assert r.status_code == 422 and "outside" in r.json["message"]
    text = json.dumps(cn_default_v3()).replace('"version": 3', '"version": 4, "version": 5')
    r = client.post("/api/v1/factor-sets", data=text, content_type="application/json")
    assert r.status_code == 422 and "twice" in r.json["message"]
    r = client.post("/api/v1/factor-sets", data=b"{not json", content_type="application/json")
    assert r.status_code == 422 and "JSON" in r.json["message"]
    listed = {d["ref"]: d for d in client.get("/api/v1/factor-sets").json}
    assert {"cn-default@2", "cn-default@3", "cn-east-grid@1", "zhejiang-grid@1", "cn-ets-grid@1"} <= set(
        listed
    )
    assert listed["zhejiang-grid@1"]["grid"]["2023"]["value"] == 0.4974
    assert "cn-default@4" not in listed


def test_retired_versions_stay_readable_but_make_no_new_results(loaded, admin):
    r = loaded.post("/api/v1/factor-sets/cn-default@2/retire", json={"reason": "superseded"})
    assert r.status_code == 409  # the current results of 2022 and 2023 use it
    r = loaded.post("/api/v1/factor-sets/zhejiang-grid@1/retire", json={"reason": "not for this city"})
    assert r.status_code == 200 and r.json["retired_reason"] == "not for this city"
    assert loaded.get("/api/v1/factor-sets/zhejiang-grid@1").json["document"]["id"] == "zhejiang-grid"
    r = loaded.post("/api/v1/recalculations", json={"years": [2023], "factor_set": "zhejiang-grid@1"})
    assert r.status_code == 422 and "retired" in r.json["message"]
    r = loaded.post("/api/v1/recalculations", json={"years": [2023], "factor_set": "nope@1"})
    assert r.status_code == 404
    assert [e["action"] for e in loaded.get("/api/v1/audit?action=factor_set").json] == ["factor_set.retire"]


def test_a_year_without_its_own_grid_factor_is_flagged_as_a_proxy(loaded, admin):
    r = loaded.post(
        "/api/v1/recalculations", json={"years": [2023], "factor_set": "cn-ets-grid@1", "dry_run": False}
    )
    assert r.status_code == 200
    enterprise = loaded.get("/api/v1/enterprises?page_size=1").json[0]["uscc"]
    account = loaded.get(f"/api/v1/enterprises/{enterprise}/accounts/2023").json
    assert account["factor_proxy"] is True
    assert account["grid_factor"]["value"] == 0.5703 and account["grid_factor"]["year"] == 2022
    assert account["grid_factor"]["source_published"] == "2023-02-07"


def test_the_audit_log_is_append_only_in_the_database(app, loaded, admin):
    assert publish(loaded, cn_default_v3()).status_code == 201
    db = app.extensions["carbon_db"]
    for statement in (update(AuditEntry).values(actor="someone else"), delete(AuditEntry)):
        with pytest.raises(DatabaseError, match="append-only"):
            with db.unit_of_work() as s:
                s.execute(statement)
    with db.read() as s:
        assert s.scalar(select(AuditEntry.actor).order_by(AuditEntry.id.desc()).limit(1)) == "operator"


def test_cli_publishes_lists_retires_recalculates_and_shows_the_audit_log(db_url, tmp_path, sample_files):
    runner = CliRunner()

    def carbon(*args):
        result = runner.invoke(cli, ["--db", db_url, *args], obj=None, catch_exceptions=False)
        return result.exit_code, result.output

    code, _ = carbon("import", str(sample_files[0]))
    assert code == 0
    path = tmp_path / "cn-default-2.json"
    path.write_text(json.dumps(cn_default_v3(), ensure_ascii=False), encoding="utf-8")
    code, out = carbon("factor-sets", "publish", str(path))
    assert code == 0 and "cn-default@3: published" in out
    code, out = carbon("factor-sets", "list")
    assert "cn-default@3" in out and "admin" in out
    code, out = carbon("recalc", "--year", "2023", "--factor-set", "cn-default@3", "--dry-run")
    assert code == 0 and "dry run: would write" in out and "intensity" in out and "→" in out
    code, out = carbon(
        "recalc", "--year", "2023", "--factor-set", "cn-default@3", "--note", "republished", "--json"
    )
    assert code == 0 and json.loads(out)["status"] == "done"
    code, out = carbon("factor-sets", "retire", "cn-east-grid@1", "--reason", "unused")
    assert code == 0 and "retired" in out
    code, out = carbon("audit", "--json")
    changes = [e for e in json.loads(out) if e["action"].split(".")[0] in ("factor_set", "recalc")]
    actions = [(e["action"], e["actor"].split(":")[0]) for e in changes]
    assert actions == [("factor_set.publish", "cli"), ("recalc.run", "cli"), ("factor_set.retire", "cli")]
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x", "version": 1}', encoding="utf-8")
    code, out = carbon("factor-sets", "publish", str(bad))
    assert code == 1


def test_a_new_methodology_version_rates_only_after_recalculation(app, loaded, admin):
    from carbon.services.reference import methodology_documents

    doc = copy.deepcopy(methodology_documents()["quzhou-3d@2"])
    doc["version"] = 3
    doc["carbon_efficiency"]["grade_upper_bounds"] = [0.5, 0.7, 1.1, 1.9]  # stricter grades
    r = publish(loaded, doc, "methodologies")
    assert r.status_code == 201 and r.json["ref"] == "quzhou-3d@3"
    enterprise = loaded.get("/api/v1/enterprises?page_size=1").json[0]["uscc"]
    before = loaded.get(f"/api/v1/enterprises/{enterprise}/ratings/2023").json
    assert before["methodology"]["version"] == 2
    dry = loaded.post("/api/v1/recalculations", json={"years": [2023], "methodology": "quzhou-3d@3"}).json
    assert dry["methodologies"] == {"2023": "quzhou-3d@3"}
    run = loaded.post(
        "/api/v1/recalculations", json={"years": [2023], "methodology": "quzhou-3d@3", "dry_run": False}
    )
    assert run.status_code == 200 and run.json["ratings_written"] >= dry["ratings_written"] > 0
    after = loaded.get(f"/api/v1/enterprises/{enterprise}/ratings/2023").json
    assert after["methodology"]["version"] == 3
    assert after["carbon_efficiency"]["ratio"] == pytest.approx(before["carbon_efficiency"]["ratio"])
    # the explanation names the thresholds it used
    assert after["explanation"]["methodology"] == {
        "id": "quzhou-3d",
        "version": 3,
        "doc": "docs/methodology.md",
    }
    broken = copy.deepcopy(doc)
    broken["version"] = 4
    broken["three_dimensional"]["dimensions"]["industry_advanced"]["weight"] = "0.4"
    assert publish(loaded, broken, "methodologies").status_code == 422


def test_refs_and_text_the_database_cannot_hold_are_422(loaded, admin):
    # found by schemathesis: a NUL in a ref, a document, a retirement reason or the audit log's
    # action, and a version past PostgreSQL's integer, were 500s; "²" passed str.isdigit()
    for ref in ("cn-default%00x@1", "cn-default@99999999999", "cn-default@²", "浙江@1"):
        r = loaded.get(f"/api/v1/factor-sets/{ref}")
        assert r.status_code == 422 and "ID@VERSION" in r.json["message"] and "版本号" in r.json["message"]
    doc = cn_default_v3()
    doc["title"] = "grid\x00"
    r = publish(loaded, doc)
    assert r.status_code == 422 and "NUL" in r.json["message"], r.json
    doc = cn_default_v3()
    doc["version"] = 2**31
    assert publish(loaded, doc).status_code == 422
    r = loaded.post("/api/v1/factor-sets/zhejiang-grid@1/retire", json={"reason": "gone\x00"})
    assert r.status_code == 422 and "NUL" in r.json["message"], r.json
    r = loaded.get("/api/v1/audit?action=factor%00")
    assert r.status_code == 422 and "NUL" in r.json["message"], r.json
    assert "cn-default@3" not in {f["ref"] for f in loaded.get("/api/v1/factor-sets").json}
