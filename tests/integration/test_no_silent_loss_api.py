"""DESIGN §9.2 / §9.6 through the API and the CLI, on SQLite and PostgreSQL: energy the
service cannot read rejects the file at its cell, steam converts, a header-only file is
refused, exports beyond purchases warn, 205-1 feedstock and coefficients are stored, and a
carrier the year's factor set lacks is refused."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from return205_gen import write_205
from sqlalchemy import select

from carbon.domain.identifiers import make_uscc
from carbon.store.models import CalcRun, Enterprise, MonthlyInput, YearPolicy, utcnow
from importers.layout import TEMPLATE_HEADERS

IDENTITY_ZH = list(TEMPLATE_HEADERS["zh"][:5])  # 统一社会信用代码, 企业名称, 行业代码, 行政区划代码, 月份
CODE = make_uscc("91330802MA2NTL001")
ENT = {"uscc": CODE, "name": "衢州无遗漏测试有限公司", "industry_code": "2614", "region_code": "330802"}


def xlsx(*rows: list[object]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "data"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ident(month: str) -> list[object]:
    return [CODE, ENT["name"], "2614", "330802", month]


def upload(client, data: bytes, name: str = "x.xlsx"):
    return client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def stored(app) -> list[MonthlyInput]:
    with app.extensions["carbon_db"].read() as s:
        rows = s.scalars(
            select(MonthlyInput).join(Enterprise).where(Enterprise.uscc == CODE, MonthlyInput.is_current)
        ).all()
        for r in rows:
            s.expunge(r)
        return sorted(rows, key=lambda r: r.month)


def test_no_silent_loss_steam_without_enthalpy_is_422_at_its_cell(app, client):
    r = upload(client, xlsx([*IDENTITY_ZH, "电力(万千瓦时)", "蒸汽(吨)"], [*ident("2023-01"), 1.0, 12.5]))
    assert r.status_code == 422, r.json
    (e,) = r.json["errors"]
    assert (e["sheet"], e["row"], e["column"]) == ("data", 2, "G") and "焓值" in e["message"]
    assert stored(app) == []


def test_no_silent_loss_steam_with_enthalpy_and_lng_are_stored(app, client):
    header = [*IDENTITY_ZH, "热力(吉焦)", "蒸汽(吨)", "焓值(kJ/kg)", "液化天然气(吨)", "备注"]
    r = upload(client, xlsx(header, [*ident("2023-01"), 100.0, 12.5, 2800.0, 3.0, "新投产"]))
    assert r.status_code == 201, r.json
    assert [(w["row"], w["column"]) for w in r.json["warnings"]] == [(1, "J")]  # 备注 only
    (row,) = stored(app)
    assert row.heat == 100.0 + 12.5 * (2800.0 - 83.74) / 1000 and row.lng == 3.0
    assert row.originals["heat"].startswith("100 GJ + 蒸汽(吨) 12.5 t × (2800 − 83.74) kJ/kg")


def test_no_silent_loss_unknown_energy_column_is_422(app, client):
    r = upload(client, xlsx([*IDENTITY_ZH, "电力(万千瓦时)", "甲醇(吨)"], [*ident("2023-01"), 1.0, 5.0]))
    assert r.status_code == 422
    (e,) = r.json["errors"]
    assert (e["row"], e["column"]) == (2, "G") and "甲醇" in e["message"]


def test_no_silent_loss_header_only_file_is_422_and_cli_exit_1(app, client, db_url, tmp_path):
    data = xlsx([*IDENTITY_ZH, "电力(万千瓦时)"])
    r = upload(client, data)
    assert r.status_code == 422
    assert any("no data rows found" in e["message"] for e in r.json["errors"])
    from api.cli import cli

    path = tmp_path / "header-only.xlsx"
    path.write_bytes(data)
    csv_path = tmp_path / "header-only.csv"
    csv_path.write_text(",".join([*IDENTITY_ZH, "电力(万千瓦时)"]) + "\n", encoding="utf-8")
    for p in (path, csv_path):
        res = CliRunner().invoke(cli, ["--db", db_url, "import", str(p)], catch_exceptions=False)
        assert res.exit_code == 1, res.output


def test_no_silent_loss_exports_beyond_purchases_warn_at_the_cell(app, client):
    header = [*IDENTITY_ZH, "电力(万千瓦时)", "上网电量(万千瓦时)"]
    r = upload(client, xlsx(header, [*ident("2023-07"), 10.0, 12.0], [*ident("2023-08"), 10.0, 2.0]))
    assert r.status_code == 201, r.json
    (w,) = r.json["warnings"]
    assert (w["row"], w["column"]) == (2, "G") and "2023-07" in w["message"] and "上网电量" in w["message"]
    assert [row.electricity_exported for row in stored(app)] == [120.0, 20.0]


def test_no_silent_loss_205_feedstock_and_coefficients_are_stored_and_revised(app, client):
    monthly = {1: {"电力": 10.0, "液化天然气": 5.0}, 2: {"电力": 10.0, "液化天然气": 4.0}}
    r = upload(client, write_205(ENT, monthly, 2023, feedstock={1: {"液化天然气": 2.0}}), "205.xlsx")
    assert r.status_code == 201, r.json
    jan, feb = stored(app)
    assert (jan.lng, jan.feedstock, feb.lng, feb.feedstock) == (3.0, {"lng": 2.0}, 4.0, None)
    assert jan.tce_coefficients["electricity"] == pytest.approx(0.1229)
    # a corrected return with other feedstock in February is a change, with history kept
    again = write_205(ENT, monthly, 2023, feedstock={1: {"液化天然气": 2.0}, 2: {"液化天然气": 1.0}})
    r = upload(client, again, "205-v2.xlsx")
    assert r.status_code == 201, r.json
    assert r.json["rows_changed"] == 1 and r.json["rows_unchanged"] == 1
    jan2, feb2 = stored(app)
    assert (feb2.revision, feb2.lng, feb2.feedstock) == (2, 3.0, {"lng": 1.0}) and jan2.revision == 1


def test_no_silent_loss_205_energy_total_mismatch_warns(app, client):
    data = write_205(ENT, {1: {"电力": 10.0}}, 2023, cells={(1, "能源合计", "total"): 20.0})
    r = upload(client, data, "205.xlsx")
    assert r.status_code == 201, r.json
    (w,) = r.json["warnings"]
    assert w["column"] == "G" and "20" in w["message"] and "12.29" in w["message"]


def test_no_silent_loss_carrier_missing_from_the_years_factor_set_is_refused(app, client):
    with app.extensions["carbon_db"].unit_of_work() as s:
        run = CalcRun(reason="recalc", factor_set="cn-default@1", methodology="quzhou-3d@1", years=[2023],
                      created_at=utcnow())  # fmt: skip
        s.add(run)
        s.flush()
        s.add(YearPolicy(year=2023, factor_set="cn-default@1", methodology="quzhou-3d@1", calc_run_id=run.id))
    header = [*IDENTITY_ZH, "电力(万千瓦时)", "液化天然气(吨)"]
    r = upload(client, xlsx(header, [*ident("2023-01"), 1.0, 0.0], [*ident("2023-02"), 1.0, 3.0]))
    assert r.status_code == 422, r.json
    (e,) = r.json["errors"]
    assert (e["sheet"], e["row"], e["column"]) == ("data", 3, "G")
    assert "no emission factor for 液化天然气" in e["message"] and "cn-default@1" in e["message"]
    assert "因子集cn-default@1缺少液化天然气的排放因子" in e["message"]
    assert stored(app) == []
    # 2024 uses the default factor set, which has LNG
    r = upload(client, xlsx(header, [*ident("2024-01"), 1.0, 3.0]))
    assert r.status_code == 201, r.json


def test_no_silent_loss_a_feed_reading_of_a_carrier_without_a_factor_is_refused(app, client):
    """A utility's meter feed is held to the same rule as a workbook: LNG in a year whose
    factor set has no factor for it is refused (422), not stored to stop the year's job."""
    assert upload(client, xlsx([*IDENTITY_ZH, "电力(万千瓦时)"], [*ident("2023-01"), 1.0])).status_code == 201
    with app.extensions["carbon_db"].unit_of_work() as s:
        run = CalcRun(reason="recalc", factor_set="cn-default@1", methodology="quzhou-3d@1", years=[2023],
                      created_at=utcnow())  # fmt: skip
        s.add(run)
        s.flush()
        policy = s.get(YearPolicy, 2023)
        policy.factor_set, policy.methodology, policy.calc_run_id = "cn-default@1", "quzhou-3d@1", run.id
    reading = {"key": "lng-1", "uscc": CODE, "carrier": "lng", "period": "2023-01", "value": 2.5, "unit": "t"}
    r = client.post("/api/v1/feeds/readings?source=meter", json={"readings": [reading]})
    assert r.status_code == 422, r.json
    (e,) = r.json["errors"]
    assert e["column"] == "carrier" and "因子集cn-default@1缺少液化天然气的排放因子" in e["message"]
    assert [m.lng for m in stored(app)] == [None]  # nothing stored
    zero = {**reading, "key": "lng-0", "value": 0}
    assert client.post("/api/v1/feeds/readings?source=meter", json={"readings": [zero]}).status_code == 201
