"""The figures of the officials' monthly report: the one shape ``carbon.services.monthly``
builds and ``reports.monthly_xlsx`` / ``reports.monthly_pdf`` render.

Plain JSON types (TypedDicts are dicts), so the data can be stored, sent and compared as
is. Units: tCO2, tce, 万元 (10^4 CNY); a ``*share`` is a fraction of the region total, a
``yoy*`` the relative change against the same period of the previous year (0.05 = +5 %),
``None`` where there is nothing to compare with or nothing to divide by.

A rating shown in a list carries ``provisional`` and ``months`` (暂评, a year to date,
docs/methodology.md §6) and the rating summary the provisional counts; data made before
ratings could be provisional lacks them and shows no marker.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict


class PeriodFigures(TypedDict):
    """The region's sums over one period (a month, or January to the report month)."""

    enterprises: int  # with data in the period
    total: float
    fuel: float
    process: float
    electricity: float
    heat: float
    energy_tce: float
    value_added: float
    gross_output: float
    tax: float
    intensity: float | None  # over the enterprises and months that report value added
    intensity_enterprises: int


# The figures of a period that a summary row shows.
PeriodKey = Literal[
    "enterprises",
    "total",
    "fuel",
    "process",
    "electricity",
    "heat",
    "energy_tce",
    "value_added",
    "gross_output",
    "tax",
    "intensity",
]
# The periods of ``Totals`` that a year-on-year change compares.
Which = Literal["month", "ytd"]


class Totals(TypedDict):
    month: PeriodFigures
    ytd: PeriodFigures
    previous_month: PeriodFigures
    previous_ytd: PeriodFigures
    # by ``PeriodKey``; a key left out is worked out from the two periods
    yoy_month: dict[str, float | None]
    yoy_ytd: dict[str, float | None]


class GroupFigures(TypedDict):
    """One industry division's or county's sums."""

    enterprises_known: int
    enterprises: int
    month_tco2: float
    month_share: float | None
    ytd_tco2: float
    ytd_share: float | None
    previous_month_tco2: float | None
    previous_ytd_tco2: float | None
    yoy_month: float | None
    yoy_ytd: float | None
    intensity_ytd: float | None
    red: int  # red-rated enterprises


class IndustryRow(GroupFigures):
    division: str  # GB/T 4754 大类, two digits


class CountyRow(GroupFigures):
    region_code: str  # GB/T 2260


class Who(TypedDict):
    """An enterprise, as every list of the report names it."""

    uscc: str
    name: str | None
    region_code: str
    industry_code: str
    division: str


class HighCarbonRow(Who):
    """A red-rated enterprise, with its rating."""

    grade: int | None
    colour: str | None
    score: float | None
    intensity: float | None
    intensity_class: str | None
    emissions: float  # of the rated year
    ytd_tco2: float | None
    provisional: NotRequired[bool]
    months: NotRequired[list[int] | None]


class LargestRow(Who):
    """One of the largest emitters of the year to date."""

    rank: int
    ytd_tco2: float
    ytd_share: float | None
    month_tco2: float | None
    yoy_ytd: float | None
    grade: int | None
    colour: str | None
    provisional: NotRequired[bool]
    months: NotRequired[list[int] | None]


class MonthsCount(TypedDict):
    months: list[int]
    enterprises: int


class RatingSummary(TypedDict):
    """The current ratings of the rating year: the report's year, or the latest earlier
    year with ratings (``fallback``); ``year`` None where there are none."""

    year: int | None
    requested_year: int
    fallback: bool
    enterprises: int
    rated: int
    not_rated: int
    colours: dict[str, int]  # by colour id (``carbon.domain.vocabulary.COLOURS``)
    grades: dict[str, int]  # by grade, "1" .. "5"
    classes: dict[str, int]  # by class id (``CLASSES``)
    provisional: NotRequired[int]
    provisional_rated: NotRequired[int]
    provisional_colours: NotRequired[dict[str, int]]
    provisional_grades: NotRequired[dict[str, int]]
    provisional_classes: NotRequired[dict[str, int]]
    provisional_months: NotRequired[list[MonthsCount]]


class MissingMonthRow(Who):
    latest_period: str | None  # YYYY-MM


class MissingValueAddedRow(Who):
    value_added_ytd: float | None


class Ref(TypedDict):
    """A factor set or methodology: ``cn-default@2``."""

    id: str
    version: int


class GridFactor(TypedDict):
    value: float
    unit: str
    year: int
    source_year: int
    proxy: bool


class Quality(TypedDict):
    enterprises_known: int
    enterprises_with_data: int
    coverage: float
    missing_month: list[MissingMonthRow]
    missing_value_added: list[MissingValueAddedRow]
    factor_proxy: bool
    factor_proxy_count: int
    grid_factor: GridFactor | None
    factor_set: Ref
    methodology: Ref
    previous_factor_set: Ref
    rating_methodologies: list[Ref]


class MonthlyReportData(TypedDict):
    region: str  # GB/T 2260 scope: 330800 covers 3308xx
    month: str  # YYYY-MM
    year: int
    previous_year: int
    generated_at: NotRequired[str]  # ISO datetime; the PDF's creation date
    totals: Totals
    by_industry: list[IndustryRow]  # largest year-to-date emissions first
    by_county: list[CountyRow]
    ratings: RatingSummary
    high_carbon: list[HighCarbonRow]
    largest: list[LargestRow]
    quality: Quality
