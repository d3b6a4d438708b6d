"""Benchmarks: the stored snapshot of every peer population behind a year's ratings.

The calculation run that rates a year also writes its benchmarks (``compute._store_year``
calls ``year_changes`` and ``store``), from the very ratings it stores, so a rating's peer
group (level, key, count, ΣE, Σdenominator) is a benchmark row of its run or an earlier
one. Like accounts and ratings, rows are append-only: a group whose figures changed gets
a new row that takes the ``is_current`` flag; an unchanged group writes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carbon import names
from carbon.domain.benchmarks import ALL_KEY, LEVELS, Benchmark, benchmark_key, population_benchmarks
from carbon.domain.errors import InvalidValue, NotFound
from carbon.domain.methodology import Methodology
from carbon.domain.rating import FULL_YEAR, Aggregates, RatingInput, mask_months
from carbon.services import reference
from carbon.store.bulk import insert_many
from carbon.store.models import BenchmarkRow, utcnow

VALUES = (
    "peer_count",
    "emissions",
    "denominator_total",
    "intensity",
    "advanced",
    "advanced_percentile",
    "q1",
    "median",
    "q3",
)
Key = tuple[int, str, str, str]  # month mask, level, key, denominator


@dataclass
class YearBenchmarks:
    """What a computation of one year changes in its benchmarks."""

    year: int
    factor_set: str
    methodology: str
    new: list[tuple[int, Benchmark]] = field(default_factory=list)  # changed or new groups, by month mask
    retire: list[int] = field(default_factory=list)  # ids of current rows they replace, or of gone groups
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.new or self.retire)


def year_benchmarks(
    inputs: Sequence[RatingInput], m: Methodology, aggregates: Mapping[str, Aggregates] | None = None
) -> list[Benchmark]:
    """Every peer group of the rated population, for each denominator the methodology uses.

    ``inputs`` are the very rating inputs of the year, in the order they were rated, so the
    sums are added up in the same order as the ratings' own. ``aggregates``: the ratings'
    own sums of these inputs by denominator (``rating.population_aggregates``), if at hand."""
    denominators = sorted({"value_added", *(d.denominator for d in m.dimensions)})
    aggs = aggregates or {}
    return [
        b for d in denominators for b in population_benchmarks(inputs, d, m.advanced_percentile, aggs.get(d))
    ]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def year_changes(
    session: Session,
    year: int,
    populations: Mapping[int, Sequence[RatingInput]],
    fs_ref: str,
    m_ref: str,
    aggregates: Mapping[int, Mapping[str, Aggregates]] | None = None,
) -> YearBenchmarks:
    """Compare the year's benchmarks with the current rows; nothing is written.
    ``populations``: by month mask, the rating inputs of the peers compared over those
    calendar months (the whole year, and each set of months a year to date covers);
    ``aggregates``: by month mask, the ratings' own sums of those inputs, where known."""
    m = reference.methodology(m_ref, session)
    current = {
        (r.month_mask, r.level, r.key, r.denominator): r
        for r in session.scalars(
            select(BenchmarkRow).where(BenchmarkRow.year == year, BenchmarkRow.is_current.is_(True))
        )
    }
    out = YearBenchmarks(year, fs_ref, m_ref)
    seen: set[Key] = set()
    for mask, inputs in sorted(populations.items(), reverse=True):
        for b in year_benchmarks(inputs, m, (aggregates or {}).get(mask)):
            k = (mask, b.level, b.key, b.denominator)
            seen.add(k)
            old = current.get(k)
            new = {**b.values(), "factor_set": fs_ref, "methodology": m_ref}
            if old is not None and all(_same(getattr(old, f), v) for f, v in new.items()):
                out.unchanged += 1
                continue
            out.new.append((mask, b))
            if old is not None:
                out.retire.append(old.id)
    # A group with no peers left (every enterprise moved away) has no current benchmark.
    out.retire.extend(r.id for k, r in current.items() if k not in seen)
    return out


def store(session: Session, calc_run_id: int, changes: YearBenchmarks) -> int:
    """Retire the replaced rows and insert the new ones, in the caller's transaction."""
    if changes.retire:
        session.execute(
            update(BenchmarkRow).where(BenchmarkRow.id.in_(changes.retire)).values(is_current=False)
        )
    now = utcnow()
    insert_many(
        session,
        BenchmarkRow.__table__,
        (
            "calc_run_id",
            "year",
            "methodology",
            "factor_set",
            "level",
            "key",
            "denominator",
            "month_mask",
            *VALUES,
            "is_current",
            "created_at",
        ),
        (
            (
                calc_run_id,
                changes.year,
                changes.methodology,
                changes.factor_set,
                b.level,
                b.key,
                b.denominator,
                mask,
                *[b.values()[k] for k in VALUES],
                True,
                now,
            )
            for mask, b in changes.new
        ),
    )
    return len(changes.new)


# -- reading --------------------------------------------------------------------------------


def normalise(level: str | None, key: str | None) -> tuple[str | None, str | None]:
    """(level, key) of a query: the level follows from the key's form when not given
    ("26" division, "C" section, "330802" county, "all" or "*"), and must agree with it."""
    if key is not None:
        key = key.strip().upper() if len(key.strip()) == 1 else key.strip()
        if key in ("*", ALL_KEY):
            form = "all"
        elif key.isdigit() and len(key) == 2:
            form = "division"
        elif key.isalpha() and len(key) == 1:
            form = "section"
        elif key.isdigit() and len(key) == 6:
            form = "county"
        else:
            raise InvalidValue(
                f"key {key!r} is not a division (26), section (C), county (330802) or 'all' "
                "/ 对标分组代码格式错误"
            )
        if level is not None and level != form:
            raise InvalidValue(f"key {key!r} is not a {level} key / 分组代码与层级不符")
        level, key = form, benchmark_key(form, key)
    if level is not None and level not in LEVELS:
        raise InvalidValue(f"level must be one of {', '.join(LEVELS)} / 层级不支持")
    return level, key


# The figures of a peer group (beside its count): what a group too small to show hides.
FIGURES = ("emissions_tco2", "denominator_total", "intensity", "advanced", "q1", "median", "q3")


def benchmark_dict(r: BenchmarkRow) -> dict[str, Any]:
    name = names.peer_group(r.level, r.key)
    fs_id, fs_version = reference.split_ref(r.factor_set)
    m_id, m_version = reference.split_ref(r.methodology)
    return {
        "id": r.id,
        "year": r.year,
        "level": r.level,
        "key": r.key,
        "name_zh": name.zh if name else None,
        "name_en": name.en if name else None,
        "denominator": r.denominator,
        "months": mask_months(r.month_mask),
        "provisional": r.month_mask != FULL_YEAR,
        "peer_count": r.peer_count,
        "emissions_tco2": r.emissions,
        "denominator_total": r.denominator_total,
        "intensity": r.intensity,
        "advanced": r.advanced,
        "advanced_percentile": r.advanced_percentile,
        "q1": r.q1,
        "median": r.median,
        "q3": r.q3,
        "calc_run_id": r.calc_run_id,
        "factor_set": {"id": fs_id, "version": fs_version},
        "methodology": {"id": m_id, "version": m_version},
        "current": r.is_current,
        "computed_at": r.created_at.isoformat(),
    }


def list_benchmarks(
    session: Session,
    year: int,
    *,
    level: str | None = None,
    key: str | None = None,
    all_revisions: bool = False,
) -> list[dict[str, Any]]:
    """The year's benchmarks (current ones, or every revision), by level, key, denominator."""
    level, key = normalise(level, key)
    if session.scalars(select(BenchmarkRow.id).where(BenchmarkRow.year == year).limit(1)).first() is None:
        raise NotFound(f"no benchmarks for {year}: nothing is rated for that year / {year}年无对标数据")
    stmt = select(BenchmarkRow).where(BenchmarkRow.year == year)
    if level is not None:
        stmt = stmt.where(BenchmarkRow.level == level)
    if key is not None:
        stmt = stmt.where(BenchmarkRow.key == key)
    if not all_revisions:
        stmt = stmt.where(BenchmarkRow.is_current.is_(True))
    rows = sorted(
        session.scalars(stmt),
        key=lambda r: (-r.month_mask, LEVELS.index(r.level), r.key, r.denominator, -r.calc_run_id),
    )
    return [benchmark_dict(r) for r in rows]


def peer_benchmark(
    session: Session,
    year: int,
    level: str,
    key: str,
    denominator: str = "value_added",
    *,
    calc_run_id: int | None = None,
    month_mask: int = FULL_YEAR,
) -> BenchmarkRow | None:
    """The benchmark of a rating's peer group (as its explanation names it: level "all"
    has key "*"): as of the rating's calculation run when given, else the current one.
    A year to date's peers are those of its calendar months (``month_mask``)."""
    stmt = select(BenchmarkRow).where(
        BenchmarkRow.year == year,
        BenchmarkRow.month_mask == month_mask,
        BenchmarkRow.level == level,
        BenchmarkRow.key == benchmark_key(level, key),
        BenchmarkRow.denominator == denominator,
    )
    if calc_run_id is not None:
        row = session.scalars(
            stmt.where(BenchmarkRow.calc_run_id <= calc_run_id)
            .order_by(BenchmarkRow.calc_run_id.desc(), BenchmarkRow.id.desc())
            .limit(1)
        ).first()
        if row is not None:
            return row
    return session.scalars(stmt.where(BenchmarkRow.is_current.is_(True))).first()
