from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.resources.common import NO_NUL, Amount, EmissionsSchema, Intensity, RefSchema, RegionCode, YearField


class NameSchema(Schema):
    zh = fields.String(allow_none=True)
    en = fields.String(allow_none=True)


class EnterpriseSchema(Schema):
    uscc = fields.String()
    name = fields.String(allow_none=True)
    name_en = fields.String(allow_none=True, metadata={"description": "the name in English, if on record"})
    industry_code = fields.String()
    division = fields.String()
    section = fields.String()
    region_code = fields.String()
    industry_name = fields.Nested(NameSchema, metadata={"description": "GB/T 4754-2017 大类"})
    section_name = fields.Nested(NameSchema, metadata={"description": "GB/T 4754-2017 门类"})
    region_name = fields.Nested(NameSchema, metadata={"description": "GB/T 2260"})


class EnterpriseQuerySchema(Schema):
    region = RegionCode()
    industry = fields.String(
        validate=validate.Regexp(r"^\d{2,4}$"), metadata={"description": "GB/T 4754 code prefix"}
    )
    q = fields.String(
        validate=[validate.Length(max=100), NO_NUL],
        metadata={"description": "name contains / USCC starts with"},
    )


class AccountQuerySchema(Schema):
    month = fields.String(
        validate=validate.Regexp(
            r"^\d{4}-(0[1-9]|1[0-2])$", error="month must be YYYY-MM / 月份格式应为YYYY-MM"
        ),
        metadata={"description": "YYYY-MM"},
    )


class GridFactorSchema(Schema):
    value = Intensity()
    unit = fields.String()
    year = fields.Integer(metadata={"description": "the year it was published for (earlier: a proxy)"})
    source = fields.String()
    source_published = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    source_note = fields.String(allow_none=True)


class EnterpriseImportSchema(Schema):
    """One import in an enterprise's import history."""

    id = fields.Integer()
    filename = fields.String(
        allow_none=True, metadata={"description": "null when the import's record is not yours to open"}
    )
    record_visible = fields.Boolean(metadata={"description": "whether you may open the import's record"})
    uploaded_at = fields.String(allow_none=True)
    status = fields.String()
    months = fields.List(fields.String(), metadata={"description": "YYYY-MM written for the enterprise"})
    rows_current = fields.Integer(metadata={"description": "its rows still current"})
    rows_revised = fields.Integer(metadata={"description": "its rows a later import revised"})
    revised_earlier = fields.Boolean(metadata={"description": "it revised months that had earlier data"})


class SupplierContractSchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    supplier = fields.String()
    mwh = Amount()
    factor_tco2_per_mwh = Intensity()
    tco2 = Amount()
    evidence = fields.String()
    current = fields.Boolean()
    recorded_at = fields.String(allow_none=True)


MARKET_BASES = ("residual_mix", "grid_excluding_market_non_fossil", "grid_average_proxy")


class MarketFactorSchema(Schema):
    """The factor the market-based scope 2 counts what no contract covers at."""

    basis = fields.String(metadata={"enum": list(MARKET_BASES)})
    value = Intensity()
    unit = fields.String()
    year = fields.Integer(metadata={"description": "the year it was published for (earlier: a proxy)"})
    factor_proxy = fields.Boolean()
    source = fields.Dict(metadata={"description": "document, note, published, verified, assumption"})


class AccountSchema(Schema):
    uscc = fields.String()
    name = fields.String(allow_none=True)
    name_en = fields.String(allow_none=True)
    period = fields.String()
    emissions_tco2 = fields.Nested(EmissionsSchema)
    emissions_by_carrier = fields.Dict(keys=fields.String(), values=Amount())
    energy_tce = Amount()
    value_added = Amount(allow_none=True)
    gross_output = Amount(allow_none=True)
    tax = Amount(allow_none=True)
    intensity = Intensity(
        allow_none=True, metadata={"description": "tCO2/万元 over the months that report value added"}
    )
    energy_intensity = Intensity(
        allow_none=True,
        metadata={"description": "tce/万元 (单位增加值能耗) over the months that report value added"},
    )
    intensities = fields.Dict(keys=fields.String(), values=Intensity(allow_none=True))
    months = fields.Integer()
    coverage = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Integer()),
        metadata={"description": "months with energy data, and reporting each economic figure"},
    )
    provisional = fields.Boolean(metadata={"description": "a year with fewer than 12 months: 暂评"})
    provisional_label = fields.String(allow_none=True)
    electricity_floored_months = fields.List(
        fields.String(), metadata={"description": "months whose exports (+ green power) exceed purchases"}
    )
    electricity_note = fields.String()
    methodology_doc = fields.String()
    inputs = fields.Dict(
        keys=fields.String(),
        values=Amount(allow_none=True),
        metadata={"description": "the period's inputs in canonical units (MWh, t, 10^4 Nm3, 万元 …)"},
    )
    grid_factor = fields.Nested(GridFactorSchema)
    factor_proxy = fields.Boolean()
    market_basis = fields.String(metadata={"enum": list(MARKET_BASES), "description": "market-based scope 2"})
    market_factor = fields.Nested(MarketFactorSchema)
    market_note = fields.String(allow_none=True, metadata={"description": "why there is no market figure"})
    supplier_contracts = fields.List(
        fields.Nested(SupplierContractSchema),
        metadata={"description": "current supplier contracts of the year (market-based only)"},
    )
    factor_set = fields.Nested(RefSchema)
    methodology = fields.Nested(RefSchema)
    account_id = fields.Integer()
    calc_run_id = fields.Integer()
    sources = fields.List(fields.Raw())


class HistoryQuerySchema(Schema):
    all_revisions = fields.Boolean(load_default=False, metadata={"description": "include superseded results"})


class ChartQuerySchema(Schema):
    year = YearField()
    format = fields.String(load_default="png", validate=validate.OneOf(["png", "svg", "pdf"]))
    lang = fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))


class SupplierContractInSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(1990, 2100))
    supplier = fields.String(required=True, validate=validate.Length(min=1, max=200))
    amount = fields.Float(required=True, metadata={"description": "electricity covered in the year"})
    unit = fields.String(load_default="MWh", metadata={"description": "MWh, kWh, 万千瓦时 …"})
    factor_tco2_per_mwh = fields.Float(required=True, metadata={"description": "the supplier's factor"})
    evidence = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class SupplierContractResultSchema(Schema):
    contract = fields.Nested(SupplierContractSchema)
    job = fields.Dict()
