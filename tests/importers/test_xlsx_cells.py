"""importers.xlsx_cells: formula cells without a cached value and error cells, found in the
sheet XML (nothing evaluated), at the positions calamine gives the cells. Files as openpyxl and
Excel write them, positions, prefixes, sheet names and targets; chunks and a model of calamine
are test_xlsx_cells_chunks.py, bad files and limits test_xlsx_cells_limits.py."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook
from xlsx_cells_testkit import ERROR_CODES, calamine_rows, cell, one, sheet_xml, xlsx

from importers.xlsx_cells import FORMULA, problem_cells

# ---------------------------------------------------------------------------------------
# Files written by openpyxl (a formula has no cached value: <f>A2*2</f><v />)


def openpyxl_bytes(fill: Any) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    fill(wb, ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_openpyxl_formulas_have_no_cached_value():
    def fill(wb: Any, ws: Any) -> None:
        ws.title = "能源数据"
        ws.append(["USCC", "电力(万千瓦时)", "double"])
        ws.append(["x", 12.5, "=B2*2"])
        ws.append(["y", 3, 7])
        ws["C4"] = "=SUM(B2:B3)"
        ws["AB9"] = "=1/0"
        other = wb.create_sheet("Other")
        other["A1"] = 1

    data = openpyxl_bytes(fill)
    assert problem_cells(data) == {"能源数据": {(2, 2): FORMULA, (4, 2): FORMULA, (9, 27): FORMULA}}
    # The reason: calamine reads every one of them as a blank cell.
    rows = calamine_rows(data)["能源数据"]
    assert [cell(rows, 2, 2), cell(rows, 4, 2), cell(rows, 9, 27)] == ["", "", ""]
    assert cell(rows, 3, 2) == 7.0


def test_openpyxl_workbook_without_formulas_has_no_problems():
    def fill(wb: Any, ws: Any) -> None:
        for i in range(1, 200):
            ws.append([i, f"text {i} of <f> t=\"e\" 'e'", i * 0.5, "e" if i == 5 else None])
        ws["B300"].value = "=A1"
        ws["B300"].data_type = "s"  # a string that looks like a formula

    assert problem_cells(openpyxl_bytes(fill)) == {}


# ---------------------------------------------------------------------------------------
# Files as Excel writes them


def test_excel_error_cells_and_cached_values():
    rows = (
        '<row r="1" spans="1:9"><c r="A1"><v>1</v></c>'
        '<c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'  # an error result of a formula
        '<c r="C1" t="e"><v>#N/A</v></c>'  # an error typed in
        '<c r="D1"><f>A1*2</f><v>2</v></c>'  # cached: fine
        '<c r="E1" t="str"><f>""</f><v></v></c>'  # cached empty string: fine
        '<c r="F1" t="str"><f>A1&amp;""</f><v>1</v></c>'
        '<c r="G1" t="b"><f>TRUE</f><v>1</v></c>'
        '<c r="H1"><f>A1*3</f></c>'  # no cached value
        '<c r="I1" s="2"><f>A1*4</f><v/></c>'  # an empty <v/>: no cached value
        "</row>"
        '<row r="3"><c r="A3" t="e"><v>#VALUE!</v></c><c r="B3" t="e"><v>#REF!</v></c>'
        '<c r="C3" t="e"><v>#NAME?</v></c><c r="D3" t="e"><v>#NUM!</v></c><c r="E3" t="e"><v>#NULL!</v></c>'
        '<c r="F3" t="e"/></row>'  # an error type without a value: blank, as calamine reads it
    )
    data = one(rows)
    assert problem_cells(data) == {
        "S": {
            (1, 1): "#DIV/0!",
            (1, 2): "#N/A",
            (1, 7): FORMULA,
            (1, 8): FORMULA,
            (3, 0): "#VALUE!",
            (3, 1): "#REF!",
            (3, 2): "#NAME?",
            (3, 3): "#NUM!",
            (3, 4): "#NULL!",
        }
    }
    got = calamine_rows(data)["S"]
    for row, col in problem_cells(data)["S"]:
        assert cell(got, row, col) == ""
    assert [cell(got, 1, 0), cell(got, 1, 3), cell(got, 1, 5), cell(got, 1, 6)] == [1.0, 2.0, "1", True]


def test_attribute_quoting_and_spacing():
    rows = (
        '<row r="1"><c r="A1" t = "e"><v>#N/A</v></c><c r="B1" t=\'e\'><v>#REF!</v></c>'
        '<c r="C1"\n\tt="e"><v>#NUM!</v></c><c r=\'D1\'><f>1</f></c><c r="E1"><v>1</v></c></row>'
    )
    data = one(rows)
    assert problem_cells(data) == {"S": {(1, 0): "#N/A", (1, 1): "#REF!", (1, 2): "#NUM!", (1, 3): FORMULA}}
    assert calamine_rows(data)["S"] == [["", "", "", "", 1.0]]


@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_error_code(code: str):
    data = one(f'<row r="2"><c r="A2"><v>5</v></c><c r="C2" t="e"><f>X</f><v>{code}</v></c></row>')
    assert problem_cells(data) == {"S": {(2, 2): code}}


def test_shared_formulas_with_cached_values_are_fine():
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c>'
        '<c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>2</v></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
        '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/></c></row>'  # no <v>
        '<row r="4"><c r="B4"><f t="array" ref="B4">SUM(A1:A3)</f><v>6</v></c>'
        '<c r="C4"><f t="shared" ref="C4:C5" si="1">B4</f></c></row>'
    )
    assert problem_cells(one(rows)) == {"S": {(3, 1): FORMULA, (4, 2): FORMULA}}


def test_value_before_formula_is_blank_to_calamine():
    # Not the schema's order, but calamine takes the last child: the <f>, a blank.
    data = one('<row r="1"><c r="A1"><v>3</v><f>B1</f></c><c r="B1"><v>4</v></c></row>')
    assert problem_cells(data) == {"S": {(1, 0): FORMULA}}
    assert cell(calamine_rows(data)["S"], 1, 0) == ""


def test_inline_strings_and_text_that_looks_like_markup():
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>t="e" and t=\'e\' and &lt;f&gt; x</t></is></c>'
        '<c r="B1" t="inlineStr"><is><r><rPr><family val="2"/></rPr><t>&lt;f/&gt;</t></r></is></c>'
        '<c r="C1" t="str"><f>"e"</f><v>e</v></c>'
        '<c r="D1" t="inlineStr"><is><t>e</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>"e"</t></is></c><c r="B2"><f>A2</f></c></row>'
    )
    assert problem_cells(one(rows)) == {"S": {(2, 1): FORMULA}}


def test_formulas_outside_cells_are_not_cells():
    after = (
        '<dataValidations count="1"><dataValidation type="decimal" sqref="F2:F9"><formula1>0</formula1>'
        '</dataValidation></dataValidations><conditionalFormatting sqref="A1"><cfRule type="expression" '
        'priority="1"><formula>A1&gt;0</formula></cfRule></conditionalFormatting>'
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        '<x14:dataValidation type="list"><x14:formula1><xm:f>Other!$A$1:$A$5</xm:f></x14:formula1>'
        "<xm:sqref>B2:B9</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>"
    )
    data = one('<row r="1"><c r="A1"><v>1</v></c></row>', after=after)
    assert problem_cells(data) == {}
    data = one('<row r="1"><c r="A1"><f>1+1</f></c></row>', after=after)
    assert problem_cells(data) == {"S": {(1, 0): FORMULA}}


# ---------------------------------------------------------------------------------------
# Positions without r attributes, prefixed namespaces, sheet names, relationship targets


def test_missing_r_attributes_follow_the_previous_cell_and_row():
    rows = (
        "<row><c><v>1</v></c><c><f>A1</f></c></row>"  # row 1: A1 value, B1 formula
        "<row><c><f>A1</f></c></row>"  # row 2: A2
        '<row r="5"><c><v>5</v></c><c r="D5"><v>6</v></c><c><f>1</f></c></row>'  # E5
        '<row><c t="e"><v>#REF!</v></c></row>'  # row 6: A6
        '<row r="9"/>'  # an empty row still counts
        '<row><c><v>1</v></c><c><v>2</v></c><c t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'  # C10
        '<row r="12"><c r="B30"><f>1</f></c><c><f>2</f></c></row>'  # B30 by r, then C12
    )
    data = one(rows)
    assert problem_cells(data) == {
        "S": {
            (1, 1): FORMULA,
            (2, 0): FORMULA,
            (5, 4): FORMULA,
            (6, 0): "#REF!",
            (10, 2): "#DIV/0!",
            (30, 1): FORMULA,
            (12, 2): FORMULA,
        }
    }
    # calamine places the values around them exactly so.
    got = calamine_rows(data)["S"]
    assert [cell(got, 1, 0), cell(got, 5, 0), cell(got, 5, 3), cell(got, 10, 0), cell(got, 10, 1)] == [
        1.0,
        5.0,
        6.0,
        1.0,
        2.0,
    ]


def test_prefixed_namespace():
    rows = (
        '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="B1"><x:f>A1*2</x:f></x:c>'
        '<x:c r="C1" t="e"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c><x:c r="D1"><x:f>A1</x:f><x:v>1</x:v></x:c>'
        '<x:c r="E1"><x:f t="shared" ref="E1:E2" si="0">A1</x:f><x:v/></x:c></x:row>'
        "<x:row><x:c><x:f>9</x:f></x:c></x:row>"
    )
    data = one(rows, prefix="x")
    assert problem_cells(data) == {
        "S": {(1, 1): FORMULA, (1, 2): "#DIV/0!", (1, 4): FORMULA, (2, 0): FORMULA}
    }
    got = calamine_rows(data)["S"]
    assert cell(got, 1, 0) == 1.0 and cell(got, 1, 3) == 1.0 and cell(got, 1, 1) == ""


def test_sheet_names_as_calamine_reports_them_and_both_kinds_of_target():
    f_cell = '<row r="2"><c r="B2"><f>1/0</f></c></row>'
    e_cell = '<row r="3"><c r="A3" t="e"><v>#N/A</v></c></row>'
    data = xlsx(
        [
            ("能源数据 R&amp;D", sheet_xml(f_cell)),
            ("第二页", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')),
            ("Q&amp;A &lt;2023&gt; ‘引号’", sheet_xml(e_cell)),
        ],
        targets=["worksheets/sheet1.xml", "/xl/worksheets/sheet2.xml", "/xl/worksheets/sheet3.xml"],
    )
    names = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    assert names == ["能源数据 R&D", "第二页", "Q&A <2023> ‘引号’"]
    assert problem_cells(data) == {names[0]: {(2, 1): FORMULA}, names[2]: {(3, 0): "#N/A"}}
    assert cell(calamine_rows(data)[names[2]], 3, 0) == ""


def test_target_with_xl_prefix_and_member_name_in_other_case():
    data = xlsx(
        [("S", sheet_xml('<row r="1"><c r="A1"><f>1</f></c></row>'))], targets=["xl/worksheets/Sheet1.xml"]
    )
    assert CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names == ["S"]
    assert problem_cells(data) == {"S": {(1, 0): FORMULA}}


def test_stored_members_are_read_too():
    data = xlsx([("S", sheet_xml('<row r="4"><c r="C4" t="e"><v>#NUM!</v></c></row>'))], compression=0)
    assert problem_cells(data) == {"S": {(4, 2): "#NUM!"}}
