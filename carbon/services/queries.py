"""Read use cases: enterprises, accounts, ratings, rating history, summaries.

Everything returned is plain data (the views of ``carbon.services.views``) that names the
factor set and methodology behind it, so the API and the CLI format the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, bindparam, func, select, true
from sqlalchemy.orm import Session, defer

from carbon import names
from carbon.domain.accounting import (
    INPUT_KEYS,
    account,
    carrier_inputs,
    expand_carriers,
    intensity,
    with_derived,
    with_factors,
)
from carbon.domain.errors import InvalidValue, NotFound, UnknownEnterprise
from carbon.domain.factors import FactorSet
from carbon.domain.identifiers import Period, uscc_problem
from carbon.domain.quantities import ECONOMIC_KEYS, ENERGY_KEYS, FIELD_KEYS
from carbon.domain.rounding import CleanDict, clean
from carbon.domain.vocabulary import COLOURS
from carbon.domain.what_if import thresholds, what_if
from carbon.services import access, reference, view_cache, views
from carbon.services.compute import ACCOUNT_VALUES, policy
from carbon.services.views import (
    METHODOLOGY_DOC,
    AccountView,
    ContractView,
    CoverageView,
    EmissionsView,
    EnterpriseView,
    RatingView,
    SourceView,
    enterprise_view,
    methodology_ref_view,
    ref_view,
)
from carbon.store.models import AccountRow, Enterprise, ImportRow, MonthlyInput, RatingRow, SupplierContract

ACCOUNT_FIELDS = (*ACCOUNT_VALUES, "factor_set", "calc_run_id")


def enterprise(session: Session, uscc: str) -> Enterprise:
    code = uscc.strip().upper()
    problem = uscc_problem(code)
    if problem:  # no enterprise has it (imports and feeds take valid USCCs only): no query either
        raise UnknownEnterprise(f"no enterprise with USCC {code!r}: {problem}")
    e = view_cache.enterprise_by_uscc(session, code)
    if e is None:
        raise UnknownEnterprise(f"no enterprise with USCC {uscc} / 未找到统一社会信用代码为{uscc}的企业")
    return e


def enterprise_dict(e: Enterprise) -> EnterpriseView:
    """An enterprise with the GB/T 4754 and GB/T 2260 names of its codes."""
    return enterprise_view(e)


def page(
    session: Session, stmt: Select[*tuple[Any, ...]], number: int, size: int, counted: Any = None
) -> tuple[list[Any], int]:
    """One page of a query (1-based) and the total count. A page past the last one is empty;
    its offset is never sent to the database (a huge page number overflows its 64-bit integers).
    ``counted``: a cheaper query with the same number of rows, counted instead."""
    counting = (counted if counted is not None else stmt).order_by(None).subquery()
    total = session.scalar(select(func.count()).select_from(counting)) or 0
    offset = (number - 1) * size
    if offset >= total:
        return [], int(total)
    rows = list(session.execute(stmt.offset(offset).limit(size)))
    return rows, int(total)


def list_enterprises(
    session: Session, *, region: str | None = None, industry: str | None = None, q: str | None = None
) -> Select[Enterprise]:
    stmt = select(Enterprise).order_by(Enterprise.uscc)
    if region:
        stmt = stmt.where(access.in_region(region))
    if industry:
        stmt = stmt.where(Enterprise.industry_code.startswith(industry))
    if q:
        stmt = stmt.where((Enterprise.name.contains(q)) | (Enterprise.uscc.startswith(q.upper())))
    return stmt


def _monthly_rows(session: Session, enterprise_id: int, year: int) -> list[MonthlyInput]:
    return list(
        session.scalars(
            select(MonthlyInput)
            .where(
                MonthlyInput.enterprise_id == enterprise_id,
                MonthlyInput.year == year,
                MonthlyInput.is_current.is_(True),
            )
            .order_by(MonthlyInput.month)
        )
    )


def _quantities(row: MonthlyInput) -> dict[str, float]:
    """One month's energy figures (``account`` derives its floored electricity)."""
    return {k: float(getattr(row, k) or 0.0) for k in ENERGY_KEYS}


def _year_quantities(rows: list[MonthlyInput]) -> dict[str, float]:
    """Σ of a period's monthly figures, the derived electricity floored month by month."""
    out: dict[str, float] = dict.fromkeys(INPUT_KEYS, 0.0)
    for r in rows:
        for k, v in with_derived(_quantities(r)).items():
            out[k] += v
    return out


def contract_dict(c: SupplierContract) -> ContractView:
    return {
        "id": c.id,
        "year": c.year,
        "supplier": c.supplier,
        "mwh": c.mwh,
        "factor_tco2_per_mwh": c.factor,
        "tco2": c.mwh * c.factor,
        "evidence": c.evidence,
        "current": c.is_current,
        "recorded_at": c.created_at.isoformat() if c.created_at else None,
    }


def current_contracts(session: Session, enterprise_id: int, year: int) -> list[ContractView]:
    rows = session.scalars(
        select(SupplierContract)
        .where(
            SupplierContract.enterprise_id == enterprise_id,
            SupplierContract.year == year,
            SupplierContract.is_current.is_(True),
        )
        .order_by(SupplierContract.supplier)
    )
    return [contract_dict(c) for c in rows]


ELECTRICITY_NOTE = (
    "electricity: the rating basis, Σ monthly max(0, purchased − exported − green) × grid average; "
    "electricity_location: location-based scope 2, Σ monthly max(0, purchased − exported) × grid "
    "average (green power not deducted); electricity_market: market-based, supplier contracts at "
    "their factor and the rest at the market factor / 电力排放三口径：评价口径（扣除绿电）、"
    "基于位置（不扣绿电）、基于市场（合同电量按供应商因子，其余按市场因子）"
)


def _floored(row: MonthlyInput) -> bool:
    p, x, g = (
        float(getattr(row, k) or 0.0) for k in ("electricity", "electricity_exported", "electricity_green")
    )
    return x + g > p and (x > 0 or g > 0)


def _figure(row: MonthlyInput, key: str) -> float | None:
    """One input figure of a month (a column per field key: ``carbon.store.models``)."""
    value: float | None = getattr(row, key)
    return value


def _months_with(rows: list[MonthlyInput], key: str) -> list[int]:
    return [r.month for r in rows if _figure(r, key) is not None]


def _coverage(rows: list[MonthlyInput]) -> CoverageView:
    """Which months a period's figures cover: with energy data, and reporting each
    economic figure (an intensity divides the emissions of its denominator's months)."""
    return {
        "months_energy": [r.month for r in rows],
        "months_value_added": _months_with(rows, "value_added"),
        "months_gross_output": _months_with(rows, "gross_output"),
        "months_tax": _months_with(rows, "tax"),
    }


def _intensities(
    rows: list[MonthlyInput], totals: list[float], energy: list[float]
) -> dict[str, float | None]:
    """Per denominator: Σ emissions ÷ Σ denominator over the months that report it."""
    out: dict[str, float | None] = {}
    for k in (*ECONOMIC_KEYS, "energy"):
        # energy intensity: tce per value added, over the months that report value added
        key, figures = (k, totals) if k != "energy" else ("value_added", energy)
        months = [
            (t, float(d)) for r, t in zip(rows, figures, strict=True) if (d := _figure(r, key)) is not None
        ]
        out[k] = intensity(sum(t for t, _ in months), sum(d for _, d in months)) if months else None
    return out


def account_view(session: Session, uscc: str, year: int, month: str | None = None) -> AccountView:
    """The account of a year (stored result) or of one month (derived with the year's factor set)."""
    e = enterprise(session, uscc)
    acc = session.scalars(
        select(AccountRow).where(
            AccountRow.enterprise_id == e.id, AccountRow.year == year, AccountRow.is_current.is_(True)
        )
    ).first()
    if acc is None:
        raise NotFound(f"{uscc} has no account for {year} / {uscc}无{year}年碳账户数据")
    fs = reference.factor_set(acc.factor_set, session)
    rows = _monthly_rows(session, e.id, year)
    contracts = current_contracts(session, e.id, year)
    market_note: str | None = None
    sources: list[int] | list[SourceView]
    if month is not None:
        try:
            period = Period.parse(month)
        except ValueError as exc:
            raise InvalidValue(str(exc)) from exc
        if period.year != year:
            raise NotFound(f"month {month} is not in {year} / 月份{month}不属于{year}年")
        rows = [r for r in rows if r.month == period.month]
        if not rows:
            raise NotFound(f"{uscc} has no data for {month} / {uscc}无{month}数据")
        if contracts:
            market_note = (
                "supplier contracts are annual: the year's account counts them, a month's does not "
                "/ 供电合同按年计入年度碳账户，月度账户未计入"
            )
        sources = [_source(session, rows[0])]
    else:
        sources = sorted({r.import_id for r in rows})
    per_month = [account(_quantities(r), year, fs) for r in rows]
    econ = {k: _sum_or_none(getattr(r, k) for r in rows) for k in ECONOMIC_KEYS}
    inputs: dict[str, Any] = {k: sum(float(getattr(r, k) or 0.0) for r in rows) for k in FIELD_KEYS}
    inputs.update(econ)
    by_carrier: dict[str, float] = {}
    for a in per_month:
        for c, v in a.by_carrier.items():
            by_carrier[c] = by_carrier.get(c, 0.0) + v
    emissions: EmissionsView
    if month is not None:
        a = per_month[0]
        emissions = _emissions_view(a.emissions())
        energy = a.energy_tce
    else:
        emissions = {
            "total": acc.total,
            "fuel": acc.fuel,
            "process": acc.process,
            "electricity": acc.electricity,
            "heat": acc.heat,
            "electricity_location": acc.electricity_location,
            "electricity_market": acc.electricity_market,
            "total_location": acc.total_location,
            "total_market": acc.total_market,
            "biogenic": acc.biogenic,
        }
        energy = acc.energy_tce
        if acc.electricity_location is None:
            market_note = (
                "this account was stored before location-based and market-based electricity were "
                "computed as they are now; a recalculation adds them / 该碳账户计算较早，重新计算后补充"
            )
    intensities = _intensities(rows, [a.total for a in per_month], [a.energy_tce for a in per_month])
    coverage = _coverage(rows)
    grid = fs.grid_factor(year)
    market = fs.market_factor(year)
    provisional = month is None and len(rows) < 12
    return {
        "uscc": e.uscc,
        "name": e.name,
        "name_en": e.name_en,
        "period": month or str(year),
        "emissions_tco2": emissions,
        "emissions_by_carrier": by_carrier,
        "energy_tce": energy,
        "value_added": econ["value_added"],
        "gross_output": econ["gross_output"],
        "tax": econ["tax"],
        "intensity": intensities["value_added"],
        "energy_intensity": intensities["energy"],
        "intensities": {k: intensities[k] for k in ECONOMIC_KEYS},
        "months": len(rows),
        "coverage": coverage,
        "provisional": provisional,
        "provisional_label": "暂评 (year to date)" if provisional else None,
        "electricity_floored_months": [f"{year:04d}-{r.month:02d}" for r in rows if _floored(r)],
        "electricity_note": ELECTRICITY_NOTE,
        "inputs": inputs,
        "grid_factor": {
            "value": grid.value,
            "unit": "tCO2/MWh",
            "year": grid.source_year,
            "source": grid.source.document,
            "source_published": grid.source.published,
            "source_note": grid.source.note or None,
        },
        "factor_proxy": grid.proxy,
        # market-based scope 2: what the electricity no certificate covers was counted at
        "market_basis": market.basis,
        "market_factor": market.as_dict(),
        "market_note": market_note,
        "supplier_contracts": contracts,
        "factor_set": ref_view(acc.factor_set),
        "methodology": methodology_ref_view(acc.methodology),
        "methodology_doc": METHODOLOGY_DOC,
        "account_id": acc.id,
        "calc_run_id": acc.calc_run_id,
        "sources": sources,
    }


def _emissions_view(e: dict[str, float | None]) -> EmissionsView:
    """A month's emissions (``carbon.domain.accounting.Account.emissions``): every part is
    computed, so only the location and market figures and the memo may be None."""

    def part(key: str) -> float:
        value = e[key]
        assert value is not None
        return value

    return {
        "total": part("total"),
        "fuel": part("fuel"),
        "process": part("process"),
        "electricity": part("electricity"),
        "heat": part("heat"),
        "electricity_location": e["electricity_location"],
        "electricity_market": e["electricity_market"],
        "total_location": e["total_location"],
        "total_market": e["total_market"],
        "biogenic": e["biogenic"],
    }


def _sum_or_none(values: Iterable[Any]) -> float | None:
    got = [float(v) for v in values if v is not None]
    return sum(got) if got else None


def _source(session: Session, row: MonthlyInput) -> SourceView:
    """Where a month's figures came from: the file, and for each field its cell, header,
    unit and the value as written there (the raw text when it was not a plain number)."""
    imp = session.get(ImportRow, row.import_id)
    originals = row.originals or {}
    cells: dict[str, Any] = {}  # field key -> CellSourceView
    period = f"{row.year:04d}-{row.month:02d}"
    for col in imp.columns if imp else []:
        if col.get("sheet") != row.sheet or col.get("period", period) != period:
            continue
        key, value = col["field"], getattr(row, col["field"], None)
        written: Any = originals.get(key)
        if written is None and value is not None:
            written = round(value / col["factor"], 10) if col["factor"] else value
        cells[key] = {
            "cell": f"{col['column']}{col.get('row', row.row)}",
            "header": col["header"],
            "unit": col["unit"],
            "as_written": written,
            "canonical": value,
        }
    return {
        "import_id": row.import_id,
        "filename": imp.filename if imp else None,
        "sha256": imp.sha256 if imp else None,
        "sheet": row.sheet,
        "row": row.row,
        "revision": row.revision,
        "cells": cells,
    }


def rating_dict(r: RatingRow, e: Enterprise) -> RatingView:
    """A stored rating without its explanation (``carbon.services.views.rating_view``)."""
    return views.rating_view(r, e)


# built once; the explanation, loaded only when the view of it is not cached yet
_CURRENT_RATING = (
    select(RatingRow)
    .where(
        RatingRow.enterprise_id == bindparam("enterprise_id"),
        RatingRow.year == bindparam("year"),
        RatingRow.is_current.is_(True),
    )
    .options(defer(RatingRow.explanation))
)


def rating_view(session: Session, uscc: str, year: int, *, explain: bool = True) -> RatingView:
    e = enterprise(session, uscc)
    r = session.scalars(_CURRENT_RATING, {"enterprise_id": e.id, "year": year}).first()
    if r is None:
        raise NotFound(f"{uscc} has no rating for {year} / {uscc}无{year}年评价结果")
    d = rating_dict(r, e)
    if explain:
        key = (r.id, r.calc_run_id, r.created_at)
        d["explanation"] = view_cache.EXPLANATIONS.get_or_build(key, lambda: _explained(session, r))
    return d


def _explained(session: Session, r: RatingRow) -> tuple[dict[str, Any], bool]:
    """A stored rating's explanation as readers see it, and whether it may be kept
    (``view_cache``: not when its carriers were derived from today's inputs)."""
    # The cuts are derived from the stored explanation with the rating's own methodology.
    m = reference.methodology(r.methodology, session)
    fs = reference.factor_set(r.factor_set, session)
    explanation = r.explanation
    if "carriers" not in explanation:
        explanation = {**explanation, **_carriers_on_read(session, r, fs)}
    if "carriers" in explanation:  # each factor's derivation and source, from its factor set
        carriers = expand_carriers(explanation["carriers"])
        explanation = {**explanation, "carriers": with_factors(carriers, fs, r.year)}
    cuts = what_if(explanation, m)
    acc = session.get(AccountRow, r.account_id) if r.account_id else None
    account = {k: getattr(acc, k) for k in ACCOUNT_FIELDS} if acc else None
    out = {
        **_with_group_names(explanation),
        "thresholds": thresholds(m),
        "account": account,
        "cuts": [c.as_dict() for c in cuts],
        "methodology": methodology_ref_view(r.methodology),
        "edge_rules_applied": [
            {"rule": k, "reason": m.edge_rules[k].reason}
            for k in explanation.get("edge_rules", [])
            if k in m.edge_rules
        ],
    }
    # cleaned once here (12 significant digits, ``rounding.clean``), not on every read
    cleaned = clean(out)
    assert isinstance(cleaned, dict)
    return CleanDict(cleaned), "carriers_derived_on_read" not in explanation


def _named_group(group: Any) -> Any:
    if not isinstance(group, dict) or "level" not in group:
        return group
    return {**group, "name": names.pair(names.peer_group(str(group["level"]), str(group["key"])))}


def _with_group_names(explanation: dict[str, Any]) -> dict[str, Any]:
    """The explanation with the GB/T names of its peer groups (industry, county, all)."""
    out = {**explanation, "carbon_efficiency_peers": _named_group(explanation.get("carbon_efficiency_peers"))}
    dims = explanation.get("dimensions")
    if isinstance(dims, dict):
        out["dimensions"] = {
            k: {**d, "peers": _named_group(d.get("peers"))} if isinstance(d, dict) else d
            for k, d in dims.items()
        }
    return out


def _carriers_on_read(session: Session, r: RatingRow, fs: FactorSet) -> dict[str, Any]:
    """For a rating stored before explanations kept their carriers: the carriers of the
    current inputs, if they still add up to the rating's emissions (else none)."""
    rows = _monthly_rows(session, r.enterprise_id, r.year)
    carriers = carrier_inputs(_year_quantities(rows), r.year, fs)
    emitted = sum(c["emissions_tco2"] for c in carriers)
    if not rows or abs(emitted - r.emissions) > 1e-9 * max(1.0, abs(r.emissions)):
        return {}
    return {"carriers": carriers, "carriers_derived_on_read": True}


def rating_history(session: Session, uscc: str, *, all_revisions: bool = False) -> list[RatingView]:
    e = enterprise(session, uscc)
    stmt = select(RatingRow).where(RatingRow.enterprise_id == e.id)
    if not all_revisions:
        stmt = stmt.where(RatingRow.is_current.is_(True))
    return [rating_dict(r, e) for r in session.scalars(stmt.order_by(RatingRow.year, RatingRow.id))]


def summary(session: Session, region: str | None = None) -> dict[str, Any]:
    """Enterprises, total tCO2 by year, and counts per grade and colour by year: of the
    whole service, or of the enterprises inside ``region`` (330800 covers 3308xx)."""
    inside = access.in_region(region) if region else true()
    n = session.scalar(select(func.count()).select_from(Enterprise).where(inside)) or 0
    by_year: dict[int, dict[str, Any]] = {}
    for year, total, count in session.execute(
        select(AccountRow.year, func.sum(AccountRow.total), func.count())
        .join(Enterprise, Enterprise.id == AccountRow.enterprise_id)
        .where(AccountRow.is_current.is_(True), inside)
        .group_by(AccountRow.year)
        .order_by(AccountRow.year)
    ):
        by_year[year] = {
            "year": year,
            "enterprises": count,
            # to 0.001 t: a sum of floats depends on the order the database adds them in
            "total_tco2": round(float(total), 3) if total is not None else None,
            "grades": {},
            "colours": {},
            "not_rated": 0,
        }
    for year, grade, colour, count in session.execute(
        select(RatingRow.year, RatingRow.grade, RatingRow.colour, func.count())
        .join(Enterprise, Enterprise.id == RatingRow.enterprise_id)
        .where(RatingRow.is_current.is_(True), inside)
        .group_by(RatingRow.year, RatingRow.grade, RatingRow.colour)
    ):
        y = by_year.setdefault(
            year,
            {"year": year, "enterprises": 0, "total_tco2": 0.0, "grades": {}, "colours": {}, "not_rated": 0},
        )
        if grade is None:
            y["not_rated"] += count
            continue
        y["grades"][str(grade)] = y["grades"].get(str(grade), 0) + count
        y["colours"][colour] = y["colours"].get(colour, 0) + count
    for y in by_year.values():
        y["grades"] = {g: y["grades"].get(g, 0) for g in ("1", "2", "3", "4", "5")}
        y["colours"] = {c: y["colours"].get(c, 0) for c in COLOURS}
    return {"region": region, "enterprises": n, "years": list(by_year.values())}


def months_with_data(session: Session, uscc: str, year: int) -> list[int]:
    """The months of ``year`` with current data for ``uscc``, in order."""
    return [r.month for r in _monthly_rows(session, enterprise(session, uscc).id, year)]


def chart_monthly(session: Session, uscc: str, year: int) -> tuple[list[str], dict[str, list[float]]]:
    """Monthly emissions by carrier for ``year``, with the year's factor set."""
    e = enterprise(session, uscc)
    rows = _monthly_rows(session, e.id, year)
    if not rows:
        raise NotFound(f"{uscc} has no data for {year} / {uscc}无{year}年数据")
    fs = reference.factor_set(policy(session, year)[0], session)
    months = [f"{year:04d}-{r.month:02d}" for r in rows]
    per_month = [account(_quantities(r), year, fs).by_carrier for r in rows]
    carriers = sorted({c for m in per_month for c in m}, key=lambda c: FIELD_KEYS.index(c))
    return months, {c: [m.get(c, 0.0) for m in per_month] for c in carriers}


def chart_intensity(
    session: Session, uscc: str
) -> tuple[list[int], list[float | None], list[float | None], list[float | None]]:
    history = rating_history(session, uscc)
    if not history:
        raise NotFound(f"{uscc} has no ratings yet / {uscc}暂无评价结果")
    years: list[int] = []
    own: list[float | None] = []
    industry: list[float | None] = []
    region: list[float | None] = []
    for h in history:
        r = session.get(RatingRow, h["rating_id"])
        assert r is not None
        years.append(r.year)
        own.append(r.intensity)
        industry.append(r.industry_intensity)
        dim = (r.explanation.get("dimensions") or {}).get("regional_contribution") or {}
        region.append(dim.get("benchmark"))
    return years, own, industry, region
