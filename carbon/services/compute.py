"""Computing accounts and ratings for whole years at once.

The accounts come from grouped sums of the monthly rows (``carbon.services.annual``); the
ratings run over the year's whole population, and each year to date over its peers' same
calendar months. New results are written only where they differ from the current ones,
and old rows stay.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter, itemgetter
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from carbon.domain.factors import FactorSet
from carbon.domain.methodology import Methodology
from carbon.domain.quantities import ECONOMIC_KEYS
from carbon.domain.rating import (
    FULL_YEAR,
    Aggregates,
    Rating,
    RatingInput,
    mask_months,
    population_aggregates,
    rate_population,
)
from carbon.domain.vocabulary import PeerLevel
from carbon.services import benchmarks, reference, views
from carbon.services.annual import (
    Accounts,
    Contracts,
    annual_accounts,
    annual_totals,
    chunks,
    covered_totals,
    supplier_totals,
)
from carbon.store.analyze import RESULT_TABLES, analyze_in_session
from carbon.store.bulk import insert_many
from carbon.store.models import (
    AccountRow,
    CalcRun,
    Enterprise,
    RatingRow,
    YearPolicy,
    utcnow,
)

ACCOUNT_VALUES = (
    "months",
    "fuel",
    "process",
    "electricity",
    "heat",
    "total",
    "energy_tce",
    *ECONOMIC_KEYS,
    "grid_factor",
    "grid_factor_year",
    "factor_proxy",
    "electricity_market",
    "total_market",
    "electricity_location",
    "total_location",
    "biogenic",
    "month_mask",
    "value_added_month_mask",
    "intensity",
    "energy_intensity",
    "provisional",
)
# The enterprise's codes a rating is computed with, stored on it (its peer groups).
RATING_CODES = ("industry_code", "division", "section", "region_code")
# The figures stored for a rating (``carbon.services.views.RatingValues``).
RATING_VALUES = views.RATING_VALUES


@dataclass
class Change:
    """Old -> new headline figures of one enterprise-year (None where there was none)."""

    uscc: str
    year: int
    old: dict[str, Any] | None
    new: dict[str, Any]


DIFF_KEYS = ("total", "intensity", "grade", "colour", "score")
MAX_LISTED_CHANGES = 2000


@dataclass
class ComputeSummary:
    years: list[int]
    factor_sets: dict[int, str]
    methodologies: dict[int, str]
    accounts_written: int = 0
    accounts_unchanged: int = 0
    ratings_written: int = 0
    ratings_unchanged: int = 0
    benchmarks_written: int = 0
    calc_run_ids: list[int] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # the first MAX_LISTED_CHANGES
    changes_total: int = 0
    grade_changes: dict[str, int] = field(default_factory=dict)
    colour_changes: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "years": self.years,
            "factor_sets": {str(k): v for k, v in self.factor_sets.items()},
            "methodologies": {str(k): v for k, v in self.methodologies.items()},
            "accounts_written": self.accounts_written,
            "accounts_unchanged": self.accounts_unchanged,
            "ratings_written": self.ratings_written,
            "ratings_unchanged": self.ratings_unchanged,
            "benchmarks_written": self.benchmarks_written,
            "calc_run_ids": self.calc_run_ids,
            "grade_changes": self.grade_changes,
            "colour_changes": self.colour_changes,
            "changes_total": self.changes_total,
        }

    def record(
        self,
        uscc: str,
        year: int,
        old_account: Mapping[str, Any] | None,
        old_rating: Mapping[str, Any] | None,
        new_account: Mapping[str, Any],
        new_rating: Mapping[str, Any] | None,
    ) -> None:
        self.changes_total += 1
        old_grade = old_rating.get("grade") if old_rating else None
        new_grade = new_rating.get("grade") if new_rating else None
        if old_grade != new_grade:
            key = f"{old_grade}->{new_grade}"
            self.grade_changes[key] = self.grade_changes.get(key, 0) + 1
        old_colour = old_rating.get("colour") if old_rating else None
        new_colour = new_rating.get("colour") if new_rating else None
        if old_colour != new_colour:
            key = f"{old_colour}->{new_colour}"
            self.colour_changes[key] = self.colour_changes.get(key, 0) + 1
        if len(self.changes) >= MAX_LISTED_CHANGES:
            return
        before = None
        if old_account or old_rating:
            before = {k: (old_rating or {}).get(k) for k in DIFF_KEYS}
            before["total"] = (old_account or {}).get("total")
        after = {k: (new_rating or {}).get(k) for k in DIFF_KEYS}
        after["total"] = new_account["total"]
        self.changes.append(Change(uscc, year, before, after))


@dataclass
class YearResults:
    accounts: dict[int, dict[str, Any]]  # enterprise_id -> account values
    ratings: dict[int, Rating]
    inputs: list[RatingInput]  # what the ratings were computed from, in rating order
    # by month mask, the populations compared (the whole year; each year to date's months)
    populations: dict[int, list[RatingInput]] = field(default_factory=dict)
    # by month mask, the sums of each population the ratings used (its benchmarks' sums)
    aggregates: dict[int, dict[str, Aggregates]] = field(default_factory=dict)


def _energy_only(carriers: Any) -> Any:
    """The compact carrier columns without process CO2 (an energy-basis rating)."""
    if not isinstance(carriers, Mapping) or "process_co2" not in carriers["keys"]:
        return carriers
    keep = [i for i, k in enumerate(carriers["keys"]) if k != "process_co2"]
    out = {c: [carriers[c][i] for i in keep] for c in ("keys", "quantity", "tco2_per_unit")}
    if "electricity" in carriers:
        out["electricity"] = carriers["electricity"]
    return out


def rate_year(year: int, accounts: Accounts, m: Methodology, enterprises: Mapping[int, Any]) -> YearResults:
    """Ratings of ``year`` from the accounts of ``year`` and ``year - 1`` (same factor set).

    An account whose enterprise is not in ``enterprises`` (stored after they were read) is
    left out: the import that stored it queued its own recomputation."""
    energy = m.emission_basis == "energy"

    def basis(covered: Mapping[str, Any]) -> float:
        """A rating's emissions: all of them, or (``emission_basis: energy``) without process CO2."""
        total = float(covered["total"])
        return total - float(covered["process"]) if energy else total

    inputs: list[RatingInput] = []
    ids: list[int] = []
    accs: dict[int, dict[str, Any]] = {}
    # many enterprises share their months: one coverage (read only) per pair of masks
    coverages: dict[tuple[int, int], dict[str, list[int]]] = {}
    for (eid, y), acc in accounts.items():
        if y != year:
            continue
        ent = enterprises.get(eid)
        if ent is None:
            continue
        accs[eid] = acc
        prev = accounts.get((eid, year - 1))
        ids.append(eid)
        cov = acc["covered"]
        masks = (acc["month_mask"], acc["value_added_month_mask"])
        coverage = coverages.get(masks)
        if coverage is None:
            coverage = coverages[masks] = {
                "months_energy": mask_months(masks[0]),
                "months_value_added": mask_months(masks[1]),
            }
        if prev is None:
            previous_emissions = previous_denominators = previous_by = None
        else:
            pcov = prev["covered"]
            previous_emissions = basis(pcov["value_added"])
            previous_denominators = {k: prev[k] for k in ECONOMIC_KEYS}
            previous_by = {k: basis(pcov[k]) for k in ECONOMIC_KEYS}
        inputs.append(
            RatingInput(
                uscc=ent.uscc,
                division=ent.division,
                section=ent.section,
                region=ent.region_code,
                emissions=basis(cov["value_added"]),
                denominators={k: acc[k] for k in ECONOMIC_KEYS},
                previous_emissions=previous_emissions,
                previous_denominators=previous_denominators,
                carriers=_energy_only(acc.get("carriers")) if energy else acc.get("carriers"),
                emissions_by_denominator={k: basis(cov[k]) for k in ECONOMIC_KEYS},
                previous_by_denominator=previous_by,
                month_mask=acc["month_mask"],
                coverage=coverage,
            )
        )
    if m.region_level != PeerLevel.COUNTY:  # the same regions for the ratings and their benchmarks
        inputs = [replace(r, region=m.region_of(r.region)) for r in inputs]
    # summed once: the ratings compare with these, and the benchmarks snapshot them
    aggregates = population_aggregates(inputs, m)
    ratings = dict(zip(ids, rate_population(inputs, year, m, aggregates), strict=True))
    return YearResults(accs, ratings, inputs, {FULL_YEAR: inputs}, {FULL_YEAR: aggregates})


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def _differs(old: Mapping[str, Any] | None, new: tuple[Any, ...], keys: Sequence[str]) -> bool:
    """A new result (its values in the order of ``keys``) differs from the current row."""
    if old is None:
        return True
    a = tuple(old.get(k) for k in keys)
    return a != new and any(not _same(x, y) for x, y in zip(a, new, strict=True))


def _moved(old: Mapping[str, Any] | None, codes: tuple[Any, ...]) -> bool:
    """The enterprise's codes (``RATING_CODES``) changed since its current rating (a new
    rating row keeps the new ones; the old row keeps the codes it was computed with). A
    rating stored before the codes were kept (None) is not rewritten for that alone."""
    if old is None or old.get("region_code") is None:
        return False
    return any(old.get(k) != c for k, c in zip(RATING_CODES, codes, strict=True))


def policy(session: Session, year: int) -> tuple[str, str]:
    p = session.get(YearPolicy, year)
    if p is None:
        return reference.DEFAULT_FACTOR_SET, reference.DEFAULT_METHODOLOGY
    return p.factor_set, p.methodology


def recompute(
    session: Session,
    years: Iterable[int],
    *,
    reason: str,
    import_id: int | None = None,
    factor_set_ref: str | None = None,
    methodology_ref: str | None = None,
    dry_run: bool = False,
    note: str | None = None,
) -> ComputeSummary:
    """Compute ``years`` and store what changed (or, with ``dry_run``, only report it)."""
    # Tens of thousands of accounts, ratings and explanations are built and all survive to
    # be stored; none can form a cycle, so the cyclic GC would only walk the growing heap
    # again and again. Pause it for the computation (as the import does).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        summary = _recompute(
            session, sorted(set(years)), reason=reason, import_id=import_id, factor_set_ref=factor_set_ref,
            methodology_ref=methodology_ref, dry_run=dry_run, note=note,
        )  # fmt: skip
    finally:
        if gc_was_enabled:
            gc.enable()
    if not dry_run:  # fresh planner statistics after many rows (carbon.store.analyze)
        analyze_in_session(session, RESULT_TABLES, summary.accounts_written + summary.ratings_written)
    return summary


def _recompute(
    session: Session,
    years: list[int],
    *,
    reason: str,
    import_id: int | None,
    factor_set_ref: str | None,
    methodology_ref: str | None,
    dry_run: bool,
    note: str | None,
) -> ComputeSummary:
    enterprises = {
        e.id: e
        for e in session.execute(
            select(
                Enterprise.id,
                Enterprise.uscc,
                Enterprise.industry_code,
                Enterprise.division,
                Enterprise.section,
                Enterprise.region_code,
            )
        )
    }
    summary = ComputeSummary(years, {}, {})
    refs: dict[int, tuple[str, str]] = {}
    for year in years:
        fs_ref, m_ref = policy(session, year)
        refs[year] = (factor_set_ref or fs_ref, methodology_ref or m_ref)
    # One aggregate over every year needed (each year and the one before it); the accounts
    # for a factor set are computed once and shared by the years that use it.
    needed = sorted({y for year in years for y in (year - 1, year)})
    totals = annual_totals(session, needed)
    covered = covered_totals(session, totals, needed)
    contracts = supplier_totals(session, needed)
    by_factor_set: dict[str, Accounts] = {}
    for year in years:
        fs_ref, m_ref = refs[year]
        summary.factor_sets[year] = fs_ref
        summary.methodologies[year] = m_ref
        fs = reference.factor_set(fs_ref, session, for_new_results=True)
        if fs_ref not in by_factor_set:
            by_factor_set[fs_ref] = annual_accounts(totals, fs, contracts, covered)
        m = reference.methodology(m_ref, session, for_new_results=True)
        results = rate_year(year, by_factor_set[fs_ref], m, enterprises)
        _rate_years_to_date(session, year, results, fs, m, enterprises, contracts)
        _store_year(
            session,
            year,
            results,
            fs_ref,
            m_ref,
            summary,
            enterprises,
            reason=reason,
            import_id=import_id,
            dry_run=dry_run,
            note=note,
        )
    return summary


def _rate_years_to_date(
    session: Session,
    year: int,
    results: YearResults,
    fs: FactorSet,
    m: Methodology,
    enterprises: Mapping[int, Any],
    contracts: Contracts,
) -> None:
    """Rate each year to date (fewer than 12 months of energy data, 暂评) against every
    peer's same calendar months, and the same months of its own previous year: one
    population per set of months that such enterprises cover."""
    masks = {a["month_mask"] for a in results.accounts.values() if a["month_mask"] != FULL_YEAR}
    if not any(a["month_mask"] == FULL_YEAR for a in results.accounts.values()):
        results.populations.pop(FULL_YEAR, None)  # nobody is compared with a whole year
        results.aggregates.pop(FULL_YEAR, None)
    for mask in sorted(masks, reverse=True):
        yrs = [year - 1, year]
        totals = annual_totals(session, yrs, month_mask=mask)
        accounts = annual_accounts(totals, fs, contracts, covered_totals(session, totals, yrs, mask))
        same_months = rate_year(year, accounts, m, enterprises)
        results.populations[mask] = same_months.inputs
        results.aggregates[mask] = same_months.aggregates[FULL_YEAR]
        for eid, acc in results.accounts.items():
            if acc["month_mask"] == mask and eid in same_months.ratings:
                results.ratings[eid] = same_months.ratings[eid]


def _store_year(
    session: Session,
    year: int,
    results: YearResults,
    fs_ref: str,
    m_ref: str,
    summary: ComputeSummary,
    enterprises: Mapping[int, Any],
    *,
    reason: str,
    import_id: int | None,
    dry_run: bool,
    note: str | None,
) -> None:
    old_accounts = {
        r.enterprise_id: r._asdict()
        for r in session.execute(
            select(
                AccountRow.id,
                AccountRow.enterprise_id,
                AccountRow.factor_set,
                AccountRow.methodology,
                *[getattr(AccountRow, k) for k in ACCOUNT_VALUES],
            ).where(AccountRow.year == year, AccountRow.is_current.is_(True))
        )
    }
    old_ratings = {
        r.enterprise_id: r._asdict()
        for r in session.execute(
            select(
                RatingRow.id,
                RatingRow.enterprise_id,
                RatingRow.factor_set,
                RatingRow.methodology,
                *[getattr(RatingRow, k) for k in RATING_VALUES],
                *[getattr(RatingRow, k) for k in RATING_CODES],
            ).where(RatingRow.year == year, RatingRow.is_current.is_(True))
        )
    }
    # Each result as the tuple of its stored values, in the order of its keys: compared
    # with the current row, and inserted as it is.
    refs = (fs_ref, m_ref)
    account_values = itemgetter(*ACCOUNT_VALUES)
    new_accounts = {eid: account_values(a) + refs for eid, a in results.accounts.items()}
    rating_figures = {eid: views.rating_values(r) for eid, r in results.ratings.items()}
    rating_values = itemgetter(*RATING_VALUES)
    new_ratings = {eid: rating_values(v) + refs for eid, v in rating_figures.items()}
    codes_of = attrgetter(*RATING_CODES)
    codes = {eid: codes_of(enterprises[eid]) for eid in new_ratings}
    acc_keys = (*ACCOUNT_VALUES, "factor_set", "methodology")
    rat_keys = (*RATING_VALUES, "factor_set", "methodology")
    changed_acc = [eid for eid, a in new_accounts.items() if _differs(old_accounts.get(eid), a, acc_keys)]
    changed_rat = [
        eid
        for eid, r in new_ratings.items()
        if _differs(old_ratings.get(eid), r, rat_keys) or _moved(old_ratings.get(eid), codes[eid])
    ]
    summary.accounts_unchanged += len(new_accounts) - len(changed_acc)
    summary.ratings_unchanged += len(new_ratings) - len(changed_rat)
    for eid in sorted(set(changed_acc) | set(changed_rat)):
        summary.record(
            enterprises[eid].uscc,
            year,
            old_accounts.get(eid),
            old_ratings.get(eid),
            results.accounts[eid],
            cast("Mapping[str, Any] | None", rating_figures.get(eid)),
        )
    # The peer populations behind these ratings (benchmarks), compared with the stored ones.
    bench = benchmarks.year_changes(session, year, results.populations, fs_ref, m_ref, results.aggregates)
    if dry_run:
        summary.accounts_written += len(changed_acc)
        summary.ratings_written += len(changed_rat)
        summary.benchmarks_written += len(bench.new)
        return
    if not changed_acc and not changed_rat and not bench.changed:
        return
    run = CalcRun(
        reason=reason,
        import_id=import_id,
        factor_set=fs_ref,
        methodology=m_ref,
        years=[year],
        accounts_written=len(changed_acc),
        ratings_written=len(changed_rat),
        note=note,
    )
    session.add(run)
    session.flush()
    summary.calc_run_ids.append(run.id)
    summary.benchmarks_written += benchmarks.store(session, run.id, bench)
    pol = session.get(YearPolicy, year)
    if pol is None:
        session.add(YearPolicy(year=year, factor_set=fs_ref, methodology=m_ref, calc_run_id=run.id))
    else:
        pol.factor_set, pol.methodology, pol.calc_run_id = fs_ref, m_ref, run.id

    account_ids = {eid: a["id"] for eid, a in old_accounts.items()}
    now = utcnow()
    if changed_acc:
        _retire(session, AccountRow, [old_accounts[e]["id"] for e in changed_acc if e in old_accounts])
        insert_many(
            session,
            cast(Table, AccountRow.__table__),
            ("enterprise_id", "year", "calc_run_id", "is_current", "created_at", *acc_keys),
            [(eid, year, run.id, True, now, *new_accounts[eid]) for eid in changed_acc],
            method="auto",  # COPY on PostgreSQL for many rows
        )
        # the new rows' ids (their ratings link them), read as plain pairs on the connection
        new_ids = select(AccountRow.enterprise_id, AccountRow.id).where(AccountRow.calc_run_id == run.id)
        account_ids.update(session.connection().execute(new_ids).all())
        summary.accounts_written += len(changed_acc)
    if changed_rat:
        _retire(session, RatingRow, [old_ratings[e]["id"] for e in changed_rat if e in old_ratings])
        run_id = run.id

        def rating_rows() -> Iterable[tuple[Any, ...]]:
            for eid in changed_rat:
                # The account is linked by account_id (immutable); the explanation adds the rest.
                explanation = results.ratings[eid].explanation()
                explanation["factor_set"] = fs_ref
                explanation["methodology"] = m_ref
                yield (
                    eid,
                    year,
                    run_id,
                    True,
                    now,
                    account_ids.get(eid),
                    explanation,
                    *new_ratings[eid],
                    *codes[eid],
                )

        insert_many(
            session,
            cast(Table, RatingRow.__table__),
            (
                "enterprise_id",
                "year",
                "calc_run_id",
                "is_current",
                "created_at",
                "account_id",
                "explanation",
                *rat_keys,
                *RATING_CODES,
            ),
            rating_rows(),
            method="auto",
        )
        summary.ratings_written += len(changed_rat)


def _retire(session: Session, model: Any, ids: list[int]) -> None:
    for chunk in chunks(ids, 5000):
        session.execute(update(model).where(model.id.in_(chunk)).values(is_current=False))
