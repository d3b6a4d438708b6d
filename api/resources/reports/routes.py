"""The monthly report of a region, as xlsx or PDF with charts (officials, administrators)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from flask import Response, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.resources.common import db, who
from carbon.services import usecases

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="Monthly reports 月度报告")

TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class MonthlyQuerySchema(Schema):
    region = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{6}$"),
        metadata={"description": "GB/T 2260 code inside your region; 330800 covers 3308xx"},
    )
    month = fields.String(
        required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$"), metadata={"description": "YYYY-MM"}
    )
    format = fields.String(load_default="pdf", validate=validate.OneOf(tuple(TYPES)))


@blp.route("/monthly")
class Monthly(MethodView):
    @blp.arguments(MonthlyQuerySchema, location="query")
    @blp.response(200, content_type="application/pdf", description="the report as PDF (or xlsx by ?format=)")
    def get(self, args: dict[str, Any]) -> Response:
        """The monthly report of a region: totals, grades and colours, the high-carbon list,
        charts. An official may ask for their own region or a part of it."""
        by, origin = who()
        with tempfile.TemporaryDirectory() as tmp:
            out = usecases.monthly_report(
                db(), args["region"], args["month"], Path(tmp), by=by, origin=origin
            )
            path = next(Path(f) for f in out["files"] if f.endswith("." + args["format"]))
            data = path.read_bytes()
        return send_file(
            io.BytesIO(data), mimetype=TYPES[args["format"]], as_attachment=True, download_name=path.name
        )
