"""The enterprises, form fields and helpers of the read_205 tests (test_return205*.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from importer_testkit import uscc

# tests/ is on sys.path (pytest's rootdir conftest), like importer_testkit's folder
from return205_gen import bare_name, calamine_sheets

from carbon.domain.records import ParsedFile
from importers.return205 import looks_like_205, read_205

ENT = {"uscc": uscc(205), "name": "衢州测试化工有限公司", "industry_code": "2614", "region_code": "330802"}
ENT2 = {"uscc": uscc(206), "name": "衢州测试水泥有限公司", "industry_code": "3011", "region_code": "330803"}

# 205-1 row -> (field, factor from the form's unit to the canonical unit)
FORM_FIELD = {
    "原煤": ("raw_coal", "1"),
    "无烟煤": ("anthracite", "1"),
    "一般烟煤": ("bituminous_coal", "1"),
    "焦炭": ("coke", "1"),
    "天然气": ("natural_gas", "1"),
    "汽油": ("gasoline", "1"),
    "柴油": ("diesel", "1"),
    "其他石油制品": ("other_petroleum_products", "1"),
    "热力": ("heat", "1"),
    "电力": ("electricity", "10"),
}
PRINTED_FIELDS = {f for f, _ in FORM_FIELD.values()}
TOTAL = "G"  # the 消费量合计 column of the default layout
FEEDSTOCK, OPENING, CLOSING = "I", "D", "L"


def read(data: bytes) -> ParsedFile:
    """As the workbook dispatcher will: the sheets looks_like_205 accepts, to read_205."""
    sheets = [(n, rows) for n, rows in calamine_sheets(data) if looks_like_205(rows[:40])]
    return read_205(sheets, "205.xlsx")


def canonical(v: float, factor: str = "1") -> float:
    return float(Decimal(repr(v)) * Decimal(factor))


def row_of(data: bytes, sheet: str, name: str) -> int:
    """The Excel row of an energy row (by its name without 其中：) on a sheet."""
    rows = dict(calamine_sheets(data))[sheet]
    for i, row in enumerate(rows, start=1):
        if any(isinstance(v, str) and bare_name(v) == name for v in row[:3]):
            return i
    raise AssertionError(f"no row {name} on {sheet}")


def where(cells: list[Any]) -> list[tuple[str, int | None, str | None]]:
    return [(e.sheet, e.row, e.column) for e in cells]


def bilingual(message: str) -> bool:
    return " / " in message and any("\u4e00" <= ch <= "\u9fff" for ch in message.split(" / ")[-1])


def by_period(parsed: ParsedFile) -> dict[str, dict[str, float | None]]:
    return {str(r.period): r.values for r in parsed.records}


def clean(parsed: ParsedFile) -> None:
    assert parsed.errors == [], parsed.errors
    assert parsed.warnings == [], parsed.warnings
