"""The officials' monthly report end to end: import, report, check against the accounts.

Runs on SQLite and PostgreSQL (the ``db`` fixture).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from api.cli import cli
from carbon.domain.errors import InvalidValue, NotFound
from carbon.domain.identifiers import Period, make_uscc
from carbon.services import usecases
from carbon.services.auth import SYSTEM
from carbon.services.monthly import file_names, report_data
from carbon.store.models import Enterprise, RatingRow
from importers.template import write_template
from reports.monthly import SHEETS


def uscc(region: str, n: int) -> str:
    return make_uscc(f"91{region}MA2C{n:05d}")


# (USCC, name, industry, county, {month: fields in template units})
A = uscc("330802", 1)  # Kecheng, chemicals, both years
B = uscc("330802", 2)  # Kecheng, cement, both years
C = uscc("330803", 3)  # Qujiang, very carbon-intensive, this year only
D = uscc("330822", 4)  # Changshan, no data for June
E = uscc("330881", 5)  # Jiangshan, June without value added


def month_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def add(code: str, name: str, industry: str, region: str, month: str, **fields: object) -> None:
        rows.append(
            {
                "uscc": code,
                "name": name,
                "industry_code": industry,
                "region_code": region,
                "month": month,
                **fields,
            }
        )

    for year, scale in ((2022, 0.9), (2023, 1.0)):
        for m in range(1, 7):
            month = f"{year}-{m:02d}"
            s = scale * (1 + m / 20)
            add(
                A,
                "柯城化工有限公司",
                "2614",
                "330802",
                month,
                electricity=120 * s,
                bituminous_coal=800 * s,
                natural_gas=15 * s,
                value_added=2600 * s,
            )
            add(B, "=柯城水泥股份公司", "3011", "330802", month,
                electricity=300 * s, bituminous_coal=2500 * s, process_co2=4000 * s, heat=900 * s,
                value_added=1900 * s)  # fmt: skip
            if year == 2023:
                add(
                    C,
                    "衢江热电有限公司",
                    "4411",
                    "330803",
                    month,
                    bituminous_coal=9000 * s,
                    diesel=20 * s,
                    value_added=500 * s,
                )
                if m < 6:
                    add(
                        D,
                        "常山纺织有限公司",
                        "1713",
                        "330822",
                        month,
                        electricity=80 * s,
                        value_added=900 * s,
                    )
                add(E, "江山造纸有限公司", "2221", "330881", month, electricity=60 * s, natural_gas=30 * s,
                    **({} if m == 6 else {"value_added": 700 * s}))  # fmt: skip
    return rows


@pytest.fixture
def loaded(db):
    res = usecases.import_file(db, write_template(month_rows(), lang="zh"), "x.xlsx", by=SYSTEM)
    assert res.status == "imported", [e.as_dict() for e in res.errors[:5]]
    return db


def account_total(db, code: str, period: str) -> float | None:
    try:
        return usecases.account(db, code, int(period[:4]), period, by=SYSTEM)["emissions_tco2"]["total"]
    except NotFound:
        return None


def expected(db, codes: list[str], year: int) -> dict[str, float]:
    """Month and year-to-date totals from the enterprises' monthly accounts."""
    month = sum(t for c in codes if (t := account_total(db, c, f"{year}-06")) is not None)
    ytd = sum(
        t for c in codes for m in range(1, 7) if (t := account_total(db, c, f"{year}-{m:02d}")) is not None
    )
    return {"month": month, "ytd": ytd}


def test_city_report_totals_match_the_accounts_and_files_are_written(loaded, tmp_path):
    db = loaded
    res = usecases.monthly_report(db, "330800", "2023-06", tmp_path / "out", by=SYSTEM)

    xlsx_name, pdf_name = file_names("330800", "2023-06")
    assert res["files"] == [str(tmp_path / "out" / xlsx_name), str(tmp_path / "out" / pdf_name)]
    assert all(Path(f).stat().st_size > 0 for f in res["files"])
    assert not list((tmp_path / "out").glob(".*.tmp"))

    everyone = [A, B, C, D, E]
    now, before = expected(db, everyone, 2023), expected(db, everyone, 2022)
    assert res["enterprises"] == 4  # D has no June data
    assert res["enterprises_known"] == 5
    assert res["total_tco2"] == pytest.approx(now["month"], rel=1e-9)
    assert res["ytd_tco2"] == pytest.approx(now["ytd"], rel=1e-9)
    assert res["yoy_pct"]["month"] == pytest.approx(round((now["month"] / before["month"] - 1) * 100, 2))
    assert res["yoy_pct"]["ytd"] == pytest.approx(round((now["ytd"] / before["ytd"] - 1) * 100, 2))
    assert res["rating_year"] == 2023
    assert res["factor_set"] == {"id": "cn-default", "version": 2}

    wb = load_workbook(tmp_path / "out" / xlsx_name)
    assert wb.sheetnames == list(SHEETS)
    summary = wb[SHEETS[0]]
    assert summary["C3"].value == pytest.approx(now["month"], rel=1e-9)
    assert summary["D3"].value == pytest.approx(before["month"], rel=1e-9)
    assert summary["E3"].value == pytest.approx(now["month"] / before["month"] - 1, rel=1e-9)
    assert summary["F3"].value == pytest.approx(now["ytd"], rel=1e-9)

    counties = {r[0].value: r for r in wb[SHEETS[2]].iter_rows(min_row=3) if r[0].value}
    assert set(counties) == {"330802", "330803", "330822", "330881"}
    kecheng = expected(db, [A, B], 2023)
    assert counties["330802"][4].value == pytest.approx(kecheng["month"], rel=1e-9)
    assert counties["330822"][3].value == 0  # known, but no June data

    quality = wb[SHEETS[6]]
    texts = [c.value for row in quality.iter_rows() for c in row if isinstance(c.value, str)]
    assert D in texts and E in texts  # missing June, missing value added

    # The enterprise name that starts with '=' is text in every sheet, never a formula.
    names = [
        c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == "=柯城水泥股份公司"
    ]
    assert names and all(c.data_type == "s" for c in names)

    reader = PdfReader(tmp_path / "out" / pdf_name)
    assert len(reader.pages) >= 3
    text = "".join((p.extract_text() or "") for p in reader.pages).replace("\x00", "").replace(" ", "")
    assert "衢州市工业碳账户月报" in text
    assert f"{now['month']:,.2f}" in text


def test_county_scope_and_previous_year(loaded, tmp_path):
    db = loaded
    kecheng = usecases.monthly_report(db, "330802", "2023-06", tmp_path, by=SYSTEM)
    now, before = expected(db, [A, B], 2023), expected(db, [A, B], 2022)
    assert kecheng["enterprises"] == kecheng["enterprises_known"] == 2
    assert kecheng["total_tco2"] == pytest.approx(now["month"], rel=1e-9)
    assert kecheng["yoy_pct"]["ytd"] == pytest.approx(round((now["ytd"] / before["ytd"] - 1) * 100, 2))
    wb = load_workbook(Path(kecheng["files"][0]))
    ids = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert A in ids and B in ids and C not in ids  # Qujiang's enterprise is outside 330802

    qujiang = usecases.monthly_report(db, "330803", "2023-06", tmp_path, by=SYSTEM)
    assert qujiang["enterprises"] == 1
    assert qujiang["total_tco2"] == pytest.approx(account_total(db, C, "2023-06"), rel=1e-9)
    assert qujiang["yoy_pct"] == {"month": None, "ytd": None}  # nothing to compare with

    # A 2022 report: the same month of 2021 has no data, its ratings are 2022's.
    old = usecases.monthly_report(db, "330800", "2022-06", tmp_path, by=SYSTEM)
    assert old["total_tco2"] == pytest.approx(expected(db, [A, B], 2022)["month"], rel=1e-9)
    assert old["rating_year"] == 2022


def test_red_list_matches_the_ratings(loaded, tmp_path):
    db = loaded
    with db.read() as session:
        reds = session.execute(
            select(Enterprise.uscc, RatingRow.emissions)
            .join(RatingRow, RatingRow.enterprise_id == Enterprise.id)
            .where(RatingRow.is_current.is_(True), RatingRow.year == 2023, RatingRow.colour == "red")
        ).all()
        data = report_data(session, "330800", Period(2023, 6))
    assert reds, "the fixture is built to have a red-rated enterprise (C)"
    expected_order = [u for u, _ in sorted(reds, key=lambda r: (-r.emissions, r.uscc))]
    assert [x["uscc"] for x in data["high_carbon"]] == expected_order
    assert all(x["colour"] == "red" for x in data["high_carbon"])
    assert data["ratings"]["colours"]["red"] == len(reds)
    assert (
        sum(data["ratings"]["colours"].values()) + data["ratings"]["not_rated"]
        == data["ratings"]["enterprises"]
    )
    # largest emitters: ordered by year-to-date emissions, at most 20
    ytd = [x["ytd_tco2"] for x in data["largest"]]
    assert ytd == sorted(ytd, reverse=True) and data["largest"][0]["uscc"] == C


def test_rating_year_falls_back_to_the_latest_rated_year(loaded, tmp_path):
    db = loaded
    with db.unit_of_work() as session:  # as if 2023 had not been rated yet
        session.execute(RatingRow.__table__.update().where(RatingRow.year == 2023).values(is_current=False))
    res = usecases.monthly_report(db, "330800", "2023-06", tmp_path, by=SYSTEM)
    assert res["rating_year"] == 2022
    wb = load_workbook(Path(res["files"][0]))
    assert "2022" in wb[SHEETS[3]]["A1"].value


def test_bad_input_and_empty_scope(loaded, tmp_path):
    db = loaded
    out = tmp_path / "out"
    for region, month in (
        ("33080", "2023-06"),
        ("abcdef", "2023-06"),
        ("330800", "2023-13"),
        ("330800", "2023/06"),
    ):
        with pytest.raises(InvalidValue) as err:
            usecases.monthly_report(db, region, month, out, by=SYSTEM)
        assert "/" in err.value.message  # bilingual
    with pytest.raises(NotFound) as err:
        usecases.monthly_report(db, "330825", "2023-06", out, by=SYSTEM)  # Longyou: no enterprise
    assert "330825" in err.value.message
    with pytest.raises(NotFound):
        usecases.monthly_report(db, "330800", "2021-06", out, by=SYSTEM)  # no data that month
    assert not out.exists()  # nothing written for a rejected report


def test_cli_report_monthly(loaded, tmp_path):
    db = loaded
    runner = CliRunner()
    args = ["--db", db.url, "report", "monthly", "--month", "2023-06", "--out", str(tmp_path), "--json"]
    ok = runner.invoke(cli, [*args[:4], "--region", "330800", *args[4:]])
    assert ok.exit_code == 0, ok.output
    doc = json.loads(ok.stdout)
    assert doc["region"] == "330800" and doc["month"] == "2023-06"
    assert [Path(f).name for f in doc["files"]] == list(file_names("330800", "2023-06"))
    assert all(Path(f).is_file() for f in doc["files"])
    assert isinstance(doc["total_tco2"], float)

    bad = runner.invoke(cli, [*args[:4], "--region", "3308", *args[4:]])
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["error"]["code"] == "invalid_value"
    empty = runner.invoke(cli, [*args[:4], "--region", "330825", *args[4:]])
    assert empty.exit_code == 1
    assert json.loads(empty.stdout)["error"]["code"] == "not_found"

    human = runner.invoke(cli, [*args[:4], "--region", "330802", *args[4:6], "--out", str(tmp_path / "h")])
    assert human.exit_code == 0, human.output
    assert str(tmp_path / "h" / file_names("330802", "2023-06")[1]) in human.stdout


def test_report_data_is_plain_json(loaded):
    with loaded.read() as session:
        data = report_data(session, "330800", Period(2023, 6))
    assert json.loads(json.dumps(data, allow_nan=False)) == data


def test_one_format_asked_is_the_only_one_rendered(loaded, monkeypatch):
    """A download renders the format asked for and nothing else: no second file, no folder."""
    import reports.monthly_pdf
    import reports.monthly_xlsx

    def never(_data):
        raise AssertionError("the other format was rendered")

    monkeypatch.setattr(reports.monthly_pdf, "render_monthly_pdf", never)
    data, name = usecases.monthly_report_file(loaded, "330800", "2023-06", "xlsx", by=SYSTEM)
    assert name == file_names("330800", "2023-06")[0] and data[:2] == b"PK"
    monkeypatch.undo()
    monkeypatch.setattr(reports.monthly_xlsx, "render_monthly_xlsx", never)
    data, name = usecases.monthly_report_file(loaded, "330800", "2023-06", "pdf", by=SYSTEM)
    assert name == file_names("330800", "2023-06")[1] and data[:5] == b"%PDF-"
