"""Ratings across enterprises: a paginated, filterable list."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.resources.common import CLASSES, COLOURS, RatingListItemSchema, RegionCode, YearField, db, who
from carbon.services import usecases

blp = Blueprint(
    "ratings", __name__, url_prefix="/api/v1/ratings", description="Ratings of all enterprises 企业评价结果"
)


class RatingQuerySchema(Schema):
    year = YearField()
    region = RegionCode()
    industry = fields.String(
        validate=validate.Regexp(r"^\d{2,4}$"),
        metadata={"description": "GB/T 4754 code prefix (division or finer)"},
    )
    grade = fields.Integer(validate=validate.Range(min=1, max=5))
    colour = fields.String(validate=validate.OneOf(COLOURS))
    intensity_class = fields.String(data_key="class", validate=validate.OneOf(CLASSES))


@blp.route("")
class Ratings(MethodView):
    @blp.arguments(RatingQuerySchema, location="query")
    @blp.response(200, RatingListItemSchema(many=True))
    @blp.paginate()
    @blp.doc(operationId="listRatings")
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """Current ratings of the enterprises you may see, filtered by year, region,
        industry, grade, colour or class."""
        by, origin = who()
        items, pagination_parameters.item_count = usecases.ratings_page(
            db(), args, pagination_parameters.page, pagination_parameters.page_size, by=by, origin=origin
        )
        return items
