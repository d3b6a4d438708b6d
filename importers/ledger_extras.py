"""Rows of a months-as-columns ledger that are energy but no field (docs/methodology.md §2.3).

The ledger's counterpart of ``importers.row_extras``: a 蒸汽 row in 吨 with a 焓值 row (or a
焓值：… item above the table) becomes heat in each month; 热水 with 水温 likewise; a row of a
carrier the service cannot read (甲醇, 氢气 …) refuses the file at each non-zero month cell;
a tce total row (综合能源消费量(吨标准煤)) is a warning when carrier rows are given, else
refused. Each converted month cell is a ``ColumnMapping`` of field ``heat`` with its own
factor (GJ per unit) and a ``note``; the month's ``originals["heat"]`` says the computation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from carbon.domain.identifiers import Period
from carbon.domain.records import ColumnMapping
from importers.cells import CellProblem, is_blank, read_number
from importers.energy_names import Unknown, classify, figure_problem, ignored_warning
from importers.extras_common import (
    PARAM,
    SKIP,
    block_item_problem,
    conversion_text,
    convert,
    missing,
    read_block_parameters,
)
from importers.layout import match_header
from importers.steam import (
    bad_unit,
    carrier_unit,
    parameter_factor,
    read_parameter,
)

Report = Callable[[int | None, int | None, str], None]  # (Excel row, column index, message)


@dataclass
class _Row:
    r: int
    cells: Sequence[Any]
    label: str
    unknown: Unknown
    ent: Any  # the ledger's enterprise of the row


@dataclass
class LedgerExtras:
    sheet: str
    letter: Callable[[int], str]
    err: Report
    warn: Report
    label_column: int | None
    rows: list[_Row] = field(default_factory=list)
    columns: list[ColumnMapping] = field(default_factory=list)  # the converted cells

    def take(self, row: Sequence[Any], r: int, unit_cell: object, ent: Any) -> bool:
        """Keep a row whose name is energy but no field (or a steam parameter); True if kept."""
        j = self.label_column
        label = row[j] if j is not None and j < len(row) else ""
        if not isinstance(label, str) or match_header(label) is not None:
            return False
        unit = " ".join(unit_cell.split()) if isinstance(unit_cell, str) and unit_cell.strip() else None
        u = classify(label, unit)
        if u is None or ent is None:
            return False
        self.rows.append(_Row(r, row, " ".join(label.split()), u, ent))
        return True

    def finish(self, periods: dict[int, Period], carriers: bool, above: Sequence[Sequence[Any]],
               first_row: int, first_col: int) -> None:  # fmt: skip
        """Apply the kept rows to the enterprises' months (``ent.months``, ``ent.reported``,
        ``ent.originals``), with a mapping per converted cell in ``columns``; report what
        cannot be read."""
        block = read_block_parameters(
            above, first_row, first_col,
            lambda item, message: self.err(item.row, None, message),
            lambda item: f"{block_item_problem(item)} ({item.column}{item.row})",  # the cell, as no column is
        )  # fmt: skip
        heat = any(x.unknown.kind in ("steam", "hot_water") for x in self.rows)
        params = {
            (id(x.ent), x.unknown.kind): x for x in self.rows if x.unknown.kind in ("enthalpy", "temperature")
        }
        for x in self.rows:
            kind = x.unknown.kind
            if kind in ("steam", "hot_water"):
                self._heat(x, periods, params.get((id(x.ent), PARAM[kind])), block)
            elif kind == "tce_total" and (carriers or heat):
                self.warn(x.r, self.label_column, ignored_warning(x.unknown, x.label))
            elif kind not in ("enthalpy", "temperature"):
                self._probe(x, periods)

    def _probe(self, x: _Row, periods: dict[int, Period]) -> None:
        hit = False
        for j in periods:
            v = x.cells[j] if j < len(x.cells) else ""
            if is_blank(v):
                continue
            try:
                n, _ = read_number(v, x.label)
            except CellProblem as exc:  # '5吨', '—': a cell error, not "no figure"
                hit = True
                self.err(x.r, j, str(exc))
                continue
            if n:
                hit = True
                self.err(x.r, j, figure_problem(x.unknown, x.label))
        if not hit:
            self.warn(x.r, self.label_column, ignored_warning(x.unknown, x.label))

    def _parameter(
        self, p: _Row | None, j: int, kind: str, block: dict[str, float | object | None]
    ) -> float | object | None:
        if p is not None and j < len(p.cells) and not is_blank(p.cells[j]):
            factor = parameter_factor(kind, p.unknown.unit)
            if factor is None:
                self.err(
                    p.r,
                    self.label_column,
                    f"{p.label}: unit {p.unknown.unit!r} not understood / 单位无法识别",
                )
                return SKIP
            value, problem = read_parameter(p.cells[j], kind, factor, p.label)
            if problem is not None:
                self.err(p.r, j, problem)
                return SKIP
            return value
        return block.get(kind)

    def _heat(self, x: _Row, periods: dict[int, Period], param_row: _Row | None,
              block: dict[str, float | object | None]) -> None:  # fmt: skip
        what = x.unknown.kind
        carrier = carrier_unit(what, x.unknown.unit)
        ent = x.ent
        for j, p in periods.items():
            v = x.cells[j] if j < len(x.cells) else ""
            try:
                n, was_text = read_number(v, f"{x.label} {p}")
            except CellProblem as exc:
                self.err(x.r, j, str(exc))
                continue
            if not n:
                continue
            if carrier is None:
                self.err(x.r, j, bad_unit(x.label, what))
                continue
            if carrier.by == "heat":
                gj, per_unit = n * carrier.factor, carrier.factor
                text = f"{x.label} {n:g} = {gj:.6g} GJ"
            else:
                param = self._parameter(param_row, j, PARAM[what], block)
                if param is SKIP:
                    continue
                if not isinstance(param, float):
                    self.err(x.r, j, missing(what, x.label))
                    continue
                tonnes = n * carrier.factor
                gj = convert(what, tonnes, param)
                per_unit = gj / n
                text = conversion_text(x.label, tonnes, what, param, gj)
            values = ent.months.setdefault(p, {})
            before = values.get("heat")
            originals = ent.originals.setdefault(p, {})
            if before:
                text = f"{originals.get('heat') or f'{before:g} GJ'} + {text}"
            values["heat"] = (before or 0.0) + gj
            originals["heat"] = text
            ent.reported.add(p)
            self.columns.append(
                ColumnMapping(self.sheet, self.letter(j), x.label, "heat", x.unknown.unit or "", per_unit,
                              row=x.r, period=str(p), note="steam/hot water converted to heat (GJ)")
            )  # fmt: skip
