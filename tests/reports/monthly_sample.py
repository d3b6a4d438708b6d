"""A hand-made monthly report (no database), built through the typed shape the service
builds (``reports.monthly_data``): a renamed or missing key fails ``mypy --strict`` on this
file instead of silently making a report of another shape."""

from __future__ import annotations

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
    Who,
)

USCC_A = "91330802MA2XXXXX01"  # not validated here: the renderers only display it
USCC_B = "91330803MA2YYYYY02"
USCC_C = "91330881MA2ZZZZZ03"
EVIL = '=HYPERLINK("http://x","click")'


def period(total: float, n: int, va: float) -> PeriodFigures:
    return {
        "enterprises": n,
        "total": total,
        "fuel": total * 0.5,
        "process": total * 0.1,
        "electricity": total * 0.35,
        "heat": total * 0.05,
        "energy_tce": total * 0.4,
        "value_added": va,
        "gross_output": va * 4,
        "tax": va * 0.3,
        "intensity": total / va if va else None,
        "intensity_enterprises": n,
    }


def who(uscc: str, name: str | None, region: str, industry: str) -> Who:
    return {
        "uscc": uscc,
        "name": name,
        "region_code": region,
        "industry_code": industry,
        "division": industry[:2],
    }


def figures(month: float, ytd: float, prev_ytd: float | None, red: int) -> GroupFigures:
    return {
        "enterprises_known": 2,
        "enterprises": 1,
        "month_tco2": month,
        "month_share": month / 12345.678,
        "ytd_tco2": ytd,
        "ytd_share": ytd / 70000.0,
        "previous_month_tco2": None if prev_ytd is None else month * 0.9,
        "previous_ytd_tco2": prev_ytd,
        "yoy_month": None if prev_ytd is None else 0.111,
        "yoy_ytd": None if prev_ytd is None else (ytd - prev_ytd) / prev_ytd,
        "intensity_ytd": 1.2345,
        "red": red,
    }


def industry(division: str, month: float, ytd: float, prev_ytd: float | None, red: int) -> IndustryRow:
    return {"division": division, **figures(month, ytd, prev_ytd, red)}


def county(code: str, month: float, ytd: float, prev_ytd: float | None, red: int) -> CountyRow:
    return {"region_code": code, **figures(month, ytd, prev_ytd, red)}


def make_data() -> MonthlyReportData:
    month, ytd = period(12345.678, 3, 5000.0), period(70000.0, 3, 29000.0)
    prev_month, prev_ytd = period(11000.0, 3, 4800.0), period(65000.0, 3, 28000.0)
    # The rows below carry no ``provisional`` / ``months``: data made before ratings could be
    # provisional, which shows no marker (tests/reports/test_provisional.py adds them).
    red: HighCarbonRow = {
        "uscc": USCC_A,
        "name": EVIL,
        "region_code": "330802",
        "industry_code": "2614",
        "division": "26",
        "grade": 5,
        "colour": "red",
        "score": 28.0,
        "intensity": 3.5,
        "intensity_class": "high",
        "emissions": 90000.0,
        "ytd_tco2": 45000.0,
    }
    largest: list[LargestRow] = [
        {
            "rank": 1,
            "uscc": USCC_A,
            "name": EVIL,
            "region_code": "330802",
            "industry_code": "2614",
            "division": "26",
            "ytd_tco2": 45000.0,
            "ytd_share": 45000.0 / 70000.0,
            "month_tco2": 8000.0,
            "yoy_ytd": 0.125,
            "grade": 5,
            "colour": "red",
        },
        {
            "rank": 2,
            "uscc": USCC_B,
            "name": "衢江水泥有限公司",
            "region_code": "330803",
            "industry_code": "3011",
            "division": "30",
            "ytd_tco2": 20000.0,
            "ytd_share": 20000.0 / 70000.0,
            "month_tco2": None,
            "yoy_ytd": None,
            "grade": None,
            "colour": None,
        },
    ]
    missing_month: MissingMonthRow = {
        **who(USCC_C, "+江山造纸厂", "330881", "2221"),
        "latest_period": "2023-04",
    }
    missing_va: MissingValueAddedRow = {**who(USCC_B, "@衢江水泥", "330803", "3011"), "value_added_ytd": None}
    return {
        "region": "330800",
        "month": "2023-06",
        "year": 2023,
        "previous_year": 2022,
        "generated_at": "2023-07-05T08:00:00+00:00",
        "totals": {
            "month": month,
            "ytd": ytd,
            "previous_month": prev_month,
            "previous_ytd": prev_ytd,
            "yoy_month": {"total": 12345.678 / 11000.0 - 1, "intensity": None},
            "yoy_ytd": {"total": 70000.0 / 65000.0 - 1},
        },
        "by_industry": [
            industry("26", 8000.0, 45000.0, 40000.0, 1),
            industry("30", 4345.678, 25000.0, None, 0),
        ],
        "by_county": [
            county("330802", 9000.0, 50000.0, 47000.0, 1),
            county("330803", 3345.678, 20000.0, 18000.0, 0),
        ],
        "ratings": {
            "year": 2022,
            "requested_year": 2023,
            "fallback": True,
            "enterprises": 4,
            "rated": 3,
            "not_rated": 1,
            "colours": {"dark_green": 1, "light_green": 1, "yellow": 0, "red": 1},
            "grades": {"1": 1, "2": 0, "3": 1, "4": 0, "5": 1},
            "classes": {"low": 1, "medium": 1, "high": 1},
        },
        "high_carbon": [red],
        "largest": largest,
        "quality": {
            "enterprises_known": 4,
            "enterprises_with_data": 3,
            "coverage": 0.75,
            "missing_month": [missing_month],
            "missing_value_added": [missing_va],
            "factor_proxy": False,
            "factor_proxy_count": 0,
            "grid_factor": {
                "value": 0.5306,
                "unit": "tCO2/MWh",
                "year": 2023,
                "source_year": 2023,
                "proxy": False,
            },
            "factor_set": {"id": "cn-default", "version": 1},
            "methodology": {"id": "quzhou-3d", "version": 1},
            "previous_factor_set": {"id": "cn-default", "version": 1},
            "rating_methodologies": [{"id": "quzhou-3d", "version": 1}],
        },
    }
