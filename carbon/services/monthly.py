"""The officials' monthly report of a region: figures, then xlsx and PDF files.

The figures come from a handful of grouped queries over the region's enterprises, not
from one ORM object at a time, so a city of 20,000 enterprises takes the same few round
trips as a county of ten:

1. the enterprises in scope (id, USCC, name, industry, county);
2. per enterprise and year (the report's year and the one before), the sums of every
   input field over the report month and over January to the report month;
3. the latest period each enterprise has data for (for the coverage list);
4. the current ratings of the rating year (the report's year, or the latest earlier
   rated one), each with whether it is provisional (暂评: a year to date, docs/methodology.md §6) and
   the months it rates, so that every list of the report can mark it.

Emissions are the linear accounting of those sums (``account_matrix``) with each year's
own factor set, as the stored annual accounts are, so a month's region total is exactly
the sum of the enterprises' monthly accounts.

What goes to the renderers is ``reports.monthly_data.MonthlyReportData``: plain JSON types
(the reports package knows no database), typed once there.

- ``monthly_report``: both files written into a folder, and a summary (the CLI);
- ``monthly_report_file``: one format's bytes and file name (a download);
- ``report_data``: the figures alone.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from carbon.domain.accounting import EMISSION_PARTS, INPUT_KEYS, account_matrix
from carbon.domain.errors import InvalidValue, NotFound
from carbon.domain.factors import PARTS
from carbon.domain.identifiers import Period, region_problem
from carbon.domain.quantities import ECONOMIC_KEYS
from carbon.domain.vocabulary import Colour
from carbon.services import access, reference
from carbon.services.annual import input_columns
from carbon.services.compute import policy
from carbon.services.monthly_ratings import UNRATED, grid_factor, latest_periods, ref_of, region_ratings
from carbon.store.db import Database
from carbon.store.models import Enterprise, MonthlyInput
from reports.monthly_data import (
    CountyRow,
    GroupFigures,
    HighCarbonRow,
    IndustryRow,
    LargestRow,
    MissingMonthRow,
    MissingValueAddedRow,
    MonthlyReportData,
    PeriodFigures,
    Totals,
    Who,
)

LARGEST_EMITTERS = 20
FORMATS = ("xlsx", "pdf")
Format = Literal["xlsx", "pdf"]

_E = [PARTS.index(p) for p in EMISSION_PARTS]
_TCE = PARTS.index("energy_tce")
_SUM_KEYS = (*INPUT_KEYS, *ECONOMIC_KEYS)
_VA = ECONOMIC_KEYS.index("value_added")

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def file_names(region: str, month: str) -> tuple[str, str]:
    """ASCII names (safe in any archive, mail client or download header)."""
    stem = f"monthly-report-{region}-{month}"
    return f"{stem}.xlsx", f"{stem}.pdf"


def renderer(fmt: Format) -> Callable[[MonthlyReportData], bytes]:
    """The renderer of one format: ``reports.monthly_xlsx`` or ``reports.monthly_pdf``."""
    if fmt == "xlsx":
        from reports.monthly_xlsx import render_monthly_xlsx

        return render_monthly_xlsx
    if fmt == "pdf":
        from reports.monthly_pdf import render_monthly_pdf

        return render_monthly_pdf
    raise InvalidValue(f"format must be one of {', '.join(FORMATS)} / 格式应为xlsx或pdf")


def build_report_data(db: Database, region: str, month: str) -> tuple[str, Period, MonthlyReportData]:
    """The checked region and month, and the report's figures stamped with the time."""
    region = (region or "").strip()
    problem = region_problem(region)
    if problem:
        raise InvalidValue(problem)
    try:
        period = Period.parse(month or "")
    except ValueError as exc:
        raise InvalidValue(str(exc)) from exc
    with db.read() as session:
        data = report_data(session, region, period)
    data["generated_at"] = datetime.now(UTC).replace(microsecond=0).isoformat()
    return region, period, data


def monthly_report_file(db: Database, region: str, month: str, fmt: Format) -> tuple[bytes, str]:
    """The report of ``region`` for ``month`` in one format (``xlsx`` or ``pdf``): its
    bytes and its file name (``file_names``)."""
    render = renderer(fmt)
    region, period, data = build_report_data(db, region, month)
    xlsx_name, pdf_name = file_names(region, str(period))
    return render(data), xlsx_name if fmt == "xlsx" else pdf_name


def monthly_report(db: Database, region: str, month: str, out_dir: Path) -> dict[str, Any]:
    """Build the report of ``region`` (GB/T 2260 scope) for ``month``, write both files into
    ``out_dir`` and say what they hold."""
    from reports.regions import region_name

    region, period, data = build_report_data(db, region, month)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidValue(f"cannot create output folder {out}: {exc} / 无法创建输出目录") from exc
    xlsx_name, pdf_name = file_names(region, str(period))
    xlsx_path, pdf_path = out / xlsx_name, out / pdf_name
    _write_atomically(xlsx_path, renderer("xlsx")(data))
    _write_atomically(pdf_path, renderer("pdf")(data))

    totals, ratings = data["totals"], data["ratings"]
    return {
        "region": region,
        "region_name": region_name(region),
        "month": str(period),
        "files": [str(xlsx_path), str(pdf_path)],
        "enterprises": totals["month"]["enterprises"],
        "enterprises_known": data["quality"]["enterprises_known"],
        "total_tco2": totals["month"]["total"],
        "ytd_tco2": totals["ytd"]["total"],
        "energy_tce": totals["month"]["energy_tce"],
        "yoy_pct": {
            "month": _pct(totals["yoy_month"]["total"]),
            "ytd": _pct(totals["yoy_ytd"]["total"]),
        },
        "rating_year": ratings["year"],
        "red": ratings["colours"][Colour.RED],
        "ratings": ratings["enterprises"],
        "provisional_ratings": ratings.get("provisional", 0),
        "factor_set": data["quality"]["factor_set"],
        "methodology": data["quality"]["methodology"],
    }


def _pct(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio * 100.0, 2)


def _write_atomically(path: Path, content: bytes) -> None:
    """Write next to ``path`` and rename, so a reader never sees half a file."""
    # Not mkstemp: its 0600 mode would stay on the report; open() honours the umask.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- figures


@dataclass
class _Year:
    """One year's per-enterprise figures, aligned with the enterprise list."""

    year: int
    factor_set: str | None
    has_month: BoolArray  # a current row for the report month
    has_ytd: BoolArray  # any current row from January to the report month
    month: FloatArray  # n × PARTS, the report month
    ytd: FloatArray  # n × PARTS, January to the report month
    month_econ: FloatArray  # n × ECONOMIC_KEYS
    ytd_econ: FloatArray
    # emissions of the months that report value added (an intensity's numerator), n
    month_va_total: FloatArray
    ytd_va_total: FloatArray

    @property
    def month_total(self) -> FloatArray:
        return np.asarray(self.month[:, _E].sum(axis=1), dtype=np.float64)

    @property
    def ytd_total(self) -> FloatArray:
        return np.asarray(self.ytd[:, _E].sum(axis=1), dtype=np.float64)


def report_data(session: Session, region: str, period: Period) -> MonthlyReportData:
    """Every figure of the report as plain data (``reports.monthly_data``)."""
    scope = access.in_region(region)  # the one region rule, as a range an index serves
    ents = session.execute(
        select(
            Enterprise.id,
            Enterprise.uscc,
            Enterprise.name,
            Enterprise.industry_code,
            Enterprise.division,
            Enterprise.region_code,
        )
        .where(scope)
        .order_by(Enterprise.uscc)
    ).all()
    if not ents:
        raise NotFound(f"no enterprises in region {region} / 行政区划{region}内没有企业")
    n = len(ents)
    position = {e.id: i for i, e in enumerate(ents)}
    division = np.array([e.division for e in ents], dtype=object)
    county = np.array([e.region_code for e in ents], dtype=object)

    cur, prev = _years(session, scope, period, position, n)
    if not cur.has_month.any():
        raise NotFound(
            f"no data for {period} in region {region} ({n} enterprises known) "
            f"/ 行政区划{region}在{period}没有能源数据（已登记企业{n}家）"
        )

    fs_ref, m_ref = policy(session, period.year)
    grid = grid_factor(session, fs_ref, period.year)
    prev_fs_ref = prev.factor_set or policy(session, period.year - 1)[0]
    ratings = region_ratings(session, scope, period.year, position)

    def who(i: int) -> Who:
        e = ents[i]
        return {
            "uscc": e.uscc,
            "name": e.name,
            "region_code": e.region_code,
            "industry_code": e.industry_code,
            "division": e.division,
        }

    month = _totals(cur.month, cur.month_econ, cur.has_month, cur.month_va_total)
    ytd = _totals(cur.ytd, cur.ytd_econ, cur.has_ytd, cur.ytd_va_total)
    previous_month = _totals(prev.month, prev.month_econ, prev.has_month, prev.month_va_total)
    previous_ytd = _totals(prev.ytd, prev.ytd_econ, prev.has_ytd, prev.ytd_va_total)
    totals: Totals = {
        "month": month,
        "ytd": ytd,
        "previous_month": previous_month,
        "previous_ytd": previous_ytd,
        "yoy_month": _yoy(month, previous_month),
        "yoy_ytd": _yoy(ytd, previous_ytd),
    }

    rows = ratings.rows

    cur_ytd_total = cur.ytd_total
    # Stable sort of a list already in USCC order: equal emissions stay in USCC order.
    order = np.argsort(-np.where(cur.has_ytd, cur_ytd_total, -np.inf), kind="stable")
    largest: list[LargestRow] = []
    for rank, i in enumerate((int(i) for i in order[:LARGEST_EMITTERS] if cur.has_ytd[i]), start=1):
        prev_ytd = float(prev.ytd_total[i]) if prev.has_ytd[i] else None
        rated = rows.get(i, UNRATED)
        largest.append(
            {
                "rank": rank,
                **who(i),
                "ytd_tco2": float(cur_ytd_total[i]),
                "ytd_share": _ratio(float(cur_ytd_total[i]), totals["ytd"]["total"]),
                "month_tco2": float(cur.month_total[i]) if cur.has_month[i] else None,
                "yoy_ytd": _change(float(cur_ytd_total[i]), prev_ytd),
                "grade": rated.grade,
                "colour": rated.colour,
                "provisional": rated.provisional,
                "months": rated.months,
            }
        )

    high_carbon: list[HighCarbonRow] = [
        {
            **who(i),
            "grade": r.grade,
            "colour": r.colour,
            "score": r.score,
            "intensity": r.intensity,
            "intensity_class": r.intensity_class,
            "emissions": r.emissions,
            "ytd_tco2": float(cur_ytd_total[i]) if cur.has_ytd[i] else None,
            "provisional": r.provisional,
            "months": r.months,
        }
        for i, r in sorted(
            ((i, r) for i, r in rows.items() if r.colour == Colour.RED),
            key=lambda item: (-item[1].emissions, ents[item[0]].uscc),
        )
    ]

    latest = latest_periods(session, scope, position, n)
    missing_month: list[MissingMonthRow] = [
        {**who(i), "latest_period": latest[i]} for i in np.flatnonzero(~cur.has_month).tolist()
    ]
    va_month = cur.month_econ[:, _VA]
    missing_va: list[MissingValueAddedRow] = [
        {**who(i), "value_added_ytd": float(cur.ytd_econ[i, _VA]) if cur.ytd_econ[i, _VA] > 0 else None}
        for i in np.flatnonzero(cur.has_month & (va_month <= 0)).tolist()
    ]

    return {
        "region": region,
        "month": str(period),
        "year": period.year,
        "previous_year": period.year - 1,
        "totals": totals,
        "by_industry": _by_industry(division, cur, prev, totals, ratings.red_positions),
        "by_county": _by_county(county, cur, prev, totals, ratings.red_positions),
        "ratings": ratings.summary,
        "high_carbon": high_carbon,
        "largest": largest,
        "quality": {
            "enterprises_known": n,
            "enterprises_with_data": int(cur.has_month.sum()),
            "coverage": int(cur.has_month.sum()) / n,
            "missing_month": missing_month,
            "missing_value_added": missing_va,
            "factor_proxy": bool(grid and grid["proxy"]),
            "factor_proxy_count": int(cur.has_month.sum()) if grid and grid["proxy"] else 0,
            "grid_factor": grid,
            "factor_set": ref_of(fs_ref),
            "methodology": ref_of(m_ref),
            "previous_factor_set": ref_of(prev_fs_ref),
            "rating_methodologies": ratings.methodologies,
        },
    }


def _years(
    session: Session, scope: Any, period: Period, position: dict[int, int], n: int
) -> tuple[_Year, _Year]:
    """Month and year-to-date sums of every field per enterprise, this year and last.

    One grouped query sums every input once per enterprise, year, whether the row is of the
    report month and whether it reports value added: a few dozen sums a row rather than one
    per column, period and condition (several times less work for the database). Folded
    here into one row per enterprise and year: the count of rows of the report month, then
    for the month and for the year to date the inputs, the economic figures and the inputs
    of the rows that report value added.
    """
    groups = _sums(session, scope, period)
    keys = np.unique(groups[:, :2], axis=0)  # (enterprise id, year), sorted
    code = keys[:, 0].astype(np.int64) * 10_000 + keys[:, 1].astype(np.int64)
    at = np.searchsorted(code, groups[:, 0].astype(np.int64) * 10_000 + groups[:, 1].astype(np.int64))
    in_month, va, count, sums = groups[:, 2] > 0, groups[:, 3] > 0, groups[:, 4], groups[:, 5:]
    k = len(_SUM_KEYS) + len(INPUT_KEYS)
    block = np.zeros((len(groups), k))  # INPUT_KEYS, ECONOMIC_KEYS, INPUT_KEYS where VA
    block[:, : sums.shape[1]] = sums
    block[va, sums.shape[1] :] = sums[va, : len(INPUT_KEYS)]
    table = np.zeros((len(keys), 3 + 2 * k))
    table[:, :2] = keys
    table[:, 2] = np.bincount(at[in_month], weights=count[in_month], minlength=len(keys))
    for start, rows in ((3, in_month), (3 + k, np.ones(len(groups), dtype=bool))):
        folded = np.zeros((len(keys), k))
        np.add.at(folded, at[rows], block[rows])
        table[:, start : start + k] = folded
    idx = np.array([position[int(eid)] for eid in table[:, 0]], dtype=np.int64)
    return (
        _year(session, period.year, table, idx, n),
        _year(session, period.year - 1, table, idx, n),
    )


def _sums(session: Session, scope: Any, period: Period) -> FloatArray:
    """Over the current rows from January to the report month of the report's year and the
    one before: per enterprise, year, whether the row is of the report month and whether it
    reports value added, the row count and the sum of every input and economic figure
    (blanks as 0)."""
    # The month inline (a checked int), so that GROUP BY repeats the selected expression
    # exactly (PostgreSQL refuses two bound parameters as different expressions).
    in_month = MonthlyInput.month == literal_column(str(int(period.month)))
    reports_va = getattr(MonthlyInput, ECONOMIC_KEYS[_VA]).is_not(None)
    cols = [*input_columns(), *(getattr(MonthlyInput, key) for key in ECONOMIC_KEYS)]
    stmt = (
        select(
            MonthlyInput.enterprise_id,
            MonthlyInput.year,
            in_month,
            reports_va,
            func.count(),
            *[func.coalesce(func.sum(c), 0.0) for c in cols],
        )
        .join(Enterprise, Enterprise.id == MonthlyInput.enterprise_id)
        .where(
            MonthlyInput.is_current.is_(True),
            MonthlyInput.year.in_([period.year - 1, period.year]),
            MonthlyInput.month <= period.month,
            scope,
        )
        .group_by(MonthlyInput.enterprise_id, MonthlyInput.year, in_month, reports_va)
    )
    rows = [tuple(r) for r in session.execute(stmt)]
    return np.array(rows, dtype=np.float64).reshape(len(rows), 5 + len(cols))


def _year(session: Session, year: int, table: FloatArray, idx: npt.NDArray[np.int64], n: int) -> _Year:
    sel = table[:, 1] == year
    at = idx[sel]
    k, e, s = len(_SUM_KEYS) + len(INPUT_KEYS), len(INPUT_KEYS), len(_SUM_KEYS)
    month_q = table[sel, 3 : 3 + k]
    ytd_q = table[sel, 3 + k :]
    y = _Year(
        year=year,
        factor_set=None,
        has_month=np.zeros(n, dtype=bool),
        has_ytd=np.zeros(n, dtype=bool),
        month=np.zeros((n, len(PARTS))),
        ytd=np.zeros((n, len(PARTS))),
        month_econ=np.zeros((n, len(ECONOMIC_KEYS))),
        ytd_econ=np.zeros((n, len(ECONOMIC_KEYS))),
        month_va_total=np.zeros(n),
        ytd_va_total=np.zeros(n),
    )
    if not at.size:
        return y
    y.factor_set = policy(session, year)[0]
    fs = reference.factor_set(y.factor_set, session)
    years = np.full(at.size, year, dtype=np.int64)
    y.has_month[at] = table[sel, 2] > 0
    y.has_ytd[at] = True
    y.month[at] = account_matrix(month_q[:, :e], years, fs)[0]
    y.ytd[at] = account_matrix(ytd_q[:, :e], years, fs)[0]
    y.month_econ[at] = month_q[:, e:s]
    y.ytd_econ[at] = ytd_q[:, e:s]
    y.month_va_total[at] = account_matrix(month_q[:, s:], years, fs)[0][:, _E].sum(axis=1)
    y.ytd_va_total[at] = account_matrix(ytd_q[:, s:], years, fs)[0][:, _E].sum(axis=1)
    return y


def _totals(parts: FloatArray, econ: FloatArray, mask: BoolArray, va_total: FloatArray) -> PeriodFigures:
    p = parts[mask]
    x = econ[mask]
    total = p[:, _E].sum(axis=1)
    covered = va_total[mask]
    va = x[:, _VA]
    with_va = va > 0
    part = {key: float(p[:, PARTS.index(key)].sum()) for key in EMISSION_PARTS}
    economic = {key: float(x[:, j].sum()) for j, key in enumerate(ECONOMIC_KEYS)}
    return {
        "enterprises": int(mask.sum()),
        "total": float(total.sum()),
        "fuel": part["fuel"],
        "process": part["process"],
        "electricity": part["electricity"],
        "heat": part["heat"],
        "energy_tce": float(p[:, _TCE].sum()),
        "value_added": economic["value_added"],
        "gross_output": economic["gross_output"],
        "tax": economic["tax"],
        # Intensity over the enterprises that report value added, as the rating peers are,
        # and over the months they report it in (docs/methodology.md §6, §7): counting
        # emissions without value added would inflate it.
        "intensity": _ratio(float(covered[with_va].sum()), float(va[with_va].sum())),
        "intensity_enterprises": int(with_va.sum()),
    }


_YOY_KEYS = ("total", *EMISSION_PARTS, "energy_tce", "value_added", "intensity")


def _yoy(now: PeriodFigures, before: PeriodFigures) -> dict[str, float | None]:
    values: dict[str, Any] = {**now}
    previous: dict[str, Any] = {**before}
    return {k: _change(values[k], previous[k] if before["enterprises"] else None) for k in _YOY_KEYS}


def _change(now: float | None, before: float | None) -> float | None:
    """Relative change (0.05 = +5 %); None where there is nothing to compare with."""
    if now is None or before is None or before == 0:
        return None
    return (now - before) / abs(before)


def _ratio(a: float, b: float | None) -> float | None:
    return None if not b else a / b


def _by_industry(
    keys: npt.NDArray[Any], cur: _Year, prev: _Year, totals: Totals, red: set[int]
) -> list[IndustryRow]:
    """Sums per industry division, the largest year-to-date emissions first."""
    rows: list[IndustryRow] = [
        {"division": label, **figures} for label, figures in _groups(keys, cur, prev, totals, red)
    ]
    rows.sort(key=lambda r: (-r["ytd_tco2"], r["division"]))
    return rows


def _by_county(
    keys: npt.NDArray[Any], cur: _Year, prev: _Year, totals: Totals, red: set[int]
) -> list[CountyRow]:
    """Sums per county, in code order."""
    return [{"region_code": label, **figures} for label, figures in _groups(keys, cur, prev, totals, red)]


def _groups(
    keys: npt.NDArray[Any], cur: _Year, prev: _Year, totals: Totals, red: set[int]
) -> list[tuple[str, GroupFigures]]:
    """Sums per group (industry division or county) of the enterprises in scope, in key order."""
    labels, inv = np.unique(keys.astype(str), return_inverse=True)
    g = len(labels)

    def s(w: npt.NDArray[Any]) -> FloatArray:
        return np.bincount(inv, weights=w.astype(np.float64), minlength=g).astype(np.float64)

    known = s(np.ones(len(keys)))
    with_data = s(cur.has_month)
    month, ytd = s(cur.month_total), s(cur.ytd_total)
    prev_month, prev_ytd = s(prev.month_total), s(prev.ytd_total)
    prev_month_n, prev_ytd_n = s(prev.has_month), s(prev.has_ytd)
    va = cur.ytd_econ[:, _VA]
    va_ok = cur.has_ytd & (va > 0)
    e_va, va_sum = s(np.where(va_ok, cur.ytd_va_total, 0.0)), s(np.where(va_ok, va, 0.0))
    reds = s(np.isin(np.arange(len(keys)), list(red)))
    out: list[tuple[str, GroupFigures]] = []
    for j, label in enumerate(labels.tolist()):
        figures: GroupFigures = {
            "enterprises_known": int(known[j]),
            "enterprises": int(with_data[j]),
            "month_tco2": float(month[j]),
            "month_share": _ratio(float(month[j]), totals["month"]["total"]),
            "ytd_tco2": float(ytd[j]),
            "ytd_share": _ratio(float(ytd[j]), totals["ytd"]["total"]),
            "previous_month_tco2": float(prev_month[j]) if prev_month_n[j] else None,
            "previous_ytd_tco2": float(prev_ytd[j]) if prev_ytd_n[j] else None,
            "yoy_month": _change(float(month[j]), float(prev_month[j]) if prev_month_n[j] else None),
            "yoy_ytd": _change(float(ytd[j]), float(prev_ytd[j]) if prev_ytd_n[j] else None),
            "intensity_ytd": _ratio(float(e_va[j]), float(va_sum[j])),
            "red": int(reds[j]),
        }
        out.append((str(label), figures))
    return out
