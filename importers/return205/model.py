"""What one sheet of the 205-1 return says: its energy rows, identity and month."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from carbon.domain.identifiers import Period
from importers.return205.extras import Other
from importers.return205.tables import _ZERO


@dataclass
class _EnergyRow:
    row: int  # Excel row
    label: str  # the 能源名称 text as written
    name: str  # the name looked up (prefixes and notes dropped)
    field: str
    unit: str
    factor: Decimal  # row unit -> canonical
    total: Decimal = _ZERO  # cumulative 消费量合计, row unit
    feedstock: Decimal = _ZERO  # cumulative 用于原材料, row unit
    ok: bool = True  # every cell read
    counted: bool = True
    breakdown: bool = False  # a second row of a field already given (其中：外购电力)
    coef: Decimal | None = None  # 采用折标系数, tce per row unit
    ref_coef: Decimal | None = None  # 参考折标系数

    @property
    def total_c(self) -> Decimal:
        return self.total * self.factor

    @property
    def feedstock_c(self) -> Decimal:
        return self.feedstock * self.factor


@dataclass
class _Ident:
    value: str | None = None
    row: int | None = None
    column: str | None = None


@dataclass
class _Sheet:
    name: str
    order: int
    letters: dict[str, str]  # role -> column letter
    uscc: _Ident = field(default_factory=_Ident)
    ent_name: _Ident = field(default_factory=_Ident)
    industry: _Ident = field(default_factory=_Ident)
    region: _Ident = field(default_factory=_Ident)
    name_en: _Ident = field(default_factory=_Ident)  # the English name, where the block gives it
    period: Period | None = None
    rows: list[_EnergyRow] = field(default_factory=list)
    first_row: int = 0
    coal_mode: dict[str, str | None] = field(default_factory=dict)  # parent field -> "parent"/"breakdown"
    period_row: int | None = None  # the cell the month was read from, if any
    period_column: str | None = None
    others: list[Other] = field(default_factory=list)  # rows no field reads, for 能源合计
    stated_tce: tuple[int, Decimal] | None = None  # the 能源合计 row and its figure

    @property
    def ordinal(self) -> int:
        return 0 if self.period is None else self.period.year * 12 + self.period.month

    def counted(self) -> dict[str, _EnergyRow]:
        return {r.name: r for r in self.rows if r.counted}

    def by_name(self) -> dict[str, _EnergyRow]:
        return {r.name: r for r in self.rows}

    def cumulative(self) -> dict[str, Decimal]:
        """Field -> cumulative burned amount (合计 − 用于原材料), canonical unit."""
        out: dict[str, Decimal] = {}
        for r in self.rows:
            out.setdefault(r.field, _ZERO)
            if r.counted:
                out[r.field] += r.total_c - r.feedstock_c
        return out
