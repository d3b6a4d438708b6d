"""importers.xlsx_cells: bad files, limits, and the scan in its thread."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from xlsx_cells_testkit import one, sheet_xml, xlsx

import importers.xlsx_cells as xc
from importers.xlsx_cells import FORMULA, problem_cells, start_scan

# ---------------------------------------------------------------------------------------
# Bad files, limits, the thread


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a zip at all",
        b"PK\x03\x04" + b"\x00" * 100,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,  # an OLE file (xls)
    ],
)
def test_unreadable_files_give_nothing(data: bytes):
    assert problem_cells(data) == {}


def test_truncated_and_corrupted_zip_give_nothing():
    good = one('<row r="1"><c r="A1"><f>1</f></c></row>')
    assert problem_cells(good) == {"S": {(1, 0): FORMULA}}
    assert problem_cells(good[: len(good) // 2]) == {}
    i = good.index(b"xl/worksheets/sheet1.xml") + 40  # inside the member's compressed data
    corrupted = good[:i] + bytes(b ^ 0x5A for b in good[i : i + 30]) + good[i + 30 :]
    assert isinstance(problem_cells(corrupted), dict)  # whatever zlib makes of it: no exception


def test_a_zip_that_is_no_workbook_gives_nothing():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("content.xml", "<f>1</f>")
    assert problem_cells(buf.getvalue()) == {}


def test_entity_declarations_are_refused():
    data = one('<row r="1"><c r="A1"><f>1</f></c></row>')
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/workbook.xml":
                bomb = '<!ENTITY e0 "xxxxxxxxxx">' + "".join(
                    f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 9)
                )
                body = body.replace(b"<workbook", f"<!DOCTYPE workbook [{bomb}]><workbook".encode(), 1)
                body = body.replace(b'name="S"', b'name="&e8;"')
            dst.writestr(info.filename, body)
    assert problem_cells(buf.getvalue()) == {}


def test_no_more_than_the_declared_size_is_inflated():
    text = sheet_xml("".join(f'<row r="{r}"><c r="A{r}"><f>1</f></c></row>' for r in range(1, 2000)))
    data = xlsx([("S", text)])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert sum(map(len, xc._member_chunks(data, zf, info))) == len(text.encode())
        info.file_size = 1000  # as if the central directory said so
        assert sum(map(len, xc._member_chunks(data, zf, info))) == 1000


def test_problems_are_capped(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(xc, "MAX_PROBLEMS", 5)
    rows = "".join(f'<row r="{r}"><c r="A{r}"><f>1</f></c></row>' for r in range(1, 20))
    found = problem_cells(one(rows))
    assert found == {"S": {(r, 0): FORMULA for r in range(1, 6)}}


def test_candidates_examined_are_capped(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(xc, "MAX_HITS", 4)
    text = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>"e"</t></is></c></row>' for r in range(1, 9)
    )
    rows = text + '<row r="9"><c r="A9"><f>1</f></c></row>'
    assert problem_cells(one(rows)) == {}  # gave up before the formula: incomplete, no exception
    monkeypatch.setattr(xc, "MAX_HITS", 9)
    assert problem_cells(one(rows)) == {"S": {(9, 0): FORMULA}}


def test_start_scan_returns_the_result():
    data = one('<row r="7"><c r="H7" t="e"><v>#REF!</v></c></row>')
    join = start_scan(data)
    assert join() == {"S": {(7, 7): "#REF!"}}
    assert join() == {"S": {(7, 7): "#REF!"}}


def test_start_scan_never_raises(monkeypatch: pytest.MonkeyPatch):
    def boom(data: bytes) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(xc, "_problem_cells", boom)
    assert problem_cells(b"PK") == {}
    monkeypatch.setattr(xc, "problem_cells", boom)  # even if the thread itself fails
    assert start_scan(b"PK")() == {}
