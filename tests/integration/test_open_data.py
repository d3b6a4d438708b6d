"""Open data and desensitisation (数据脱敏): masking, suppression, the statistics of a year
against sums computed here from the account rows, no enterprise's USCC or name in any file,
anonymous API access, and ``carbon open-data``. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from itertools import combinations
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import and_, select

from api.cli import cli
from carbon.domain.identifiers import make_uscc
from carbon.services.disclosure import (
    FIGURES,
    MIN_GROUP,
    complementary,
    mask_name,
    mask_uscc,
    suppress_small,
)
from carbon.store.models import AccountRow, Enterprise, RatingRow

URL = "/api/v1/open-data/statistics"
SHEETS = ["地区 Regions", "行业 Industries", "企业(脱敏) Enterprises (masked)", "说明 Notes"]
TABLES = ("regions", "industries", "enterprises")


# -- masking and suppression (no database) ----------------------------------------------------


@pytest.mark.parametrize(
    ("uscc", "masked"),
    [
        ("91330802MA2D0000X1", "91330802**********"),
        ("913308027F17MGU4XE", "91330802**********"),
        ("9133080", "*******"),  # not 18 characters: all masked
        ("91330802MA2D0000X12", "*******************"),
        ("", ""),
    ],
)
def test_mask_uscc(uscc, masked):
    assert mask_uscc(uscc) == masked
    assert len(mask_uscc(uscc)) == len(uscc)


def test_mask_uscc_without_region():
    assert mask_uscc("91330802MA2D0000X1", keep_region=False) == "91" + "*" * 16


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("衢州蓝天化学有限公司", "衢州****有限公司"),
        ("衢州天成新材料股份有限公司", "衢州*****股份有限公司"),  # the longest legal form
        ("浙江某某贸易有限责任公司", "浙江****有限责任公司"),
        ("巨化集团", "巨**集团"),  # a stem of 2 keeps 1: something is always hidden
        ("衢州第一棉纺厂", "衢州****厂"),
        ("华为公司", "华**公司"),
        ("公司", "公**"),  # the whole name is no legal form to keep
        ("杭州娃哈哈", "杭州***"),  # no legal form
        ("ACME LTD", "AC***LTD"),  # English forms in any case
        ("Zhejiang Juhua Co., Ltd.", "Zh" + "*" * 13 + "Co., Ltd."),
        ("Acme Ltd.", "Ac***Ltd."),
        ("某", "**"),
        ("  ", "**"),
        ("", "**"),
        (None, "**"),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_mask_name_always_hides_and_never_shows_the_name():
    for name in ("衢州蓝天化学有限公司", "AB", "ABC", "甲乙丙丁", "一二有限公司", "X厂", "=HYPERLINK(1)"):
        out = mask_name(name)
        assert out != name and "**" in out
        hidden = mask_name(name, keep_start=False)
        assert hidden.startswith("**") and hidden.lstrip("*") == out.lstrip(name[:2]).lstrip("*")


def test_suppress_small_boundaries():
    rows = [
        {"key": k, "n": n, "e": 10.0 * (n or 0), "other": "x"} for k, n in enumerate([0, 1, 2, 3, 4, None])
    ]
    out = suppress_small(rows, "n", ["e", "absent"])
    assert [r["suppressed"] for r in out] == [True, True, True, False, False, True]
    assert [r["n"] for r in out] == [None, None, None, 3, 4, None]
    assert [r["e"] for r in out] == [None, None, None, 30.0, 40.0, None]
    assert all(r["other"] == "x" for r in out)
    assert [r.get("absent", "-") for r in out] == [None, None, None, "-", "-", None]  # every figure key
    assert rows[2] == {"key": 2, "n": 2, "e": 20.0, "other": "x"}  # copies: the input is untouched


def test_complementary_suppression():
    root = None
    # 2 alone would be the total minus the others: the smallest other group goes too
    assert complementary(
        {("c", "a"): 2, ("c", "b"): 10, ("c", "c"): 5}, [(root, [("c", "a"), ("c", "b"), ("c", "c")])]
    ) == {("c", "c")}
    # two small groups covering 3 together need nothing more
    counts = {("c", "a"): 1, ("c", "b"): 2, ("c", "c"): 10}
    assert complementary(counts, [(root, list(counts))]) == set()
    # a withheld parent whose children are all shown would be their sum: one child goes
    counts = {("s", "P"): 10, ("s", "Q"): 2, ("d", "p1"): 4, ("d", "p2"): 6, ("d", "q1"): 2}
    families = [
        (root, [("s", "P"), ("s", "Q")]),
        (("s", "P"), [("d", "p1"), ("d", "p2")]),
        (("s", "Q"), [("d", "q1")]),
    ]
    assert complementary(counts, families) == {("s", "P"), ("d", "p1")}


# -- the statistics of a year -----------------------------------------------------------------


def upload(client, data: bytes, name: str):
    return client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


@pytest.fixture
def published(app, admin, sample_files):
    """All six counties' sample workbooks (55 enterprises; 门类 B has 2), imported by an
    administrator; returns the app."""
    for f in sample_files:
        r = upload(admin, f.read_bytes(), f.name)
        assert r.status_code == 201, r.json
    return app


def anonymous(app):
    client = app.test_client()
    assert "HTTP_AUTHORIZATION" not in client.environ_base
    return client


def account_rows(app, year: int) -> list[dict[str, Any]]:
    """Each enterprise's current account and rating of ``year``, read here on their own."""
    rating = and_(
        RatingRow.enterprise_id == Enterprise.id, RatingRow.year == year, RatingRow.is_current.is_(True)
    )
    with app.extensions["carbon_db"].read() as s:
        rows = s.execute(
            select(Enterprise, AccountRow, RatingRow)
            .join(AccountRow, AccountRow.enterprise_id == Enterprise.id)
            .outerjoin(RatingRow, rating)
            .where(AccountRow.year == year, AccountRow.is_current.is_(True))
        ).all()
        return [
            {
                "uscc": e.uscc,
                "name": e.name,
                "county": e.region_code,
                "city": e.region_code[:4] + "00",
                "section": e.section,
                "division": e.division,
                "total": a.total,
                "tce": a.energy_tce,
                "va": a.value_added,
                "grade": r.grade if r else None,
                "colour": r.colour if r else None,
                "provisional": bool(r and r.provisional),
                "refs": {a.factor_set, a.methodology} | ({r.factor_set, r.methodology} if r else set()),
            }
            for e, a, r in rows
        ]


def members_of(accounts, level: str, code: str):
    return [a for a in accounts if a[level] == code]


def check_figures(row: dict[str, Any], members: list[dict[str, Any]]) -> None:
    """The JSON answer's figures: amounts to 0.001, intensities to 6 significant digits."""
    assert row["enterprises"] == len(members)
    assert row["emissions_tco2"] == pytest.approx(sum(m["total"] for m in members), rel=1e-12, abs=1e-3)
    assert row["energy_tce"] == pytest.approx(sum(m["tce"] for m in members), rel=1e-12, abs=1e-3)
    with_va = [m for m in members if m["va"] is not None and m["va"] > 0]
    assert row["intensity_enterprises"] == len(with_va)
    if len(with_va) >= MIN_GROUP:
        expected = sum(m["total"] for m in with_va) / sum(m["va"] for m in with_va)
        assert row["intensity"] == pytest.approx(expected, rel=5e-6)
    else:
        assert row["intensity"] is None
    for g in range(1, 6):
        assert row[f"grade_{g}"] == sum(1 for m in members if m["grade"] == g)
    assert row["not_rated"] == sum(1 for m in members if m["grade"] is None)
    for c in ("dark_green", "light_green", "yellow", "red"):
        assert row[c] == sum(1 for m in members if m["colour"] == c)


def test_statistics_equal_the_account_rows(published):
    stats = anonymous(published).get(f"{URL}?year=2023").json
    accounts = account_rows(published, 2023)
    assert stats["year"] == 2023 and stats["enterprises_total"] == len(accounts) == 55
    assert stats["min_group"] == MIN_GROUP and stats["generated_at"]
    assert "fewer than 3" in stats["rule"]["en"] and "少于3家" in stats["rule"]["zh"]
    refs = {f"{r['id']}@{r['version']}" for r in stats["factor_sets"] + stats["methodologies"]}
    assert refs == set().union(*(a["refs"] for a in accounts)) == {"cn-default@2", "quzhou-3d@2"}

    level_key = {"city": "city", "county": "county", "section": "section", "division": "division"}
    groups = {(r["level"], r["code"]): r for r in stats["regions"] + stats["industries"]}
    expected_groups = {(lv, a[key]) for a in accounts for lv, key in level_key.items()}
    assert set(groups) == expected_groups
    assert {r["level"] for r in stats["regions"]} == {"city", "county"}
    assert {r["level"] for r in stats["industries"]} == {"section", "division"}
    shown = 0
    for (level, code), row in groups.items():
        members = members_of(accounts, level_key[level], code)
        if len(members) < MIN_GROUP:  # primary: count and every figure withheld
            assert row["suppressed"] and row["suppression"] == "primary"
            assert row["enterprises"] is None and all(row[k] is None for k in FIGURES), row
        elif row["suppression"] == "secondary":  # complementary: the count stays, figures go
            assert row["suppressed"] and row["enterprises"] == len(members)
            assert all(row[k] is None for k in FIGURES), row
        else:
            assert row["suppressed"] is False and row["suppression"] is None
            check_figures(row, members)
            shown += 1
    assert shown >= 8  # the city, six counties, most divisions
    # names from GB/T 2260 and GB/T 4754
    assert groups[("city", "330800")]["name_zh"] == "衢州市"
    assert groups[("county", "330802")]["name_zh"] == "柯城区"
    assert (
        groups[("section", "C")]["name_en"]
        and groups[("division", "26")]["name_zh"] == "化学原料和化学制品制造业"
    )
    # 门类 B (quarrying) has 2 enterprises: withheld; C is then the city minus B: withheld too
    assert groups[("section", "B")]["suppression"] == "primary"
    assert groups[("section", "C")]["suppression"] == "secondary"
    assert groups[("division", "10")]["suppression"] == "primary"
    assert groups[("county", "330822")]["suppressed"] is False


def published_sets(stats: dict[str, Any], accounts: list[dict[str, Any]]) -> list[set[str]]:
    """The enterprises (USCCs) behind every published emissions figure."""
    key = {"city": "city", "county": "county", "section": "section", "division": "division"}
    return [
        {a["uscc"] for a in members_of(accounts, key[r["level"]], r["code"])}
        for r in stats["regions"] + stats["industries"]
        if r["emissions_tco2"] is not None
    ]


def small_sums_derivable(sets: list[set[str]], usccs: list[str]) -> list[tuple[str, ...]]:
    """Every set of 1 or 2 enterprises whose sum follows from the published sums (its
    indicator vector lies in the row space of the published groups' indicators)."""
    index = {u: i for i, u in enumerate(usccs)}
    m = np.zeros((len(sets), len(usccs)))
    for i, s in enumerate(sets):
        for u in s:
            m[i, index[u]] = 1.0
    residual = np.linalg.pinv(m) @ m - np.eye(len(usccs))  # (P - I) e_j, column by column
    found = [(u,) for u in usccs if np.linalg.norm(residual[:, index[u]]) < 1e-8]
    for a, b in combinations(usccs, 2):
        if np.linalg.norm(residual[:, index[a]] + residual[:, index[b]]) < 1e-8:
            found.append((a, b))
    return found


def test_no_sum_of_one_or_two_enterprises_can_be_worked_out(published):
    stats = anonymous(published).get(f"{URL}?year=2023").json
    accounts = account_rows(published, 2023)
    usccs = sorted(a["uscc"] for a in accounts)
    assert small_sums_derivable(published_sets(stats, accounts), usccs) == []

    # Without the complementary suppression, the city minus 门类 C is the 2 quarries of B:
    # the check above would catch it.
    primary_only = {
        **stats,
        "industries": [
            {**r, "emissions_tco2": 0.0} if r["suppression"] == "secondary" else r
            for r in stats["industries"]
        ],
    }
    b = tuple(sorted(a["uscc"] for a in accounts if a["section"] == "B"))
    assert b in small_sums_derivable(published_sets(primary_only, accounts), usccs)


def test_masked_enterprise_list(published):
    stats = anonymous(published).get(f"{URL}?year=2023").json
    accounts = account_rows(published, 2023)
    cells = defaultdict(list)
    for a in accounts:
        cells[(a["county"], a["section"])].append(a)
    listed = stats["enterprises"]
    assert len(listed) == len(accounts)
    expected = []
    for (county, section), members in cells.items():
        small = len(members) < MIN_GROUP
        for a in members:
            expected.append(
                {
                    "uscc": mask_uscc(a["uscc"], keep_region=not small),
                    "name": mask_name(a["name"], keep_start=not small),
                    "section": "*" if small else section,
                    "county": "*" if small else county,
                    "grade": a["grade"],
                    "colour": a["colour"],
                    "provisional": a["provisional"],
                }
            )
    key = lambda e: json.dumps(e, sort_keys=True, ensure_ascii=False)  # noqa: E731
    assert sorted(listed, key=key) == sorted(expected, key=key)
    # the two quarries (门类 B in 常山 and 江山, one each) are starred, region digits too
    starred = [e for e in listed if e["county"] == "*"]
    assert len(starred) == 2 and all(e["section"] == "*" and e["uscc"].startswith("91****") for e in starred)
    assert all(e["uscc"][2:8] == e["county"] for e in listed if e["county"] != "*")
    # the order is that of the shown values only
    order = [(e["county"], e["section"], e["uscc"], e["name"]) for e in listed]
    assert order == sorted(order)


def all_text(app, year: int) -> dict[str, str]:
    """Everything the open data says, as text: the JSON, each CSV, every xlsx cell."""
    client = anonymous(app)
    # decoded: the raw body escapes Chinese as \uXXXX, where a name would go unseen
    out = {"json": json.dumps(client.get(f"{URL}?year={year}").json, ensure_ascii=False)}
    for table in TABLES:
        r = client.get(f"{URL}?year={year}&format=csv&table={table}")
        assert r.status_code == 200 and r.data.startswith(b"\xef\xbb\xbf")
        out[f"csv-{table}"] = r.data.decode("utf-8-sig")
    r = client.get(f"{URL}?year={year}&format=xlsx")
    wb = load_workbook(io.BytesIO(r.data))
    for ws in wb.worksheets:
        out[f"xlsx:{ws.title}"] = "\n".join(
            str(c.value) for row in ws.iter_rows() for c in row if c.value is not None
        )
    return out


def test_no_usccs_or_names_anywhere(published):
    texts = all_text(published, 2023)
    accounts = account_rows(published, 2023)
    assert len(texts) == 1 + 3 + 4
    for a in accounts:
        stem = a["name"].removesuffix("股份有限公司").removesuffix("有限公司")
        for where, text in texts.items():
            assert a["uscc"] not in text, (where, a["uscc"])
            assert a["uscc"][8:17] not in text, (where, a["uscc"])  # the masked middle
            assert a["name"] not in text and stem not in text, (where, a["name"])
    # the masked forms are there instead
    a = next(a for a in accounts if a["section"] == "C")
    for where in ("json", "csv-enterprises", "xlsx:企业(脱敏) Enterprises (masked)"):
        assert mask_uscc(a["uscc"]) in texts[where] and mask_name(a["name"]) in texts[where]


def test_xlsx_sheets_headers_and_markers(published):
    r = anonymous(published).get(f"{URL}?year=2023&format=xlsx")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == "attachment; filename=open-data-2023.xlsx"
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == SHEETS
    regions = wb[SHEETS[0]]
    header = [c.value for c in regions[1]]
    assert header[:2] == ["层级 Level", "代码 Code"] and "企业数 Enterprises" in header
    assert all(" " in h and any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header)  # 中文 English
    industries = wb[SHEETS[1]]
    col = {c.value: i for i, c in enumerate(industries[1])}
    rows = {r[col["代码 Code"]].value: r for r in industries.iter_rows(min_row=2)}
    assert rows["B"][col["企业数 Enterprises"]].value == "<3"  # primary
    assert rows["B"][col["碳排放(吨二氧化碳) Emissions (tCO2)"]].value is None
    assert rows["C"][col["企业数 Enterprises"]].value == 53  # secondary: the count stays
    assert rows["C"][col["碳排放(吨二氧化碳) Emissions (tCO2)"]].value is None
    assert isinstance(rows["26"][col["碳排放(吨二氧化碳) Emissions (tCO2)"]].value, float)
    notes = "\n".join(str(c.value) for row in wb[SHEETS[3]].iter_rows() for c in row if c.value is not None)
    assert "cn-default@2" in notes and "quzhou-3d@2" in notes
    assert "fewer than 3" in notes and "少于3家" in notes


def test_csv_tables(published):
    client = anonymous(published)
    json_stats = client.get(f"{URL}?year=2023").json
    for table in TABLES:
        r = client.get(f"{URL}?year=2023&format=csv&table={table}")
        assert r.status_code == 200 and r.mimetype == "text/csv"
        assert r.headers["Content-Disposition"] == f"attachment; filename=open-data-2023-{table}.csv"
        rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
        assert len(rows) == 1 + len(json_stats[table])
        keys = [h.split(" ")[-1] for h in rows[0]]
        for line, doc in zip(rows[1:], json_stats[table], strict=True):
            got = dict(zip(keys, line, strict=True))
            for k, v in doc.items():
                if k not in got:
                    continue
                if v is None:
                    assert got[k] == ""
                elif isinstance(v, bool):
                    assert got[k] == str(v).lower()
                elif isinstance(v, float):  # the JSON answer rounds (amounts 0.001, intensities 6 digits)
                    assert math.isclose(float(got[k]), v, rel_tol=5e-6, abs_tol=1e-3)
                else:
                    assert got[k] == str(v)


def test_anonymous_access_and_errors(published):
    client = anonymous(published)
    r = client.get(f"{URL}?year=2023")
    assert r.status_code == 200 and r.json["year"] == 2023
    r = client.get(f"{URL}?year=2021")  # no results that year
    assert r.status_code == 404 and r.json["code"] == "not_found" and "2021" in r.json["message"]
    r = client.get(f"{URL}?year=2023&format=csv")
    assert r.status_code == 422 and "table" in r.json["errors"]["query"]
    for bad in ("year=1999", "year=abc", "", "year=2023&format=pdf", "year=2023&format=csv&table=x"):
        r = client.get(f"{URL}?{bad}")
        assert r.status_code == 422, bad
        assert {"code", "status", "message", "errors"} <= set(r.json)


def test_csv_text_is_never_a_formula(app, admin):
    from importers.template import write_template

    rows = [
        {
            "uscc": make_uscc(f"91330802FML{i:06d}"),
            "name": '=HYPERLINK("http://x")有限公司' if i == 0 else f"+衢州测试{i}有限公司",
            "industry_code": "3011",
            "region_code": "330802",
            "month": "2023-01",
            "electricity": 10.0 + i,
            "value_added": 100.0,
        }
        for i in range(3)
    ]
    assert upload(admin, write_template(rows), "f.xlsx").status_code == 201
    r = anonymous(app).get(f"{URL}?year=2023&format=csv&table=enterprises")
    names = [line[1] for line in csv.reader(io.StringIO(r.data.decode("utf-8-sig")))][1:]
    assert sorted(names) == ["'+衢****有限公司", "'+衢****有限公司", "'=H" + "*" * 20 + "有限公司"]
    wb = load_workbook(io.BytesIO(anonymous(app).get(f"{URL}?year=2023&format=xlsx").data))
    cells = [c for row in wb[SHEETS[2]].iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)


# -- boundaries on data made for them ---------------------------------------------------------


def boundary_rows() -> list[dict[str, Any]]:
    """Counties of 2, 1, 3 and 4 enterprises (the 1 and the 2 cover 3 together, so no other
    county needs withholding), all in division 30; in the county of 4 only 2 have value added."""
    plan = {"330802": (2, 2), "330803": (1, 1), "330822": (3, 3), "330824": (4, 2)}
    rows = []
    for county, (n, with_va) in plan.items():
        for i in range(n):
            rows.append(
                {
                    "uscc": make_uscc(f"91{county}BND{i:06d}"),
                    "name": f"测试{county}{i}建材有限公司",
                    "industry_code": "3011",
                    "region_code": county,
                    "month": "2023-03",
                    "electricity": 100.0 * (i + 1),
                    "natural_gas": 3.0 + i,
                    **({"value_added": 500.0 + 10 * i} if i < with_va else {}),
                }
            )
    return rows


def test_suppression_boundaries_two_withheld_three_shown(app, admin):
    from importers.template import write_template

    assert upload(admin, write_template(boundary_rows()), "b.xlsx").status_code == 201
    stats = anonymous(app).get(f"{URL}?year=2023").json
    accounts = account_rows(app, 2023)
    regions = {r["code"]: r for r in stats["regions"]}
    for code in ("330802", "330803"):  # 2 and 1: withheld
        assert regions[code]["suppression"] == "primary" and regions[code]["enterprises"] is None
        assert regions[code]["emissions_tco2"] is None and regions[code]["grade_1"] is None
    three = regions["330822"]  # 3: shown, with every figure
    assert three["suppressed"] is False and three["enterprises"] == 3
    check_figures(three, members_of(accounts, "county", "330822"))
    assert three["intensity"] is not None
    four = regions["330824"]  # 4, but only 2 with value added: no intensity
    assert four["suppressed"] is False and four["enterprises"] == 4
    assert four["intensity"] is None and four["intensity_enterprises"] == 2
    check_figures(four, members_of(accounts, "county", "330824"))
    city = regions["330800"]
    assert city["level"] == "city" and city["enterprises"] == 10
    check_figures(city, accounts)
    assert small_sums_derivable(published_sets(stats, accounts), sorted(a["uscc"] for a in accounts)) == []
    # cells (county, 门类) of 2 and 1 are starred in the list; of 3 and 4 are not
    listed = stats["enterprises"]
    assert sum(1 for e in listed if e["county"] == "*") == 3
    assert sum(1 for e in listed if e["county"] == "330822") == 3
    assert sum(1 for e in listed if e["county"] == "330824") == 4


# -- the command line -------------------------------------------------------------------------


def carbon(db_url: str, *args: str):
    result = CliRunner().invoke(cli, ["--db", db_url, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_open_data(db_url, published, tmp_path):
    out = tmp_path / "out" / "open-2023.xlsx"
    code, stdout, _ = carbon(db_url, "open-data", "--year", "2023", "--out", str(out), "--json")
    assert code == 0, stdout
    doc = json.loads(stdout)
    assert doc == {"year": 2023, "file": str(out), "format": "xlsx", "bytes": out.stat().st_size}
    assert load_workbook(out).sheetnames == SHEETS

    out = tmp_path / "open.json"
    code, stdout, _ = carbon(db_url, "open-data", "--year", "2023", "--out", str(out))
    assert code == 0 and str(out) in stdout
    stats = json.loads(out.read_text(encoding="utf-8"))
    api = anonymous(published).get(f"{URL}?year=2023").json
    assert {k: v for k, v in stats.items() if k != "generated_at"} == {
        k: v for k, v in api.items() if k != "generated_at"
    }

    out = tmp_path / "regions.csv"
    code, _, _ = carbon(db_url, "open-data", "--year", "2023", "--out", str(out), "--table", "regions")
    assert code == 0 and out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + len(api["regions"])

    # usage errors: exit 2
    assert carbon(db_url, "open-data", "--year", "2023", "--out", str(tmp_path / "x.csv"))[0] == 2
    assert carbon(db_url, "open-data", "--year", "2023", "--out", str(tmp_path / "x.txt"))[0] == 2
    assert (
        carbon(
            db_url, "open-data", "--year", "2023", "--out", str(tmp_path / "x.xlsx"), "--table", "regions"
        )[0]
        == 2
    )
    # a year without results: exit 1, a clear message, no file
    missing = tmp_path / "none.xlsx"
    code, stdout, stderr = carbon(db_url, "open-data", "--year", "2019", "--out", str(missing))
    assert code == 1 and "no results for 2019" in stderr and not missing.exists()
    code, stdout, _ = carbon(db_url, "open-data", "--year", "2019", "--out", str(missing), "--json")
    assert code == 1 and json.loads(stdout)["error"]["code"] == "not_found"
