"""Service-wide summary: enterprises, emissions by year, grade and colour counts."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.resources.common import db, who
from carbon.services import usecases

blp = Blueprint("summary", __name__, url_prefix="/api/v1/summary", description="Summary 汇总")


@blp.route("")
class Summary(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """Enterprises, total tCO2 by year, and how many enterprises have each grade and
        colour: an official's region, or the whole service for an administrator."""
        by, _ = who()
        return usecases.summary(db(), by=by)
