"""Typed rows that importers produce and services store.

``MonthlyRecord`` is a slots dataclass rather than a frozen one: an import creates one per
enterprise-month (hundreds of thousands in a large workbook) and frozen construction
costs several times more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carbon.domain.errors import CellError
from carbon.domain.identifiers import Period


@dataclass(frozen=True)
class ColumnMapping:
    """How one column of a sheet was read: its header, field, unit and conversion factor."""

    sheet: str
    column: str  # letter, e.g. "F"
    header: str
    field: str
    unit: str
    factor: float  # original unit -> canonical unit
    # A months-as-columns ledger or a 205-1 return keeps a field in one row, not a column:
    # then ``row`` is that row, and ``period`` (YYYY-MM) the month whose cell ``column`` is.
    row: int | None = None
    period: str | None = None
    # How a column that is no field's own unit was converted (steam in tonnes to heat, say).
    note: str | None = None

    def as_dict(self) -> dict[str, object]:
        d: dict[str, object] = {
            "sheet": self.sheet,
            "column": self.column,
            "header": self.header,
            "field": self.field,
            "unit": self.unit,
            "factor": self.factor,
        }
        if self.row is not None:
            d["row"] = self.row
        if self.period is not None:
            d["period"] = self.period
        if self.note is not None:
            d["note"] = self.note
        return d


@dataclass(slots=True)
class MonthlyRecord:
    """One enterprise-month of canonical quantities, with where it came from.

    ``values`` holds every field whose column the sheet has: blank energy cells are 0.0,
    blank economic cells are None (missing, not zero). ``originals`` keeps the raw cell
    text for cells that were not plain numbers (text numbers, full-width digits); the
    unit and factor of every cell are in the import's column mappings.
    """

    uscc: str
    period: Period
    values: dict[str, float | None]
    sheet: str
    row: int
    name: str | None = None
    industry_code: str | None = None
    region_code: str | None = None
    # the enterprise's name in English where the file gives it (a display name, not identity)
    name_en: str | None = None
    originals: dict[str, str] = field(default_factory=dict)
    # 205-1 returns: fuel used as feedstock (用于原材料) by field key, canonical units (not
    # burned: no emissions by default), and the 采用折标系数 filed for each carrier (tce/unit)
    feedstock: dict[str, float] | None = None
    tce_coefficients: dict[str, float] | None = None


@dataclass
class ParsedFile:
    """What an importer read from one file: records, rejected cells and warnings."""

    records: list[MonthlyRecord]
    errors: list[CellError]
    warnings: list[CellError]
    columns: list[ColumnMapping]
    rows_read: int = 0
    accepted: int = 0  # records read without error (also those handed to a sink)

    @property
    def ok(self) -> bool:
        return not self.errors
