"""Identity change requests (an enterprise's upload that gives another name, industry or
region) and every enterprise's identity history. Who may do what: docs/access.md."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.resources.common import ID_IN_PATH, NO_NUL, db, in_path, jobs, who
from api.resources.enterprises.schemas import NameSchema
from carbon.services.usecases import identity_changes

blp = Blueprint(
    "identity",
    __name__,
    url_prefix="/api/v1",
    description="Enterprise identity: change requests and history 企业登记信息变更",
)


class IdentitySchema(Schema):
    name = fields.String(allow_none=True)
    industry_code = fields.String()
    region_code = fields.String()


class ChangeQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(identity_changes.STATUSES))


class ChangeSchema(Schema):
    id = fields.Integer()
    uscc = fields.String()
    status = fields.String(metadata={"enum": list(identity_changes.STATUSES)})
    old = fields.Nested(IdentitySchema, metadata={"description": "the record when the file came"})
    new = fields.Nested(IdentitySchema, metadata={"description": "what the file gives (changed fields only)"})
    import_id = fields.Integer(allow_none=True, metadata={"description": "the upload that carried it"})
    sheet = fields.String(allow_none=True)
    row = fields.Integer(allow_none=True)
    requested_by = fields.String()
    requested_at = fields.String()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "why it was rejected"})
    job_id = fields.Integer(allow_none=True, metadata={"description": "the recomputation an approval queued"})
    job = fields.Dict(allow_none=True)


class RejectSchema(Schema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), NO_NUL])


class VersionSchema(Schema):
    name = fields.String(allow_none=True)
    industry_code = fields.String()
    division = fields.String()
    section = fields.String()
    region_code = fields.String()
    industry_name = fields.Nested(NameSchema)
    region_name = fields.Nested(NameSchema)
    valid_from = fields.String()
    valid_to = fields.String(allow_none=True)
    current = fields.Boolean()
    changed_by = fields.String()
    reason = fields.String(allow_none=True)
    import_id = fields.Integer(allow_none=True)
    request_id = fields.Integer(allow_none=True, metadata={"description": "the approved change request"})


@blp.route("/identity-changes")
class Changes(MethodView):
    @blp.arguments(ChangeQuerySchema, location="query")
    @blp.response(200, ChangeSchema(many=True))
    @blp.doc(operationId="listIdentityChanges")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Change requests you may see: your enterprises' own, or those of enterprises in your
        region (current or requested) for an official; all for an administrator."""
        by, origin = who()
        return identity_changes.list_changes(db(), by=by, status=args.get("status"), origin=origin)


@blp.route(f"/identity-changes/<{ID_IN_PATH}:change_id>/approve")
class Approve(MethodView):
    @blp.response(200, ChangeSchema)
    @blp.doc(operationId="approveIdentityChange")
    def post(self, change_id: int) -> dict[str, Any]:
        """Approve a pending request (an official of the enterprise's region, old or new, or an
        administrator): the identity changes, its history keeps both, the enterprise's years
        are recomputed as a job."""
        by, origin = who()
        return identity_changes.approve(db(), change_id, by=by, runner=jobs(), origin=origin)


@blp.route(f"/identity-changes/<{ID_IN_PATH}:change_id>/reject")
class Reject(MethodView):
    @blp.arguments(RejectSchema)
    @blp.response(200, ChangeSchema)
    @blp.doc(operationId="rejectIdentityChange")
    def post(self, body: dict[str, Any], change_id: int) -> dict[str, Any]:
        """Reject a pending request, with a reason; the identity stays as it is."""
        by, origin = who()
        return identity_changes.reject(db(), change_id, body["reason"], by=by, origin=origin)


@blp.route("/enterprises/<string:uscc>/identity-history", parameters=in_path("uscc"))
class History(MethodView):
    @blp.response(200, VersionSchema(many=True))
    @blp.doc(operationId="getIdentityHistory")
    def get(self, uscc: str) -> list[dict[str, Any]]:
        """Every name, industry and region the enterprise had, oldest first, with who changed
        it, when, and why (the import or the approved request)."""
        by, origin = who()
        return identity_changes.history(db(), uscc, by=by, origin=origin)
