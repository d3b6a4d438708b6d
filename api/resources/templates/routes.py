"""The energy workbook template enterprises fill in ."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.resources.common import BINARY, PUBLIC, XLSX
from carbon.services import usecases

blp = Blueprint("templates", __name__, url_prefix="/templates", description="Workbook templates 模板")


class TemplateQuerySchema(Schema):
    lang = fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))


@blp.route("/energy.xlsx")
class EnergyTemplate(MethodView):
    @blp.arguments(TemplateQuerySchema, location="query")
    @blp.response(200, BINARY, content_type=XLSX, description="the template workbook")
    @blp.doc(operationId="getEnergyTemplate", **PUBLIC)
    def get(self, args: dict[str, Any]) -> Response:
        """Download the energy-data template (Chinese headers, or English with ?lang=en)."""
        name = "energy-template.xlsx" if args["lang"] == "en" else "energy-template-zh.xlsx"
        return Response(
            usecases.template(args["lang"]),
            mimetype=XLSX,
            headers={"Content-Disposition": f"attachment; filename={name}"},
        )
