"""Consent: an enterprise lets a bank see its rating or its whole account (docs/access.md)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.resources.common import ID_IN_PATH, NO_NUL, db, who
from carbon.services import usecases

blp = Blueprint(
    "consents", __name__, url_prefix="/api/v1/consents", description="Consent to banks 企业数据授权"
)


class ConsentInSchema(Schema):
    uscc = fields.String(required=True, validate=[validate.Length(equal=18), NO_NUL])
    institution = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=200), NO_NUL],
        metadata={"description": "the bank, as GET /api/v1/consents/institutions lists it"},
    )
    scope = fields.String(
        required=True,
        validate=validate.OneOf(("rating", "account")),
        metadata={"description": "rating: ratings only; account: also accounts, contracts, emission charts"},
    )
    expires_on = fields.Date(
        required=True, metadata={"description": "last day of the grant (China time), at most 3 years ahead"}
    )


class ConsentSchema(Schema):
    id = fields.Integer()
    uscc = fields.String()
    institution = fields.String()
    scope = fields.String(metadata={"enum": ["rating", "account"]})
    granted_by = fields.String()
    granted_at = fields.String()
    expires_at = fields.String()
    revoked_at = fields.String(allow_none=True)
    revoked_by = fields.String(allow_none=True)
    active = fields.Boolean()


@blp.route("")
class Consents(MethodView):
    @blp.response(200, ConsentSchema(many=True))
    @blp.doc(operationId="listConsents")
    def get(self) -> list[dict[str, Any]]:
        """An enterprise's grants, or those a bank holds; every grant for an administrator."""
        return usecases.list_consents(db(), who()[0])

    @blp.arguments(ConsentInSchema)
    @blp.response(201, ConsentSchema)
    @blp.doc(operationId="grantConsent")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Grant a bank access to one of your enterprises' data until a date."""
        by, origin = who()
        return usecases.grant_consent(
            db(), by, body["uscc"], body["institution"], body["scope"], body["expires_on"], origin
        )


class InstitutionSchema(Schema):
    institution = fields.String()


@blp.route("/institutions")
class Institutions(MethodView):
    @blp.response(200, InstitutionSchema(many=True))
    @blp.doc(operationId="listInstitutions")
    def get(self) -> list[dict[str, str]]:
        """The banks one can grant access to."""
        return [{"institution": i} for i in usecases.consent_institutions(db(), who()[0])]


@blp.route(f"/<{ID_IN_PATH}:consent_id>/revoke")
class Revoke(MethodView):
    @blp.response(200, ConsentSchema)
    @blp.doc(operationId="revokeConsent")
    def post(self, consent_id: int) -> dict[str, Any]:
        """Revoke a grant now; the bank sees nothing more from this moment."""
        by, origin = who()
        return usecases.revoke_consent(db(), by, consent_id, origin)
