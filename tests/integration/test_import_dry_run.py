"""A dry run lists what would really change, changed rows first, and counts the rows it
leaves alone; a recalculation must be told who asks for it."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from carbon.services.imports import ImportResult


def upload(client, data: bytes, name: str, dry_run: bool = False):
    url = "/api/v1/imports" + ("?dry_run=true" if dry_run else "")
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_a_dry_run_of_an_edited_sample_shows_its_one_change_first_and_counts_the_rest(client, sample_files):
    path = sample_files[0]
    assert upload(client, path.read_bytes(), path.name).status_code == 201
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.cell(1, 6).value == "电力(万千瓦时)"
    cell = ws.cell(100, 6)
    before = cell.value
    cell.value = before + 10  # 10 万千瓦时 = 100 MWh more in one enterprise-month
    uscc, period = ws.cell(100, 1).value, ws.cell(100, 5).value
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    buf = io.BytesIO()
    wb.save(buf)

    dry = upload(client, buf.getvalue(), "edited.xlsx", dry_run=True)
    assert dry.status_code == 200
    body = dry.json
    assert body["status"] == "dry_run" and body["rows_accepted"] == len(rows)
    assert (body["rows_changed"], body["rows_added"], body["rows_unchanged"]) == (1, 0, len(rows) - 1)
    (change,) = body["changes"]
    assert change["action"] == "changed" and (change["uscc"], change["period"], change["row"]) == (
        uscc,
        period,
        100,
    )
    assert change["fields"] == {
        "electricity": {"old": pytest.approx(before * 10), "new": pytest.approx((before + 10) * 10)}
    }
    # the answer shows the figures without binary floating-point noise (117.10000000000001)
    for value in change["fields"]["electricity"].values():
        assert value == float(f"{value:.12g}") and len(repr(value)) <= 14, value
    enterprises = {r[0] for r in rows}
    assert body["unchanged"] == {"rows": len(rows) - 1, "enterprises": len(enterprises) - 1}
    assert body["changes_truncated"] is False


def test_changes_truncated_means_more_real_changes_than_listed():
    def change(uscc: str, action: str, row: int) -> dict:
        return {"uscc": uscc, "period": f"2023-{row:02d}", "action": action, "sheet": "s", "row": row}

    changed = [change("u", "changed", 1), change("u", "changed", 2)]
    added = [change("v", "added", 3), change("v", "added", 4)]
    r = ImportResult(
        "dry_run", "0" * 64, "f.xlsx", rows_accepted=504, rows_changed=2, rows_added=2, rows_unchanged=500,
        enterprises=["u", "v", "w"], changed_rows=changed, added_rows=added, touched={"u", "v"},
    )  # fmt: skip
    d = r.as_dict(max_changes=4)
    assert [c["action"] for c in d["changes"]] == ["changed", "changed", "added", "added"]
    assert d["changes_truncated"] is False and d["unchanged"] == {"rows": 500, "enterprises": 1}
    d = r.as_dict(max_changes=3)
    assert [c["action"] for c in d["changes"]] == ["changed", "changed", "added"] and d["changes_truncated"]
    imported = ImportResult("imported", "0" * 64, "f.xlsx", rows_added=400, rows_changed=2)
    imported.changed_rows = changed
    d = imported.as_dict(max_changes=2)  # an import lists its changed rows, not the ones it adds
    assert d["changes_truncated"] is False and "unchanged" not in d


def test_recalc_without_by_is_a_type_error():
    from carbon.services import usecases

    # no default principal: one that forgot ``by`` would act with an administrator's rights
    with pytest.raises(TypeError, match="by"):
        usecases.recalc(None, [2023], None, None, False)
