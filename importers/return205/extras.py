"""The 205-1 return beyond its consumption columns (docs/methodology.md §2.3, §2.4).

- Rows that name energy but no field: 蒸汽 / 热水 are heat (in 百万千焦, or in 吨 with a
  焓值：… / 水温：… item above the table, else refused); a carrier the service has no factor
  for (甲醇 …) or a known carrier under a longer name refuses the file at its non-zero
  消费量合计 cell.
- 采用折标系数 and 参考折标系数: read per row (tce per the row's unit: 千克标准煤/千克 = tce/t,
  tce/万立方米, tce/万千瓦时, tce/百万千焦). ``coefficients`` gives the 采用 figures per field
  in tce per canonical unit (``MonthlyRecord.tce_coefficients``).
- The tce the consumption gives (消费量合计 × 采用折标系数, or 参考 where 采用 is blank, summed
  over the rows that are not breakdowns of another row) is compared with the 能源合计 row
  (code 40); above 1 % apart is a warning at the 能源合计 cell naming both figures.
- ``feedstock``: 用于原材料 by field, canonical units, for ``MonthlyRecord.feedstock``.

The reader (``importers.return205``) calls these; its types are passed in, not imported,
so this module does not depend on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from importers.cells import CellProblem, is_blank, read_number
from importers.energy_names import Unknown, classify, figure_problem
from importers.extras_common import PARAM, convert, missing, read_block_parameters
from importers.steam import bad_unit, carrier_unit

Report = Callable[[int | None, str | None, str], None]  # (Excel row, column letter, message)
TCE_TOLERANCE = Decimal("0.01")  # 1 %
_ZERO = Decimal(0)
_BREAKDOWN_PREFIXES = ("其中", "#")


@dataclass(frozen=True)
class Special:
    """What an unknown 205-1 row is: ``factor`` (row unit -> GJ) when it converts to heat,
    else ``refuse`` (the message for a non-zero consumption)."""

    unknown: Unknown
    factor: Decimal | None = None
    refuse: str | None = None


def block_parameters(above: Sequence[Sequence[Any]], err: Report) -> dict[str, float | None]:
    """焓值 / 水温 items above the table: kind -> value (None when given but bad: reported); an
    energy item with a figure (蒸汽用量：120吨) is a cell error (as for rows tables)."""
    found = read_block_parameters(above, 1, 0, lambda item, message: err(item.row, item.column, message))
    return {kind: v if isinstance(v, float) else None for kind, v in found.items()}


def special_row(name: str, unit: str | None, params: dict[str, float | None]) -> Special | None:
    """A 205-1 row whose name is no field but is energy: how to read it; None if it is not
    energy (read as before: a warning when it has consumption)."""
    u = classify(name, unit)
    if u is None or u.kind in ("tce_total", "enthalpy", "temperature"):
        return None
    if u.kind not in ("steam", "hot_water"):
        return Special(u, refuse=figure_problem(u, name))
    carrier = carrier_unit(u.kind, unit)
    if carrier is None:
        return Special(u, refuse=bad_unit(name, u.kind))
    if carrier.by == "heat":
        return Special(u, factor=Decimal(repr(carrier.factor)))
    kind = PARAM[u.kind]
    if kind not in params:
        return Special(u, refuse=missing(u.kind, name))
    value = params[kind]
    if value is None:
        return Special(u, refuse="")  # the bad 焓值 item is reported already
    gj = convert(u.kind, 1.0, value)  # GJ per tonne
    return Special(u, factor=Decimal(repr(carrier.factor)) * Decimal(repr(gj)))


def figure(v: object) -> Decimal | None:
    """A consumption or coefficient cell as a decimal; None when blank or not a number."""
    try:
        x, _ = read_number(v, "")
    except CellProblem:
        return None
    return None if x is None else Decimal(repr(x))


def checked_figure(v: object, header: str) -> tuple[Decimal | None, str | None]:
    """(a consumption cell as a decimal or None when blank, the problem when it is not blank
    and not a number): for rows naming a carrier, where text is never "no figure"."""
    if is_blank(v):
        return None, None
    try:
        x, _ = read_number(v, header)
    except CellProblem as exc:
        return None, str(exc)
    return None if x is None else Decimal(repr(x)), None


def coefficient(cell: object, ref_cell: object, label: str, r: int, letters: dict[str, str],
                warn: Report) -> tuple[Decimal | None, Decimal | None]:  # fmt: skip
    """(采用折标系数, 参考折标系数) of a row; a cell that is not a number warns and counts as blank."""
    out: list[Decimal | None] = []
    for role, v in (("coef", cell), ("ref_coef", ref_cell)):
        d = figure(v)
        if d is None and isinstance(v, str) and v.strip() and role in letters:
            warn(
                r,
                letters[role],
                f"{label}: 折标系数 {v!r} is not a number; not used / 折标系数不是数字，未使用",
            )
        out.append(d)
    return out[0], out[1]


def is_sub_label(label: str) -> bool:
    t = "".join(label.split())
    return t.startswith(_BREAKDOWN_PREFIXES)


@dataclass
class Other:
    """A row that is no field (其他燃料 in 吨标准煤, 煤矸石 …): it still counts in 能源合计."""

    total: Decimal | None
    coef: Decimal | None
    sub: bool


def tce_problem(rows: Iterable[Any], others: Iterable[Other], stated: Decimal,
                breakdown: dict[str, tuple[str, ...]]) -> tuple[Decimal, str] | None:  # fmt: skip
    """(computed tce, message) when the rows' tce differs from the 能源合计 figure by more
    than 1 %; None when it agrees or cannot be computed (a row without any coefficient)."""
    rows = list(rows)
    filled_parents = {r.field for r in rows if r.field in breakdown and r.total > 0}
    kids = {k for p in filled_parents for k in breakdown[p]}
    total = _ZERO
    for r in rows:
        if not r.ok:
            return None
        if r.breakdown or r.field in kids or r.total == 0:
            continue
        coef = r.coef if r.coef is not None else r.ref_coef
        if coef is None:
            return None
        total += r.total * coef
    for o in others:
        if o.sub or not o.total:
            continue
        if o.coef is None:
            return None
        total += o.total * o.coef
    if abs(total - stated) <= TCE_TOLERANCE * max(abs(total), abs(stated)):
        return None
    shown = format(total.quantize(Decimal("0.0001")).normalize(), "f")
    given = format(stated.normalize(), "f")
    return total, (
        f"能源合计 is {given} tce but the carriers' 消费量合计 × 折标系数 sum to {shown} tce, more than 1 % "
        f"apart; check the coefficients and the total "
        f"/ 能源合计（{given}吨标准煤）与各品种消费量合计乘折标系数之和"
        f"（{shown}吨标准煤）相差超过1%"
    )


def coefficients(rows: Iterable[Any]) -> dict[str, float]:
    """采用折标系数 by field, tce per canonical unit (the row's coefficient ÷ its unit's factor
    to the canonical unit); rows summed into one field are weighted by their consumption."""
    sums: dict[str, tuple[Decimal, Decimal, Decimal]] = {}  # field -> (Σ coef×q, Σ q, first coef)
    for r in rows:
        if not r.counted or r.coef is None or not r.factor:
            continue
        per_canonical = r.coef / r.factor
        num, den, first = sums.get(r.field, (_ZERO, _ZERO, per_canonical))
        sums[r.field] = (num + per_canonical * r.total_c, den + r.total_c, first)
    return {k: float(num / den if den else first) for k, (num, den, first) in sums.items()}


def cumulative_feedstock(rows: Iterable[Any]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for r in rows:
        if r.counted:
            out[r.field] = out.get(r.field, _ZERO) + r.feedstock_c
    return out


def feedstock(now: dict[str, Decimal], before: dict[str, Decimal]) -> dict[str, float]:
    """The month's 用于原材料 by field (cumulative now − cumulative before), non-zero only."""
    return {k: float(v - before.get(k, _ZERO)) for k, v in now.items() if v - before.get(k, _ZERO) > 0}
