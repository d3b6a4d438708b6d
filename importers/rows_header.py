"""The header of a rows table (the template, registers): columns, units, and what the block
above the table and the energy columns that are no field add to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from carbon.domain.errors import CellError
from carbon.domain.quantities import ECONOMIC_KEYS, FIELD_BY_KEY, Kind, unit_factor
from carbon.domain.records import ColumnMapping
from importers.cells import (
    CellProblem,
    column_letter,
    is_blank,
    read_industry,
    read_month,
    read_name,
    read_region,
    read_uscc,
)
from importers.detect import Table
from importers.energy_names import UNIT_HINTS, classify
from importers.layout import IDENTITY_BY_KEY, UNIT_EXAMPLES, match_header
from importers.loading import RawSheet
from importers.row_extras import RowExtras


@dataclass
class Quantity:
    index: int  # index into the row list
    key: str
    letter: str
    header: str
    factor: float
    blank: float | None  # what a blank cell means: 0.0 for energy, None for economic


@dataclass
class Header:
    row_index: int  # index into the sheet's rows of the first data row's predecessor
    excel_row: int
    identity: dict[str, int]  # key -> index into the row list
    letters: dict[str, str]  # identity key -> column letter
    quantities: list[Quantity]
    mappings: list[ColumnMapping]
    errors: list[CellError]
    warnings: list[CellError]
    constants: dict[str, Any] = field(default_factory=dict)  # identity from the block above
    extras: RowExtras | None = None  # energy columns that are no field (steam, 甲醇 …)


def read_header(sheet: RawSheet, table: Table) -> Header:
    excel_row = sheet.first_row + table.index
    h = Header(table.first_data - 1, excel_row, {}, {}, [], [], [], [])
    seen: dict[str, str] = {}  # key -> letter of the column it was read from
    for j, cell in enumerate(table.cells):
        letter = column_letter(sheet.first_col + j)
        if is_blank(cell):
            continue
        text = " ".join(str(cell).split())
        found = match_header(cell)
        unknown = classify(cell) if found is None else None
        if unknown is not None:
            if h.extras is None:
                h.extras = RowExtras(sheet.name, excel_row)
            h.extras.column(j, letter, text, unknown)
            continue
        if found is None:
            h.warnings.append(
                CellError(
                    sheet.name, excel_row, letter,
                    f"column {text!r} is not a template column; ignored / 非模板列“{text}”，已忽略",
                )
            )  # fmt: skip
            continue
        key, unit = found
        if key in seen:
            h.errors.append(
                CellError(
                    sheet.name, excel_row, letter,
                    f"column {text!r} repeats column {seen[key]}; each column may appear once "
                    f"/ 与{seen[key]}列重复",
                )
            )  # fmt: skip
            continue
        seen[key] = letter
        if key in IDENTITY_BY_KEY:
            h.identity[key] = j
            h.letters[key] = letter
            continue
        f = FIELD_BY_KEY[key]
        examples = UNIT_EXAMPLES[f.dimension]
        if unit is None:
            if key not in ECONOMIC_KEYS:
                h.errors.append(
                    CellError(
                        sheet.name, excel_row, letter,
                        f"column {text!r} has no unit; write it in brackets, e.g. '{f.header_zh}' or "
                        f"'{f.header_en}' (units: {examples}) / 表头缺少单位，应写作“{f.header_zh}”",
                    )
                )  # fmt: skip
                continue
            unit = f.template_unit_zh
            h.warnings.append(
                CellError(
                    sheet.name, excel_row, letter,
                    f"column {text!r} has no unit; read as {f.template_unit_en} "
                    f"/ 表头未注明单位，按{f.template_unit_zh}读取",
                )
            )  # fmt: skip
        try:
            factor = unit_factor(unit, f.dimension)
        except KeyError as exc:
            hint = f"; {UNIT_HINTS[key]}" if key in UNIT_HINTS else ""
            h.errors.append(
                CellError(
                    sheet.name, excel_row, letter,
                    f"column {text!r}: {exc.args[0]}; accepted units: {examples}{hint}",
                )
            )  # fmt: skip
            continue
        blank = None if key in ECONOMIC_KEYS else 0.0
        h.quantities.append(Quantity(j, key, letter, text, factor, blank))
        h.mappings.append(ColumnMapping(sheet.name, letter, text, key, unit, factor))
    return h


_BLOCK_IDENTITY = ("uscc", "name", "industry_code", "region_code", "month", "name_en")


def finish_extras(sheet: RawSheet, table: Table, h: Header) -> None:
    """Energy columns that are no field: decided once the header is read (docs/methodology.md §2.3)."""
    x = h.extras
    if x is None:  # no such column: the block above is still looked at
        x = h.extras = RowExtras(sheet.name, h.excel_row)
    carriers = any(FIELD_BY_KEY[c.key].kind is not Kind.ECONOMIC for c in h.quantities)
    x.finish_header(carriers, sheet.head[: table.first_data], sheet.first_row, sheet.first_col)
    h.errors.extend(x.errors)
    h.warnings.extend(x.warnings)
    h.mappings[:0] = x.mappings  # before the sheet's own: a 热力 column stays the one shown


def block_constants(sheet: RawSheet, table: Table, h: Header) -> None:
    """Identity the table has no column for but the block above gives (企业名称：…,
    统一社会信用代码：…, 报告期：2023年3月) becomes a constant of every row; a bad block value
    is an error naming its own cell."""
    for key in _BLOCK_IDENTITY:
        if key in h.identity or key not in table.block:
            continue
        b = table.block[key]
        letter = column_letter(sheet.first_col + b.column)
        problem: str | None = None
        if key == "uscc":
            problem = read_uscc(b.value)[1]
        elif key == "industry_code":
            problem = read_industry(b.value)[1]
        elif key == "region_code":
            problem = read_region(b.value)[1]
        elif key in ("name", "name_en"):
            problem = read_name(b.value, key)[1]
        elif key == "month":
            try:
                read_month(b.value, table.year)
            except CellProblem as exc:
                problem = str(exc)
        if problem is not None:
            h.errors.append(CellError(sheet.name, b.row, letter, f"{b.label}: {problem}"))
            continue
        h.constants[key] = b.value
        h.letters[key] = letter
