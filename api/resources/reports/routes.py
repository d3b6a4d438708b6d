"""The monthly report of a region, as xlsx or PDF with charts (officials, administrators)."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.resources.common import BINARY, XLSX, RegionCode, db, who
from carbon.services import usecases

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="Monthly reports 月度报告")

TYPES = {
    "xlsx": XLSX,
    "pdf": "application/pdf",
}

REPORT = "the report as PDF (or xlsx by ?format=)"


class MonthlyQuerySchema(Schema):
    region = RegionCode(
        required=True, metadata={"description": "GB/T 2260 code inside your region; 330800 covers 3308xx"}
    )
    month = fields.String(
        required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$"), metadata={"description": "YYYY-MM"}
    )
    format = fields.String(load_default="pdf", validate=validate.OneOf(tuple(TYPES)))


@blp.route("/monthly")
class Monthly(MethodView):
    @blp.arguments(MonthlyQuerySchema, location="query")
    @blp.response(200, BINARY, content_type=TYPES["pdf"], description=REPORT)
    @blp.alt_response(200, schema=BINARY, content_type=TYPES["xlsx"], description=REPORT, success=True)
    @blp.doc(operationId="getMonthlyReport")
    def get(self, args: dict[str, Any]) -> Response:
        """The monthly report of a region: totals, grades and colours, the high-carbon list,
        charts. An official may ask for their own region or a part of it."""
        by, origin = who()
        fmt = args["format"]
        data, name = usecases.monthly_report_file(
            db(), args["region"], args["month"], fmt, by=by, origin=origin
        )
        return send_file(io.BytesIO(data), mimetype=TYPES[fmt], as_attachment=True, download_name=name)
