"""The shapes the services hand out, each typed once and built in one place.

A view is plain JSON data (a ``TypedDict``) with exactly the keys the API emits (its
schemas under ``api/resources``) and the CLI prints with ``--json``:

- ``RatingView``: a stored rating (``rating_view``); its headline parts
  (``CarbonEfficiencyView``, ``ThreeDimensionalView``) are built from the flat
  ``RatingValues`` that are stored for it, the same way for a computed ``Rating``
  (``rating_values``, ``rating_headline``) and for a stored row (``stored_rating_values``);
- ``AccountView``: an account of a year or a month (``carbon.services.queries.account_view``);
- ``JobView``: a job as the API shows it; ``JobRecord`` adds who asked for it, from which
  ``carbon.services.access.job_view_for`` decides what someone else may see (``job_record``);
- ``ImportResultView``: the answer to an upload (``carbon.services.imports.ImportResult.as_dict``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, TypedDict, cast

from carbon import names
from carbon.domain.errors import CellError
from carbon.domain.rating import FULL_YEAR, Rating, mask_months
from carbon.services import reference
from carbon.store.models import Enterprise, Job, RatingRow, as_utc

# Where every figure of an account and a rating is explained (the project's own text).
METHODOLOGY_DOC = "docs/methodology.md"

# -- references to versioned documents ---------------------------------------------------------


class RefView(TypedDict):
    """A factor set or methodology version: ``cn-default@2`` is ``{"id": "cn-default", "version": 2}``."""

    id: str
    version: int


class MethodologyRefView(RefView):
    doc: str  # where the project explains every rule of it


def ref_view(ref: str) -> RefView:
    key, version = reference.split_ref(ref)
    return {"id": key, "version": version}


def methodology_ref_view(ref: str) -> MethodologyRefView:
    key, version = reference.split_ref(ref)
    return {"id": key, "version": version, "doc": METHODOLOGY_DOC}


class NameView(TypedDict):
    """A code's name in both languages (None where there is none)."""

    zh: str | None
    en: str | None


def name_view(name: names.Name | None) -> NameView:
    return {"zh": name.zh if name else None, "en": name.en if name else None}


# -- enterprises -------------------------------------------------------------------------------


class EnterpriseView(TypedDict):
    uscc: str
    name: str | None
    name_en: str | None  # the name in English, where an upload gave it (display_names)
    industry_code: str
    division: str
    section: str
    region_code: str
    industry_name: NameView  # GB/T 4754-2017 大类
    section_name: NameView  # GB/T 4754-2017 门类
    region_name: NameView  # GB/T 2260


def enterprise_view(e: Enterprise) -> EnterpriseView:
    """An enterprise with the GB/T 4754 and GB/T 2260 names of its codes."""
    return {
        "uscc": e.uscc,
        "name": e.name,
        "name_en": e.name_en,
        "industry_code": e.industry_code,
        "division": e.division,
        "section": e.section,
        "region_code": e.region_code,
        "industry_name": name_view(names.division(e.division)),
        "section_name": name_view(names.section(e.section)),
        "region_name": name_view(names.region(e.region_code)),
    }


# -- ratings -----------------------------------------------------------------------------------


class RatingValues(TypedDict):
    """The flat figures of a rating as the ``ratings`` table stores them."""

    emissions: float
    intensity: float | None
    intensity_class: str | None
    industry_intensity: float | None
    ratio: float | None
    grade: int | None
    peer_level: str | None
    peer_count: int | None
    industry_advanced: float | None
    industry_advanced_score: float | None
    regional_contribution: float | None
    regional_contribution_score: float | None
    historical_decline: float | None
    historical_decline_score: float | None
    score: float | None
    colour: str | None
    reason: str | None
    provisional: bool
    month_mask: int | None  # None: stored before months were kept (a whole year)


RATING_VALUES: tuple[str, ...] = tuple(RatingValues.__annotations__)
# The three dimensions of 三维四色, in the order the view lists them.
DIMENSIONS = ("industry_advanced", "regional_contribution", "historical_decline")

CarbonEfficiencyView = TypedDict(
    "CarbonEfficiencyView",
    {
        "intensity": float | None,
        "class": str | None,  # an IntensityClass
        "industry_intensity": float | None,
        "ratio": float | None,  # K = intensity / industry intensity
        "grade": int | None,
        "peer_level": str | None,  # a PeerLevel
        "peer_count": int | None,
    },
)


class DimensionScoreView(TypedDict):
    value: float | None  # None where the value is infinite
    score: float


class ThreeDimensionalView(TypedDict):
    """Each dimension (None where it could not be assessed), the composite score, the colour."""

    industry_advanced: DimensionScoreView | None
    regional_contribution: DimensionScoreView | None
    historical_decline: DimensionScoreView | None
    score: float | None
    colour: str | None  # a Colour


class RatingHeadline(TypedDict):
    """What a rating says, without where it is stored."""

    uscc: str
    year: int
    carbon_efficiency: CarbonEfficiencyView
    three_dimensional: ThreeDimensionalView
    provisional: bool
    months: list[int]  # the calendar months rated
    reason: str | None  # why it could not be computed


class RatingView(RatingHeadline):
    """A stored rating, as the API and the CLI show it (``RatingSchema``)."""

    name: str | None
    name_en: str | None
    # the codes the rating was computed with, not the enterprise's current ones
    industry_code: str
    region_code: str
    status_label: str | None  # 暂评 when provisional
    emissions_tco2: float | None  # None for a bank with a rating-only consent
    factor_set: RefView
    methodology: MethodologyRefView
    rating_id: int
    calc_run_id: int
    account_id: int | None
    current: bool
    computed_at: str
    explanation: NotRequired[dict[str, Any]]  # one rating read with its explanation
    scope: NotRequired[str]  # "rating" when only the rating may be seen (a bank's consent)


def rating_values(r: Rating) -> RatingValues:
    """A computed rating as the flat figures stored for it."""
    dims = {d.key: d for d in r.dimensions}

    def value(key: str) -> float | None:
        return dims[key].value if key in dims else None

    def score(key: str) -> float | None:
        return dims[key].score if key in dims else None

    return {
        "emissions": r.emissions,
        "intensity": r.intensity,
        "intensity_class": r.intensity_class,
        "industry_intensity": r.industry_intensity,
        "ratio": r.ratio,
        "grade": r.grade,
        "peer_level": r.peer.level if r.peer else None,
        "peer_count": r.peer.count if r.peer else None,
        "industry_advanced": value("industry_advanced"),
        "industry_advanced_score": score("industry_advanced"),
        "regional_contribution": value("regional_contribution"),
        "regional_contribution_score": score("regional_contribution"),
        "historical_decline": value("historical_decline"),
        "historical_decline_score": score("historical_decline"),
        "score": r.score,
        "colour": r.colour,
        "reason": r.reason,
        "provisional": r.provisional,
        "month_mask": r.month_mask,
    }


def stored_rating_values(r: RatingRow) -> RatingValues:
    """A stored rating's flat figures."""
    return cast(RatingValues, {k: getattr(r, k) for k in RATING_VALUES})


def carbon_efficiency_view(v: RatingValues) -> CarbonEfficiencyView:
    return {
        "intensity": v["intensity"],
        "class": v["intensity_class"],
        "industry_intensity": v["industry_intensity"],
        "ratio": v["ratio"],
        "grade": v["grade"],
        "peer_level": v["peer_level"],
        "peer_count": v["peer_count"],
    }


def _dimension(v: RatingValues, key: str) -> DimensionScoreView | None:
    figures = cast(dict[str, Any], v)
    score: float | None = figures[f"{key}_score"]
    return None if score is None else {"value": figures[key], "score": score}


def three_dimensional_view(v: RatingValues) -> ThreeDimensionalView:
    return {
        "industry_advanced": _dimension(v, "industry_advanced"),
        "regional_contribution": _dimension(v, "regional_contribution"),
        "historical_decline": _dimension(v, "historical_decline"),
        "score": v["score"],
        "colour": v["colour"],
    }


def _months(v: RatingValues) -> list[int]:
    return mask_months(v["month_mask"] if v["month_mask"] is not None else FULL_YEAR)


def rating_headline(r: Rating) -> RatingHeadline:
    """A computed rating's headline (the same parts as a stored rating's view)."""
    v = rating_values(r)
    return {
        "uscc": r.uscc,
        "year": r.year,
        "carbon_efficiency": carbon_efficiency_view(v),
        "three_dimensional": three_dimensional_view(v),
        "provisional": bool(v["provisional"]),
        "months": _months(v),
        "reason": v["reason"],
    }


def rating_view(r: RatingRow, e: Enterprise) -> RatingView:
    """A stored rating of the enterprise ``e``, without its explanation."""
    v = stored_rating_values(r)
    return {
        "uscc": e.uscc,
        "name": e.name,
        "name_en": e.name_en,
        "industry_code": r.industry_code or e.industry_code,
        "region_code": r.region_code or e.region_code,
        "year": r.year,
        "carbon_efficiency": carbon_efficiency_view(v),
        "three_dimensional": three_dimensional_view(v),
        "provisional": bool(v["provisional"]),
        "months": _months(v),
        "status_label": "暂评" if v["provisional"] else None,
        "reason": v["reason"],
        "emissions_tco2": v["emissions"],
        "factor_set": ref_view(r.factor_set),
        "methodology": methodology_ref_view(r.methodology),
        "rating_id": r.id,
        "calc_run_id": r.calc_run_id,
        "account_id": r.account_id,
        "current": r.is_current,
        "computed_at": r.created_at.isoformat(),
    }


def rating_only_view(rating: RatingView) -> RatingView:
    """A rating without its emissions and explanation (carriers, account, cuts)."""
    out = cast(RatingView, {k: v for k, v in rating.items() if k not in ("explanation", "emissions_tco2")})
    out["emissions_tco2"] = None
    out["scope"] = "rating"
    return out


# -- accounts ----------------------------------------------------------------------------------


class EmissionsView(TypedDict):
    """tCO2 by part (``EmissionsSchema``); the market and location figures are None on an
    account stored before they were computed."""

    total: float
    fuel: float
    process: float
    electricity: float
    heat: float
    electricity_location: float | None
    electricity_market: float | None
    total_location: float | None
    total_market: float | None
    biogenic: float | None


class GridFactorView(TypedDict):
    value: float
    unit: str
    year: int  # the year it was published for (earlier: a proxy)
    source: str
    source_published: str | None
    source_note: str | None


class CoverageView(TypedDict):
    """The months of a period with energy data, and reporting each economic figure."""

    months_energy: list[int]
    months_value_added: list[int]
    months_gross_output: list[int]
    months_tax: list[int]


class ContractView(TypedDict):
    """A supplier contract (market-based scope 2)."""

    id: int
    year: int
    supplier: str
    mwh: float
    factor_tco2_per_mwh: float
    tco2: float
    evidence: str
    current: bool
    recorded_at: str | None


class CellSourceView(TypedDict):
    cell: str
    header: str
    unit: str
    as_written: Any
    canonical: float | None


class SourceView(TypedDict):
    """Where a month's figures came from: the file, and each field's cell."""

    import_id: int
    filename: str | None
    sha256: str | None
    sheet: str
    row: int
    revision: int
    cells: dict[str, CellSourceView]


class EnterpriseImportView(TypedDict):
    """One import in an enterprise's import history (``EnterpriseImportSchema``)."""

    id: int
    filename: str | None  # None: the asker may not open the import's record
    record_visible: bool
    uploaded_at: str | None
    status: str
    months: list[str]  # YYYY-MM it wrote for the enterprise, sorted
    rows_current: int
    rows_revised: int  # its rows a later import superseded
    revised_earlier: bool  # it revised a month that had an earlier revision


class AccountView(TypedDict):
    """The account of a year or a month (``AccountSchema``)."""

    uscc: str
    name: str | None
    name_en: str | None
    period: str
    emissions_tco2: EmissionsView
    emissions_by_carrier: dict[str, float]
    energy_tce: float
    value_added: float | None
    gross_output: float | None
    tax: float | None
    intensity: float | None
    energy_intensity: float | None
    intensities: dict[str, float | None]
    months: int
    coverage: CoverageView
    provisional: bool
    provisional_label: str | None
    electricity_floored_months: list[str]
    electricity_note: str
    inputs: dict[str, float | None]
    grid_factor: GridFactorView
    factor_proxy: bool
    market_basis: str
    market_factor: dict[str, Any]
    market_note: str | None
    supplier_contracts: list[ContractView]
    factor_set: RefView
    methodology: MethodologyRefView
    methodology_doc: str
    account_id: int
    calc_run_id: int
    sources: list[int] | list[SourceView]  # a year's imports; a month's cells


# -- jobs --------------------------------------------------------------------------------------


class JobView(TypedDict):
    """A job as the API shows it (``JobSchema``)."""

    id: int
    kind: str
    status: str  # queued | running | done | failed
    params: dict[str, Any]
    import_id: int | None
    result: dict[str, Any] | None
    error: str | None  # why the last attempt failed
    attempts: int
    max_attempts: int
    created_at: str | None
    started_at: str | None
    heartbeat_at: str | None  # while running: the last sign of life
    run_after: str | None  # queued for a retry: not before
    finished_at: str | None


class JobRecord(JobView):
    """A job with who asked for it (never shown: ``access.job_view_for`` decides the rest)."""

    requested_by: int | None


class QueuedJobView(TypedDict):
    """A job not run yet: its id, to ask ``GET /api/v1/jobs/{id}``."""

    id: int
    status: str


def _iso(t: datetime | None) -> str | None:
    return as_utc(t).isoformat() if t else None


def job_record(job: Job, max_attempts: int) -> JobRecord:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "params": job.params,
        "import_id": job.import_id,
        "requested_by": job.requested_by,
        "result": job.result,
        "error": job.error,
        "attempts": job.attempts,
        "max_attempts": max_attempts,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "heartbeat_at": _iso(job.heartbeat_at) if job.status == "running" else None,
        "run_after": _iso(job.run_after) if job.status == "queued" else None,
        "finished_at": _iso(job.finished_at),
    }


# -- imports -----------------------------------------------------------------------------------


class CellErrorView(TypedDict):
    sheet: str
    row: int | None
    column: str | None
    message: str


def cell_error_view(e: CellError) -> CellErrorView:
    return {"sheet": e.sheet, "row": e.row, "column": e.column, "message": e.message}


class FieldChangeView(TypedDict):
    old: Any
    new: Any


class ChangeView(TypedDict):
    """One enterprise-month an import adds or changes (``fields``: old → new, changed only);
    ``period`` None: the enterprise itself (its English name, ``display_names``)."""

    uscc: str
    period: str | None
    action: str  # added | changed
    sheet: str
    row: int
    fields: NotRequired[dict[str, FieldChangeView]]


class UnchangedView(TypedDict):
    """What an import leaves as it is, counted: rows (enterprise-months) whose figures are
    the same, and enterprises none of whose rows change."""

    rows: int
    enterprises: int


class ImportResultView(TypedDict):
    """The answer to an upload (``ImportResultSchema``)."""

    status: str  # imported | unchanged | rejected | dry_run
    sha256: str
    filename: str
    import_id: int | None
    rows_accepted: int
    rows_rejected: int
    rows_added: int
    rows_changed: int
    rows_unchanged: int
    errors: list[CellErrorView]
    warnings: list[CellErrorView]
    enterprises: list[str]
    changes: list[ChangeView]  # real changes only: changed rows first, then added ones
    changes_truncated: bool  # more real changes than listed
    unchanged: NotRequired[UnchangedView]  # a dry run: what it leaves alone, counted
    warnings_total: int
    errors_total: NotRequired[int]
    error_counts: NotRequired[dict[str, Any]]
    job: JobView | QueuedJobView | None
    recomputed: NotRequired[dict[str, Any] | None]  # what the recomputation wrote, once it has run


class ErrorTotalsView(TypedDict):
    """What an answer says beside its capped lists of errors and warnings."""

    warnings_total: int
    errors_total: NotRequired[int]
    error_counts: NotRequired[dict[str, Any]]
