"""A year's accounts of every enterprise at once, from grouped sums of its monthly rows.

The accounting is linear but for the monthly electricity floor, so one grouped SQL query
per set of years sums every field and each month's floored electricity; the parts are then
a matrix product (``carbon.domain.accounting``). Intensities divide the emissions of the
months that report their denominator: where those are fewer than the months with data, a
second query sums just those months (``covered_totals``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, case, func, literal_column, select, true
from sqlalchemy.orm import Session

from carbon.domain.accounting import INPUT_KEYS, account_matrix, carrier_columns_matrix, market_matrix
from carbon.domain.factors import PARTS, FactorSet
from carbon.domain.quantities import ECONOMIC_KEYS, ENERGY_KEYS
from carbon.domain.rating import FULL_YEAR, mask_months
from carbon.store.models import MonthlyInput, SupplierContract


def _floor(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((expr > 0, expr), else_=0.0)


def _month_bit() -> ColumnElement[Any]:
    """1 << (month − 1) (0 for a month outside 1..12), portable (SQLite and PostgreSQL):
    summed over an enterprise-year's current rows (one per month) it is the mask of the
    months reported. One shift per row, not a 12-way CASE."""
    one: ColumnElement[int] = literal_column("1")
    month = MonthlyInput.month
    bit = one.op("<<")((month - one).self_group())
    return case((month.between(one, literal_column("12")), bit), else_=literal_column("0"))


def input_columns() -> list[ColumnElement[Any]]:
    """Per monthly row, every ``INPUT_KEYS`` value: the energy fields as stored and the
    derived electricity, floored for the month (``accounting.derived_electricity``)."""
    p, x, g = (
        func.coalesce(getattr(MonthlyInput, k), 0.0)
        for k in ("electricity", "electricity_exported", "electricity_green")
    )
    return [*(getattr(MonthlyInput, k) for k in ENERGY_KEYS), _floor(p - x), _floor(p - x - g)]


def input_sums() -> list[ColumnElement[Any]]:
    """Σ of every ``INPUT_KEYS`` column over a group of monthly rows (blanks as 0): the
    derived electricity is floored month by month before it is summed."""
    return [func.coalesce(func.sum(c), 0.0) for c in input_columns()]


# Layout of an ``annual_totals`` row: enterprise id, year, months with data, the mask of
# those months, the mask of the months reporting each economic figure, Σ INPUT_KEYS, Σ
# economic figures (NULL when no month has them).
_MASKS = 3
_INPUTS = _MASKS + 1 + len(ECONOMIC_KEYS)
_ECON = _INPUTS + len(INPUT_KEYS)


def annual_totals(
    session: Session,
    years: Sequence[int],
    *,
    month_mask: int = FULL_YEAR,
    reporting: str | None = None,
    enterprise_ids: Sequence[int] | None = None,
) -> list[Any]:
    """Per enterprise and year: months with data and their masks, summed quantities.
    ``month_mask`` limits the sums to those calendar months (a year to date's peers);
    ``reporting`` to the months that report that economic figure (an intensity's months)."""
    bit = _month_bit()
    econ_masks = [
        func.sum(case((getattr(MonthlyInput, k).is_not(None), bit), else_=0)) for k in ECONOMIC_KEYS
    ]
    econ = [func.sum(getattr(MonthlyInput, k)) for k in ECONOMIC_KEYS]
    stmt = (
        select(
            MonthlyInput.enterprise_id,
            MonthlyInput.year,
            func.count(),
            func.sum(bit),
            *econ_masks,
            *input_sums(),
            *econ,
        )
        .where(MonthlyInput.is_current == true(), MonthlyInput.year.in_(list(years)))
        # In the order of ix_monthly_inputs_year_enterprise, so no sort is needed.
        .group_by(MonthlyInput.year, MonthlyInput.enterprise_id)
    )
    if month_mask != FULL_YEAR:
        stmt = stmt.where(MonthlyInput.month.in_(mask_months(month_mask)))
    if reporting is not None:
        stmt = stmt.where(getattr(MonthlyInput, reporting).is_not(None))
    if enterprise_ids is None:
        return list(session.execute(stmt))
    out: list[Any] = []
    for chunk in chunks(sorted(enterprise_ids), 5000):
        out.extend(session.execute(stmt.where(MonthlyInput.enterprise_id.in_(chunk))))
    return out


Accounts = dict[tuple[int, int], dict[str, Any]]  # (enterprise id, year) -> account values


Contracts = Mapping[tuple[int, int], tuple[float, float]]  # (enterprise, year) -> (MWh, tCO2)


def supplier_totals(session: Session, years: Sequence[int]) -> dict[tuple[int, int], tuple[float, float]]:
    """Per enterprise and year, the current supplier contracts: MWh covered and their tCO2."""
    stmt = (
        select(
            SupplierContract.enterprise_id,
            SupplierContract.year,
            func.sum(SupplierContract.mwh),
            func.sum(SupplierContract.mwh * SupplierContract.factor),
        )
        .where(SupplierContract.is_current == true(), SupplierContract.year.in_(list(years)))
        .group_by(SupplierContract.enterprise_id, SupplierContract.year)
    )
    return {(eid, y): (float(mwh), float(tco2)) for eid, y, mwh, tco2 in session.execute(stmt)}


_T = PARTS.index  # column of a part in account_matrix's output
_EMITTING = (_T("fuel"), _T("process"), _T("electricity"), _T("heat"))


def _inputs(rows: Sequence[Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The ``INPUT_KEYS`` sums of ``annual_totals`` rows as a matrix, and each row's year."""
    data = np.array([r[_INPUTS:_ECON] for r in rows], dtype=np.float64)
    return data, np.array([r[1] for r in rows], dtype=np.int64)


def _parts(
    data: np.ndarray[Any, Any], years: np.ndarray[Any, Any], fs: FactorSet
) -> tuple[np.ndarray[Any, Any], list[dict[str, Any]]]:
    parts, _ = account_matrix(data, years, fs)
    return parts, carrier_columns_matrix(data, years, fs)


def _covered(parts: Sequence[float]) -> dict[str, float]:
    """What a rating takes from one set of parts: its total and its process CO2."""
    return {"total": sum([parts[i] for i in _EMITTING]), "process": parts[_T("process")]}


def covered_totals(
    session: Session, totals: Sequence[Any], years: Sequence[int], month_mask: int = FULL_YEAR
) -> dict[str, list[Any]]:
    """For each economic figure, the sums over the months that report it, of the
    enterprise-years where those are fewer than the months with data (usually none)."""
    out: dict[str, list[Any]] = {}
    for i, key in enumerate(ECONOMIC_KEYS):
        partial = {(r[0], r[1]) for r in totals if r[_MASKS + 1 + i] and r[_MASKS + 1 + i] != r[_MASKS]}
        if partial:
            ids = sorted({eid for eid, _ in partial})
            rows = annual_totals(session, years, month_mask=month_mask, reporting=key, enterprise_ids=ids)
            out[key] = [r for r in rows if (r[0], r[1]) in partial]
    return out


def annual_accounts(
    totals: Sequence[Any],
    fs: FactorSet,
    contracts: Contracts | None = None,
    covered: Mapping[str, Sequence[Any]] | None = None,
) -> Accounts:
    """Accounts of every (enterprise, year) in ``totals`` with one factor set; ``contracts``
    (supplier-specific electricity) enter the market-based figure only. ``covered``
    (``covered_totals``) gives the sums over the months that report each economic figure:
    an intensity divides the emissions of those months only."""
    if not totals:
        return {}
    data, years = _inputs(totals)
    parts, carriers = _parts(data, years, fs)
    totals_col = parts[:, list(_EMITTING)].sum(axis=1)
    s_mwh = s_tco2 = None
    if contracts:
        got = [contracts.get((r[0], r[1]), (0.0, 0.0)) for r in totals]
        s_mwh = np.array([c[0] for c in got], dtype=np.float64)
        s_tco2 = np.array([c[1] for c in got], dtype=np.float64)
    market, _ = market_matrix(data, years, fs, s_mwh, s_tco2)
    grids = {y: fs.grid_factor(y) for y in {r[1] for r in totals}}
    # the few enterprise-years whose months reporting a figure are fewer than their months
    partial: dict[str, dict[tuple[int, int], tuple[list[float], dict[str, Any]]]] = {}
    for denominator, rows in (covered or {}).items():
        if rows:
            p, c = _parts(*_inputs(rows), fs)
            partial[denominator] = {
                (r[0], r[1]): (pp, cc) for r, pp, cc in zip(rows, p.tolist(), c, strict=True)
            }
    accounts: Accounts = {}
    fuel, process, electricity, heat = _EMITTING
    tce, location, biogenic = _T("energy_tce"), _T("electricity_location"), _T("biogenic")
    va_at = _ECON + ECONOMIC_KEYS.index("value_added")
    va_mask_at = _MASKS + 1 + ECONOMIC_KEYS.index("value_added")
    rows_iter = zip(totals, parts.tolist(), totals_col.tolist(), market.tolist(), carriers, strict=True)
    for r, p, total, e_market, used in rows_iter:
        g = grids[r[1]]
        key = (r[0], r[1])
        va = r[va_at]
        own_covered = {"total": sum([p[i] for i in _EMITTING]), "process": p[process]}
        if partial:
            own = (p, used)
            cov = {k: partial[k].get(key, own) if k in partial else own for k in ECONOMIC_KEYS}
            va_parts, va_used = cov["value_added"]
            covered_by = {k: own_covered if pc is p else _covered(pc) for k, (pc, _) in cov.items()}
        else:  # every figure reported in every month with data (the usual case)
            va_parts, va_used = p, used
            covered_by = dict.fromkeys(ECONOMIC_KEYS, own_covered)
        va_total = total if va_parts is p else sum(va_parts[i] for i in _EMITTING)
        mask = int(r[_MASKS])
        account = {
            "months": r[2],
            "month_mask": mask,
            "value_added_month_mask": int(r[va_mask_at] or 0),
            "provisional": mask != FULL_YEAR,
            "fuel": p[fuel],
            "process": p[process],
            "electricity": p[electricity],
            "heat": p[heat],
            "energy_tce": p[tce],
            "total": total,
            "electricity_location": p[location],
            "total_location": total - p[electricity] + p[location],
            "biogenic": p[biogenic],
            "intensity": va_total / va if va is not None and va > 0 else None,
            "energy_intensity": va_parts[tce] / va if va is not None and va > 0 else None,
            "grid_factor": g.value,
            "grid_factor_year": g.source_year,
            "factor_proxy": g.proxy,
            "electricity_market": e_market,
            "total_market": total - p[electricity] + e_market,
            # not stored with the account: what the rating is computed from
            "covered": covered_by,
            "carriers": va_used,
        }
        account.update(zip(ECONOMIC_KEYS, r[_ECON:], strict=True))
        accounts[key] = account
    return accounts


def chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
