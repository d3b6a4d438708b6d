"""Schemas shared by several resources."""

from __future__ import annotations

from flask import current_app
from marshmallow import Schema, fields, validate

from api.auth import current, origin
from carbon.services.auth import Principal
from carbon.services.jobs import Runner
from carbon.store.db import Database

COLOURS = ("dark_green", "light_green", "yellow", "red")
CLASSES = ("low", "medium", "high")

# Integers in a path, as route converters: only what the database can hold (PostgreSQL's
# integer columns are 32-bit) reaches a query; any other number is a 404 like an unknown id.
ID_IN_PATH = "int(min=1, max=2147483647)"
YEAR_IN_PATH = "int(min=1000, max=9999)"

# Free text goes to the database, and PostgreSQL text cannot hold NUL.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="must not contain NUL characters / 不能包含NUL字符")


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
    total = fields.Float(metadata={"description": "the rating basis: fuel + process + electricity + heat"})
    fuel = fields.Float()
    process = fields.Float()
    electricity = fields.Float(
        metadata={
            "description": "rating basis: Σ monthly max(0, purchased − exported − green) × grid average"
        }
    )
    heat = fields.Float()
    electricity_location = fields.Float(
        allow_none=True,
        metadata={
            "description": "location-based scope 2: Σ monthly max(0, purchased − exported) × grid average"
        },
    )
    electricity_market = fields.Float(
        allow_none=True,
        metadata={
            "description": "market-based scope 2: contracts at their factor, the rest at the market factor"
        },
    )
    total_location = fields.Float(
        allow_none=True, metadata={"description": "fuel + process + electricity_location + heat"}
    )
    total_market = fields.Float(
        allow_none=True, metadata={"description": "fuel + process + electricity_market + heat"}
    )
    biogenic = fields.Float(
        allow_none=True, metadata={"description": "CO2 of biomass fuels: a memo figure, in no total"}
    )


class DimensionSchema(Schema):
    value = fields.Float(allow_none=True)
    score = fields.Float()


class CarbonEfficiencySchema(Schema):
    intensity = fields.Float(allow_none=True)
    class_ = fields.String(data_key="class", allow_none=True, metadata={"enum": list(CLASSES)})
    industry_intensity = fields.Float(allow_none=True)
    ratio = fields.Float(allow_none=True)
    grade = fields.Integer(allow_none=True)
    peer_level = fields.String(allow_none=True)
    peer_count = fields.Integer(allow_none=True)


class ThreeDimensionalSchema(Schema):
    industry_advanced = fields.Nested(DimensionSchema, allow_none=True)
    regional_contribution = fields.Nested(DimensionSchema, allow_none=True)
    historical_decline = fields.Nested(DimensionSchema, allow_none=True)
    score = fields.Float(allow_none=True)
    colour = fields.String(allow_none=True, metadata={"enum": list(COLOURS)})


class RatingSchema(Schema):
    uscc = fields.String()
    name = fields.String(allow_none=True)
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
    emissions_tco2 = fields.Float(
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
    explanation = fields.Dict(metadata={"description": "inputs, peer groups, benchmarks, scores, cuts"})


class RatingListItemSchema(RatingSchema):
    """A rating in a list: everything but the (long) explanation."""

    class Meta:
        exclude = ("explanation",)


class YearField(fields.Integer):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(validate=validate.Range(min=2000, max=2100), **kwargs)  # type: ignore[arg-type]
