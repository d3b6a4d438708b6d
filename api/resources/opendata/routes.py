"""Open data (公开数据): a year's statistics by region and industry and the masked list of
enterprises with their grades, desensitised (groups of < 3 suppressed, USCCs and names
masked). Public: no login."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.errors import ErrorSchema
from api.resources.common import BINARY, CSV, PUBLIC, XLSX, db
from api.resources.opendata.schemas import OpenDataQuerySchema, StatisticsSchema
from carbon.services import usecases

blp = Blueprint(
    "open-data",
    __name__,
    url_prefix="/api/v1/open-data",
    description="Open data, desensitised 公开数据（脱敏）",
)

DESCRIPTION = "the statistics as JSON; an xlsx workbook with format=xlsx; one table with format=csv"


@blp.route("/statistics")
class Statistics(MethodView):
    @blp.arguments(OpenDataQuerySchema, location="query")
    @blp.response(200, StatisticsSchema, description=DESCRIPTION)
    @blp.alt_response(200, schema=BINARY, content_type=XLSX, description=DESCRIPTION, success=True)
    @blp.alt_response(200, schema=BINARY, content_type=CSV, description=DESCRIPTION, success=True)
    @blp.alt_response(404, schema=ErrorSchema, description="no results for that year")
    @blp.doc(operationId="getOpenDataStatistics", **PUBLIC)
    def get(self, args: dict[str, Any]) -> Any:
        """A year's open data, desensitised (public, no login)

        Per city and county (GB/T 2260) and per GB/T 4754 section and division: enterprises,
        tCO2, tce, intensity, grade and colour counts; and the masked enterprise list with
        grades and colours. Groups of fewer than 3 enterprises are suppressed (and groups that
        would let them be worked out by subtraction); USCCs and names are masked."""
        year, fmt = args["year"], args["format"]
        if fmt == "json":
            body, _ = usecases.open_data(db(), year, "json")
            return body
        table = args.get("table")
        key = f"csv-{table}" if fmt == "csv" else fmt
        data, mime = usecases.open_data(db(), year, key)
        name = f"open-data-{year}-{table}.csv" if fmt == "csv" else f"open-data-{year}.xlsx"
        return Response(
            data, content_type=mime, headers={"Content-Disposition": f"attachment; filename={name}"}
        )
