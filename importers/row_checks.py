"""Checks on a whole record or a whole file that every layout shares."""

from __future__ import annotations

from collections.abc import Mapping

from carbon.domain.errors import CellError
from carbon.domain.identifiers import Period

_REL = 1e-9  # a value on the bound in exact arithmetic is not over it


def export_floor(values: Mapping[str, float | None], period: Period) -> tuple[str, str] | None:
    """(the field whose cell to warn at, the message) when exported electricity, or exported +
    green, exceeds purchased electricity in a month; None otherwise (docs/methodology.md §3.2: the month's
    electricity emissions floor at zero, no credit for exports)."""
    p = values.get("electricity") or 0.0
    x = values.get("electricity_exported") or 0.0
    g = values.get("electricity_green") or 0.0
    if x + g <= p * (1 + _REL):
        return None
    key = "electricity_exported" if x > p * (1 + _REL) or not g else "electricity_green"
    figures = f"{x:g}" + (f" + {g:g}" if g else "") + f" > {p:g} MWh"
    return key, (
        f"exported (+ green) electricity exceeds purchased electricity in {period} ({figures}): "
        "electricity emissions floor at zero, no credit for exports "
        "/ 上网电量（及绿电）超过购入电量，该月电力排放按零计"
    )


def no_data_rows(sheet: str) -> CellError:
    """The error of a file whose tables have a header but no data row (docs/methodology.md §2.3)."""
    return CellError(
        sheet, None, None,
        "no data rows found: the table has a header but no row of figures under it "
        "/ 未找到数据行：表格只有表头，没有数据",
    )  # fmt: skip
