"""Recalculation with chosen versions, and the audit log (administrators)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.resources.common import BINARY, COLOURS, CSV, NO_NUL, Amount, Intensity, Score, db, who
from carbon.services import usecases

recalculations = Blueprint(
    "recalculations", __name__, url_prefix="/api/v1/recalculations", description="Recalculation 重新计算"
)
audit = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Audit log 审计日志")

REF = validate.Regexp(r"^[A-Za-z0-9_.-]+@\d+$", error="expected ID@VERSION, e.g. cn-default@2")


class RecalcSchema(Schema):
    years = fields.List(
        fields.Integer(validate=validate.Range(1990, 2100)),
        required=True,
        validate=validate.Length(min=1, max=20),
    )
    factor_set = fields.String(
        load_default=None, validate=REF, metadata={"description": "default: each year's current"}
    )
    methodology = fields.String(
        load_default=None, validate=REF, metadata={"description": "default: each year's current"}
    )
    dry_run = fields.Boolean(
        load_default=True, metadata={"description": "show the diff, store nothing (default)"}
    )
    note = fields.String(load_default=None, validate=validate.Length(max=2000))


class HeadlineSchema(Schema):
    """An enterprise-year's headline figures before or after a recalculation (empty before
    its first)."""

    total = Amount(allow_none=True, metadata={"description": "tCO2, the rating basis"})
    intensity = Intensity(allow_none=True)
    grade = fields.Integer(allow_none=True)
    colour = fields.String(allow_none=True, metadata={"enum": list(COLOURS)})
    score = Score(allow_none=True)


class RecalcChangeSchema(Schema):
    uscc = fields.String()
    year = fields.Integer()
    old = fields.Nested(HeadlineSchema)
    new = fields.Nested(HeadlineSchema)


class RecalcResultSchema(Schema):
    status = fields.String(metadata={"enum": ["dry_run", "done"]})
    years = fields.List(fields.Integer())
    factor_sets = fields.Dict(keys=fields.String(), values=fields.String())
    methodologies = fields.Dict(keys=fields.String(), values=fields.String())
    accounts_written = fields.Integer()
    accounts_unchanged = fields.Integer()
    ratings_written = fields.Integer()
    ratings_unchanged = fields.Integer()
    calc_run_ids = fields.List(fields.Integer())
    grade_changes = fields.Dict(keys=fields.String(), values=fields.Integer())
    colour_changes = fields.Dict(keys=fields.String(), values=fields.Integer())
    changes_total = fields.Integer()
    changes = fields.List(
        fields.Nested(RecalcChangeSchema),
        metadata={"description": "per enterprise-year: old and new total, intensity, grade, colour"},
    )
    audit_id = fields.Integer()


class AuditQuerySchema(Schema):
    action = fields.String(load_default=None, metadata={"description": "prefix, e.g. factor_set or recalc"})
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 10000))


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.String()
    actor = fields.String()
    origin = fields.String(allow_none=True)
    action = fields.String()
    subject = fields.String()
    details = fields.Dict()


@recalculations.route("")
class Recalculate(MethodView):
    @recalculations.arguments(RecalcSchema)
    @recalculations.response(200, RecalcResultSchema)
    @recalculations.doc(operationId="recalculate")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Recalculate years with a chosen factor set and methodology. Dry run by default:
        the diff per enterprise and the counts of grade and colour changes, nothing stored.
        With dry_run=false the new results are stored beside the old ones and the run is
        written to the audit log."""
        actor, origin = who()
        return usecases.recalc(
            db(), body["years"], body["factor_set"], body["methodology"], body["dry_run"],
            by=actor, origin=origin, note=body["note"],
        )  # fmt: skip


@audit.route("")
class AuditLog(MethodView):
    @audit.arguments(AuditQuerySchema, location="query")
    @audit.response(200, AuditEntrySchema(many=True))
    @audit.doc(operationId="listAuditEntries")
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """The append-only audit log, oldest first: publications, retirements, recalculations."""
        actor, _ = who()
        return usecases.audit_log(db(), by=actor, action=query["action"], limit=query["limit"])


class AuditExportQuerySchema(Schema):
    action = fields.String(
        load_default=None, validate=NO_NUL, metadata={"description": "prefix, e.g. read or auth"}
    )
    since = fields.AwareDateTime(
        load_default=None,
        default_timezone=dt.UTC,
        metadata={"description": "ISO 8601; UTC if no zone is given"},
    )


@audit.route("/export.csv")
class AuditExport(MethodView):
    @audit.arguments(AuditExportQuerySchema, location="query")
    @audit.response(200, BINARY, content_type=CSV, description="every entry, oldest first, UTF-8 with BOM")
    @audit.doc(operationId="exportAuditLog")
    def get(self, query: dict[str, Any]) -> Response:
        """Export the whole audit log (or the entries of an action since a time) as CSV."""
        by, origin = who()
        data = usecases.audit_export(db(), by=by, action=query["action"], since=query["since"], origin=origin)
        return Response(
            data,
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
        )
