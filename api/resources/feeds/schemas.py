"""Schemas of the meter-feed resource."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class SourceQuerySchema(Schema):
    source = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "the feed's name; required for CSV, optional for JSON (body wins)"},
    )


class ReadingSchema(Schema):
    key = fields.String(required=True, metadata={"description": "unique per source; makes a push idempotent"})
    uscc = fields.String(required=True, metadata={"description": "an enterprise already imported"})
    carrier = fields.String(required=True, metadata={"description": "energy field key or Chinese name"})
    period = fields.String(required=True, metadata={"example": "2023-05"})
    value = fields.Float(required=True, validate=validate.Range(min=0))
    unit = fields.String(required=True, metadata={"example": "万千瓦时"})


class ReadingBatchSchema(Schema):
    source = fields.String(required=True, metadata={"example": "state-grid-quzhou"})
    readings = fields.List(fields.Nested(ReadingSchema), required=True)


class FeedResultSchema(Schema):
    status = fields.String(metadata={"enum": ["accepted", "unchanged"]})
    source = fields.String()
    accepted = fields.Integer(metadata={"description": "new readings stored"})
    unchanged = fields.Integer(metadata={"description": "keys already received with the same content"})
    replaced = fields.Integer(metadata={"description": "new readings superseding this source's earlier ones"})
    enterprise_months = fields.Integer(metadata={"description": "enterprise-months given a new revision"})
    import_id = fields.Integer(allow_none=True, metadata={"description": "the batch as archived"})
    job = fields.Dict(
        allow_none=True, metadata={"description": "the queued recomputation: GET /api/v1/jobs/{id}"}
    )
