"""Schemas shared by several resources."""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate

from api.auth import current, origin
from carbon import names
from carbon.domain import rounding, vocabulary
from carbon.services.auth import Principal
from carbon.services.jobs import Runner
from carbon.store.db import Database

COLOURS = vocabulary.COLOURS
CLASSES = vocabulary.CLASSES

# Integers in a path, as route converters: only what the database can hold (PostgreSQL's
# integer columns are 32-bit) reaches a query; any other number is a 404 like an unknown id.
ID_IN_PATH = "int(min=1, max=2147483647)"
YEAR_IN_PATH = "int(min=1000, max=9999)"

# Path parameters as the document shows them, each with an example from the sample data
# (sample_inputs/, ``carbon demo``); the route converter still decides what matches.
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "uscc": {"description": "统一社会信用代码 (USCC, 18 characters)", "example": "913308027F17MGU4XE"},
    "year": {"description": "the data year", "example": 2023},
    "kind": {"schema": {"type": "string", "enum": ["monthly-emissions", "intensity", "grade-history"]}},
    "import_id": {"description": "an import, as POST /api/v1/imports answers it", "example": 1},
    "job_id": {"description": "a job, as an import or a recalculation answers it", "example": 1},
}


def in_path(*names: str) -> list[dict[str, Any]]:
    """The documentation of a route's path parameters (fresh dicts: the document builder
    updates them)."""
    return [{"in": "path", "name": name, **PATH_PARAMETERS.get(name, {})} for name in names]


# Free text goes to the database, and PostgreSQL text cannot hold NUL.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="must not contain NUL characters / 不能包含NUL字符")


class RegionCode(fields.String):
    """A GB/T 2260 code the service knows (``carbon.names``): a county, or a city or the
    province standing for every code under it (330800 covers 3308xx). An unknown code is a
    422 naming the parameter, not an empty answer."""

    def __init__(self, parameter: str = "region", **kwargs: Any) -> None:
        self.parameter = parameter
        kwargs.setdefault("metadata", {"description": "GB/T 2260 code; 330800 covers 3308xx"})
        kwargs["metadata"] = {"example": "330802", **kwargs["metadata"]}
        form = validate.Regexp(
            r"^\d{6}$",
            error=f"{parameter} must be a 6-digit GB/T 2260 code / 参数{parameter}应为6位行政区划代码",
        )
        super().__init__(validate=[form, self._known], **kwargs)

    def _known(self, code: str) -> None:
        problem = unknown_region(self.parameter, code)
        if problem:
            raise ValidationError(problem)


def unknown_region(parameter: str, code: str) -> str | None:
    """Why a 6-digit ``code`` given as ``parameter`` is refused: no such GB/T 2260 code."""
    if len(code) == 6 and code.isdigit() and names.region(code) is None:
        return (
            f"{parameter}={code}: no such GB/T 2260 region code (e.g. 330800, 330802) "
            f"/ 参数{parameter}：未知的行政区划代码{code}"
        )
    return None


# Figures as they leave the service (carbon/domain/rounding.py): the store and every
# computation keep full precision; an answer shows no float noise (2856.3789799999995).


class _Rounded(fields.Float):
    """A float field that rounds what it writes with ``rounded``."""

    @staticmethod
    def rounded(value: float) -> float | None:
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> float | str | None:
        number = super()._serialize(value, attr, obj, **kwargs)
        return self.rounded(number) if isinstance(number, float) else number


class Amount(_Rounded):
    """tCO2, tce, MWh, 万元 and other amounts: to 0.001."""

    rounded = staticmethod(rounding.amount)


class Intensity(_Rounded):
    """Intensities, ratios and factors (tCO2/万元, K = L / L_industry, tCO2/MWh): 6 significant
    digits."""

    rounded = staticmethod(rounding.significant)


class Score(_Rounded):
    """A score of 0–100: to 0.01."""

    rounded = staticmethod(rounding.score)


class Cleaned(fields.Dict):
    """A free-form document whose floats are written to 12 significant digits
    (``rounding.clean``): no float noise, no digit lost."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, rounding.CleanDict):  # cleaned when it was built
            return value
        return rounding.clean(super()._serialize(value, attr, obj, **kwargs))


# A download's body, as the OpenAPI document shows it (a file for a generated client).
BINARY: dict[str, str] = {"type": "string", "format": "binary"}
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# An operation anyone may call: no security requirement in the OpenAPI document (every
# other operation needs a bearer token or a login session, see api/app.py).
PUBLIC: dict[str, list[object]] = {"security": []}


def db() -> Database:
    database: Database = current_app.extensions["carbon_db"]
    return database


def who() -> tuple[Principal | None, str | None]:
    """Who is asking (what they may do is decided in the use case) and from where."""
    return current(), origin()


def jobs() -> Runner:
    runner: Runner = current_app.extensions["carbon_jobs"]
    return runner


class RefSchema(Schema):
    id = fields.String()
    version = fields.Integer()
    doc = fields.String(metadata={"description": "where the methodology is explained (methodology only)"})


class EmissionsSchema(Schema):
    total = Amount(metadata={"description": "the rating basis: fuel + process + electricity + heat"})
    fuel = Amount()
    process = Amount()
    electricity = Amount(
        metadata={
            "description": "rating basis: Σ monthly max(0, purchased − exported − green) × grid average"
        }
    )
    heat = Amount()
    electricity_location = Amount(
        allow_none=True,
        metadata={
            "description": "location-based scope 2: Σ monthly max(0, purchased − exported) × grid average"
        },
    )
    electricity_market = Amount(
        allow_none=True,
        metadata={
            "description": "market-based scope 2: contracts at their factor, the rest at the market factor"
        },
    )
    total_location = Amount(
        allow_none=True, metadata={"description": "fuel + process + electricity_location + heat"}
    )
    total_market = Amount(
        allow_none=True, metadata={"description": "fuel + process + electricity_market + heat"}
    )
    biogenic = Amount(
        allow_none=True, metadata={"description": "CO2 of biomass fuels: a memo figure, in no total"}
    )


class DimensionSchema(Schema):
    value = Intensity(allow_none=True, metadata={"description": "the ratio or rate scored"})
    score = Score()


class CarbonEfficiencySchema(Schema):
    intensity = Intensity(allow_none=True)
    class_ = fields.String(data_key="class", allow_none=True, metadata={"enum": list(CLASSES)})
    industry_intensity = Intensity(allow_none=True)
    ratio = Intensity(allow_none=True)
    grade = fields.Integer(allow_none=True)
    peer_level = fields.String(allow_none=True)
    peer_count = fields.Integer(allow_none=True)


class ThreeDimensionalSchema(Schema):
    industry_advanced = fields.Nested(DimensionSchema, allow_none=True)
    regional_contribution = fields.Nested(DimensionSchema, allow_none=True)
    historical_decline = fields.Nested(DimensionSchema, allow_none=True)
    score = Score(allow_none=True)
    colour = fields.String(allow_none=True, metadata={"enum": list(COLOURS)})


class RatingSchema(Schema):
    uscc = fields.String()
    name = fields.String(allow_none=True)
    name_en = fields.String(allow_none=True)
    industry_code = fields.String()
    region_code = fields.String()
    year = fields.Integer()
    carbon_efficiency = fields.Nested(CarbonEfficiencySchema)
    three_dimensional = fields.Nested(ThreeDimensionalSchema)
    reason = fields.String(allow_none=True)
    provisional = fields.Boolean(
        metadata={"description": "a year to date (暂评): fewer than 12 months, compared over the same months"}
    )
    months = fields.List(fields.Integer(), metadata={"description": "the calendar months rated"})
    status_label = fields.String(allow_none=True, metadata={"description": "暂评 when provisional"})
    emissions_tco2 = Amount(
        allow_none=True, metadata={"description": "none for a bank with a rating-only consent"}
    )
    scope = fields.String(
        metadata={"description": "present as 'rating' when only the rating may be seen (a bank's consent)"}
    )
    factor_set = fields.Nested(RefSchema)
    methodology = fields.Nested(RefSchema)
    rating_id = fields.Integer()
    calc_run_id = fields.Integer()
    account_id = fields.Integer(allow_none=True)
    current = fields.Boolean()
    computed_at = fields.String()
    explanation = Cleaned(metadata={"description": "inputs, peer groups, benchmarks, scores, cuts"})


class RatingListItemSchema(RatingSchema):
    """A rating in a list: everything but the (long) explanation."""

    class Meta:
        exclude = ("explanation",)


class YearField(fields.Integer):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"example": 2023})
        super().__init__(validate=validate.Range(min=2000, max=2100), **kwargs)
