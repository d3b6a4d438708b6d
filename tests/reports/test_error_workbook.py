"""The error workbook: the user's file with every bad cell marked, never a formula added."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from importers.template import TEMPLATE_COLUMNS, read_template, write_template
from reports.error_workbook import (
    BAD_FILL_COLOUR,
    PROBLEMS_HEADING,
    SUMMARY_HEADINGS,
    SUMMARY_SHEET,
    annotate_workbook,
)

# The problems column: right of the template's own columns.
PROBLEMS = len(TEMPLATE_COLUMNS) + 1

BAD_ROWS = [
    {  # a wrong USCC check character and a negative quantity
        "uscc": "913308020000000000",
        "name": "坏数据",
        "industry_code": "3011",
        "region_code": "330802",
        "month": "2023-01",
        "electricity": -5,
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


def errors_of(data: bytes, filename: str) -> list[dict]:
    return [e.as_dict() for e in read_template(data, filename).errors]


def load(data: bytes):
    return load_workbook(io.BytesIO(data))


def is_bad(cell) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith(BAD_FILL_COLOUR)


def summary_rows(wb) -> list[tuple]:
    ws = wb[SUMMARY_SHEET]
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=2)]


def problems_column(ws) -> int:
    for cell in ws[1]:
        if cell.value == PROBLEMS_HEADING:
            return cell.column
    raise AssertionError("no problems column")


def test_xlsx_bad_cells_are_filled_commented_and_explained():
    data = write_template(BAD_ROWS)
    errors = errors_of(data, "bad.xlsx")
    assert {(e["row"], e["column"]) for e in errors} == {(2, "A"), (2, "F")}
    wb = load(annotate_workbook(data, "bad.xlsx", errors))

    assert wb.sheetnames[0] == SUMMARY_SHEET and wb.active.title == SUMMARY_SHEET
    assert wb[SUMMARY_SHEET]["A1"].value == SUMMARY_HEADINGS[0]
    assert summary_rows(wb) == [(e["sheet"], e["row"], e["column"], e["message"]) for e in errors]

    ws = wb["能源数据"]
    for e in errors:
        cell = ws[f"{e['column']}{e['row']}"]
        assert is_bad(cell)
        assert e["message"] in cell.comment.text
    col = problems_column(ws)
    assert col == PROBLEMS  # right of the template's columns
    assert ws.cell(row=2, column=col).value == "; ".join(e["message"] for e in errors)
    assert ws.cell(row=3, column=col).value is None
    # the user's data is as it was
    assert [ws.cell(row=2, column=j).value for j in range(1, 7)] == [
        "913308020000000000", "坏数据", "3011", "330802", "2023-01", -5,
    ]  # fmt: skip
    assert ws["F3"].value == 12.5 and not is_bad(ws["F3"]) and ws["F3"].comment is None
    assert ws["A1"].comment is not None and "USCC" not in ws["A1"].comment.text.split("\n")[0]
    assert "说明" in wb.sheetnames


def test_a_formula_stays_a_formula_and_no_text_becomes_one():
    wb = Workbook()
    ws = wb.active
    ws.title = "能源数据"
    ws.append(["统一社会信用代码", "月份", "电力(万千瓦时)", "上网电量(万千瓦时)", "合计"])
    ws.append(["913308020000000000", "2023-01", 3, 4, "=C2+D2"])
    buf = io.BytesIO()
    wb.save(buf)
    errors = [
        {"sheet": "能源数据", "row": 2, "column": "E", "message": '=HYPERLINK("x") is not a number'},
        {"sheet": "能源数据", "row": 2, "column": "C", "message": "-1 / 不能为负数"},
        {"sheet": "=evil", "row": None, "column": None, "message": "@SUM(1) file-level"},
    ]
    out = load(annotate_workbook(buf.getvalue(), "f.xlsx", errors))

    ws = out["能源数据"]
    assert ws["E2"].value == "=C2+D2" and ws["E2"].data_type == "f"  # kept, not evaluated
    assert is_bad(ws["E2"]) and "HYPERLINK" in ws["E2"].comment.text
    written = [ws.cell(row=2, column=problems_column(ws)), *out[SUMMARY_SHEET]["A"], *out[SUMMARY_SHEET]["D"]]
    for cell in written:
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
            assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    assert sum(1 for c in out[SUMMARY_SHEET]["D"] if str(c.value).startswith(("=", "@"))) == 2
    # Only the user's own formula is a formula anywhere in the result.
    formulas = [
        c.coordinate for s in out.worksheets for row in s.iter_rows() for c in row if c.data_type == "f"
    ]
    assert formulas == ["E2"]


def test_csv_rows_are_copied_and_marked():
    text = (
        "统一社会信用代码,企业名称,行业代码,行政区划代码,月份,电力(万千瓦时)\n"
        "913308020000000000,坏数据,3011,330802,2023-01,-5\n"
        "91330802MA2D0000X5,好数据,3011,330802,2023-02,=1+1\n"
    )
    data = text.encode("utf-8")
    errors = errors_of(data, "energy.csv")
    assert errors and all(e["sheet"] == "energy" for e in errors)
    wb = load(annotate_workbook(data, "energy.csv", errors))
    assert wb.sheetnames == [SUMMARY_SHEET, "energy"]
    ws = wb["energy"]
    assert ws["A1"].value == "统一社会信用代码" and ws["F2"].value == "-5"
    assert ws["F3"].value == "=1+1" and ws["F3"].data_type == "s"  # text as written, not a formula
    for e in errors:
        cell = ws[f"{e['column']}{e['row']}"]
        assert is_bad(cell) and e["message"] in cell.comment.text
    assert {e["row"] for e in errors} <= {
        r for r in (2, 3) if ws.cell(row=r, column=problems_column(ws)).value
    }


def test_gbk_csv_is_read_like_the_importer_reads_it():
    data = "统一社会信用代码,月份\nX,2023-01\n".encode("gb18030")
    errors = [{"sheet": "gbk", "row": 2, "column": "A", "message": "bad"}]
    ws = load(annotate_workbook(data, "gbk.csv", errors))["gbk"]
    assert ws["A1"].value == "统一社会信用代码" and is_bad(ws["A2"])


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"PK\x03\x04 this is not really a zip", "broken.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls"),
        (b"", "empty.xlsx"),
        (b"\xff\xfe\x00garbage", "binary.csv"),
        (b"whatever", "data.ods"),
    ],
)
def test_unreadable_files_give_the_summary_only(content, filename):
    errors = [{"sheet": "", "row": None, "column": None, "message": f"cannot read '{filename}' / 无法读取"}]
    wb = load(annotate_workbook(content, filename, errors))
    assert wb.sheetnames == [SUMMARY_SHEET]
    assert summary_rows(wb) == [(None, None, None, errors[0]["message"])]


def test_header_errors_and_file_errors():
    data = write_template(BAD_ROWS[1:])
    errors = [
        {"sheet": "能源数据", "row": 1, "column": "F", "message": "column repeats / 列重复"},
        {"sheet": "", "row": None, "column": None, "message": "whole file / 整个文件"},
        {"sheet": "no such sheet", "row": 4, "column": "B", "message": "elsewhere"},
        {"sheet": "能源数据", "row": 2, "column": "ZZZZ", "message": "odd column"},
    ]
    wb = load(annotate_workbook(data, "h.xlsx", errors))
    ws = wb["能源数据"]
    assert is_bad(ws["F1"]) and "repeats" in ws["F1"].comment.text
    assert ws.cell(row=1, column=PROBLEMS).value == f"{PROBLEMS_HEADING}: column repeats / 列重复"
    assert ws.cell(row=2, column=PROBLEMS).value == "odd column"
    assert [r[3] for r in summary_rows(wb)] == [e["message"] for e in errors]


def test_an_annotated_workbook_annotated_again_reuses_its_column_and_summary():
    data = write_template(BAD_ROWS)
    errors = errors_of(data, "bad.xlsx")
    once = annotate_workbook(data, "bad.xlsx", errors)
    assert errors_of(once, "bad.xlsx") == errors  # the extra sheet and column are ignored
    wb = load(annotate_workbook(once, "bad.xlsx", errors[:1]))
    assert wb.sheetnames.count(SUMMARY_SHEET) == 1 and len(summary_rows(wb)) == 1
    ws = wb["能源数据"]
    assert problems_column(ws) == PROBLEMS and ws.max_column == PROBLEMS
    assert ws.cell(row=2, column=PROBLEMS).value == errors[0]["message"]


def test_merged_cells_and_the_users_own_comments():
    from openpyxl.comments import Comment

    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    ws.append(["统一社会信用代码", "月份", "电力(万千瓦时)"])
    ws.append(["x", "2023-01", 1])
    ws.merge_cells("A2:A3")
    ws["C2"].comment = Comment("my note", "me")
    buf = io.BytesIO()
    wb.save(buf)
    errors = [
        {"sheet": "S", "row": 3, "column": "A", "message": "inside a merge"},
        {"sheet": "S", "row": 2, "column": "C", "message": "bad number"},
    ]
    out = load(annotate_workbook(buf.getvalue(), "m.xlsx", errors))["S"]
    assert is_bad(out["A2"]) and "inside a merge" in out["A2"].comment.text
    assert out["C2"].comment.text.startswith("my note") and "bad number" in out["C2"].comment.text


def test_a_zip_bomb_is_not_unpacked(monkeypatch):
    import reports.error_workbook as ew

    data = write_template(BAD_ROWS)
    errors = errors_of(data, "bad.xlsx")
    monkeypatch.setattr(ew, "MAX_UNPACKED_BYTES", 1000)  # the template unpacks to more
    wb = load(annotate_workbook(data, "bad.xlsx", errors))
    assert wb.sheetnames == [SUMMARY_SHEET] and len(summary_rows(wb)) == len(errors)
