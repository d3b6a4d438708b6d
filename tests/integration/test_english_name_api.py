"""The enterprise's English name through the API, on SQLite and PostgreSQL: imported from an
optional column (CSV or xlsx), kept by a later upload without it, listed by a dry run, in
the enterprise answer, and in the titles of English charts (Chinese charts keep the Chinese
name)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from carbon.domain.identifiers import make_uscc
from carbon.store.models import AuditEntry

EN = "Quzhou Sample Works Co., Ltd."


def upload(client, data: bytes, name: str, dry_run: bool = False):
    url = "/api/v1/imports" + ("?dry_run=true" if dry_run else "")
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def csv(header: str, *rows: str) -> bytes:
    return "\r\n".join([header, *rows, ""]).encode()


def charts(client, uscc: str, lang: str) -> dict[str, str]:
    base = f"/api/v1/enterprises/{uscc}/charts"
    out = {}
    for kind, query in (("intensity", ""), ("grade-history", ""), ("monthly-emissions", "&year=2023")):
        r = client.get(f"{base}/{kind}?format=svg&lang={lang}{query}")
        assert r.status_code == 200, (kind, r.json)
        out[kind] = r.data.decode()
    return out


def test_the_english_name_is_imported_kept_and_names_english_charts(app, loaded):
    e = loaded.get("/api/v1/enterprises").json[0]
    uscc, zh = e["uscc"], e["name"]
    assert e["name_en"] is None
    for kind, svg in charts(loaded, uscc, "en").items():
        assert zh in svg, kind  # nothing on record: the Chinese name, untranslated

    # a file that gives the English name only: a dry run lists it as a change and writes nothing
    names = csv("统一社会信用代码,月份,企业英文名称", f'{uscc},2023-01,"{EN}"')
    dry = upload(loaded, names, "names.csv", dry_run=True)
    assert dry.status_code == 200, dry.json
    assert dry.json["changes"] == [
        {
            "uscc": uscc, "period": None, "action": "changed", "sheet": "names", "row": 2,
            "fields": {"name_en": {"old": None, "new": EN}},
        }
    ]  # fmt: skip
    assert dry.json["unchanged"] == {"rows": 1, "enterprises": 0}
    assert loaded.get(f"/api/v1/enterprises/{uscc}").json["name_en"] is None

    done = upload(loaded, names, "names.csv")
    assert done.status_code == 201 and done.json["status"] == "imported", done.json
    assert (done.json["rows_changed"], done.json["rows_added"], done.json["job"]) == (0, 0, None)
    one = loaded.get(f"/api/v1/enterprises/{uscc}").json
    assert (one["name"], one["name_en"]) == (zh, EN)
    assert loaded.get(f"/api/v1/enterprises/{uscc}/ratings/2023").json["name_en"] == EN
    assert loaded.get(f"/api/v1/enterprises/{uscc}/accounts/2023").json["name_en"] == EN
    with app.extensions["carbon_db"].read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "enterprise.name_en")).one()
        assert entry.subject == uscc and (entry.details["old"], entry.details["new"]) == (None, EN)

    for kind, svg in charts(loaded, uscc, "en").items():
        assert EN in svg and zh not in svg, kind
    for kind, svg in charts(loaded, uscc, "zh").items():
        assert zh in svg and EN not in svg, kind

    # later uploads without it (no column, or a blank cell) keep it
    figures = csv("统一社会信用代码,企业名称,月份,电力(万千瓦时)", f"{uscc},{zh},2023-01,123.4")
    assert upload(loaded, figures, "figures.csv").status_code == 201
    blank = csv("统一社会信用代码,月份,电力(万千瓦时),English name", f"{uscc},2023-01,123.5,")
    assert upload(loaded, blank, "blank.csv").status_code == 201
    assert loaded.get(f"/api/v1/enterprises/{uscc}").json["name_en"] == EN

    # another English name updates it: old -> new
    renamed = upload(
        loaded, csv("统一社会信用代码,月份,企业英文名称", f'{uscc},2023-01,"{EN} (Quzhou)"'), "r.csv"
    )
    assert renamed.status_code == 201
    assert renamed.json["changes"][0]["fields"] == {"name_en": {"old": EN, "new": f"{EN} (Quzhou)"}}
    assert loaded.get(f"/api/v1/enterprises/{uscc}").json["name_en"] == f"{EN} (Quzhou)"


def test_a_template_xlsx_with_the_english_name_column_imports_it(client):
    from importers.template import write_template

    code = make_uscc("91330802ENGL00001")
    rows = [
        {"uscc": code, "name": "衢州英文名测试有限公司", "industry_code": "3011", "region_code": "330802",
         "month": f"2023-{m:02d}", "electricity": 10.0 + m}
        for m in (1, 2, 3)
    ]  # fmt: skip
    wb = load_workbook(io.BytesIO(write_template(rows)))
    ws = wb.worksheets[0]
    col = ws.max_column + 1
    ws.cell(1, col, "Enterprise name (English)")
    ws.cell(3, col, EN)  # one row is enough; the others are blank
    buf = io.BytesIO()
    wb.save(buf)
    r = upload(client, buf.getvalue(), "template.xlsx")
    assert r.status_code == 201, r.json
    assert r.json["changes"] == []  # a new enterprise: its rows are added, not changed
    one = client.get(f"/api/v1/enterprises/{code}").json
    assert (one["name"], one["name_en"]) == ("衢州英文名测试有限公司", EN)
    listed = client.get("/api/v1/enterprises", query_string={"q": "英文名测试"}).json
    assert [(x["uscc"], x["name_en"]) for x in listed] == [(code, EN)]


def test_a_too_long_english_name_is_a_422_naming_the_cell(client):
    code = make_uscc("91330802ENGL00002")
    data = csv(
        "统一社会信用代码,企业名称,行业代码,行政区划代码,月份,电力(万千瓦时),企业英文名称",
        f"{code},衢州超长英文名有限公司,3011,330802,2023-01,1,{'x' * 201}",
    )
    r = upload(client, data, "long.csv")
    assert r.status_code == 422
    (error,) = r.json["errors"]
    assert (error["sheet"], error["row"], error["column"]) == ("long", 2, "G")
    assert "English name has 201 characters, more than 200" in error["message"]
    assert client.get(f"/api/v1/enterprises/{code}").status_code == 404


def test_an_enterprise_users_upload_sets_its_english_name_without_a_change_request(app, client):
    from conftest import make_user

    code = make_uscc("91330802ENGL00003")
    header = "统一社会信用代码,企业名称,行业代码,行政区划代码,月份,电力(万千瓦时),企业英文名称"
    first = upload(client, csv(header, f"{code},衢州自报有限公司,3011,330802,2023-01,1,"), "first.csv")
    assert first.status_code == 201, first.json
    ent = app.test_client()
    ent.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_user(app, 'ent', 'enterprise', usccs=[code])}"
    # a new Chinese name is a request an official decides; the English name is set at once
    r = upload(ent, csv(header, f"{code},衢州改名有限公司,3011,330802,2023-01,1,Quzhou Self Co."), "own.csv")
    assert r.status_code == 201, r.json
    assert [c["fields"] for c in r.json["changes"]] == [{"name_en": {"old": None, "new": "Quzhou Self Co."}}]
    one = client.get(f"/api/v1/enterprises/{code}").json
    assert (one["name"], one["name_en"]) == ("衢州自报有限公司", "Quzhou Self Co.")
    (request,) = client.get("/api/v1/identity-changes").json
    assert request["new"] == {"name": "衢州改名有限公司"}
