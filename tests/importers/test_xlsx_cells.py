"""importers.xlsx_cells: formula cells without a cached value and error cells, found in the
sheet XML (nothing evaluated), at the positions calamine gives the cells."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

import importers.xlsx_cells as xc
from importers.xlsx_cells import FORMULA, problem_cells, start_scan

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ERROR_CODES = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!")

# ---------------------------------------------------------------------------------------
# Building workbooks from raw XML


def xlsx(
    sheets: Sequence[tuple[str, str]],
    *,
    targets: Sequence[str] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A workbook of raw sheet XML. ``sheets``: (name as written in workbook.xml, i.e.
    XML-escaped, sheet XML); ``targets``: the relationship targets (default relative)."""
    targets = targets or [f"worksheets/sheet{i + 1}.xml" for i in range(len(sheets))]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(sheets))
        )
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        entries = "".join(
            f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, (name, _) in enumerate(sheets)
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{entries}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i + 1}" Type="{REL_NS}/worksheet" Target="{t}"/>'
            for i, t in enumerate(targets)
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        for i, (_, xml) in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
    return buf.getvalue()


def sheet_xml(rows: str, *, prefix: str = "", after: str = "") -> str:
    """A worksheet whose sheetData holds ``rows``; with ``prefix`` every element of the main
    namespace is written with it (<x:c>), as some .NET tools do."""
    p = f"{prefix}:" if prefix else ""
    ns = f"xmlns:{prefix}" if prefix else "xmlns"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<{p}worksheet {ns}="{MAIN_NS}" xmlns:r="{REL_NS}"><{p}dimension ref="A1"/>'
        f"<{p}sheetData>{rows}</{p}sheetData>{after}</{p}worksheet>"
    )


def one(rows: str, name: str = "S", **kw: Any) -> bytes:
    return xlsx([(name, sheet_xml(rows, **kw))])


def calamine_rows(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet as calamine reads it, from Excel row 1 and column A."""
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    out: dict[str, list[list[Any]]] = {}
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        rows = [list(r) for r in sheet.iter_rows()]
        first_col = sheet.start[1] if sheet.start is not None else 0
        out[name] = [[""] * first_col + r for r in rows]
    return out


def cell(rows: list[list[Any]], row: int, col: int) -> Any:
    """calamine's value at (1-based row, 0-based column), '' outside its range."""
    if row - 1 < len(rows) and col < len(rows[row - 1]):
        return rows[row - 1][col]
    return ""


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


# ---------------------------------------------------------------------------------------
# Chunk boundaries


def test_a_formula_split_across_the_real_4_mib_boundary():
    """The sheet inflates to more than CHUNK_SIZE and ``<f`` straddles the first boundary."""
    assert xc.CHUNK_SIZE == 4 << 20
    head, tail = sheet_xml("@@").split("@@")
    filler: list[str] = []
    size = len(head.encode())
    r = 1
    while size < xc.CHUNK_SIZE - 500:
        row = f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>e</t></is></c></row>'
        filler.append(row)
        size += len(row.encode())
        r += 1
    # Pad with a text cell so that the "<" of "<f>" is the last byte of the first piece.
    row_open, pad_open, pad_close, cell_open = (
        f'<row r="{r}">',
        f'<c r="A{r}" t="inlineStr"><is><t>',
        "</t></is></c>",
        f'<c r="C{r}">',
    )
    k = xc.CHUNK_SIZE - 1 - size - len(row_open + pad_open + pad_close + cell_open)
    row = f"{row_open}{pad_open}{'x' * k}{pad_close}{cell_open}<f>A{r}*2</f></c></row>"
    text = head + "".join(filler) + row + f'<row r="{r + 1}"><c r="A{r + 1}"><v>1</v></c></row>' + tail
    assert text.encode().index(b"<f>") == xc.CHUNK_SIZE - 1
    data = xlsx([("S", text)])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        first = next(xc._member_chunks(data, zf, zf.getinfo("xl/worksheets/sheet1.xml")))
    assert len(first) == xc.CHUNK_SIZE and first.endswith(b"<")  # the boundary is where we meant
    assert problem_cells(data) == {"S": {(r, 2): FORMULA}}
    assert cell(calamine_rows(data)["S"], r, 2) == ""


@pytest.mark.parametrize("shift", range(12))
def test_small_chunks_split_every_token(monkeypatch: pytest.MonkeyPatch, shift: int):
    monkeypatch.setattr(xc, "CHUNK_SIZE", 256)
    monkeypatch.setattr(xc, "_LOOKAHEAD", 16)
    pad = "x" * shift
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{pad}{"y" * (r % 7)}</t></is></c>'
        f'<c r="B{r}"><f>A{r}*2</f>{"<v>1</v>" if r % 3 else ""}</c>'
        f'<c r="C{r}" t="e"><v>#N/A</v></c></row>'
        for r in range(1, 40)
    )
    expected = {(r, 2): "#N/A" for r in range(1, 40)} | {(r, 1): FORMULA for r in range(1, 40) if r % 3 == 0}
    assert problem_cells(one(rows)) == {"S": expected}
    x_rows = rows.replace("<row", "<x:row").replace("</row", "</x:row").replace("<c ", "<x:c ")
    x_rows = x_rows.replace("</c>", "</x:c>").replace("<f>", "<x:f>").replace("</f>", "</x:f>")
    assert problem_cells(one(x_rows, prefix="x")) == {"S": expected}


# ---------------------------------------------------------------------------------------
# Against a model of calamine's reading, on random sheets


@dataclass
class Cell:
    ref: bool  # written with an r attribute
    kind: str  # number, text, formula_cached, formula_bare, formula_empty_v, str_empty, error, ...
    code: str = ""
    number: int = 0


def cell_markup(c: Cell, pos: tuple[int, int], p: str, rnd: random.Random) -> str:
    col_letters = ""
    n = pos[1] + 1
    while n:
        n, rem = divmod(n - 1, 26)
        col_letters = chr(65 + rem) + col_letters
    r = f' r="{col_letters}{pos[0]}"' if c.ref else ""
    s = ' s="1"' if rnd.random() < 0.3 else ""
    f = rnd.choice(
        [f"<{p}f>A1*2</{p}f>", f'<{p}f t="shared" si="0"/>', f'<{p}f t="shared" ref="A1:A2" si="1">B1</{p}f>']
    )
    body = {
        "empty": (s, ""),
        "number": (s, f"<{p}v>{c.number}</{p}v>"),
        "text": (
            ' t="inlineStr"',
            f"<{p}is><{p}t>{rnd.choice(TEXTS)}</{p}t></{p}is>",
        ),
        "formula_cached": (s, f"{f}<{p}v>{rnd.randint(0, 9)}</{p}v>"),
        "formula_bare": (s, f),
        "formula_empty_v": (s, f + rnd.choice([f"<{p}v/>", f"<{p}v></{p}v>", f"<{p}v />"])),
        "str_empty": (' t="str"', f"{f}<{p}v></{p}v>"),
        "error": (' t="e"', f"<{p}v>{c.code}</{p}v>"),
        "error_formula": (' t="e"', f"{f}<{p}v>{c.code}</{p}v>"),
        "error_blank": (' t="e"', ""),  # an error type without a value: blank to calamine
    }[c.kind]
    if not body[1]:
        return f"<{p}c{r}{body[0]}/>"
    return f"<{p}c{r}{body[0]}>{body[1]}</{p}c>"


EXPECTED = {"formula_bare": FORMULA, "formula_empty_v": FORMULA}
# Text that looks like what the probes look for.
TEXTS = ("e", "&lt;f>", "of ", "x", '"e"', "a:f b", "t='e'", 't = "e"', "&lt;x:f/>")


def random_sheet(
    rnd: random.Random, p: str
) -> tuple[str, dict[tuple[int, int], str], dict[tuple[int, int], float]]:
    """Rows of random cells, positions as calamine counts them (a row without r follows the
    previous one, a cell without r the previous cell): the expected problems, and the
    number cells (to check the counting against calamine)."""
    expected: dict[tuple[int, int], str] = {}
    numbers: dict[tuple[int, int], float] = {}
    out: list[str] = []
    row0 = 0  # calamine's 0-based row counter
    for _ in range(rnd.randint(1, 25)):
        if rnd.random() < 0.5:
            row0 = row0 + rnd.randint(0, 3)
            row_attr = f' r="{row0 + 1}"'
        else:
            row_attr = ""
        if rnd.random() < 0.1:
            out.append(f"<{p}row{row_attr}/>")
            row0 += 1
            continue
        col = 0
        cells: list[str] = []
        for _ in range(rnd.randint(0, 8)):
            kind = rnd.choice(
                ["empty", "number", "text", "formula_cached", "formula_bare", "formula_empty_v", "str_empty",
                 "error", "error_formula", "error_blank"]
            )  # fmt: skip
            c = Cell(
                ref=rnd.random() < 0.6, kind=kind, code=rnd.choice(ERROR_CODES), number=rnd.randint(1, 99)
            )
            if c.ref:
                col += rnd.randint(0, 2)
            pos = (row0 + 1, col)
            cells.append(cell_markup(c, pos, p, rnd))
            if kind in EXPECTED:
                expected[pos] = EXPECTED[kind]
            elif kind in ("error", "error_formula"):
                expected[pos] = c.code
            elif kind == "number":
                numbers[pos] = float(c.number)
            col += 1
        out.append(f"<{p}row{row_attr}>{''.join(cells)}</{p}row>")
        row0 += 1
    return "".join(out), expected, numbers


@pytest.mark.parametrize("seed", range(40))
def test_random_sheets_against_the_model(monkeypatch: pytest.MonkeyPatch, seed: int):
    rnd = random.Random(seed)
    prefix = "x" if seed % 4 == 3 else ""
    sheets = [random_sheet(rnd, f"{prefix}:" if prefix else "") for _ in range(3)]
    data = xlsx([(f"S{i}", sheet_xml(rows, prefix=prefix)) for i, (rows, _, _) in enumerate(sheets)])
    expected = {f"S{i}": exp for i, (_, exp, _) in enumerate(sheets) if exp}
    assert problem_cells(data) == expected
    got = calamine_rows(data)
    for i, (_, exp, numbers) in enumerate(sheets):
        for row, col in exp:
            assert cell(got[f"S{i}"], row, col) == "", (row, col)
        for (row, col), number in numbers.items():  # the model counts as calamine does
            assert cell(got[f"S{i}"], row, col) == number, (row, col)
    for chunk in (5, 37, 64, 100, 999):
        monkeypatch.setattr(xc, "CHUNK_SIZE", chunk)
        monkeypatch.setattr(xc, "_LOOKAHEAD", rnd.choice([4, 16, 40]))
        assert problem_cells(data) == expected, chunk


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
