"""One sheet of the 205-1 return: its energy rows, read into what the sheet says (``_Sheet``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from carbon.domain.errors import CellError
from carbon.domain.quantities import FIELD_BY_KEY, UNITS, normalise_unit, split_header, unit_factor
from carbon.domain.records import ColumnMapping
from importers.blocks import read_block
from importers.cells import CellProblem, column_letter, read_number
from importers.energy_names import UNIT_HINTS, alias_key
from importers.layout import UNIT_EXAMPLES, is_total_label
from importers.return205.block import identity, period
from importers.return205.checks import balance, coal
from importers.return205.extras import (
    Other,
    block_parameters,
    checked_figure,
    coefficient,
    figure,
    is_sub_label,
    special_row,
    tce_problem,
)
from importers.return205.locate import _find_header, _Header, _is_column_number_row, _read_header
from importers.return205.model import _EnergyRow, _Sheet
from importers.return205.tables import (
    _ZERO,
    BREAKDOWN,
    ENERGY_FIELDS,
    FOOTER_MARKERS,
    FORM_UNIT,
    NUMBER_ROLES,
    ROLE_LABEL,
    SUMMED_ROWS,
    TCE_UNITS,
    TOTAL_CODE,
    _blank,
    _cell,
    _dec,
    _fmt,
    _fold,
    _text,
)

_NAME_PREFIX = re.compile(r"^(?:其中|#|\d{1,2}[.、)]|\(\d{1,2}\)|[一二三四五六七八九十]{1,3}[、.])[:：]?")


def _energy_name(label: str) -> tuple[str, str | None]:
    """The name to look up and a unit written after it, from a 能源名称 cell:
    '其中：无烟煤' -> ('无烟煤', None); '柴油(吨)' -> ('柴油', '吨');
    '柴油（含生物柴油）' -> ('柴油', None)."""
    t = "".join(unicodedata.normalize("NFKC", label).split())
    while True:
        m = _NAME_PREFIX.match(t)
        if not m or not m.end():
            break
        t = t[m.end() :]
    t = t.strip(":：")
    base, bracket = split_header(t)
    unit = bracket if bracket and normalise_unit(bracket) in UNITS else None
    return base, unit


def _code(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return f"{int(v):02d}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:02d}"
    return _text(v)


class _SheetReader:
    """Reads one sheet: its header, enterprise, month and energy rows; collects what is wrong."""

    def __init__(self, name: str, order: int, rows: Sequence[Sequence[Any]]) -> None:
        self.name = name
        self.order = order
        self.rows = rows
        self.errors: list[CellError] = []
        self.warnings: list[CellError] = []
        self.columns: list[ColumnMapping] = []
        self.rows_read = 0

    def err(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(CellError(self.name, row, column, message))

    def warn(self, row: int | None, column: str | None, message: str) -> None:
        self.warnings.append(CellError(self.name, row, column, message))

    def read(self) -> _Sheet | None:
        rows = self.rows
        found = _find_header(rows)
        if found is None:
            self.err(
                None, None,
                "no 205-1 header (能源名称, 计量单位, 消费量) in rows 1-40 "
                "/ 未找到205-1表表头（能源名称、计量单位、消费量）",
            )  # fmt: skip
            return None
        h, name_col = found
        header = _read_header(rows, h, name_col)
        letters = {role: column_letter(j) for role, j in header.roles.items()}
        sheet = _Sheet(self.name, self.order, letters)
        if "total" not in header.roles:
            self.err(
                h + 1, None,
                "no 消费量合计 column under the header (消费量 / 合计) / 未找到“消费量合计”列",
            )  # fmt: skip
            return None
        block = read_block(rows[:h])
        identity(sheet, block, rows[:h], self.err)
        sheet.period = period(self.name, sheet, block, rows[:h], self.err, self.warn)
        self._rows(sheet, header, block_parameters(rows[:h], self.err))
        if not sheet.rows and sheet.first_row == 0:
            self.warn(
                None,
                None,
                "no energy rows under the 205-1 header; sheet skipped / 表中没有能源数据行，已跳过",
            )
            return None
        coal(sheet, self.warn)
        self._tce(sheet)
        return sheet

    def _tce(self, sheet: _Sheet) -> None:
        """A warning where the rows' tce and the 能源合计 row are more than 1 % apart."""
        if sheet.stated_tce is None:
            return
        r, stated = sheet.stated_tce
        found = tce_problem(sheet.rows, sheet.others, stated, BREAKDOWN)
        if found is not None:
            self.warn(r, sheet.letters["total"], found[1])

    # -- energy rows ---------------------------------------------------------------------

    def _rows(self, sheet: _Sheet, header: _Header, params: dict[str, float | None]) -> None:
        roles = header.roles
        name_col = roles["name"]
        letters = sheet.letters
        seen: dict[str, _EnergyRow] = {}
        by_field: dict[str, _EnergyRow] = {}
        converted: set[str] = set()  # rows converted to heat (蒸汽, 热水)
        for i in range(header.first_data, len(self.rows)):
            row = self.rows[i]
            r = i + 1
            if all(_blank(v) for v in row):
                continue
            first_text = next((_text(v) for v in row if not _blank(v)), "")
            if any(m in first_text for m in FOOTER_MARKERS):
                break
            name_cell = _cell(row, name_col)
            if _blank(name_cell):
                if _is_column_number_row(row, name_col):
                    continue
                used = [roles[k] for k in NUMBER_ROLES if k in roles]
                if any(not _blank(_cell(row, j)) for j in used):
                    self.warn(
                        r,
                        letters["name"],
                        "row has figures but no 能源名称; skipped / 该行有数据但无能源名称，已跳过",
                    )
                continue
            label = " ".join(str(name_cell).split())
            name, bracket_unit = _energy_name(label)
            if name.lower() in ("甲", "a") or "能源名称" in name:
                continue  # the column-number row, or the header repeated
            if name.startswith(("注", "说明")):
                break
            unit_cell = _cell(row, roles.get("unit"))
            unit_text = _text(unit_cell) if isinstance(unit_cell, str) else ""
            code = _code(_cell(row, roles.get("code")))
            if is_total_label(name) or (code == TOTAL_CODE and unit_text.lower() in TCE_UNITS):
                stated = figure(_cell(row, roles["total"]))
                energy_total = "能源合计" in name or code == TOTAL_CODE
                if stated is not None and sheet.stated_tce is None and energy_total:
                    sheet.stated_tce = (r, stated)
                continue
            if sheet.first_row == 0:
                sheet.first_row = r
            self.rows_read += 1
            key = ENERGY_FIELDS.get(_fold(name)) or alias_key(name)
            factor: Decimal | None = None
            if key is None:
                special = special_row(name, unit_text or bracket_unit, params)
                total, problem = checked_figure(_cell(row, roles["total"]), label)
                if special is None or special.factor is None:
                    coefs = coefficient(_cell(row, roles.get("coef")), _cell(row, roles.get("ref_coef")),
                                        label, r, letters, self.warn)  # fmt: skip
                    sheet.others.append(Other(total, coefs[0] if coefs[0] is not None else coefs[1],
                                              is_sub_label(label)))  # fmt: skip
                if special is None:
                    self._unknown(row, r, label, unit_text, roles, letters)
                    continue
                if special.factor is None:
                    if problem is not None and special.refuse is not None:
                        self.err(r, letters["total"], problem)
                    elif total and special.refuse:
                        self.err(r, letters["total"], special.refuse)
                    continue
                key, factor = "heat", special.factor
            er = self._energy_row(row, r, label, name, key, unit_cell, bracket_unit, roles, letters, factor)
            if er is None:
                continue
            if name in seen:
                self.err(
                    r, letters["name"],
                    f"energy {name!r} is given twice, in rows {seen[name].row} and {r} "
                    f"/ 能源品种“{name}”重复（第{seen[name].row}行和第{r}行）",
                )  # fmt: skip
                continue
            seen[name] = er
            other = by_field.get(key)
            if factor is not None:
                converted.add(name)  # steam / hot water: heat beside 热力, unless its 其中 row
            summed = (key in SUMMED_ROWS and {name, other.name} <= SUMMED_ROWS[key]) if other else False
            if other is not None and key == "heat" and {name, other.name} & converted:
                summed = not is_sub_label(label)
            if other is not None and not (summed and name != other.name):
                self.warn(
                    r, letters["name"],
                    f"{label!r} is a breakdown of {other.label!r} (row {other.row}, same field {key}); "
                    f"not added again / “{label}”属于第{other.row}行“{other.label}”的细分，不重复计入",
                )  # fmt: skip
                er.counted = False
                er.breakdown = True
            else:
                by_field.setdefault(key, er)
            sheet.rows.append(er)
            self.columns.append(
                ColumnMapping(
                    self.name,
                    letters["total"],
                    label,
                    key,
                    er.unit,
                    float(er.factor),
                    row=r,
                    period=None if sheet.period is None else str(sheet.period),
                    note=None if factor is None else "steam/hot water converted to heat (GJ per unit)",
                )  # fmt: skip
            )

    def _unknown(
        self,
        row: Sequence[Any],
        r: int,
        label: str,
        unit_text: str,
        roles: dict[str, int],
        letters: dict[str, str],
    ) -> None:
        v = _cell(row, roles["total"])
        try:
            x, _ = read_number(v, label)
        except CellProblem:
            x = None
            if not _blank(v):
                self.warn(
                    r, letters["total"],
                    f"{label!r} is not an energy the carbon account records and its 消费量合计 "
                    f"{v!r} is not a number; row not imported / “{label}”不属于碳账户核算的能源品种，未导入",
                )  # fmt: skip
                return
        if x:
            unit = f" {unit_text}" if unit_text else ""
            self.warn(
                r, letters["total"],
                f"{label!r} has consumption {_fmt(_dec(x))}{unit} but is not an energy the carbon account "
                f"records; not imported / “{label}”有消费量，但不属于碳账户核算的能源品种，未导入",
            )  # fmt: skip

    def _energy_row(
        self,
        row: Sequence[Any],
        r: int,
        label: str,
        name: str,
        key: str,
        unit_cell: Any,
        bracket_unit: str | None,
        roles: dict[str, int],
        letters: dict[str, str],
        converted: Decimal | None = None,
    ) -> _EnergyRow | None:
        """One energy row; ``converted`` is the factor of a row converted to heat (steam in
        吨: GJ per tonne), whose unit is then not the field's."""
        f = FIELD_BY_KEY[key]
        dim = f.dimension
        unit_letter = letters.get("unit", letters["name"])
        if isinstance(unit_cell, str) and unit_cell.strip():
            unit = " ".join(unit_cell.split())
        elif not _blank(unit_cell):
            self.err(
                r, unit_letter,
                f"{label}: 计量单位 {unit_cell!r} is not a unit; accepted units: {UNIT_EXAMPLES[dim]} "
                "/ 计量单位无效",
            )  # fmt: skip
            return None
        elif bracket_unit is not None:
            unit = bracket_unit
        else:
            unit = FORM_UNIT[dim]
            self.warn(
                r, unit_letter,
                f"{label}: 计量单位 is blank; read as {unit} (the 205-1 unit) / 计量单位为空，按{unit}读取",
            )  # fmt: skip
        try:
            factor = converted if converted is not None else _dec(unit_factor(unit, dim))
        except KeyError as exc:
            hint = f"; {UNIT_HINTS[key]}" if key in UNIT_HINTS else ""
            self.err(r, unit_letter, f"{label}: {exc.args[0]}; accepted units: {UNIT_EXAMPLES[dim]}{hint}")
            return None
        er = _EnergyRow(r, label, name, key, unit, factor)
        er.coef, er.ref_coef = coefficient(
            _cell(row, roles.get("coef")), _cell(row, roles.get("ref_coef")), label, r, letters, self.warn
        )
        got: dict[str, Decimal | None] = {}
        for role in NUMBER_ROLES:
            j = roles.get(role)
            if j is None:
                continue
            v = _cell(row, j)
            try:
                x, _ = read_number(v, f"{label} {ROLE_LABEL[role]}")
            except CellProblem as exc:
                self.err(r, letters[role], str(exc))
                er.ok = False
                continue
            got[role] = None if x is None else _dec(x)
        if not er.ok:
            return er

        def val(role: str) -> Decimal:
            return got.get(role) or _ZERO

        er.total = val("total")
        er.feedstock = val("feedstock")
        if er.feedstock > er.total:
            self.err(
                r, letters["feedstock"],
                f"{label}: 用于原材料 ({_fmt(er.feedstock)}) is more than 消费量合计 ({_fmt(er.total)}); "
                f"feedstock is part of consumption / {label}用于原材料不能大于消费量合计",
            )  # fmt: skip
            er.ok = False
            return er
        balance(er, got, letters, dim, self.warn)
        return er
