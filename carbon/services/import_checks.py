"""Checks of an import against the reference data: a carrier without a factor (docs/methodology.md §2.3).

A record with a non-zero quantity of a combustion carrier that the factor set of its year
(``carbon.services.compute.policy``) has no factor for refuses the file at that cell, e.g.
"no emission factor for 液化天然气 in cn-default@1 / 因子集cn-default@1缺少液化天然气的排放因子".
Records arrive in chunks while the file is still being read, so the misses are collected
first and turned into cell errors once the file's column mappings are known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from carbon.domain.errors import CellError
from carbon.domain.quantities import COMBUSTION_KEYS, FIELD_BY_KEY
from carbon.domain.records import ColumnMapping, MonthlyRecord
from carbon.services import compute, reference


@dataclass(frozen=True)
class Miss:
    sheet: str
    row: int
    period: str
    key: str
    factor_set: str


@dataclass
class FactorCheck:
    """The combustion carriers each year's factor set lacks, and the records that use them."""

    session: Session
    lacking: dict[int, tuple[str, frozenset[str]]] = field(default_factory=dict)  # year -> (ref, keys)
    misses: list[Miss] = field(default_factory=list)

    def _lacking(self, year: int) -> tuple[str, frozenset[str]]:
        if year not in self.lacking:
            ref = compute.policy(self.session, year)[0]
            fuels = reference.factor_set(ref, self.session).fuels
            self.lacking[year] = (ref, frozenset(k for k in COMBUSTION_KEYS if k not in fuels))
        return self.lacking[year]

    def lacks(self, year: int, key: str) -> str | None:
        """The factor set of ``year`` when it has no factor for ``key`` (else None)."""
        ref, lacking = self._lacking(year)
        return ref if key in lacking else None

    def check(self, records: list[MonthlyRecord]) -> bool:
        """Collect the records' carriers without a factor; True if there is any so far."""
        years = dict.fromkeys(rec.period.year for rec in records)  # in order; a year or two a chunk
        if any(self._lacking(year)[1] for year in years):
            for rec in records:
                ref, lacking = self._lacking(rec.period.year)
                for key in lacking:
                    if rec.values.get(key):
                        self.misses.append(Miss(rec.sheet, rec.row, str(rec.period), key, ref))
        return bool(self.misses)

    def errors(self, columns: list[ColumnMapping]) -> list[CellError]:
        """The misses as cell errors: the column of the field on the record's sheet (the cell
        of its month in a ledger or 205-1 return, which give one mapping per month)."""
        by_month: dict[tuple[str, str, str], ColumnMapping] = {}
        by_sheet: dict[tuple[str, str], ColumnMapping] = {}
        for c in columns:
            if c.period is not None:
                by_month.setdefault((c.sheet, c.field, c.period), c)
            else:
                by_sheet.setdefault((c.sheet, c.field), c)
        out: list[CellError] = []
        for m in self.misses:
            cell = by_month.get((m.sheet, m.key, m.period)) or by_sheet.get((m.sheet, m.key))
            row = cell.row if cell is not None and cell.row is not None else m.row
            f = FIELD_BY_KEY[m.key]
            out.append(
                CellError(
                    m.sheet, row, cell.column if cell is not None else None,
                    f"no emission factor for {f.name_zh} ({f.name_en}) in {m.factor_set}, the factor set of "
                    f"{m.period[:4]}; the figure cannot be accounted "
                    f"/ 因子集{m.factor_set}缺少{f.name_zh}的排放因子",
                )
            )  # fmt: skip
        return out


def same(a: float | None, b: float | None) -> bool:
    """A stored figure and the file's agree (a re-import changes nothing there)."""
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def same_figures(a: dict[str, Any] | None, b: dict[str, float] | None) -> bool:
    """Two stored figure maps (feedstock, coefficients) agree; None and {} are the same."""
    a, b = a or {}, b or {}
    return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
