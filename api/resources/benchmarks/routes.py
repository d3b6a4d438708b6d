"""Benchmarks: the peer populations behind each year's ratings (count, aggregate intensity,
advanced value, quartiles), by industry division and section, county and all."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.resources.benchmarks.schemas import BenchmarkQuerySchema, BenchmarkSchema
from api.resources.common import db, who
from carbon.services import usecases

blp = Blueprint(
    "benchmarks",
    __name__,
    url_prefix="/api/v1/benchmarks",
    description="Benchmarks of peer groups 行业/区县对标",
)


@blp.route("")
class Benchmarks(MethodView):
    @blp.arguments(BenchmarkQuerySchema, location="query")
    @blp.response(200, BenchmarkSchema(many=True))
    @blp.doc(operationId="listBenchmarks")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """A year's benchmarks (current; every revision with all_revisions=true), with names.
        Below an administrator, a group of fewer than 3 enterprises is suppressed."""
        by, _ = who()
        return usecases.benchmarks(db(), **args, by=by)
