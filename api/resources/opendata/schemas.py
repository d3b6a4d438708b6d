from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.resources.common import COLOURS, Amount, Intensity, RefSchema, YearField
from carbon.services.disclosure import TABLES

FORMATS = ("json", "xlsx", "csv")


class OpenDataQuerySchema(Schema):
    year = YearField(required=True)
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "json (default), xlsx (four sheets), or csv (one table, needs table=)"},
    )
    table = fields.String(
        validate=validate.OneOf(TABLES),
        metadata={"description": "with format=csv: regions, industries or enterprises"},
    )

    @validates_schema
    def _csv_needs_table(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("format") == "csv" and not data.get("table"):
            raise ValidationError(
                "format=csv needs table=regions, industries or enterprises / CSV格式需指定表名",
                field_name="table",
            )


class TextSchema(Schema):
    zh = fields.String()
    en = fields.String()


class GroupSchema(Schema):
    """A region or industry group; figures are null where withheld (suppressed) or not computable."""

    level = fields.String(metadata={"enum": ["city", "county", "section", "division"]})
    code = fields.String(metadata={"description": "GB/T 2260 code, GB/T 4754 section letter or division"})
    parent = fields.String(
        allow_none=True, metadata={"description": "the city of a county, the section of a division"}
    )
    name_zh = fields.String(allow_none=True)
    name_en = fields.String(allow_none=True)
    enterprises = fields.Integer(allow_none=True, metadata={"description": "null when fewer than min_group"})
    emissions_tco2 = Amount(allow_none=True, metadata={"description": "Σ location-based total, tCO2"})
    energy_tce = Amount(allow_none=True, metadata={"description": "Σ energy, tce"})
    intensity = Intensity(
        allow_none=True,
        metadata={"description": "ΣE / Σ value added (tCO2/万元) of enterprises with value added > 0"},
    )
    intensity_enterprises = fields.Integer(allow_none=True)
    grade_1 = fields.Integer(allow_none=True)
    grade_2 = fields.Integer(allow_none=True)
    grade_3 = fields.Integer(allow_none=True)
    grade_4 = fields.Integer(allow_none=True)
    grade_5 = fields.Integer(allow_none=True)
    not_rated = fields.Integer(allow_none=True)
    dark_green = fields.Integer(allow_none=True)
    light_green = fields.Integer(allow_none=True)
    yellow = fields.Integer(allow_none=True)
    red = fields.Integer(allow_none=True)
    provisional = fields.Integer(
        allow_none=True,
        metadata={
            "description": "of the ratings counted, how many are provisional (暂评: a year to date, "
            "rated over the months reported so far)"
        },
    )
    suppressed = fields.Boolean()
    suppression = fields.String(
        allow_none=True,
        metadata={
            "enum": ["primary", "secondary", None],
            "description": "primary: fewer than min_group enterprises; secondary: withheld so that "
            "a small group cannot be worked out by subtraction",
        },
    )


class MaskedEnterpriseSchema(Schema):
    uscc = fields.String(metadata={"description": "masked: 91330802**********"})
    name = fields.String(metadata={"description": "masked: first 2 characters and legal form"})
    section = fields.String(metadata={"description": "GB/T 4754 section, or * in a cell of < min_group"})
    county = fields.String(metadata={"description": "GB/T 2260 county, or * in a cell of < min_group"})
    grade = fields.Integer(allow_none=True)
    colour = fields.String(allow_none=True, metadata={"enum": [*COLOURS, None]})
    provisional = fields.Boolean(metadata={"description": "a provisional rating (暂评, a year to date)"})


class StatisticsSchema(Schema):
    year = fields.Integer()
    generated_at = fields.String()
    min_group = fields.Integer()
    rule = fields.Nested(TextSchema)
    units = fields.Dict(keys=fields.String(), values=fields.String())
    factor_sets = fields.List(fields.Nested(RefSchema))
    methodologies = fields.List(fields.Nested(RefSchema))
    enterprises_total = fields.Integer()
    regions = fields.List(fields.Nested(GroupSchema))
    industries = fields.List(fields.Nested(GroupSchema))
    enterprises = fields.List(fields.Nested(MaskedEnterpriseSchema))
