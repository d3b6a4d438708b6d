"""HTTP API end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from conftest import configure
from openpyxl import load_workbook
from sqlalchemy import func, select

from carbon.store.models import ImportRow, MonthlyInput, RatingRow


def upload(client, data: bytes, name: str = "w.xlsx", dry_run: bool = False):
    url = "/api/v1/imports" + ("?dry_run=true" if dry_run else "")
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def count(app, model) -> int:
    with app.extensions["carbon_db"].read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_import_is_idempotent_and_dry_run_writes_nothing(app, client, sample_files):
    data = sample_files[0].read_bytes()
    dry = upload(client, data, sample_files[0].name, dry_run=True)
    assert dry.status_code == 200 and dry.json["status"] == "dry_run"
    assert dry.json["rows_added"] == dry.json["rows_accepted"] > 0
    assert count(app, MonthlyInput) == 0 and count(app, ImportRow) == 0
    first = upload(client, data, sample_files[0].name)
    assert first.status_code == 201 and first.json["status"] == "imported"
    assert first.json["recomputed"]["years"] == [2022, 2023]
    rows = count(app, MonthlyInput)
    again = upload(client, data, sample_files[0].name)
    assert again.status_code == 200 and again.json["status"] == "unchanged"
    assert again.json["sha256"] == first.json["sha256"]
    assert count(app, MonthlyInput) == rows


def test_rejected_file_names_cells_and_writes_no_data(app, client):
    from importers.template import write_template

    rows = [
        {
            "uscc": "913308020000000000",
            "name": "坏数据",
            "industry_code": "3011",
            "region_code": "330802",
            "month": "2023-01",
            "electricity": "abc",
        }
    ]
    r = upload(client, write_template(rows), "bad.xlsx")
    assert r.status_code == 422
    body = r.json
    assert body["code"] == "import_rejected" and body["status"] == 422
    cells = {(e["sheet"], e["row"], e["column"]) for e in body["errors"]}
    assert ("能源数据", 2, "A") in cells  # bad USCC check character
    assert any(e["row"] == 2 and "abc" in e["message"] for e in body["errors"])
    assert count(app, MonthlyInput) == 0


def test_oversized_upload_is_413(db_url):
    from api.app import create_app

    app = create_app({"DATABASE_URL": db_url, "MAX_CONTENT_LENGTH": 1024})
    r = upload(app.test_client(), b"x" * 5000)
    assert r.status_code == 413
    assert r.json["code"] == "request_entity_too_large" and "limit" in r.json["message"]
    app.extensions["carbon_db"].dispose()


def test_enterprises_accounts_ratings(loaded):
    r = loaded.get("/api/v1/enterprises?page_size=5")
    assert r.status_code == 200 and len(r.json) == 5
    assert '"total": 17' in r.headers["X-Pagination"]
    uscc = r.json[0]["uscc"]
    assert loaded.get(f"/api/v1/enterprises?region={r.json[0]['region_code']}").status_code == 200

    year = loaded.get(f"/api/v1/enterprises/{uscc}/accounts/2023").json
    months = [
        loaded.get(f"/api/v1/enterprises/{uscc}/accounts/2023?month=2023-{m:02d}").json for m in range(1, 13)
    ]
    assert sum(m["emissions_tco2"]["total"] for m in months) == pytest.approx(year["emissions_tco2"]["total"])
    src = months[6]["sources"][0]
    elec = src["cells"]["electricity"]
    assert elec["header"] == "电力(万千瓦时)" and elec["cell"] == f"F{src['row']}"
    assert elec["canonical"] == pytest.approx(elec["as_written"] * 10)  # 万千瓦时 -> MWh
    assert src["sha256"] and src["filename"].endswith(".xlsx")
    assert year["factor_set"] == {"id": "cn-default", "version": 2}
    assert year["methodology"] == {"id": "quzhou-3d", "version": 2, "doc": "docs/methodology.md"}
    parts = year["emissions_tco2"]
    assert parts["total"] == pytest.approx(
        parts["fuel"] + parts["process"] + parts["electricity"] + parts["heat"]
    )

    rating = loaded.get(f"/api/v1/enterprises/{uscc}/ratings/2023").json
    assert rating["carbon_efficiency"]["grade"] in range(1, 6)
    assert rating["three_dimensional"]["colour"] in ("dark_green", "light_green", "yellow", "red")
    assert rating["explanation"]["account"]["total"] == pytest.approx(parts["total"])
    history = loaded.get(f"/api/v1/enterprises/{uscc}/ratings").json
    assert [h["year"] for h in history] == [2022, 2023]


def test_rating_list_filters_and_pagination(loaded):
    all_2023 = loaded.get("/api/v1/ratings?year=2023&page_size=100").json
    assert len(all_2023) == 17
    for colour in ("dark_green", "light_green", "yellow", "red"):
        got = loaded.get(f"/api/v1/ratings?year=2023&colour={colour}&page_size=100").json
        assert {g["uscc"] for g in got} == {
            a["uscc"] for a in all_2023 if a["three_dimensional"]["colour"] == colour
        }
    g = loaded.get("/api/v1/ratings?year=2023&grade=1&page_size=100").json
    assert all(x["carbon_efficiency"]["grade"] == 1 for x in g)
    assert "explanation" not in all_2023[0]
    assert loaded.get("/api/v1/ratings?colour=blue").status_code == 422
    assert loaded.get("/api/v1/ratings?grade=9").status_code == 422


@pytest.mark.parametrize("path", ["/api/v1/enterprises", "/api/v1/ratings"])
def test_a_page_past_the_last_is_empty_however_far(loaded, path):
    # found by schemathesis: page=338718834080379648 made an offset the database's 64-bit integers overflow
    for page in (3, 338718834080379648, 10**30):
        r = loaded.get(f"{path}?page={page}&page_size=100")
        assert r.status_code == 200 and r.json == [], (page, r.json)
        assert '"total": ' in r.headers["X-Pagination"]


def test_errors_share_one_envelope(loaded):
    r = loaded.get("/api/v1/enterprises/913308020000000000/accounts/2023")
    assert r.status_code == 404 and set(r.json) == {"code", "status", "message", "errors"}
    r = loaded.get("/api/v1/nowhere")
    assert r.status_code == 404 and r.json["status"] == 404
    uscc = loaded.get("/api/v1/enterprises").json[0]["uscc"]
    assert loaded.get(f"/api/v1/enterprises/{uscc}/accounts/2019").status_code == 404
    assert loaded.get(f"/api/v1/enterprises/{uscc}/accounts/2023?month=2023-13").status_code == 422
    assert loaded.get(f"/api/v1/enterprises/{uscc}/charts/pie?format=png").status_code == 422
    assert loaded.get(f"/api/v1/enterprises/{uscc}/charts/monthly-emissions").status_code == 422


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/enterprises/{uscc}/accounts/{year}", "year"),
        ("/api/v1/enterprises/{uscc}/ratings/{year}", "year"),
        ("/api/v1/imports/{import_id}", "import_id"),
        ("/api/v1/imports/{import_id}/errors.xlsx", "import_id"),
        ("/api/v1/jobs/{job_id}", "job_id"),
    ],
)
def test_a_number_in_the_path_too_large_for_the_database_is_404(loaded, path, name):
    # found by schemathesis: /imports/16932437413441120256 and /ratings/2196758539769 were 500s
    # (PostgreSQL integer out of range; SQLite from 2^63)
    uscc = loaded.get("/api/v1/enterprises").json[0]["uscc"]
    for n in (2196758539769, 10**20, 0):
        r = loaded.get(path.format(uscc=uscc, **{name: n}))
        assert r.status_code == 404 and set(r.json) == {"code", "status", "message", "errors"}, r.json
        assert "/" in r.json["message"] and "不存在" in r.json["message"]  # bilingual
    (param,) = [p for p in loaded.get("/openapi.json").json["paths"][path]["parameters"] if p["name"] == name]
    assert param["schema"]["type"] == "integer" and param["schema"]["maximum"] < 2**31


def test_a_uscc_that_cannot_exist_is_404_without_a_query(loaded):
    # found by schemathesis: a NUL in the path (/enterprises/a%00b) was a 500 on PostgreSQL
    for bad in ("a%00b", "913308027F17MGU4X%00", "x" * 300):
        for tail in ("", "/ratings", "/accounts/2023", "/charts/intensity", "/supplier-contracts"):
            r = loaded.get(f"/api/v1/enterprises/{bad}{tail}")
            assert r.status_code == 404 and r.json["code"] == "unknown_enterprise", (bad, tail, r.json)
    r = loaded.get("/api/v1/enterprises?q=a%00b")  # the name search: NUL is refused, not sent
    assert r.status_code == 422 and "NUL" in str(r.json["errors"]), r.json


@pytest.mark.parametrize(("fmt", "magic"), [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_charts(loaded, fmt, magic):
    uscc = loaded.get("/api/v1/enterprises").json[0]["uscc"]
    for kind in ("monthly-emissions?year=2023&", "intensity?", "grade-history?lang=en&"):
        r = loaded.get(f"/api/v1/enterprises/{uscc}/charts/{kind}format={fmt}")
        assert r.status_code == 200, r.json
        assert r.data.startswith(magic)


def test_chart_titles_name_the_enterprise_and_year_ends_the_history(loaded):
    e = loaded.get("/api/v1/enterprises").json[0]
    base = f"/api/v1/enterprises/{e['uscc']}/charts"
    for kind in ("grade-history", "intensity"):
        svg = loaded.get(f"{base}/{kind}?format=svg").data.decode()
        assert e["name"] in svg, kind
        assert "2022" in svg and "2023" in svg, kind
        up_to_2022 = loaded.get(f"{base}/{kind}?format=svg&year=2022")
        assert up_to_2022.status_code == 200, up_to_2022.json
        text = up_to_2022.data.decode()
        assert "2022" in text and "2023" not in text, kind
        none = loaded.get(f"{base}/{kind}?format=svg&year=2021")
        assert none.status_code == 404 and "2021" in none.json["message"], kind


def test_template_download_opens_and_round_trips(client):
    r = client.get("/templates/energy.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    headers = [c.value for c in next(wb.worksheets[0].iter_rows(max_row=1))]
    assert headers[:5] == ["统一社会信用代码", "企业名称", "行业代码", "行政区划代码", "月份"]
    assert "电力(万千瓦时)" in headers
    en = load_workbook(io.BytesIO(client.get("/templates/energy.xlsx?lang=en").data))
    assert next(en.worksheets[0].iter_rows(max_row=1))[0].value == "USCC"


def test_openapi_and_docs_are_served(client):
    spec = client.get("/openapi.json").json
    assert "/api/v1/enterprises/{uscc}/ratings/{year}" in spec["paths"]
    assert client.get("/docs").status_code == 200
    with client.get("/_swagger-ui/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200 and b"SwaggerUIBundle" in asset.data


def test_corrected_file_creates_revision_and_keeps_history(app, client):
    from carbon.domain.identifiers import make_uscc
    from importers.template import write_template

    def rows(elec: float):
        return [
            {
                "uscc": make_uscc(f"91330802TEXT0000{i}"),
                "name": f"测试企业{i}",
                "industry_code": "3011",
                "region_code": "330802",
                "month": f"2023-{m:02d}",
                "electricity": elec * (i + 1),
                "value_added": 100.0,
            }
            for i in range(6)
            for m in range(1, 13)
        ]

    assert upload(client, write_template(rows(10.0))).status_code == 201
    uscc = make_uscc("91330802TEXT00000")
    before = client.get(f"/api/v1/enterprises/{uscc}/accounts/2023").json["emissions_tco2"]["total"]
    corrected = rows(10.0)
    corrected[0]["electricity"] = 20.0  # enterprise 0, January
    corrected.append({**corrected[0], "month": "2024-01"})
    dry = upload(client, write_template(corrected), dry_run=True).json
    actions = [(c["action"], c["uscc"], c["period"]) for c in dry["changes"]]
    # the real changes are listed, changed first; the 71 rows left alone are counted
    assert actions == [("changed", uscc, "2023-01"), ("added", uscc, "2024-01")]
    assert dry["unchanged"] == {"rows": 71, "enterprises": 5} and dry["changes_truncated"] is False
    (change,) = [c for c in dry["changes"] if c["action"] == "changed"]
    assert change["fields"] == {"electricity": {"old": 100.0, "new": 200.0}}  # MWh, canonical
    corrected.pop()
    r = upload(client, write_template(corrected))
    assert r.status_code == 201 and r.json["rows_changed"] == 1 and r.json["rows_unchanged"] == 71
    after = client.get(f"/api/v1/enterprises/{uscc}/accounts/2023").json["emissions_tco2"]["total"]
    assert after == pytest.approx(before + 100.0 * 0.5306)  # 10 more 万千瓦时 = 100 MWh
    with app.extensions["carbon_db"].read() as s:
        revisions = s.scalars(
            select(MonthlyInput.revision).where(MonthlyInput.month == 1).order_by(MonthlyInput.id)
        ).all()
        assert sorted(revisions).count(2) == 1 and len(revisions) == 7
        old_ratings = s.scalar(
            select(func.count()).select_from(RatingRow).where(RatingRow.is_current.is_(False))
        )
        assert old_ratings >= 1
    all_revisions = client.get(f"/api/v1/enterprises/{uscc}/ratings?all_revisions=true").json
    assert len(all_revisions) >= 2 and sum(1 for h in all_revisions if h["current"]) == 1


def test_row_limit_rejects_the_whole_file(app, client, sample_files, monkeypatch):
    configure(monkeypatch, app.extensions["carbon_db"], "imports", max_rows=50)
    f = sample_files[0]
    r = upload(client, f.read_bytes(), f.name)
    assert r.status_code == 422 and "allowed" in r.json["errors"][0]["message"]
    assert count(app, MonthlyInput) == 0


def test_new_enterprise_needs_industry_and_region_a_known_one_does_not(app, client):
    from carbon.domain.identifiers import make_uscc

    code = make_uscc("91330800MA2A0B0C1")
    bare = f"统一社会信用代码,月份,电力(万千瓦时)\n{code},2023-01,5\n".encode()
    r = upload(client, bare, "bare.csv")
    assert r.status_code == 422
    (e,) = r.json["errors"]
    assert (e["sheet"], e["row"]) == ("bare", 2) and "行业代码" in e["message"]
    assert count(app, MonthlyInput) == 0
    full = f"统一社会信用代码,行业代码,行政区划代码,月份,电力(万千瓦时)\n{code},2614,330802,2023-01,5\n"
    assert upload(client, full.encode(), "full.csv").status_code == 201
    later = f"统一社会信用代码,月份,电力(万千瓦时)\n{code},2023-02,6\n".encode()
    assert upload(client, later, "later.csv").status_code == 201
    assert count(app, MonthlyInput) == 2
