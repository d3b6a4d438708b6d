"""Service-wide summary: enterprises, emissions by year, grade and colour counts."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.resources.common import COLOURS, Amount, db, who
from carbon.services import usecases

blp = Blueprint("summary", __name__, url_prefix="/api/v1/summary", description="Summary 汇总")

# How many enterprises have each grade (碳效等级, 1 best … 5) and each colour (三维四色).
GradeCountsSchema = Schema.from_dict(
    {str(g): fields.Integer(required=True) for g in range(1, 6)}, name="GradeCountsSchema"
)
ColourCountsSchema = Schema.from_dict(
    {c: fields.Integer(required=True) for c in COLOURS}, name="ColourCountsSchema"
)


class YearSummarySchema(Schema):
    year = fields.Integer(required=True)
    enterprises = fields.Integer(required=True, metadata={"description": "enterprises with an account"})
    total_tco2 = Amount(
        required=True, allow_none=True, metadata={"description": "Σ current accounts' totals (rating basis)"}
    )
    grades = fields.Nested(GradeCountsSchema, required=True)
    colours = fields.Nested(ColourCountsSchema, required=True)
    not_rated = fields.Integer(required=True)


class SummarySchema(Schema):
    region = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "an official's region (GB/T 2260); null: the whole service"},
    )
    enterprises = fields.Integer(required=True)
    years = fields.List(fields.Nested(YearSummarySchema), required=True)


@blp.route("")
class Summary(MethodView):
    @blp.response(200, SummarySchema)
    @blp.doc(operationId="getSummary")
    def get(self) -> dict[str, Any]:
        """Enterprises, total tCO2 by year, and how many enterprises have each grade and
        colour: an official's region, or the whole service for an administrator."""
        by, _ = who()
        return usecases.summary(db(), by=by)
