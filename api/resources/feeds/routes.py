"""Meter feeds: utilities push readings, JSON or CSV, without a person in the loop."""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.errors import ErrorSchema
from api.resources.common import BINARY, db, jobs, who
from api.resources.feeds.schemas import FeedResultSchema, ReadingBatchSchema, SourceQuerySchema
from carbon.services import usecases

blp = Blueprint("feeds", __name__, url_prefix="/api/v1/feeds", description="Meter feeds 计量数据推送")

CONTENT_TYPES = ("application/json", "text/csv")
CSV_EXAMPLE = (
    "key,uscc,carrier,period,value,unit\n"
    "sgqz-2023-05-0001,913308027F17MGU4XE,electricity,2023-05,123.4,万千瓦时\n"
)


@blp.route("/readings")
class Readings(MethodView):
    @blp.arguments(SourceQuerySchema, location="query")
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": ReadingBatchSchema},
                "text/csv": {
                    "schema": BINARY,
                    "example": CSV_EXAMPLE,
                },
            },
        }
    )
    @blp.response(201, FeedResultSchema, description="readings stored, recomputation queued")
    @blp.alt_response(200, schema=FeedResultSchema, description="every key already received: nothing changed")
    @blp.alt_response(409, schema=ErrorSchema, description="a key already used for a different reading")
    @blp.alt_response(415, schema=ErrorSchema, description="neither application/json nor text/csv")
    @blp.alt_response(
        422, schema=ErrorSchema, description="rejected: every bad reading with row, column and message"
    )
    @blp.doc(operationId="pushReadings")
    def post(self, query: dict[str, Any]) -> Any:
        """Push a batch of meter readings; all or nothing, idempotent by each reading's `key`.

        CSV (UTF-8 or GBK): header `key,uscc,carrier,period,value,unit`, `?source=` names the
        feed. A new key for an enterprise-month-carrier replaces the source's earlier value."""
        if request.mimetype not in CONTENT_TYPES:
            abort(415, description="send application/json or text/csv / 请以JSON或CSV格式提交")
        result = usecases.push_readings(
            db(),
            request.get_data(cache=False),
            content_type=request.mimetype,
            source=query.get("source"),
            runner=jobs(),
            by=who()[0],
        )
        return result, 201 if result["status"] == "accepted" else 200
