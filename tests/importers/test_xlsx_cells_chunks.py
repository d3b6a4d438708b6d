"""importers.xlsx_cells: chunk boundaries, and random sheets against a model of calamine's
reading (at many chunk sizes)."""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass

import pytest
from xlsx_cells_testkit import ERROR_CODES, calamine_rows, cell, one, sheet_xml, xlsx

import importers.xlsx_cells as xc
from importers.xlsx_cells import FORMULA, problem_cells

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
