"""A rejected upload's error workbook, through the HTTP API and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json

from click.testing import CliRunner
from openpyxl import load_workbook

from reports.error_workbook import BAD_FILL_COLOUR, PROBLEMS_HEADING, SUMMARY_SHEET

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS = [
    {  # a wrong USCC check character and a negative quantity
        "uscc": "913308020000000000",
        "name": "坏数据",
        "industry_code": "3011",
        "region_code": "330802",
        "month": "2023-01",
        "electricity": -5,
        "natural_gas": 2.5,
    },
    {
        "uscc": "91330802MA2D0000X5",
        "name": "好数据",
        "industry_code": "3011",
        "region_code": "330802",
        "month": "2023-02",
        "electricity": 12.5,
    },
]


def bad_workbook() -> bytes:
    from importers.template import write_template

    return write_template(ROWS)


def upload(client, data: bytes, name: str, dry_run: bool = False):
    url = "/api/v1/imports" + ("?dry_run=true" if dry_run else "")
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_rejected_upload_names_its_error_workbook_which_marks_every_bad_cell(client):
    data = bad_workbook()
    r = upload(client, data, "能耗 2023.xlsx")
    assert r.status_code == 422
    body = r.json
    assert {"code", "status", "message", "errors"} <= set(body) and body["code"] == "import_rejected"
    errors = body["errors"]
    assert {(e["sheet"], e["row"], e["column"]) for e in errors} == {
        ("能源数据", 2, "A"),
        ("能源数据", 2, "F"),
    }
    import_id = body["import_id"]
    assert body["error_workbook"] == f"/api/v1/imports/{import_id}/errors.xlsx"

    d = client.get(body["error_workbook"])
    assert d.status_code == 200 and d.mimetype == XLSX
    disposition = d.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "errors.xlsx" in disposition
    assert "filename*=UTF-8''%E8%83%BD%E8%80%97%202023-errors.xlsx" in disposition
    wb = load_workbook(io.BytesIO(d.data))
    assert wb.sheetnames == [SUMMARY_SHEET, "能源数据", "说明"]
    ws = wb["能源数据"]
    heading = next(c for c in ws[1] if c.value == PROBLEMS_HEADING)
    for e in errors:
        cell = ws[f"{e['column']}{e['row']}"]
        assert cell.fill.fgColor.rgb.endswith(BAD_FILL_COLOUR)
        assert e["message"] in cell.comment.text
        assert e["message"] in ws.cell(row=e["row"], column=heading.column).value
    assert ws.cell(row=3, column=heading.column).value is None
    # the user's data is unchanged
    original = load_workbook(io.BytesIO(data))["能源数据"]
    for row in original.iter_rows():
        for cell in row:
            assert ws[cell.coordinate].value == cell.value, cell.coordinate
    values = [c.value for s in wb.worksheets for row in s.iter_rows() for c in row]
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    summary = [[c.value for c in row] for row in wb[SUMMARY_SHEET].iter_rows(min_row=2)]
    assert summary == [[e["sheet"], e["row"], e["column"], e["message"]] for e in errors]

    one = client.get(f"/api/v1/imports/{import_id}")
    assert one.status_code == 200
    assert one.json["status"] == "rejected" and one.json["filename"] == "能耗 2023.xlsx"
    assert one.json["errors"] == errors and one.json["error_workbook"] == body["error_workbook"]
    assert len(one.json["sha256"]) == 64 and one.json["rows_rejected"] == 1


def test_only_a_rejected_import_has_an_error_workbook(client, sample_files):
    f = sample_files[0]
    ok = upload(client, f.read_bytes(), f.name)
    assert ok.status_code == 201
    import_id = ok.json["import_id"]
    r = client.get(f"/api/v1/imports/{import_id}/errors.xlsx")
    assert 400 <= r.status_code < 500
    assert {"code", "status", "message", "errors"} <= set(r.json) and "not rejected" in r.json["message"]
    one = client.get(f"/api/v1/imports/{import_id}")
    assert one.json["status"] == "imported" and one.json["error_workbook"] is None

    for url in ("/api/v1/imports/999999/errors.xlsx", "/api/v1/imports/999999"):
        missing = client.get(url)
        assert missing.status_code == 404 and missing.json["code"] == "not_found"


def test_a_corrupt_upload_still_gets_its_summary(client):
    r = upload(client, b"PK\x03\x04 not a workbook at all", "broken.xlsx")
    assert r.status_code == 422 and r.json["errors"][0]["row"] is None
    d = client.get(r.json["error_workbook"])
    assert d.status_code == 200
    wb = load_workbook(io.BytesIO(d.data))
    assert wb.sheetnames == [SUMMARY_SHEET]
    assert wb[SUMMARY_SHEET]["D2"].value == r.json["errors"][0]["message"]


def test_a_rejected_dry_run_records_nothing_to_download(client):
    r = upload(client, bad_workbook(), "bad.xlsx", dry_run=True)
    assert r.status_code == 422 and "import_id" not in r.json and "error_workbook" not in r.json


def test_cli_errors_out_writes_the_workbook_and_exits_1(db_url, tmp_path):
    from api.cli import cli

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bad_workbook())
    out = tmp_path / "errors"
    result = CliRunner().invoke(
        cli, ["--db", db_url, "import", str(bad), "--errors-out", str(out), "--json"], catch_exceptions=False
    )
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["status"] == "rejected" and doc["error_workbook"] == str(out / "bad-errors.xlsx")
    wb = load_workbook(out / "bad-errors.xlsx")
    assert wb.sheetnames[0] == SUMMARY_SHEET and wb["能源数据"]["F2"].comment is not None

    # without --json the path is printed; a dry run is annotated from the file itself
    result = CliRunner().invoke(
        cli, ["--db", db_url, "import", str(bad), "--dry-run", "--errors-out", str(tmp_path / "dry")]
    )
    assert result.exit_code == 1
    assert str(tmp_path / "dry" / "bad-errors.xlsx") in result.stdout
    assert (tmp_path / "dry" / "bad-errors.xlsx").exists()
