"""Jobs: the recomputation an import queued, and its outcome."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.resources.common import ID_IN_PATH, Cleaned, db, in_path, who
from carbon.services import usecases

blp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs", description="Background jobs 后台任务")


class JobSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String(metadata={"enum": ["queued", "running", "done", "failed"]})
    params = fields.Dict()
    import_id = fields.Integer(allow_none=True)
    result = Cleaned(allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "why the last attempt failed"})
    attempts = fields.Integer(metadata={"description": "runs so far"})
    max_attempts = fields.Integer()
    created_at = fields.String(allow_none=True)
    started_at = fields.String(allow_none=True)
    heartbeat_at = fields.String(
        allow_none=True, metadata={"description": "while running: last sign of life"}
    )
    run_after = fields.String(allow_none=True, metadata={"description": "queued for a retry: not before"})
    finished_at = fields.String(allow_none=True)


@blp.route(f"/<{ID_IN_PATH}:job_id>", parameters=in_path("job_id"))
class JobOne(MethodView):
    @blp.response(200, JobSchema)
    @blp.doc(operationId="getJob")
    def get(self, job_id: int) -> dict[str, Any]:
        """A job's status and, when done, what it wrote (accounts, ratings, grade changes)."""
        return usecases.job(db(), job_id, by=who()[0])
