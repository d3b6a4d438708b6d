"""A provisional rating (暂评, a year to date) is shown as such everywhere it is shown
(DESIGN §9.4): the ratings list, the CLI, the monthly report (xlsx and PDF), the charts and
the open data.

Four enterprises report 2024-01 … 2024-03 only (provisional 2024 ratings), two report the
whole of 2024 (final ratings); everyone reports the whole of 2023. Runs on SQLite and
PostgreSQL (the ``client`` fixture).
"""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader

from api.cli import cli
from carbon.domain.identifiers import make_uscc
from importers.template import write_template
from reports.monthly import SHEETS


def uscc(region: str, n: int) -> str:
    return make_uscc(f"91{region}MA2P{n:05d}")


# (USCC, name, industry, county, scale of its figures)
ENTERPRISES = [
    (uscc("330802", 1), "柯城化工有限公司", "2614", "330802", 1.0),
    (uscc("330802", 2), "柯城水泥有限公司", "3011", "330802", 2.5),
    (uscc("330803", 3), "衢江热电有限公司", "4411", "330803", 6.0),
    (uscc("330803", 4), "衢江纺织有限公司", "1713", "330803", 0.4),
    (uscc("330822", 5), "常山造纸有限公司", "2221", "330822", 0.8),
    (uscc("330822", 6), "常山机械有限公司", "3411", "330822", 0.3),
]
PARTIAL = [e[0] for e in ENTERPRISES[:4]]  # 2024-01 … 2024-03 only
WHOLE = [e[0] for e in ENTERPRISES[4:]]  # all of 2024


def rows() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i, (code, name, industry, region, scale) in enumerate(ENTERPRISES):
        for year in (2023, 2024):
            months = range(1, 4) if year == 2024 and code in PARTIAL else range(1, 13)
            for m in months:
                s = scale * (1 + m / 30) * (0.95 if year == 2024 else 1.0)
                out.append(
                    {
                        "uscc": code,
                        "name": name,
                        "industry_code": industry,
                        "region_code": region,
                        "month": f"{year}-{m:02d}",
                        "electricity": 100 * s,
                        "bituminous_coal": 600 * s * (1 + i / 3),
                        "natural_gas": 10 * s,
                        "value_added": 1500 * (1 + i / 10),
                    }
                )
    return out


@pytest.fixture
def provisional(client):
    data = write_template(rows(), lang="zh")
    r = client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(data), "ytd.xlsx")}, content_type="multipart/form-data"
    )
    assert r.status_code == 201, r.json
    return client


def ratings(client, year: int) -> dict[str, dict]:
    r = client.get(f"/api/v1/ratings?year={year}&page_size=100")
    assert r.status_code == 200, r.json
    return {item["uscc"]: item for item in r.json}


def test_ratings_list_says_provisional_and_names_the_months(provisional):
    items = ratings(provisional, 2024)
    assert set(items) == {e[0] for e in ENTERPRISES}
    for code in PARTIAL:
        assert items[code]["provisional"] is True
        assert items[code]["months"] == [1, 2, 3]
        assert items[code]["status_label"] == "暂评"
    for code in WHOLE:
        assert items[code]["provisional"] is False
        assert items[code]["months"] == list(range(1, 13))
        assert items[code]["status_label"] is None
    assert not any(i["provisional"] for i in ratings(provisional, 2023).values())


def test_cli_rate_prints_provisional_with_its_months(provisional, app):
    url = app.extensions["carbon_db"].url
    out = CliRunner().invoke(cli, ["--db", url, "rate", PARTIAL[0], "--year", "2024"])
    assert out.exit_code == 0, out.output
    assert "暂评（1–3月）" in out.stdout
    assert "provisional (year to date, months 1–3)" in out.stdout
    final = CliRunner().invoke(cli, ["--db", url, "rate", WHOLE[0], "--year", "2024"])
    assert final.exit_code == 0, final.output
    assert "暂评" not in final.stdout and "provisional" not in final.stdout


def test_monthly_report_marks_provisional_ratings(provisional):
    r = provisional.get("/api/v1/reports/monthly?region=330800&month=2024-03&format=xlsx")
    assert r.status_code == 200, r.data[:300]
    wb = load_workbook(io.BytesIO(r.data))

    largest = wb[SHEETS[5]]
    header = [c.value for c in largest[2]]
    status = header.index("评价状态 / Rating status")
    code = header.index("统一社会信用代码 / USCC")
    by_uscc = {row[code].value: row for row in largest.iter_rows(min_row=3) if row[code].value}
    for c in PARTIAL:
        assert by_uscc[c][status].value == "暂评（1–3月） / provisional (year to date, months 1–3)"
    for c in WHOLE:
        assert by_uscc[c][status].value == "全年 / whole year"
    notes = [c.value for row in largest.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(n.startswith(f"本表中暂评 {len(PARTIAL)} 家") for n in notes)

    distribution = wb[SHEETS[3]]
    texts = [c.value for row in distribution.iter_rows() for c in row if isinstance(c.value, str)]
    assert "其中暂评 / Of which provisional (暂评)" in texts
    assert any(f"其中暂评 {len(PARTIAL)} 家（共6家；1–3月 {len(PARTIAL)} 家）" in t for t in texts)
    col = [c.value for c in distribution[2]].index("其中暂评 / Of which provisional (暂评)")
    assert sum(row[col].value or 0 for row in distribution.iter_rows(min_row=3, max_row=7)) == len(PARTIAL)

    summary = wb[SHEETS[0]]
    facts = {row[0].value: row[1].value for row in summary.iter_rows() if row[0].value}
    n = len(PARTIAL)
    fact = f"{n} / 6（1–3月 {n} 家） provisional, year to date (months 1–3: {n})"
    assert facts["暂评企业 / Provisional ratings (暂评)"] == fact

    pdf = provisional.get("/api/v1/reports/monthly?region=330800&month=2024-03&format=pdf")
    assert pdf.status_code == 200
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    text = "".join(p.extract_text() or "" for p in pages).replace("\x00", "").replace(" ", "")
    # the grade cells of the listed enterprises and the count (not the headers, which are
    # there whatever the ratings)
    assert "级暂评" in text, text[:2000]
    assert f"其中暂评{n}家" in text


@pytest.mark.parametrize("kind", ["grade-history", "intensity"])
def test_charts_mark_the_provisional_year(provisional, kind):
    def chart(code: str, lang: str) -> str:
        r = provisional.get(f"/api/v1/enterprises/{code}/charts/{kind}?format=svg&lang={lang}")
        assert r.status_code == 200, r.data[:300]
        return r.data.decode()

    zh = chart(PARTIAL[0], "zh")
    assert "暂评 1–3月" in zh  # the 2024 tick (SVG keeps each text as a comment)
    assert "暂评（浅色）：2024年（1–3月）" in zh
    en = chart(PARTIAL[0], "en")
    assert "provisional (year to date, months 1–3)" in en
    assert "暂评" not in en
    final = chart(WHOLE[0], "zh")
    assert "暂评" not in final


def test_open_data_counts_provisional_ratings(provisional):
    r = provisional.get("/api/v1/open-data/statistics?year=2024")
    assert r.status_code == 200, r.json
    doc = r.json
    city = next(g for g in doc["regions"] if g["level"] == "city")
    assert city["provisional"] == len(PARTIAL)
    assert sum(1 for e in doc["enterprises"] if e["provisional"]) == len(PARTIAL)
    wb = provisional.get("/api/v1/open-data/statistics?year=2024&format=xlsx")
    assert wb.status_code == 200
    book = load_workbook(io.BytesIO(wb.data))
    heads = [c.value for c in book.worksheets[0][1]]
    assert "其中暂评 Of which provisional" in heads
