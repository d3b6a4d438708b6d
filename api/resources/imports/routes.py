"""Uploading energy workbooks."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from api.resources.common import db, jobs
from carbon.domain.errors import ImportRejected
from carbon.services import usecases

blp = Blueprint("imports", __name__, url_prefix="/api/v1/imports", description="Workbook imports 数据导入")


class UploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "an energy workbook (.xlsx)"})


class DryRunSchema(Schema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "report what would change; write nothing"}
    )


class CellErrorSchema(Schema):
    sheet = fields.String()
    row = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    message = fields.String()


class ImportResultSchema(Schema):
    status = fields.String(metadata={"enum": ["imported", "unchanged", "rejected", "dry_run"]})
    sha256 = fields.String()
    filename = fields.String()
    import_id = fields.Integer(allow_none=True)
    rows_accepted = fields.Integer()
    rows_rejected = fields.Integer()
    rows_added = fields.Integer()
    rows_changed = fields.Integer()
    rows_unchanged = fields.Integer()
    errors = fields.List(fields.Nested(CellErrorSchema))
    warnings = fields.List(fields.Nested(CellErrorSchema))
    enterprises = fields.List(fields.String())
    changes = fields.List(fields.Dict())
    changes_truncated = fields.Boolean()
    recomputed = fields.Dict(metadata={"description": "what the recomputation wrote, once it has run"})
    job = fields.Dict(
        allow_none=True, metadata={"description": "the queued recomputation: GET /api/v1/jobs/{id}"}
    )


@blp.route("")
class Imports(MethodView):
    @blp.arguments(UploadSchema, location="files")
    @blp.arguments(DryRunSchema, location="query")
    @blp.response(201, ImportResultSchema, description="imported")
    @blp.alt_response(200, schema=ImportResultSchema, description="unchanged, or a dry run")
    @blp.alt_response(422, description="rejected: every bad cell with sheet, row, column and message")
    def post(self, files: dict[str, Any], query: dict[str, Any]) -> Any:
        """Upload a workbook; all or nothing. Re-uploading the same file changes nothing.

        The accounts and ratings it affects are recomputed by a job (see `job`)."""
        upload = files["file"]
        data = upload.read()
        result = usecases.import_file(
            db(), data, upload.filename or "upload.xlsx", dry_run=query["dry_run"], runner=jobs()
        )
        if result.status == "rejected":
            raise ImportRejected(
                f"{upload.filename}: {len(result.errors)} error(s), nothing was imported "
                f"/ 文件有{len(result.errors)}处错误，未导入任何数据",
                result.errors,
            )
        return result.as_dict(), 201 if result.status == "imported" else 200
