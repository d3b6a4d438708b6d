"""An enterprise's own upload does not rewrite its identity (issue 12, item 3): a different
industry or region becomes a change request that an official of its region or an
administrator decides; history keeps every version; ratings keep the codes they were
computed with. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import make_user

from carbon.domain.identifiers import make_uscc
from importers.template import write_template

A = make_uscc("91330802MA2DENT01")  # the enterprise user's, county 330802
B = make_uscc("91330802MA2DENT02")  # another enterprise of the same county
C = make_uscc("91330803MA2DENT03")  # county 330803
YEAR = 2023
HEADER = "统一社会信用代码,企业名称,行业代码,行政区划代码,月份,电力(万千瓦时)"


@dataclass
class World:
    admin: Any
    clients: dict[str, Any]


def _rows(code: str, name: str, industry: str, region: str, scale: float) -> list[dict[str, Any]]:
    return [
        {
            "uscc": code, "name": name, "industry_code": industry, "region_code": region,
            "month": f"{YEAR}-{m:02d}", "electricity": 100.0 * scale, "value_added": 500.0,
        }
        for m in range(1, 13)
    ]  # fmt: skip


def _upload(client: Any, data: bytes, name: str) -> Any:
    return client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _client(app: Any, token: str) -> Any:
    c = app.test_client()
    c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return c


@pytest.fixture
def world(app, client) -> World:
    rows = [
        *_rows(A, "甲企业", "2614", "330802", 1.0),
        *_rows(B, "乙企业", "2614", "330802", 2.0),
        *_rows(C, "丙企业", "3011", "330803", 3.0),
    ]
    r = _upload(client, write_template(rows), "first.xlsx")
    assert r.status_code == 201, r.json
    users = {
        "ent_a": make_user(app, "ent-a", "enterprise", usccs=[A]),
        "ent_b": make_user(app, "ent-b", "enterprise", usccs=[B]),
        "off_kc": make_user(app, "off-kc", "official", region_code="330802"),
        "off_ks": make_user(app, "off-ks", "official", region_code="330822"),
        "off_js": make_user(app, "off-js", "official", region_code="330881"),  # the region asked for
        "bank": make_user(app, "bank", "bank", institution="某银行"),
    }
    return World(client, {k: _client(app, t) for k, t in users.items()})


def _attack(w: World) -> dict[str, Any]:
    """The enterprise's one-row CSV: its figures, with a new industry and a new region."""
    csv = f"{HEADER}\n{A},甲企业,3011,330881,{YEAR}-12,5\n"
    r = _upload(w.clients["ent_a"], csv.encode(), "one-row.csv")
    assert r.status_code == 201, r.json
    return r.json


def _pending(client: Any) -> list[dict[str, Any]]:
    r = client.get("/api/v1/identity-changes?status=pending")
    assert r.status_code == 200, r.json
    return r.json


def test_an_enterprise_upload_asks_instead_of_changing(world: World) -> None:
    before = world.admin.get(f"/api/v1/enterprises/{A}/ratings/{YEAR}").json
    assert (before["industry_code"], before["region_code"]) == ("2614", "330802")
    result = _attack(world)
    assert result["rows_changed"] == 1  # the figures imported as usual
    [warning] = [w for w in result["warnings"] if A in w["message"]]
    assert warning["sheet"] and warning["row"] == 2 and "行业代码" in warning["column"]
    assert "change request" in warning["message"] and "变更申请" in warning["message"]
    # the identity is unchanged: the county official still sees it, with its codes
    official = world.clients["off_kc"]
    e = official.get(f"/api/v1/enterprises/{A}")
    assert e.status_code == 200 and (e.json["industry_code"], e.json["region_code"]) == ("2614", "330802")
    rating = official.get(f"/api/v1/enterprises/{A}/ratings/{YEAR}").json
    assert (rating["industry_code"], rating["region_code"]) == ("2614", "330802")
    # the request: who, what, from which import and cell
    [req] = _pending(official)
    assert req["uscc"] == A and req["requested_by"] == "ent-a" and req["import_id"] == result["import_id"]
    assert req["old"] == {"name": "甲企业", "industry_code": "2614", "region_code": "330802"}
    assert req["new"] == {"industry_code": "3011", "region_code": "330881"}
    assert _pending(world.clients["ent_a"]) == [req]
    # the enterprise cannot approve its own request
    assert world.clients["ent_a"].post(f"/api/v1/identity-changes/{req['id']}/approve").status_code == 403
    history = world.admin.get(f"/api/v1/enterprises/{A}/identity-history").json
    assert [(v["industry_code"], v["region_code"]) for v in history] == [("2614", "330802")]


def test_the_county_official_approves_and_history_keeps_both(world: World) -> None:
    _attack(world)
    official = world.clients["off_kc"]
    [req] = _pending(official)
    old_rating = world.admin.get(f"/api/v1/enterprises/{A}/ratings/{YEAR}").json
    r = official.post(f"/api/v1/identity-changes/{req['id']}/approve")
    assert r.status_code == 200, r.json
    assert r.json["status"] == "approved" and r.json["decided_by"] == "off-kc"
    assert r.json["job"]["status"] == "done" and "grade_changes" not in r.json["job"]["result"]
    admin = world.admin
    e = admin.get(f"/api/v1/enterprises/{A}").json
    assert (e["industry_code"], e["division"], e["region_code"]) == ("3011", "30", "330881")
    history = admin.get(f"/api/v1/enterprises/{A}/identity-history").json
    assert [(v["industry_code"], v["region_code"], v["current"]) for v in history] == [
        ("2614", "330802", False),
        ("3011", "330881", True),
    ]
    assert history[1]["request_id"] == req["id"] and history[1]["changed_by"] == "off-kc"
    assert history[0]["valid_to"] == history[1]["valid_from"]
    # the recomputed rating has the new codes; the earlier one keeps those it was computed with
    revisions = admin.get(f"/api/v1/enterprises/{A}/ratings?all_revisions=true").json
    codes = {(x["rating_id"], x["industry_code"], x["region_code"], x["current"]) for x in revisions}
    assert (old_rating["rating_id"], "2614", "330802", False) in codes
    assert any(c[1:] == ("3011", "330881", True) for c in codes)
    # access follows the current region: the old county's official no longer sees it
    assert official.get(f"/api/v1/enterprises/{A}").status_code == 403
    assert official.post(f"/api/v1/identity-changes/{req['id']}/approve").status_code == 404
    audit = admin.get("/api/v1/audit?action=identity").json
    assert {"identity.request", "identity.approve", "identity.change"} <= {x["action"] for x in audit}


def test_a_rejected_request_leaves_the_identity(world: World) -> None:
    _attack(world)
    [req] = _pending(world.admin)
    official = world.clients["off_kc"]
    assert official.post(f"/api/v1/identity-changes/{req['id']}/reject", json={}).status_code == 422
    r = official.post(f"/api/v1/identity-changes/{req['id']}/reject", json={"reason": "未提供营业执照"})
    assert r.status_code == 200 and r.json["status"] == "rejected" and r.json["reason"] == "未提供营业执照"
    e = world.admin.get(f"/api/v1/enterprises/{A}").json
    assert (e["industry_code"], e["region_code"]) == ("2614", "330802")
    assert _pending(world.admin) == []
    assert official.post(f"/api/v1/identity-changes/{req['id']}/approve").status_code == 409
    own = world.clients["ent_a"].get("/api/v1/identity-changes").json
    assert [x["status"] for x in own] == ["rejected"]
    assert len(world.admin.get(f"/api/v1/enterprises/{A}/identity-history").json) == 1


def test_others_can_neither_see_nor_decide(world: World) -> None:
    _attack(world)
    [req] = _pending(world.admin)
    c = world.clients
    assert _pending(c["ent_b"]) == [] and _pending(c["off_ks"]) == []
    assert c["bank"].get("/api/v1/identity-changes").status_code == 403
    for who, status in (("ent_b", 403), ("bank", 403), ("off_ks", 404)):
        for act, body in (("approve", None), ("reject", {"reason": "x"})):
            r = c[who].post(f"/api/v1/identity-changes/{req['id']}/{act}", json=body)
            assert r.status_code == status, (who, act, r.json)
            assert A not in r.get_data(as_text=True)
    # an unknown request is the same 404 as one of another region
    missing = c["off_ks"].post("/api/v1/identity-changes/999999/approve")
    mine = c["off_ks"].post(f"/api/v1/identity-changes/{req['id']}/approve")
    assert (missing.status_code, missing.json["message"].replace("999999", "N")) == (
        mine.status_code,
        mine.json["message"].replace(str(req["id"]), "N"),
    )
    assert c["ent_b"].get(f"/api/v1/enterprises/{A}/identity-history").status_code == 403
    assert c["off_ks"].get(f"/api/v1/enterprises/{A}/identity-history").status_code == 403
    assert _pending(world.admin)[0]["status"] == "pending"


def test_the_region_asked_for_sees_the_request_but_only_the_home_region_decides(world: World) -> None:
    """The enterprise names the region it wants (330881): that region's official sees the
    request, but may not approve it, or the enterprise would choose its own approver."""
    req = _attack(world) and _pending(world.clients["off_js"])[0]
    assert req["uscc"] == A and req["new"]["region_code"] == "330881"
    for act, body in (("approve", None), ("reject", {"reason": "x"})):
        r = world.clients["off_js"].post(f"/api/v1/identity-changes/{req['id']}/{act}", json=body)
        assert r.status_code == 403 and r.json["code"] == "forbidden", r.json
    assert world.clients["off_kc"].post(f"/api/v1/identity-changes/{req['id']}/approve").status_code == 200


def test_the_operator_import_changes_identity_with_history(world: World, app) -> None:
    from carbon.services import usecases
    from carbon.services.auth import cli_principal

    db = app.extensions["carbon_db"]
    csv = f"{HEADER}\n{C},丙企业,2614,330802,{YEAR}-12,9\n"
    result = usecases.import_file(db, csv.encode(), "operator.csv", by=cli_principal("cli:tester"))
    assert result.status == "imported"
    [warning] = [w for w in result.warnings if C in w.message]
    assert "updated" in warning.message and "已按文件更新" in warning.message
    e = world.admin.get(f"/api/v1/enterprises/{C}").json
    assert (e["industry_code"], e["region_code"]) == ("2614", "330802")
    history = world.admin.get(f"/api/v1/enterprises/{C}/identity-history").json
    assert [(v["industry_code"], v["region_code"]) for v in history] == [
        ("3011", "330803"),
        ("2614", "330802"),
    ]
    assert history[1]["changed_by"] == "cli:tester" and history[1]["import_id"] == result.import_id
    assert _pending(world.admin) == []
    # now in 330802: the county official sees it, its current rating was computed there
    rating = world.clients["off_kc"].get(f"/api/v1/enterprises/{C}/ratings/{YEAR}").json
    assert (rating["industry_code"], rating["region_code"]) == ("2614", "330802")
