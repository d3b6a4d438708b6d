"""Columns of a rows table that are energy but no field (docs/methodology.md §2.3): converted or refused.

``RowExtras`` collects, while a sheet's header is read, the columns that
``importers.energy_names.classify`` says are energy:

- 蒸汽 / 热水 columns: heat, added to the row's ``heat`` (GJ). In a heat unit they are heat
  already; in tonnes they need the enthalpy (a 焓值 column on the row, or a 焓值：… item above
  the table) or the temperature (水温), else a non-zero cell is refused.
- carriers the service has no factor for (甲醇, 氢气 …) and known carriers under another name
  (外购天然气): a non-zero cell is refused at that cell; an empty column is a warning.
- a total in tce (综合能耗(吨标准煤)): a warning when carriers are given beside it, else its
  non-zero cells are refused.

Traceability: the steam column is a ``ColumnMapping`` of field ``heat`` (its ``note`` says how
it converts; ``factor`` is the GJ per unit when it is the same on every row, else 0) placed
before the sheet's other mappings, so a 热力 column, if any, stays the cell a reader is shown;
and ``originals["heat"]`` of each row with steam says the computation, e.g.
``蒸汽(吨) 12.5 t × (2800 − 83.74) kJ/kg ÷ 1000 = 33.953 GJ`` (with ``热力(吉焦) 100 GJ + `` before
it when the row has both).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from carbon.domain.errors import CellError
from carbon.domain.records import ColumnMapping
from importers.cells import CellProblem, is_blank, read_number
from importers.energy_names import Unknown, figure_problem, ignored_warning
from importers.extras_common import PARAM, SKIP, conversion_text, convert, missing, read_block_parameters
from importers.steam import (
    FEEDWATER_ENTHALPY_KJ_PER_KG,
    RETURN_WATER_C,
    BlockItem,
    Carrier,
    bad_unit,
    carrier_unit,
    parameter_factor,
    read_parameter,
)

Err = Callable[[str | None, str], None]  # (column letter, message)


@dataclass
class _Column:
    index: int
    letter: str
    header: str
    unknown: Unknown
    carrier: Carrier | None = None  # steam / hot water
    factor: float = 1.0  # parameters: to kJ/kg or ℃


@dataclass
class RowExtras:
    """The energy columns of one rows-table sheet that are not fields; see the module doc."""

    sheet: str
    header_row: int
    heat: list[_Column] = field(default_factory=list)  # steam and hot water
    params: dict[str, _Column] = field(default_factory=dict)  # enthalpy / temperature
    probes: list[_Column] = field(default_factory=list)  # refused when non-zero
    totals: list[_Column] = field(default_factory=list)  # tce totals
    block: dict[str, float | object | None] = field(default_factory=dict)  # parameter -> value or SKIP
    mappings: list[ColumnMapping] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    hit: set[str] = field(default_factory=set)  # letters of probes with a non-zero cell
    unused: list[_Column] = field(default_factory=list)

    @property
    def active(self) -> bool:
        """Whether rows must be read one by one (the slow path) to apply these columns."""
        return bool(self.heat or self.probes)

    def indices(self) -> set[int]:
        """Every column index of the sheet these extras read (heat, probe, total, parameter)."""
        cols = [*self.heat, *self.params.values(), *self.probes, *self.totals, *self.unused]
        return {c.index for c in cols}

    def column(self, j: int, letter: str, text: str, u: Unknown) -> None:
        col = _Column(j, letter, text, u)
        if u.kind in ("steam", "hot_water"):
            col.carrier = carrier_unit(u.kind, u.unit)
            self.heat.append(col)
        elif u.kind in ("enthalpy", "temperature"):
            factor = parameter_factor(u.kind, u.unit)
            if factor is None:
                self.errors.append(CellError(self.sheet, self.header_row, letter, (
                    f"column {text!r}: unit {u.unit!r} not understood; write kJ/kg (or MJ/t) for enthalpy, ℃ "
                    "for temperature / 单位无法识别，焓值请用kJ/kg，温度请用℃")))  # fmt: skip
                return
            col.factor = factor
            if u.kind in self.params:
                self.unused.append(col)
            else:
                self.params[u.kind] = col
        elif u.kind == "tce_total":
            self.totals.append(col)
        else:
            self.probes.append(col)

    def finish_header(self, has_carriers: bool, above: Sequence[Sequence[Any]], first_row: int,
                      first_col: int) -> None:  # fmt: skip
        """Once the header is read: decide the tce totals, read the block above the table."""
        for col in self.totals:
            if has_carriers or self.heat:
                self.warnings.append(
                    CellError(
                        self.sheet, self.header_row, col.letter, ignored_warning(col.unknown, col.header)
                    )
                )
            else:
                self.probes.append(col)
        self.block.update(read_block_parameters(above, first_row, first_col, self._block_error))
        wanted = {PARAM[c.unknown.kind] for c in self.heat if c.carrier is None or c.carrier.by == "mass"}
        self.unused += [c for k, c in self.params.items() if k not in wanted]
        for c in self.unused:
            self.warnings.append(CellError(self.sheet, self.header_row, c.letter, (
                f"column {c.header!r} is used only with steam or hot water given in tonnes; ignored "
                f"/ “{c.header}”仅用于以吨计的蒸汽或热水，已忽略")))  # fmt: skip
        for c in self.heat:
            if c.carrier is not None and c.carrier.by == "heat":
                factor, note = c.carrier.factor, "heat as given"
            else:
                kind = PARAM[c.unknown.kind]
                block = self.block.get(kind)
                per_row = kind in self.params or not isinstance(block, float)
                factor = 0.0
                if not per_row and c.carrier is not None and isinstance(block, float):  # not per_row: a float
                    factor = convert(c.unknown.kind, c.carrier.factor, block)
                note = (
                    f"t × (enthalpy − {FEEDWATER_ENTHALPY_KJ_PER_KG} kJ/kg) ÷ 1000 = GJ"
                    if kind == "enthalpy"
                    else f"t × (temperature − {RETURN_WATER_C:g} ℃) × 4.1868 ÷ 1000 = GJ"
                ) + (" (per row: see originals)" if per_row else "")
            unit = c.unknown.unit or ""
            self.mappings.append(
                ColumnMapping(self.sheet, c.letter, c.header, "heat", unit, factor, note=note)
            )

    def _block_error(self, item: BlockItem, message: str) -> None:
        self.errors.append(CellError(self.sheet, item.row, item.column, message))

    # -- rows ------------------------------------------------------------------------

    def _parameter(self, row: list[Any], kind: str, err: Err) -> float | object | None:
        col = self.params.get(kind)
        if col is not None and col.index < len(row):
            value, problem = read_parameter(row[col.index], kind, col.factor, col.header)
            if problem is not None:
                err(col.letter, problem)
                return SKIP
            if value is not None:
                return value
        return self.block.get(kind)

    def apply(
        self, row: list[Any], values: dict[str, float | None], originals: dict[str, str], err: Err
    ) -> None:
        """Convert this row's steam and hot water into ``values["heat"]``; refuse the non-zero
        cells of carriers the service cannot read."""
        for p in self.probes:
            x, problem = _figure(row, p.index, p.header)
            if problem is not None:  # '5吨', '—': not "no figure" (docs/methodology.md §2.3)
                self.hit.add(p.letter)
                err(p.letter, problem)
            elif x:
                self.hit.add(p.letter)
                err(p.letter, figure_problem(p.unknown, p.header))
        parts: list[str] = []
        added = 0.0
        for c in self.heat:
            v = row[c.index] if c.index < len(row) else ""
            try:
                x, _ = read_number(v, c.header)
            except CellProblem as exc:
                err(c.letter, str(exc))
                continue
            if not x:
                continue
            what = c.unknown.kind
            if c.carrier is None:
                err(c.letter, bad_unit(c.header, what))
                continue
            if c.carrier.by == "heat":
                gj = x * c.carrier.factor
                parts.append(f"{c.header} {x:g} = {gj:.6g} GJ")
                added += gj
                continue
            param = self._parameter(row, PARAM[what], err)
            if param is SKIP:
                continue
            if not isinstance(param, float):
                err(c.letter, missing(what, c.header))
                continue
            tonnes = x * c.carrier.factor
            gj = convert(what, tonnes, param)
            parts.append(conversion_text(c.header, tonnes, what, param, gj))
            added += gj
        if not parts:
            return
        before = values.get("heat")
        if before:
            parts.insert(0, originals.get("heat") or f"{before:g} GJ")
        values["heat"] = (before or 0.0) + added
        originals["heat"] = " + ".join(parts)

    def final_warnings(self) -> list[CellError]:
        """Warnings for the refused-if-filled columns that held no figure."""
        return [
            CellError(self.sheet, self.header_row, p.letter, ignored_warning(p.unknown, p.header))
            for p in self.probes
            if p.letter not in self.hit
        ]


def _figure(row: list[Any], j: int, header: str) -> tuple[float | None, str | None]:
    """(the cell's figure or None when blank, the problem when it is not blank and no number)."""
    if j >= len(row) or is_blank(row[j]):
        return None, None
    try:
        x, _ = read_number(row[j], header)
    except CellProblem as exc:
        return None, str(exc)
    return x, None
