"""Months as columns: an enterprise's energy ledger (能源消费台账).

::

    某某有限公司2023年能源消费台账
    企业名称：某某有限公司    统一社会信用代码：9133…
    行业代码：2614    行政区划代码：330802    年份：2023
    项目        计量单位   1月     2月    …  12月    全年合计
    电力        万千瓦时   12.5    11.0   …  13.2    150.3
    天然气(万立方米)        3.1     2.9   …   3.4     38.0
    工业增加值  万元       820     790    …  905     10200

Each row is one quantity, named with its unit inside (``天然气(万立方米)``) or beside it in
a 计量单位 column; each month column becomes one monthly record. The enterprise comes from
the block above the table, or from USCC/name columns left of the months when a register
lists several enterprises this way. A month column with no figure in any row is a month
not reported, not a month of zeros. 合计 rows are skipped and a 全年合计 column is checked
against the months (a mismatch is a warning).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from carbon.domain.errors import CellError
from carbon.domain.identifiers import Period
from carbon.domain.quantities import ECONOMIC_KEYS, FIELD_BY_KEY, split_header, unit_factor
from carbon.domain.records import ColumnMapping, MonthlyRecord, ParsedFile
from importers.blocks import BlockValue
from importers.cells import (
    CellProblem,
    column_letter,
    is_blank,
    month_label,
    read_industry,
    read_name,
    read_number,
    read_region,
    read_uscc,
)
from importers.detect import Table, is_total_column, unit_text
from importers.energy_names import UNIT_HINTS
from importers.layout import UNIT_EXAMPLES, is_total_label, match_header
from importers.ledger_extras import LedgerExtras
from importers.row_checks import export_floor

_IDENTITY = ("uscc", "name", "industry_code", "region_code", "name_en")


@dataclass
class _Enterprise:
    uscc: str
    name: str | None
    industry: str | None
    region: str | None
    row: int
    name_en: str | None = None
    # period -> field -> canonical value (None: a blank economic cell)
    months: dict[Period, dict[str, float | None]] = field(default_factory=dict)
    originals: dict[Period, dict[str, str]] = field(default_factory=dict)
    reported: set[Period] = field(default_factory=set)  # months with a figure in some row
    fields: dict[str, int] = field(default_factory=dict)  # field -> row it was read from


class _Ledger:
    def __init__(
        self, sheet: str, rows: Sequence[Sequence[Any]], table: Table, first_row: int, first_col: int
    ):
        self.sheet = sheet
        self.rows = rows
        self.t = table
        self.first_row = first_row
        self.first_col = first_col
        self.errors: list[CellError] = []
        self.warnings: list[CellError] = []
        self.columns: list[ColumnMapping] = []
        self.enterprises: dict[str, _Enterprise] = {}
        self.extras = LedgerExtras(sheet, self.letter, self.err, self.warn, table.label_column)
        self.month_columns: dict[Period, int] = {}

    def letter(self, j: int) -> str:
        return column_letter(self.first_col + j)

    def err(self, row: int | None, j: int | None, message: str) -> None:
        self.errors.append(CellError(self.sheet, row, None if j is None else self.letter(j), message))

    def warn(self, row: int | None, j: int | None, message: str) -> None:
        self.warnings.append(CellError(self.sheet, row, None if j is None else self.letter(j), message))

    # -- the header ------------------------------------------------------------------

    def periods(self) -> dict[int, Period]:
        t = self.t
        found: dict[int, Period] = {}
        for j, label in t.months.items():
            p = month_label(label, t.year)
            if p is None:
                self.err(
                    self.first_row + t.index, j,
                    f"month column {str(label)!r} gives no year and the sheet names none: write "
                    "年份：2023 above the table, or 2023年1月 in the header / 月份列未注明年份，"
                    "请在表格上方注明“年份：2023”或在表头写“2023年1月”",
                )  # fmt: skip
                return {}
            if p in found.values():
                self.err(self.first_row + t.index, j, f"month {p} has two columns / 月份{p}重复")
                continue
            found[j] = p
        return found

    def identity_columns(self) -> dict[str, int]:
        last = min(self.t.months)
        cols: dict[str, int] = {}
        for j in range(last):
            m = match_header(self.t.cells[j])
            if m is not None and m[0] in _IDENTITY and j != self.t.label_column:
                cols.setdefault(m[0], j)
        return cols

    def block_identity(self) -> dict[str, Any] | None:
        """The enterprise named in the block above the table, checked; None if it is not
        named there or a value is bad (reported against its cell)."""
        block: dict[str, BlockValue] = self.t.block
        if "uscc" not in block:
            self.err(
                None, None,
                "the ledger names no enterprise: write 统一社会信用代码：… (and 企业名称, 行业代码, "
                "行政区划代码) above the table, or add a USCC column / 台账未注明企业统一社会信用代码",
            )  # fmt: skip
            return None
        found: dict[str, Any] = {}
        ok = True
        for key in _IDENTITY:
            b = block.get(key)
            if b is None:
                found[key] = None
                continue
            value, problem = self._identity(key, b.value)
            if problem:
                self.errors.append(CellError(self.sheet, b.row, self.letter(b.column),
                                             f"{b.label}: {problem}"))  # fmt: skip
                ok = False
            found[key] = value
        return found if ok else None

    @staticmethod
    def _identity(key: str, v: Any) -> tuple[Any, str | None]:
        if key == "uscc":
            return read_uscc(v)
        if key == "industry_code":
            return read_industry(v)
        if key == "region_code":
            return read_region(v)
        return read_name(v, key)  # name, name_en

    # -- rows ----------------------------------------------------------------------

    def quantity(self, row: Sequence[Any], r: int) -> tuple[str, str, str, float] | None:
        """(field, header text, unit, factor) of a row, or None (reported) if unknown."""
        t = self.t
        label = row[t.label_column] if t.label_column is not None and t.label_column < len(row) else ""
        text = " ".join(str(label).split())
        unit_cell = row[t.unit_column] if t.unit_column is not None and t.unit_column < len(row) else ""
        found = match_header(label)
        if found is None or found[0] in _IDENTITY or found[0] == "month":
            if any(not is_blank(row[j]) for j in t.months if j < len(row)):
                self.warn(
                    r, t.label_column,
                    f"row {text!r} is not a known quantity; ignored "
                    f"/ “{text}”不是可识别的能源或经济指标，已忽略",
                )  # fmt: skip
            return None
        key, unit = found
        f = FIELD_BY_KEY[key]
        if not is_blank(unit_cell):
            column_unit = unit_text(unit_cell)
            if column_unit is None:
                self.err(r, t.unit_column, f"{text}: unknown unit {str(unit_cell)!r}; accepted units: "
                                           f"{UNIT_EXAMPLES[f.dimension]} / 未知单位")  # fmt: skip
                return None
            if unit is not None and unit_factor_or_none(unit, f.dimension) != unit_factor_or_none(
                column_unit, f.dimension
            ):
                self.err(r, t.unit_column, f"{text}: the label says {unit} but the unit column says "
                                           f"{column_unit} / 项目名称与计量单位列的单位不一致")  # fmt: skip
                return None
            unit = column_unit
        if unit is None:
            if key not in ECONOMIC_KEYS:
                self.err(
                    r, t.label_column,
                    f"{text}: no unit; write it in brackets, e.g. '{f.header_zh}', or in a 计量单位 "
                    f"column (units: {UNIT_EXAMPLES[f.dimension]}) / 缺少计量单位",
                )  # fmt: skip
                return None
            unit = f.template_unit_zh
            self.warn(r, t.label_column, f"{text}: no unit; read as {f.template_unit_en} "
                                         f"/ 未注明单位，按{f.template_unit_zh}读取")  # fmt: skip
        try:
            factor = unit_factor(unit, f.dimension)
        except KeyError as exc:
            hint = f"; {UNIT_HINTS[key]}" if key in UNIT_HINTS else ""
            self.err(
                r, t.label_column,
                f"{text}: {exc.args[0]}; accepted units: {UNIT_EXAMPLES[f.dimension]}{hint}",
            )  # fmt: skip
            return None
        header = text if split_header(text)[1] is not None else f"{text}({unit})"
        return key, header, unit, factor

    def read(self) -> ParsedFile:
        t = self.t
        periods = self.periods()
        id_cols = self.identity_columns()
        block_ent = None if "uscc" in id_cols else self.block_identity()
        if not periods or ("uscc" not in id_cols and block_ent is None):
            return self.result()
        total_col = next(
            (
                j
                for j, c in enumerate(t.cells)
                if j not in t.months and j > min(t.months) and is_total_column(c)
            ),
            None,
        )
        for i in range(t.first_data, len(self.rows)):
            row = self.rows[i]
            r = self.first_row + i
            if all(map(is_blank, row)):
                continue
            if any(is_total_label(v) for j, v in enumerate(row) if j not in periods):
                continue  # 合计 / 能源合计 rows: not an input
            ent = self._row_enterprise(row, r, id_cols, block_ent)
            unit_cell = row[t.unit_column] if t.unit_column is not None and t.unit_column < len(row) else ""
            if self.extras.take(row, r, unit_cell, ent):
                continue  # steam, 焓值, 甲醇 …: applied once every row is read
            q = self.quantity(row, r)
            if ent is None or q is None:
                continue
            self._read_values(ent, row, r, q, periods, total_col)
        self.month_columns = {p: j for j, p in periods.items()}
        carriers = any(k not in ECONOMIC_KEYS for e in self.enterprises.values() for k in e.fields)
        self.extras.finish(periods, carriers, self.rows[: t.first_data], self.first_row, self.first_col)
        self.columns.extend(self.extras.columns)
        return self.result()

    def _row_enterprise(
        self, row: Sequence[Any], r: int, id_cols: dict[str, int], block_ent: dict[str, Any] | None
    ) -> _Enterprise | None:
        if block_ent is not None:
            ids = block_ent
        else:
            ids = {}
            for key in _IDENTITY:
                j = id_cols.get(key)
                v = row[j] if j is not None and j < len(row) else None
                if v is None or (key != "uscc" and is_blank(v)):
                    ids[key] = None
                    continue
                value, problem = self._identity(key, v)
                if problem:
                    self.err(r, j, problem)
                    return None
                ids[key] = value
        uscc = ids["uscc"]
        ent = self.enterprises.get(uscc)
        if ent is None:
            ent = _Enterprise(uscc, ids["name"], ids["industry_code"], ids["region_code"], r)
            self.enterprises[uscc] = ent
        ent.name_en = ent.name_en or ids["name_en"]
        return ent

    def _read_values(
        self,
        ent: _Enterprise,
        row: Sequence[Any],
        r: int,
        q: tuple[str, str, str, float],
        periods: dict[int, Period],
        total_col: int | None,
    ) -> None:
        key, header, unit, factor = q
        if key in ent.fields:
            first = ent.fields[key]
            self.err(r, self.t.label_column, f"{header} already given in row {first} / 该项已在第{first}行填")
            return
        ent.fields[key] = r
        blank = None if key in ECONOMIC_KEYS else 0.0
        total = 0.0
        ok = True
        for j, p in periods.items():
            v = row[j] if j < len(row) else ""
            try:
                x, was_text = read_number(v, f"{header} {p}")
            except CellProblem as exc:
                self.err(r, j, str(exc))
                ok = False
                continue
            values = ent.months.setdefault(p, {})
            if x is None:
                values.setdefault(key, blank)
                continue
            ent.reported.add(p)
            values[key] = x * factor
            total += x
            if was_text:
                ent.originals.setdefault(p, {})[key] = str(v)
            self.columns.append(
                ColumnMapping(self.sheet, self.letter(j), header, key, unit, factor, row=r, period=str(p))
            )
        if ok and total_col is not None and total_col < len(row):
            try:
                stated, _ = read_number(row[total_col], header)
            except CellProblem:
                stated = None
            if stated is not None and abs(stated - total) > max(1e-6 * max(abs(stated), abs(total)), 0.01):
                self.warn(
                    r, total_col,
                    f"{header}: the total column says {stated:,.6g} but the months sum to {total:,.6g}; "
                    f"the months are used / 合计列与各月之和（{total:,.6g}）不符，按各月数据计",
                )  # fmt: skip

    def result(self) -> ParsedFile:
        records: list[MonthlyRecord] = []
        header_row = self.first_row + self.t.index
        for ent in self.enterprises.values():
            for p in sorted(ent.reported, key=lambda p: (p.year, p.month)):
                values = ent.months[p]
                g, e = values.get("electricity_green"), values.get("electricity")
                if g is not None and e is not None and g > e:
                    self.err(ent.fields["electricity_green"], None,
                             f"{p}: green electricity ({g:g} MWh) is greater than electricity ({e:g} MWh) "
                             "/ 绿电不能大于外购电力")  # fmt: skip
                    continue
                floor = export_floor(values, p)
                if floor is not None and floor[0] in ent.fields:
                    self.warn(ent.fields[floor[0]], self.month_columns.get(p), floor[1])
                records.append(
                    MonthlyRecord(
                        ent.uscc,
                        p,
                        values,
                        self.sheet,
                        header_row,
                        ent.name,
                        ent.industry,
                        ent.region,
                        ent.name_en,
                        ent.originals.get(p, {}),
                    )  # fmt: skip
                )
        return ParsedFile(
            records=[] if self.errors else records,
            errors=self.errors,
            warnings=self.warnings,
            columns=self.columns,
            rows_read=len(records),
            accepted=0 if self.errors else len(records),
        )


def unit_factor_or_none(unit: str, dimension: Any) -> float | None:
    try:
        return unit_factor(unit, dimension)
    except KeyError:
        return None


def read_ledger(
    sheet: str, rows: Sequence[Sequence[Any]], table: Table, first_row: int = 1, first_col: int = 0
) -> ParsedFile:
    """Read one months-as-columns sheet (``table`` from ``importers.detect.find_table``)."""
    return _Ledger(sheet, rows, table, first_row, first_col).read()
