"""Ratings across enterprises: a paginated, filterable list."""

from __future__ import annotations

import json
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.resources.common import CLASSES, COLOURS, RatingListItemSchema, RegionCode, YearField, db, who
from carbon.services import rating_lists, usecases


class _Blueprint(Blueprint):  # type: ignore[misc]
    """The list sets its own X-Pagination header: a page after a cursor has no total."""

    PAGINATION_HEADER_NAME = None

    def _document_pagination_metadata(self, spec: Any, resp_doc: Any) -> None:
        """Documented with the response (``PAGINATION``)."""


blp = _Blueprint(
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
    after = fields.String(
        validate=validate.Regexp(r"^\d{4}:[0-9A-Z]{18}$"),
        metadata={
            "description": "the page after this rating (year:USCC), as the previous page's "
            "X-Next-After header gave it: faster than a page number deep in a long list"
        },
    )


PAGINATION = {
    "schema": {"$ref": "#/components/schemas/PaginationMetadata"},
    "description": "pages and the total (not sent for a page after a cursor)",
}
NEXT_AFTER = {
    "schema": {"type": "string"},
    "description": "when the page is full: the `after` that gives the next page",
}


@blp.route("")
class Ratings(MethodView):
    @blp.arguments(RatingQuerySchema, location="query")
    @blp.response(
        200, RatingListItemSchema(many=True), headers={"X-Pagination": PAGINATION, "X-Next-After": NEXT_AFTER}
    )
    @blp.paginate()
    @blp.doc(operationId="listRatings")
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """Current ratings of the enterprises you may see, filtered by year, region,
        industry, grade, colour or class."""
        by, origin = who()
        after, size = args.pop("after", None), pagination_parameters.page_size
        headers: dict[str, str] = {}
        if after is None:
            items, total = usecases.ratings_page(
                db(), args, pagination_parameters.page, size, by=by, origin=origin
            )
            meta = blp._make_pagination_metadata(pagination_parameters.page, size, total)
            headers["X-Pagination"] = json.dumps(meta)
        else:  # no total: each page costs the same however deep
            items = usecases.ratings_after(db(), args, after, size, by=by, origin=origin)
        if len(items) == size:
            headers["X-Next-After"] = rating_lists.rating_cursor(items[-1])
        return items, 200, headers
