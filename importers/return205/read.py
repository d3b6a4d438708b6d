"""Cumulative to monthly: ``read_205`` reads the sheets of a 205-1 return into records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from carbon.domain.errors import CellError
from carbon.domain.records import ColumnMapping, MonthlyRecord, ParsedFile
from importers.return205.checks import _base_only, _check_enterprises, _compare, _Enterprise
from importers.return205.extras import coefficients, cumulative_feedstock, feedstock
from importers.return205.model import _Sheet
from importers.return205.sheet import _SheetReader
from importers.return205.tables import _ZERO


def _monthly(
    group: list[_Sheet], ent: _Enterprise, errors: list[CellError], warnings: list[CellError]
) -> list[tuple[int, MonthlyRecord]]:
    """The records of one enterprise-year: its sheets' cumulative figures differenced."""
    group.sort(key=lambda s: (s.ordinal, s.order))
    out: list[tuple[int, MonthlyRecord]] = []
    prev: _Sheet | None = None
    for s in group:
        assert s.period is not None
        if prev is not None and prev.period == s.period:
            message = (
                f"sheet '{s.name}' reports {s.period} for USCC {ent.uscc}, like sheet '{prev.name}' "
                f"/ 工作表“{s.name}”与工作表“{prev.name}”为同一企业同一报告期"
            )
            errors.append(CellError(s.name, s.period_row, s.period_column, message))
            continue
        if prev is not None:
            _compare(prev, s, errors)
        month = s.period.month
        if month == 1 or (prev is not None and prev.ordinal == s.ordinal - 1):
            cum = s.cumulative()
            if not cum:  # only energies the account does not record: nothing to store
                prev = s
                continue
            base = prev.cumulative() if month > 1 and prev is not None else {}
            values: dict[str, float | None] = {
                k: float(max(v - base.get(k, _ZERO), _ZERO)) for k, v in cum.items()
            }
            base_feed = cumulative_feedstock(prev.rows) if month > 1 and prev is not None else {}
            record = MonthlyRecord(
                ent.uscc, s.period, values, s.name, s.first_row,
                ent.name.value, ent.industry.value, ent.region.value, name_en=ent.name_en.value,
                feedstock=(
                    feedstock(cumulative_feedstock(s.rows), base_feed) if "feedstock" in s.letters else None
                ),
                tce_coefficients=coefficients(s.rows) if "coef" in s.letters else None,
            )  # fmt: skip
            out.append((s.order, record))
        else:
            warnings.append(_base_only(s, prev))
        prev = s
    return out


def read_205(sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]], filename: str) -> ParsedFile:
    """sheets: (sheet name, every row of the sheet from Excel row 1, each row's cells from column A)
    for the sheets that looks_like_205 accepted, in workbook order. Cells are as python-calamine
    gives them: float, int, str ('' for blank), bool, datetime.date/datetime. Never raises on bad
    input.

    One record per enterprise-month that is January or whose previous month is in the file,
    the cumulative figures differenced; the module docstring has every rule. With any error
    no records are returned (the file is refused whole).
    """
    errors: list[CellError] = []
    warnings: list[CellError] = []
    columns: list[ColumnMapping] = []
    parsed: list[_Sheet] = []
    rows_read = 0
    if not sheets:
        errors.append(CellError("", None, None, f"'{filename}' has no 205-1 sheet / 文件中没有205-1表"))
    for order, (name, rows) in enumerate(sheets):
        reader = _SheetReader(name, order, rows)
        try:
            sheet = reader.read()
        except Exception as exc:  # noqa: BLE001 - never raise on bad input; blame the sheet
            message = (
                f"sheet '{name}' could not be read as a 205-1 return ({type(exc).__name__}: {exc}) "
                "/ 无法按205-1表读取该工作表"
            )
            errors.append(CellError(name, None, None, message))
            continue
        errors.extend(reader.errors)
        warnings.extend(reader.warnings)
        columns.extend(reader.columns)
        rows_read += reader.rows_read
        if sheet is not None:
            parsed.append(sheet)

    enterprises = _check_enterprises(parsed, errors, warnings)
    series: dict[tuple[str, int], list[_Sheet]] = {}
    for s in parsed:
        if s.uscc.value is not None and s.period is not None:
            series.setdefault((s.uscc.value, s.period.year), []).append(s)
    records: list[tuple[int, MonthlyRecord]] = []
    for (uscc, _year), group in series.items():
        records.extend(_monthly(group, enterprises[uscc], errors, warnings))
    out = [] if errors else [r for _, r in sorted(records, key=lambda x: x[0])]
    return ParsedFile(
        records=out,
        errors=errors,
        warnings=warnings,
        columns=columns,
        rows_read=rows_read,
        accepted=len(out),
    )
