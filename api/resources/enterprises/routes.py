"""Enterprises: list, one enterprise, its accounts, ratings, rating history, charts,
supplier contracts and who read its data. What each caller sees is decided in the use
cases (docs/access.md)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.resources.admin.routes import AuditEntrySchema
from api.resources.common import BINARY, YEAR_IN_PATH, RatingSchema, db, in_path, jobs, who
from api.resources.enterprises.schemas import (
    AccountQuerySchema,
    AccountSchema,
    ChartQuerySchema,
    EnterpriseImportSchema,
    EnterpriseQuerySchema,
    EnterpriseSchema,
    HistoryQuerySchema,
    SupplierContractInSchema,
    SupplierContractResultSchema,
    SupplierContractSchema,
)
from carbon.services import usecases

blp = Blueprint(
    "enterprises",
    __name__,
    url_prefix="/api/v1/enterprises",
    description="Enterprises and their carbon accounts 企业碳账户",
)

CHART = "PNG, SVG or PDF (by ?format=): monthly-emissions, intensity, grade-history"


@blp.route("")
class Enterprises(MethodView):
    @blp.arguments(EnterpriseQuerySchema, location="query")
    @blp.response(200, EnterpriseSchema(many=True))
    @blp.paginate()
    @blp.doc(operationId="listEnterprises")
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """List the enterprises you may see (your own, your region's, or those that granted
        your bank consent), filtered by region, industry or name."""
        by, origin = who()
        items, pagination_parameters.item_count = usecases.enterprises_page(
            db(), args, pagination_parameters.page, pagination_parameters.page_size, by=by, origin=origin
        )
        return items


@blp.route("/<string:uscc>", parameters=in_path("uscc"))
class EnterpriseOne(MethodView):
    @blp.response(200, EnterpriseSchema)
    @blp.doc(operationId="getEnterprise")
    def get(self, uscc: str) -> dict[str, Any]:
        """One enterprise."""
        by, origin = who()
        return usecases.enterprise(db(), uscc, by=by, origin=origin)


@blp.route(f"/<string:uscc>/accounts/<{YEAR_IN_PATH}:year>", parameters=in_path("uscc", "year"))
class Account(MethodView):
    @blp.arguments(AccountQuerySchema, location="query")
    @blp.response(200, AccountSchema)
    @blp.doc(operationId="getAccount")
    def get(self, args: dict[str, Any], uscc: str, year: int) -> dict[str, Any]:
        """The carbon account of a year, or of one month with ?month=YYYY-MM."""
        by, origin = who()
        return usecases.account(db(), uscc, year, args.get("month"), by=by, origin=origin)


@blp.route("/<string:uscc>/imports", parameters=in_path("uscc"))
class EnterpriseImports(MethodView):
    @blp.response(200, EnterpriseImportSchema(many=True))
    @blp.doc(operationId="listEnterpriseImports")
    def get(self, uscc: str) -> list[dict[str, Any]]:
        """Every import that wrote the enterprise's data, newest first: the months it wrote,
        how many of its rows are current and how many were revised later, and whether it
        revised earlier data. Whoever may read the enterprise's account."""
        by, origin = who()
        return usecases.enterprise_imports(db(), uscc, by=by, origin=origin)


@blp.route("/<string:uscc>/ratings", parameters=in_path("uscc"))
class RatingHistory(MethodView):
    @blp.arguments(HistoryQuerySchema, location="query")
    @blp.response(200, RatingSchema(many=True))
    @blp.doc(operationId="listRatingHistory")
    def get(self, args: dict[str, Any], uscc: str) -> list[dict[str, Any]]:
        """Rating history, one current rating per year (all revisions on request)."""
        by, origin = who()
        return usecases.rating_history(db(), uscc, args["all_revisions"], by=by, origin=origin)


@blp.route(f"/<string:uscc>/ratings/<{YEAR_IN_PATH}:year>", parameters=in_path("uscc", "year"))
class RatingOne(MethodView):
    @blp.response(200, RatingSchema)
    @blp.doc(operationId="getRating")
    def get(self, uscc: str, year: int) -> dict[str, Any]:
        """碳效码 and 三维四色 rating of a year, with its explanation and the cuts to each better grade."""
        by, origin = who()
        return usecases.rating(db(), uscc, year, by=by, origin=origin)


@blp.route("/<string:uscc>/charts/<string:kind>", parameters=in_path("uscc", "kind"))
class Chart(MethodView):
    @blp.arguments(ChartQuerySchema, location="query")
    @blp.response(200, BINARY, content_type="image/png", description=CHART)
    @blp.alt_response(200, schema=BINARY, content_type="image/svg+xml", description=CHART, success=True)
    @blp.alt_response(200, schema=BINARY, content_type="application/pdf", description=CHART, success=True)
    @blp.doc(operationId="getChart")
    def get(self, args: dict[str, Any], uscc: str, kind: str) -> Response:
        """A chart of the enterprise: monthly-emissions (needs ?year=), intensity, grade-history."""
        by, origin = who()
        data = usecases.chart(
            db(),
            uscc,
            kind,
            year=args.get("year"),
            fmt=args["format"],
            lang=args["lang"],
            by=by,
            origin=origin,
        )
        return Response(data, mimetype=usecases.CHART_FORMATS[args["format"]])


@blp.route("/<string:uscc>/supplier-contracts", parameters=in_path("uscc"))
class SupplierContracts(MethodView):
    @blp.response(200, SupplierContractSchema(many=True))
    @blp.doc(operationId="listSupplierContracts")
    def get(self, uscc: str) -> list[dict[str, Any]]:
        """Every supplier contract recorded for the enterprise, superseded ones too."""
        by, origin = who()
        return usecases.supplier_contracts(db(), uscc, by=by, origin=origin)

    @blp.arguments(SupplierContractInSchema)
    @blp.response(201, SupplierContractResultSchema)
    @blp.doc(operationId="recordSupplierContract")
    def post(self, body: dict[str, Any], uscc: str) -> dict[str, Any]:
        """Record electricity bought at a supplier-specific factor for a year (it counts in the
        market-based scope 2 only); the same supplier and year again supersedes the earlier
        record. The enterprise itself or an administrator. The recomputation of the year
        runs as a job."""
        by, origin = who()
        return usecases.record_supplier_contract(db(), uscc, body, runner=jobs(), by=by, origin=origin)


@blp.route("/<string:uscc>/accesses", parameters=in_path("uscc"))
class Accesses(MethodView):
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.doc(operationId="listAccesses")
    def get(self, uscc: str) -> list[dict[str, Any]]:
        """Who read this enterprise's data (banks, officials, administrators) and every
        consent granted or revoked, newest first: for the enterprise itself."""
        by, _ = who()
        return usecases.accesses(db(), uscc, by=by)
