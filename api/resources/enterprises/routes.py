"""Enterprises: list, one enterprise, its accounts, ratings, rating history and charts."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.resources.common import YEAR_IN_PATH, RatingSchema, db, jobs
from api.resources.enterprises.schemas import (
    AccountQuerySchema,
    AccountSchema,
    ChartQuerySchema,
    EnterpriseQuerySchema,
    EnterpriseSchema,
    HistoryQuerySchema,
    SupplierContractInSchema,
    SupplierContractResultSchema,
    SupplierContractSchema,
)
from carbon.services import queries, usecases

blp = Blueprint(
    "enterprises",
    __name__,
    url_prefix="/api/v1/enterprises",
    description="Enterprises and their carbon accounts 企业碳账户",
)


@blp.route("")
class Enterprises(MethodView):
    @blp.arguments(EnterpriseQuerySchema, location="query")
    @blp.response(200, EnterpriseSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """List enterprises, filtered by region, industry or name."""
        with db().read() as session:
            items, pagination_parameters.item_count = queries.page(
                session,
                queries.list_enterprises(session, **args),
                pagination_parameters.page,
                pagination_parameters.page_size,
            )
            return [queries.enterprise_dict(e) for (e,) in items]


@blp.route("/<string:uscc>")
class EnterpriseOne(MethodView):
    @blp.response(200, EnterpriseSchema)
    def get(self, uscc: str) -> dict[str, Any]:
        """One enterprise."""
        with db().read() as session:
            return queries.enterprise_dict(queries.enterprise(session, uscc))


@blp.route(f"/<string:uscc>/accounts/<{YEAR_IN_PATH}:year>")
class Account(MethodView):
    @blp.arguments(AccountQuerySchema, location="query")
    @blp.response(200, AccountSchema)
    def get(self, args: dict[str, Any], uscc: str, year: int) -> dict[str, Any]:
        """The carbon account of a year, or of one month with ?month=YYYY-MM."""
        return usecases.account(db(), uscc, year, args.get("month"))


@blp.route("/<string:uscc>/ratings")
class RatingHistory(MethodView):
    @blp.arguments(HistoryQuerySchema, location="query")
    @blp.response(200, RatingSchema(many=True))
    def get(self, args: dict[str, Any], uscc: str) -> list[dict[str, Any]]:
        """Rating history, one current rating per year (all revisions on request)."""
        return usecases.rating_history(db(), uscc, args["all_revisions"])


@blp.route(f"/<string:uscc>/ratings/<{YEAR_IN_PATH}:year>")
class RatingOne(MethodView):
    @blp.response(200, RatingSchema)
    def get(self, uscc: str, year: int) -> dict[str, Any]:
        """碳效码 and 三维四色 rating of a year, with its explanation and the cuts to each better grade."""
        return usecases.rating(db(), uscc, year)


@blp.route("/<string:uscc>/charts/<string:kind>")
class Chart(MethodView):
    @blp.arguments(ChartQuerySchema, location="query")
    @blp.response(
        200,
        content_type="image/png",
        description="PNG, SVG or PDF (by ?format=): monthly-emissions, intensity, grade-history",
    )
    def get(self, args: dict[str, Any], uscc: str, kind: str) -> Response:
        """A chart of the enterprise: monthly-emissions (needs ?year=), intensity, grade-history."""
        data = usecases.chart(db(), uscc, kind, year=args.get("year"), fmt=args["format"], lang=args["lang"])
        return Response(data, mimetype=usecases.CHART_FORMATS[args["format"]])


@blp.route("/<string:uscc>/supplier-contracts")
class SupplierContracts(MethodView):
    @blp.response(200, SupplierContractSchema(many=True))
    def get(self, uscc: str) -> list[dict[str, Any]]:
        """Every supplier contract recorded for the enterprise, superseded ones too."""
        return usecases.supplier_contracts(db(), uscc)

    @blp.arguments(SupplierContractInSchema)
    @blp.response(201, SupplierContractResultSchema)
    def post(self, body: dict[str, Any], uscc: str) -> dict[str, Any]:
        """Record electricity bought at a supplier-specific factor for a year (it counts in the
        market-based scope 2 only); the same supplier and year again supersedes the earlier
        record. The recomputation of the year runs as a job."""
        return usecases.record_supplier_contract(db(), uscc, body, runner=jobs())
