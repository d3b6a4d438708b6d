from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.resources.common import Amount, Intensity, RefSchema, YearField, unknown_region
from carbon.domain.benchmarks import LEVELS

# The form of a key tells its level: "26" division, "C" section, "330802" county, "all".
KEY_FORMS = {"division": r"^\d{2}$", "section": r"^[A-Ta-t]$", "county": r"^\d{6}$", "all": r"^(all|\*)$"}


class BenchmarkQuerySchema(Schema):
    year = YearField(required=True)
    level = fields.String(validate=validate.OneOf(LEVELS), metadata={"description": "peer-group level"})
    key = fields.String(
        validate=validate.Regexp(
            "|".join(f"(?:{p})" for p in KEY_FORMS.values()),
            error="key must be a division (26), section (C), county (330802) or all / 分组代码格式错误",
        ),
        metadata={"description": "division code, section letter, county code (GB/T 2260) or 'all'"},
    )
    all_revisions = fields.Boolean(
        load_default=False, metadata={"description": "include superseded snapshots"}
    )

    @validates_schema
    def _level_matches_key(self, data: dict[str, Any], **_: Any) -> None:
        level, key = data.get("level"), data.get("key")
        if level and key and not re.match(KEY_FORMS[level], key):
            raise ValidationError(f"not a {level} key / 分组代码与层级不符", field_name="key")
        problem = unknown_region("key", key) if key else None
        if problem:
            raise ValidationError(problem, field_name="key")


class BenchmarkSchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    level = fields.String(metadata={"enum": list(LEVELS)})
    key = fields.String(metadata={"description": "division code, section letter, county code or 'all'"})
    name_zh = fields.String(allow_none=True)
    name_en = fields.String(allow_none=True)
    denominator = fields.String(metadata={"description": "value_added, gross_output or tax"})
    months = fields.List(
        fields.Integer(),
        metadata={"description": "the calendar months compared: all 12, or a year to date's (暂评)"},
    )
    provisional = fields.Boolean(metadata={"description": "the peers of a year to date, over its months"})
    peer_count = fields.Integer(allow_none=True)
    emissions_tco2 = Amount(allow_none=True, metadata={"description": "ΣE of the peers"})
    denominator_total = Amount(allow_none=True, metadata={"description": "Σ denominator of the peers (万元)"})
    intensity = Intensity(allow_none=True, metadata={"description": "aggregate ΣE / Σ denominator"})
    advanced = Intensity(
        allow_none=True, metadata={"description": "peer intensity at advanced_percentile (lower is better)"}
    )
    advanced_percentile = fields.Float()
    q1 = Intensity(allow_none=True)
    median = Intensity(allow_none=True)
    q3 = Intensity(allow_none=True)
    suppressed = fields.Boolean(
        metadata={"description": "a group of fewer than 3 enterprises: its count and figures are not shown"}
    )
    calc_run_id = fields.Integer()
    factor_set = fields.Nested(RefSchema)
    methodology = fields.Nested(RefSchema)
    current = fields.Boolean()
    computed_at = fields.String()
