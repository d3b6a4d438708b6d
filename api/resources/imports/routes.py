"""Uploading energy workbooks; a recorded import, and a rejected one's error workbook."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, send_file, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from api.errors import ErrorSchema
from api.resources.common import BINARY, ID_IN_PATH, XLSX, Cleaned, db, in_path, jobs, who
from carbon.domain.errors import ImportRejected
from carbon.services import usecases
from carbon.services.imports import error_totals

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
    changes = fields.List(Cleaned())
    changes_truncated = fields.Boolean(metadata={"description": "more real changes than `changes` lists"})
    unchanged = fields.Dict(
        metadata={"description": "a dry run: what it leaves as it is, counted (rows, enterprises)"}
    )
    errors_total = fields.Integer(metadata={"description": "cell errors in all; `errors` lists the first"})
    warnings_total = fields.Integer()
    error_counts = fields.Dict(
        allow_none=True, metadata={"description": "every error counted: total, by_column, by_kind"}
    )
    recomputed = Cleaned(metadata={"description": "what the recomputation wrote, once it has run"})
    job = fields.Dict(
        allow_none=True, metadata={"description": "the queued recomputation: GET /api/v1/jobs/{id}"}
    )


@blp.route("")
class Imports(MethodView):
    @blp.arguments(UploadSchema, location="files")
    @blp.arguments(DryRunSchema, location="query")
    @blp.response(201, ImportResultSchema, description="imported")
    @blp.alt_response(200, schema=ImportResultSchema, description="unchanged, or a dry run")
    @blp.alt_response(
        422, schema=ErrorSchema, description="rejected: every bad cell with sheet, row, column and message"
    )
    @blp.doc(operationId="uploadImport")
    def post(self, files: dict[str, Any], query: dict[str, Any]) -> Any:
        """Upload a workbook; all or nothing. Re-uploading the same file changes nothing.
        An enterprise may upload its own enterprises' data only.

        The accounts and ratings it affects are recomputed by a job (see `job`)."""
        upload = files["file"]
        data = upload.read()
        by, origin = who()
        result = usecases.import_file(
            db(), data, upload.filename or "upload.xlsx", dry_run=query["dry_run"], runner=jobs(), by=by,
            origin=origin,
        )  # fmt: skip
        if result.status == "rejected":
            extra = {}
            if result.import_id is not None:  # a dry run records nothing
                extra = {
                    "import_id": result.import_id,
                    "error_workbook": url_for("imports.ErrorWorkbook", import_id=result.import_id),
                }
            extra.update(error_totals(result))  # every error counted; the first N listed
            total = extra.get("errors_total", len(result.errors))
            listed = (
                f"; the first {len(result.errors)} are listed / 列出前{len(result.errors)}处"
                if total > len(result.errors) else ""
            )  # fmt: skip
            raise ImportRejected(
                f"{upload.filename}: {total} error(s), nothing was imported "
                f"/ 文件有{total}处错误，未导入任何数据{listed}",
                result.errors,
                extra,
            )
        return result.as_dict(), 201 if result.status == "imported" else 200


class ImportSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"enum": ["imported", "unchanged", "rejected"]})
    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    rows_accepted = fields.Integer()
    rows_rejected = fields.Integer()
    rows_added = fields.Integer()
    rows_changed = fields.Integer()
    rows_unchanged = fields.Integer()
    enterprises = fields.List(fields.String())
    errors = fields.List(fields.Nested(CellErrorSchema))
    warnings = fields.List(fields.Nested(CellErrorSchema))
    created_at = fields.String(allow_none=True)
    errors_total = fields.Integer(metadata={"description": "cell errors in all; `errors` lists the first"})
    error_counts = fields.Dict(allow_none=True, metadata={"description": "total, by_column, by_kind"})
    content_purged_at = fields.String(
        allow_none=True,
        metadata={"description": "a rejected file's bytes were deleted then (kept N days); errors stay"},
    )
    error_workbook = fields.String(
        allow_none=True, metadata={"description": "a rejected import's errors workbook to download"}
    )


@blp.route(f"/<{ID_IN_PATH}:import_id>", parameters=in_path("import_id"))
class ImportOne(MethodView):
    @blp.response(200, ImportSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="no such import")
    @blp.doc(operationId="getImport")
    def get(self, import_id: int) -> dict[str, Any]:
        """One recorded import (a rejected one too): status, file, counts, errors, warnings."""
        view = usecases.import_record(db(), import_id, by=who()[0])
        rejected = view["status"] == "rejected"
        view["error_workbook"] = url_for("imports.ErrorWorkbook", import_id=import_id) if rejected else None
        return view


@blp.route(f"/<{ID_IN_PATH}:import_id>/errors.xlsx", parameters=in_path("import_id"))
class ErrorWorkbook(MethodView):
    @blp.response(
        200,
        BINARY,
        content_type=XLSX,
        description="the uploaded workbook with every bad cell filled red and commented, a "
        "column 错误说明 / Problems, and a first sheet 错误汇总 Errors listing every error",
    )
    @blp.alt_response(404, schema=ErrorSchema, description="no such import")
    @blp.alt_response(422, schema=ErrorSchema, description="the import was not rejected: nothing to mark")
    @blp.doc(operationId="getImportErrorWorkbook")
    def get(self, import_id: int) -> Response:
        """Download a rejected import's workbook with what is wrong marked in it.

        A file that cannot be opened as xlsx (xls, ods, a damaged file) gives the list of
        errors only; a CSV file gives its rows with the bad cells marked."""
        data, name = usecases.import_error_workbook(db(), import_id, by=who()[0])
        return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
