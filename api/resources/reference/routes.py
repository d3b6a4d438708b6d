"""The reference library: factor sets and methodologies, their versions, publication and
retirement (administrators; roles arrive with the users issue)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.errors import ErrorSchema
from api.resources.common import PUBLIC, db, who
from carbon.domain.errors import InvalidReferenceData
from carbon.services import usecases

DOCUMENT_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "object", "description": "the document (see carbon/data)"}},
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
    },
}


class ReferenceSchema(Schema):
    ref = fields.String(metadata={"description": "id@version"})
    id = fields.String()
    version = fields.Integer()
    kind = fields.String(metadata={"enum": ["factor_set", "methodology"]})
    title = fields.String()
    sha256 = fields.String()
    origin = fields.String(metadata={"enum": ["shipped", "admin"]})
    published = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    years = fields.List(fields.Integer(), allow_none=True)
    stored_at = fields.String(allow_none=True)
    retired_at = fields.String(allow_none=True)
    retired_reason = fields.String(allow_none=True)
    grid = fields.Dict(metadata={"description": "factor sets: grid factor per year with its source"})
    status = fields.String(metadata={"enum": ["published", "unchanged", "retired"]})
    document = fields.Dict()


class RetireSchema(Schema):
    reason = fields.String(required=True, metadata={"description": "why it may no longer be used"})


def _document_bytes() -> bytes:
    if request.files:
        upload = request.files.get("file")
        if upload is None:
            raise InvalidReferenceData("send the document as the form field 'file' / 请以file字段上传")
        return upload.read()
    return request.get_data()


def make_blueprint(kind: str, path: str, title: str, one: str, many: str, example: str) -> Blueprint:
    """The routes of one kind of reference document; ``one`` and ``many`` name it in the
    operation ids (``getFactorSet``, ``listFactorSets``)."""
    blp = Blueprint(kind, __name__, url_prefix=f"/api/v1/{path}", description=title)

    def ref() -> list[dict[str, Any]]:
        return [{"in": "path", "name": "ref", "description": "id@version", "example": example}]

    @blp.route("")
    class Collection(MethodView):
        @blp.response(200, ReferenceSchema(many=True))
        @blp.doc(operationId=f"list{many}", **PUBLIC)
        def get(self) -> list[dict[str, Any]]:
            """Every published version, shipped or added by an administrator, retired ones too."""
            return usecases.reference_list(db(), kind)

        @blp.doc(operationId=f"publish{one}", requestBody=DOCUMENT_BODY)
        @blp.response(201, ReferenceSchema)
        @blp.alt_response(200, schema=ReferenceSchema, description="the same document was already published")
        @blp.alt_response(
            409, schema=ErrorSchema, description="this id@version is published with other content"
        )
        @blp.alt_response(
            422,
            schema=ErrorSchema,
            description="the document is invalid (units, ranges, sources, duplicate keys)",
        )
        def post(self) -> tuple[dict[str, Any], int]:
            """Publish a new version: the document as the JSON body, or an uploaded file."""
            actor, origin = who()
            res = usecases.reference_publish(db(), kind, _document_bytes(), by=actor, origin=origin)
            return res, 200 if res["status"] == "unchanged" else 201

    @blp.route("/<string:ref>", parameters=ref())
    class One(MethodView):
        @blp.response(200, ReferenceSchema)
        @blp.doc(operationId=f"get{one}", **PUBLIC)
        def get(self, ref: str) -> dict[str, Any]:
            """One version with its whole document."""
            return usecases.reference_document(db(), kind, ref)

    @blp.route("/<string:ref>/retire", parameters=ref())
    class Retire(MethodView):
        @blp.arguments(RetireSchema)
        @blp.response(200, ReferenceSchema)
        @blp.alt_response(
            409, schema=ErrorSchema, description="the version is used by a year's current results"
        )
        @blp.doc(operationId=f"retire{one}")
        def post(self, body: dict[str, Any], ref: str) -> dict[str, Any]:
            """Retire a version: it stays readable, no new result may use it."""
            actor, origin = who()
            return usecases.reference_retire(db(), kind, ref, body["reason"], by=actor, origin=origin)

    return blp


factor_sets = make_blueprint(
    "factor_set", "factor-sets", "Emission factor sets 排放因子集", "FactorSet", "FactorSets", "cn-default@1"
)
methodologies = make_blueprint(
    "methodology",
    "methodologies",
    "Rating methodologies 评价方法",
    "Methodology",
    "Methodologies",
    "quzhou-3d@1",
)
