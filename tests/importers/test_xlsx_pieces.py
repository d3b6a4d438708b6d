"""importers.xlsx_pieces: a large sheet read in pieces gives exactly the rows calamine
gives for the whole sheet (row numbers, blank rows, widths, merged cells, problem cells),
and whatever cannot be cut safely is read whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from xlsx_cells_testkit import sheet_xml, xlsx

import importers.loading as loading
import importers.xlsx_pieces as xp
from importers.loading import Limits, load_sheets
from importers.template import read_template

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_inputs").glob("*.xlsx"))


def _read(data: bytes, monkeypatch: pytest.MonkeyPatch, *, pieced: bool, piece: int = 2048) -> list[Any]:
    """Each sheet as (name, n_rows, first column, merged cells, rows)."""
    split = 0 if pieced else 1 << 62
    monkeypatch.setattr(loading, "SPLIT_ABOVE", split)
    monkeypatch.setattr(xp, "SPLIT_ABOVE", split)
    monkeypatch.setattr(xp, "PIECE_BYTES", piece)
    monkeypatch.setattr(xp, "MAX_PIECE_BYTES", piece)
    monkeypatch.setattr(xp, "FIRST_PIECE_BYTES", piece // 4)
    return [(s.name, s.first_col, s.merged, list(s.rows)) for s in load_sheets(data, "x.xlsx", Limits())]


def _trimmed(sheets: list[Any]) -> list[Any]:
    out = []
    for name, first_col, merged, rows in sheets:
        trimmed = []
        for row in rows:
            row = list(row)
            while row and row[-1] == "":
                row.pop()
            trimmed.append(row)
        out.append((name, first_col, merged, trimmed))
    return out


def _same_rows(
    data: bytes, monkeypatch: pytest.MonkeyPatch, piece: int = 2048, exact: bool = True
) -> list[Any]:
    """The rows read in pieces are calamine's; with ``exact=False``, up to blank cells at
    the end of rows before a piece with a cell further right (see piece_rows)."""
    whole = _read(data, monkeypatch, pieced=False)
    pieced = _read(data, monkeypatch, pieced=True, piece=piece)
    if exact:
        assert pieced == whole
    else:
        assert _trimmed(pieced) == _trimmed(whole)
        for (*_, a), (*_, b) in zip(pieced, whole, strict=True):
            assert all(len(x) <= len(y) for x, y in zip(a, b, strict=True))
    return pieced


def _row(r: int, cells: str) -> str:
    return f'<row r="{r}">{cells}</row>'


def _cell(ref: str, value: str) -> str:
    if value.replace(".", "").isdigit():
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


@pytest.mark.parametrize("path", SAMPLES[:2], ids=lambda p: p.name)
@pytest.mark.parametrize("piece", [1024, 64 << 10])
def test_sample_workbooks_read_the_same_in_pieces(path: Path, piece: int, monkeypatch):
    # tiny pieces: the notes sheet's first piece is narrower than its later rows
    sheets = _same_rows(path.read_bytes(), monkeypatch, piece, exact=piece > 4096)
    assert sum(len(rows) for *_, rows in sheets) > 200


def test_gaps_between_pieces_widths_merged_cells_and_problems(monkeypatch):
    rows = [
        _row(1, _cell("A1", "标题")),
        _row(2, _cell("A2", "USCC") + _cell("B2", "月份") + _cell("C2", "电力")),
    ]
    for r in range(3, 400):
        if r % 50 == 0:
            continue  # a missing row: blank, also where a piece ends
        cells = _cell(f"A{r}", f"ID{r}") + _cell(f"B{r}", "2023-01") + _cell(f"C{r}", str(r * 1.5))
        if r == 301:
            cells += _cell(f"H{r}", "wider")  # wider than the first piece
        if r == 310:
            cells += f'<c r="D{r}"><f>A1*2</f></c>'  # a formula without a value: marked
        rows.append(_row(r, cells))
    rows.append(_row(1000, _cell("E1000", "after a gap")))
    after = '<mergeCells count="2"><mergeCell ref="A1:C1"/><mergeCell ref="A350:A360"/></mergeCells>'
    data = xlsx([("S", sheet_xml("".join(rows), after=after))])
    ((name, first_col, merged, got),) = _same_rows(data, monkeypatch, piece=1500, exact=False)
    assert len(got) == 1000 and merged == [((0, 0), (0, 2)), ((349, 0), (359, 0))]
    assert got[309][3] == "formula"  # a ProblemCell, as for the whole sheet
    assert len(got[2]) == 4 and len(got[300]) == 8  # the problem cell's column; then H


def test_a_sheet_that_starts_after_column_a_is_read_whole(monkeypatch):
    rows = "".join(_row(r, _cell(f"B{r}", f"x{r}") + _cell(f"C{r}", "1")) for r in range(1, 300))
    data = xlsx([("S", sheet_xml(rows))])
    ((name, first_col, merged, got),) = _same_rows(data, monkeypatch)
    assert first_col == 1  # calamine's own reading


def test_rows_without_r_and_comments_among_rows_read_the_same(monkeypatch):
    plain = "".join(f"<row>{_cell(f'A{r}', f'x{r}')}</row>" for r in range(1, 200))
    commented = "".join(
        _row(r, _cell(f"A{r}", f"x{r}")) + (f'<!-- <row r="{r}"> -->' if r % 7 == 0 else "")
        for r in range(1, 300)
    )
    for rows in (plain, commented):
        _same_rows(xlsx([("S", sheet_xml(rows))]), monkeypatch, piece=700)


def test_a_template_import_reads_the_same_records_in_pieces(monkeypatch):
    data = SAMPLES[0].read_bytes()
    monkeypatch.setattr(loading, "SPLIT_ABOVE", 1 << 62)
    whole = read_template(data, SAMPLES[0].name)
    monkeypatch.setattr(loading, "SPLIT_ABOVE", 0)
    monkeypatch.setattr(xp, "SPLIT_ABOVE", 0)
    monkeypatch.setattr(xp, "PIECE_BYTES", 4096)
    monkeypatch.setattr(xp, "MAX_PIECE_BYTES", 4096)
    pieced = read_template(data, SAMPLES[0].name)
    assert pieced.records == whole.records and pieced.errors == whole.errors
    assert pieced.warnings == whole.warnings and len(whole.records) > 100


def test_a_piece_calamine_refuses_makes_the_sheet_read_whole(monkeypatch):
    rows = "".join(_row(r, _cell(f"A{r}", f"x{r}") + _cell(f"B{r}", "2")) for r in range(1, 400))
    data = xlsx([("S", sheet_xml(rows))])
    real = xp.PieceSource.parse
    calls = []

    def flaky(self: xp.PieceSource, body: list[bytes], first: bool) -> Any:
        calls.append(first)
        if len(calls) == 3:
            raise ValueError("a piece calamine refuses")
        return real(self, body, first)

    monkeypatch.setattr(xp.PieceSource, "parse", flaky)
    _same_rows(data, monkeypatch, piece=1024)
    assert len(calls) >= 3


def test_the_rows_counted_for_the_limits_are_those_counted_before(monkeypatch):
    """The pass that plans the pieces counts rows as importers.limits does (the limit is
    checked before anything is parsed)."""
    from importers.limits import TooLarge, check_xlsx

    rows = "".join(_row(r, _cell(f"A{r}", "1")) for r in range(1, 501)) + _row(900, _cell("A900", "2"))
    data = xlsx([("S", sheet_xml(rows))])
    with pytest.raises(TooLarge):
        check_xlsx(data, "x.xlsx", 899)
    monkeypatch.setattr(loading, "SPLIT_ABOVE", 0)
    monkeypatch.setattr(xp, "SPLIT_ABOVE", 0)
    plans = loading._plans(data, 10_000)  # noqa: SLF001
    assert plans["S"][2].rows == 900
    assert load_sheets(data, "x.xlsx", Limits(max_rows=900))[0].n_rows == 900
    with pytest.raises(loading.Unreadable):
        load_sheets(data, "x.xlsx", Limits(max_rows=899))


def test_pieces_grow_with_the_parts_each_one_repeats(monkeypatch):
    """Each piece's workbook repeats the shared strings, which calamine reads again: where
    they are large, so are the pieces (up to MAX_PIECE_BYTES)."""
    rows = "".join(_row(r, _cell(f"A{r}", f"x{r}")) for r in range(1, 3000))
    data = xlsx([("S", sheet_xml(rows))])
    monkeypatch.setattr(xp, "PIECE_BYTES", 1024)
    monkeypatch.setattr(xp, "MAX_PIECE_BYTES", 1 << 20)
    bodies: list[int] = []
    real = xp.PieceSource.parse

    def counted(self: xp.PieceSource, body: list[bytes], first: bool) -> Any:
        bodies.append(sum(map(len, body)))
        return real(self, body, first)

    monkeypatch.setattr(xp.PieceSource, "parse", counted)
    _same_rows(data, monkeypatch, piece=1024)  # sets the sizes again: pieces of 1 KiB
    small = len(bodies)
    bodies.clear()
    monkeypatch.setattr(loading, "SPLIT_ABOVE", 0)
    monkeypatch.setattr(xp, "SPLIT_ABOVE", 0)
    monkeypatch.setattr(xp, "MAX_PIECE_BYTES", 1 << 20)
    list(load_sheets(data, "x.xlsx", Limits())[0].rows)
    assert 1 < len(bodies) < small and max(bodies) > 4 * 1024
