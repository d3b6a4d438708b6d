"""Real workbooks through the API, on SQLite and PostgreSQL: a 205-1 statistical return and
a months-as-columns ledger import, and every stored figure is traced to its own cell."""

from __future__ import annotations

import io

import pytest
from return205_gen import write_205
from sqlalchemy import func, select

from carbon.domain.identifiers import make_uscc
from carbon.store.models import MonthlyInput

CODE = make_uscc("91330802MA2TEXT20")
ENT = {"uscc": CODE, "name": "衢州测试化工有限公司", "industry_code": "2614", "region_code": "330802"}


def upload(client, data: bytes, name: str, dry_run: bool = False):
    url = "/api/v1/imports" + ("?dry_run=true" if dry_run else "")
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def count(app) -> int:
    with app.extensions["carbon_db"].read() as s:
        return s.scalar(select(func.count()).select_from(MonthlyInput))


def test_205_1_return_is_differenced_into_months_and_traced(app, client):
    monthly = {
        1: {"电力": 10.0, "天然气": 2.0, "柴油": 1.0},
        2: {"电力": 12.5, "天然气": 2.5, "柴油": 0.0},
        3: {"电力": 11.0, "天然气": 3.0, "柴油": 2.0},
    }
    data = write_205(ENT, monthly, 2023)
    r = upload(client, data, "205-1.xlsx")
    assert r.status_code == 201, r.json
    assert r.json["rows_accepted"] == 3 and r.json["enterprises"] == [CODE]
    march = client.get(f"/api/v1/enterprises/{CODE}/accounts/2023?month=2023-03").json
    cells = march["sources"][0]["cells"]
    # 11 万千瓦时 = 110 MWh in March, read as (1-3月 cumulative) − (1-2月 cumulative)
    assert cells["electricity"]["canonical"] == pytest.approx(110.0)
    assert cells["natural_gas"]["canonical"] == pytest.approx(3.0)
    assert march["sources"][0]["sheet"] == "2023年3月"
    # the cell is the electricity row's 消费量合计 on the March sheet, not the record's row
    assert cells["electricity"]["cell"] != cells["natural_gas"]["cell"]
    assert cells["electricity"]["cell"][0] == cells["natural_gas"]["cell"][0]


def test_205_1_return_that_goes_down_is_refused_whole(app, client):
    monthly = {1: {"电力": 10.0}, 2: {"电力": 12.5}}
    # February's cumulative electricity written smaller than January's
    data = write_205(ENT, monthly, 2023, cells={(2, "电力", "total"): 5.0})
    r = upload(client, data, "205-1.xlsx")
    assert r.status_code == 422
    (e,) = [e for e in r.json["errors"] if "累计" in e["message"]]
    assert e["sheet"] == "2023年2月" and e["row"] and e["column"]
    assert count(app) == 0


LEDGER = [
    ["衢州测试化工有限公司2023年能源消费台账"],
    [f"企业名称：衢州测试化工有限公司    统一社会信用代码：{CODE}"],
    ["行业代码：2614", None, "行政区划代码：330802"],
    ["项目", "计量单位", *[f"{m}月" for m in range(1, 7)], "合计"],
    ["电力", "万千瓦时", 10.0, 12.5, 11.0, 9.0, 8.0, 7.5, 60.0],  # the months sum to 58
    ["工业增加值", "万元", 500.0, 520.0, 510.0, 490.0, 480.0, 470.0, 2970.0],
]


def _ledger() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    for row in LEDGER:
        ws.append(row)
    ws.merge_cells("A1:I1")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_ledger_imports_with_each_figure_traced_to_its_month_cell(app, client):
    dry = upload(client, _ledger(), "台账.xlsx", dry_run=True)
    assert dry.status_code == 200 and dry.json["rows_added"] == 6
    assert count(app) == 0
    r = upload(client, _ledger(), "台账.xlsx")
    assert r.status_code == 201 and r.json["rows_accepted"] == 6
    (w,) = r.json["warnings"]  # the 合计 column is wrong: a warning, the months are imported
    assert (w["row"], w["column"]) == (5, "I") and "58" in w["message"]
    march = client.get(f"/api/v1/enterprises/{CODE}/accounts/2023?month=2023-03").json
    cells = march["sources"][0]["cells"]
    assert cells["electricity"]["cell"] == "E5" and cells["electricity"]["as_written"] == 11.0
    assert cells["value_added"]["cell"] == "E6"


@pytest.mark.parametrize("layout_name", ["register_layout", "ledger_layout"])
def test_a_messy_workbook_of_stored_figures_changes_nothing(app, client, layout_name):
    """The same figures in a messy layout, uploaded after the clean template, are all left
    alone: the database holds exactly what the template gave."""
    import random

    import messy_layouts

    from importers.template import write_template
    from sample_inputs.generate import generate

    enterprises, all_rows = generate()
    chosen = {e.uscc for e in enterprises[:4]}
    rows = [r for r in all_rows if r["uscc"] in chosen]
    assert upload(client, write_template(rows), "clean.xlsx").status_code == 201
    stored = count(app)
    data, description = getattr(messy_layouts, layout_name)(rows, random.Random(5))
    r = upload(client, data, "messy.xlsx")
    assert r.status_code == 200, (description, r.json)
    assert r.json["status"] == "unchanged", description
    assert r.json["rows_unchanged"] == len(rows) and r.json["rows_changed"] == 0, description
    assert count(app) == stored
