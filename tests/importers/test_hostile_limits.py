"""Hostile files are refused before they are parsed, fast and in little memory; a file with
very many bad cells gives a bounded list of errors with every error counted (issue 12 #9)."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from carbon.domain.errors import CellError
from carbon.domain.identifiers import make_uscc
from importers.limits import ErrorLog, check_csv, check_xls, message_kind
from importers.template import Limits, read_template, write_template

HEAD = "统一社会信用代码,企业名称,行业代码,行政区划代码,月份,电力(万千瓦时),天然气(万立方米)\n"


def _rows(n: int) -> list[dict[str, object]]:
    uscc = make_uscc("91330802MA2D00001")
    base = {"uscc": uscc, "name": "甲", "industry_code": "3011", "region_code": "330802", "electricity": 1.0}
    return [{**base, "month": f"2023-{m:02d}"} for m in range(1, n + 1)]


def _with_sheet_xml(data: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = change(body)
            dst.writestr(info.filename, body)
    return out.getvalue()


def _dimension(body: bytes, ref: bytes | None) -> bytes:
    start = body.index(b"<dimension")
    end = body.index(b"/>", start) + 2
    return body[:start] + (b'<dimension ref="' + ref + b'"/>' if ref else b"") + body[end:]


@pytest.fixture
def no_calamine(monkeypatch):
    """Parsing with calamine fails the test: the file must be refused before."""
    import python_calamine

    def parse(*_a, **_k):
        raise AssertionError("calamine was asked to parse a file that should have been refused")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", parse)


def test_xlsx_whose_dimension_claims_12m_rows_is_refused_before_parsing(no_calamine):
    data = _with_sheet_xml(write_template(_rows(3)), lambda b: _dimension(b, b"A1:Z12300000"))
    start = time.perf_counter()
    parsed = read_template(data, "huge.xlsx")
    assert time.perf_counter() - start < 2
    assert len(parsed.errors) == 1 and not parsed.records
    message = parsed.errors[0].message
    assert "12,300,000 rows" in message and "1,000,000 allowed" in message and "上限" in message
    assert "sheet '能源数据'" in message


def test_dimension_spanning_too_many_cells_is_refused(no_calamine):
    data = _with_sheet_xml(write_template(_rows(3)), lambda b: _dimension(b, b"A1:XFD900000"))
    parsed = read_template(data, "wide.xlsx")
    assert len(parsed.errors) == 1 and "16,384 columns" in parsed.errors[0].message


def test_a_lying_dimension_does_not_hide_a_far_row(no_calamine):
    """The dimension says 4 rows, but a row numbered 1,100,000 would make calamine allocate
    every row up to it: the sheet XML (small) is counted before parsing."""

    def far_row(body: bytes) -> bytes:
        body = _dimension(body, b"A1:B4")
        return body.replace(
            b"</sheetData>", b'<row r="1100000"><c r="A1100000"><v>1</v></c></row></sheetData>'
        )

    parsed = read_template(_with_sheet_xml(write_template(_rows(3)), far_row), "far.xlsx")
    assert len(parsed.errors) == 1 and "1,100,000 rows" in parsed.errors[0].message


def test_without_a_dimension_the_rows_are_counted(no_calamine):
    data = _with_sheet_xml(write_template(_rows(10)), lambda b: _dimension(b, None))
    parsed = read_template(data, "nodim.xlsx", limits=Limits(max_rows=5))
    assert len(parsed.errors) == 1 and "11 rows" in parsed.errors[0].message


def test_an_honest_dimension_within_the_limit_is_read_as_before():
    data = write_template(_rows(12))  # 13 rows, and 53 on the notes sheet: 66 counted, as calamine counts
    assert read_template(data, "ok.xlsx", limits=Limits(max_rows=66)).ok
    assert "has 66 rows" in read_template(data, "ok.xlsx", limits=Limits(max_rows=65)).errors[0].message


def test_xls_sheets_are_counted_from_their_dimensions_record():
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    for s in range(3):
        ws = wb.add_sheet(f"s{s}")
        for r in range(40):
            ws.write(r, 0, r)
    buf = io.BytesIO()
    wb.save(buf)
    check_xls(buf.getvalue(), "x.xls", 120)  # 3 x 40 rows: allowed
    with pytest.raises(Exception, match="'x.xls' has 80 rows .*sheet 's1' has 40"):
        check_xls(buf.getvalue(), "x.xls", 79)
    parsed = read_template(buf.getvalue(), "x.xls", limits=Limits(max_rows=79))
    assert len(parsed.errors) == 1 and "more than the 79 allowed" in parsed.errors[0].message


def test_a_csv_line_over_the_limit_is_refused_with_its_line_number():
    line = ",".join(["1"] * 40_000)  # 80 KB: a bit over 64 KB
    text = HEAD + f"{make_uscc('91330802MA2D00001')},甲,3011,330802,2023-01,1,2\n" + line + "\n"
    parsed = read_template(text.encode(), "long.csv")
    assert len(parsed.errors) == 1
    message = parsed.errors[0].message
    assert "line 3 of 'long.csv'" in message and "64 KB" in message and "第3行" in message


def test_a_46mb_one_line_csv_is_refused_at_once():
    data = HEAD.encode() + b"1," * 23_000_000
    start = time.perf_counter()
    parsed = read_template(data, "one-line.csv")
    assert time.perf_counter() - start < 2
    assert len(parsed.errors) == 1 and "line 2 of 'one-line.csv'" in parsed.errors[0].message


def test_csv_line_limit_keeps_crlf_lines_at_the_limit():
    check_csv(b"a" * 100 + b"\r\n" + b"b" * 100 + b"\r\n", "x.csv", 10, max_line_bytes=100)
    with pytest.raises(Exception, match="line 2"):
        check_csv(b"a" * 100 + b"\r\n" + b"b" * 101 + b"\r\n", "x.csv", 10, max_line_bytes=100)


def test_a_csv_with_many_bad_cells_keeps_the_first_errors_and_counts_all():
    uscc = make_uscc("91330802MA2D00001")
    rows = [f"{uscc},甲,3011,330802,2023-{m % 12 + 1:02d},坏,-1" for m in range(300)]
    parsed = read_template((HEAD + "\n".join(rows) + "\n").encode(), "bad.csv", limits=Limits(max_errors=50))
    errors = parsed.errors
    assert isinstance(errors, ErrorLog)
    assert len(errors) == 50 and errors.total > 600 and errors.omitted == errors.total - 50
    counts = errors.counts()
    by_column = {c["column"]: c["count"] for c in counts["by_column"]}
    assert by_column["bad!F"] == 300 and by_column["bad!G"] == 300
    assert counts["rows"] == 300
    assert sum(k["count"] for k in counts["by_kind"]) == counts["total"]


def test_error_log_counts_rows_and_kinds():
    log = ErrorLog(2)
    for row in (5, 5, 7, 900_000):
        log.append(CellError("s", row, "F", f"电力(万千瓦时): '{row}' is not a number / 不是数字"))
    log.extend([CellError("", None, None, "file-level / 文件")])
    assert len(log) == 2 and log.total == 5 and log.rows_with_errors == 3
    assert log.counts()["by_kind"][0] == {"kind": "… is not a number / 不是数字", "count": 4}
    assert message_kind("G: -1 is negative / 不能为负数") == message_kind("G: -2.5 is negative / 不能为负数")
