"""The open-data statistics of a year as files: an xlsx workbook and one CSV per table.

No database here: ``carbon.services.disclosure.statistics`` makes the (already suppressed
and masked) plain dict this module writes::

    year, generated_at, min_group, rule {zh, en}, units {key: unit},
    factor_sets, methodologies: [{id, version}], enterprises_total,
    regions, industries: [{level, code, parent, name_zh, name_en, enterprises,
                           emissions_tco2, energy_tce, intensity, intensity_enterprises,
                           grade_1 … grade_5, not_rated, dark_green, light_green, yellow, red,
                           provisional (how many of those ratings are 暂评, a year to date),
                           suppressed, suppression: None | "primary" | "secondary"}]
    enterprises: [{uscc, name, section, county, grade, colour, provisional}]   (masked)

Headers are bilingual (中文 English). A group withheld for being small shows ``<3`` as its
count and blank figures; one withheld so that a small group cannot be worked out by
subtraction keeps its count, with blank figures. Text is never a formula: xlsx text cells
are text, and a CSV field starting like a formula gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carbon.domain import rounding
from carbon.domain.exports import csv_text
from carbon.domain.vocabulary import COLOURS
from reports.cells import put
from reports.labels import COLOUR_LABELS, GRADES, colour_text, level_text

XLSX_SHEETS = ("地区 Regions", "行业 Industries", "企业(脱敏) Enterprises (masked)", "说明 Notes")
TABLES = ("regions", "industries", "enterprises")


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "text"  # text | int | tco2 | intensity
    width: float = 12

    @property
    def heading(self) -> str:
        return f"{self.zh} {self.en}"


GROUP_COLUMNS: tuple[Column, ...] = (
    Column("level", "层级", "Level", width=14),
    Column("code", "代码", "Code", width=10),
    Column("parent", "上级", "Parent", width=10),
    Column("name_zh", "名称", "Name (Chinese)", width=26),
    Column("name_en", "英文名称", "Name (English)", width=34),
    Column("enterprises", "企业数", "Enterprises", "int"),
    Column("emissions_tco2", "碳排放(吨二氧化碳)", "Emissions (tCO2)", "tco2", 18),
    Column("energy_tce", "综合能耗(吨标准煤)", "Energy (tce)", "tco2", 18),
    Column("intensity", "碳排放强度(吨二氧化碳/万元)", "Intensity (tCO2 per 10^4 CNY)", "intensity", 20),
    Column("intensity_enterprises", "有增加值企业数", "Enterprises with value added", "int", 14),
    *(Column(f"grade_{g}", f"碳效码{g}级", f"Grade {g}", "int", 10) for g in GRADES),
    Column("not_rated", "未评价", "Not rated", "int", 10),
    *(Column(c, *COLOUR_LABELS[c], "int", 10) for c in COLOURS),
    Column("provisional", "其中暂评", "Of which provisional", "int", 12),
    Column("suppression", "数据抑制", "Suppression", width=30),
)

ENTERPRISE_COLUMNS: tuple[Column, ...] = (
    Column("uscc", "统一社会信用代码(脱敏)", "USCC (masked)", width=22),
    Column("name", "企业名称(脱敏)", "Name (masked)", width=28),
    Column("section", "行业门类", "Section", width=10),
    Column("county", "区县代码", "County", width=10),
    Column("grade", "碳效码等级", "Grade", "int", 10),
    Column("colour", "三维四色", "Colour", width=16),
    Column("provisional", "暂评", "Provisional", width=30),
)


PROVISIONAL_TEXT = "暂评 provisional (year to date)"


def _suppression_text(kind: str, min_group: int) -> str:
    if kind == "primary":
        return f"少于{min_group}家，不公布 Fewer than {min_group} enterprises: withheld"
    return "辅助抑制 Withheld so that a small group cannot be worked out"


def _figure(column: Column, value: Any) -> Any:
    """A figure as it leaves the service (``carbon.domain.rounding``): tCO2 and tce to 0.001,
    intensities to 6 significant digits."""
    if isinstance(value, float) and not isinstance(value, bool):
        if column.kind == "tco2":
            return rounding.amount(value)
        if column.kind == "intensity":
            return rounding.significant(value)
    return value


def _csv_value(column: Column, value: Any) -> Any:
    value = _figure(column, value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return csv_text(value)
    return value


def _csv_columns(table: str) -> list[Column]:
    if table == "enterprises":
        return list(ENTERPRISE_COLUMNS)
    cols = [c for c in GROUP_COLUMNS if c.key != "suppression"]
    return [
        *cols,
        Column("suppressed", "是否抑制", "suppressed"),
        Column("suppression", "抑制方式", "suppression"),
    ]


def render_csv(stats: Mapping[str, Any], table: str) -> bytes:
    """One table as CSV, UTF-8 with a BOM (so Excel reads the Chinese), CRLF line ends.

    The header is ``中文 key`` (the key as in the JSON); values are as in the JSON: ids,
    figures rounded as the JSON answer rounds them, empty where withheld or not computable."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    columns = _csv_columns(table)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([f"{c.zh} {c.key}" for c in columns])
    for row in stats[table]:
        writer.writerow([_csv_value(c, row.get(c.key)) for c in columns])
    return buf.getvalue().encode("utf-8-sig")


# ------------------------------------------------------------------------ xlsx


def _display(column: Column, row: Mapping[str, Any], min_group: int) -> Any:
    value: Any = row.get(column.key)
    if column.key == "level" and isinstance(value, str):
        return level_text(value)
    if column.key == "colour" and isinstance(value, str):
        return colour_text(value)
    if column.key == "provisional" and isinstance(value, bool):
        return PROVISIONAL_TEXT if value else None
    if column.key == "suppression":
        return _suppression_text(value, min_group) if value else None
    if column.key == "enterprises" and row.get("suppression") == "primary":
        return f"<{min_group}"
    return _figure(column, value)


class _Sheet:
    def __init__(self, wb: Any, title: str, first: bool) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]

        self.ws = wb.active if first else wb.create_sheet()
        self.ws.title = title
        self.head_font = Font(bold=True, color="FFFFFF")
        self.head_fill = PatternFill("solid", fgColor="1F4E79")
        self.head_align = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.withheld_fill = PatternFill("solid", fgColor="EEEEEE")

    def table(self, columns: Sequence[Column], rows: Sequence[Mapping[str, Any]], min_group: int = 3) -> None:
        from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

        ws = self.ws
        for j, c in enumerate(columns, start=1):
            cell = put(ws, 1, j, c.heading)
            cell.font, cell.fill, cell.alignment = self.head_font, self.head_fill, self.head_align
            ws.column_dimensions[get_column_letter(j)].width = c.width
        ws.row_dimensions[1].height = 45
        for i, r in enumerate(rows, start=2):
            for j, c in enumerate(columns, start=1):
                cell = put(ws, i, j, _display(c, r, min_group), c.kind)
                if r.get("suppressed"):
                    cell.fill = self.withheld_fill
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


def _refs(refs: Sequence[Mapping[str, Any]]) -> str:
    return ", ".join(f"{r['id']}@{r['version']}" for r in refs) or "—"


def _notes(stats: Mapping[str, Any]) -> list[tuple[str, Any]]:
    n = stats.get("min_group", 3)
    units = stats.get("units", {})
    return [
        (
            "标题 Title",
            f"{stats['year']}年工业碳账户公开数据 Open data of industrial carbon accounts, {stats['year']}",
        ),
        ("年份 Year", stats["year"]),
        ("生成时间 Generated at", stats.get("generated_at") or ""),
        ("企业数 Enterprises", stats.get("enterprises_total")),
        ("最小分组 Minimum group", n),
        ("脱敏规则 Rule", stats["rule"]["zh"]),
        ("Rule (English)", stats["rule"]["en"]),
        (
            "标记 Markers",
            f"企业数“<{n}”：该组少于{n}家，数据不公布；灰底且数据空白、企业数照常：辅助抑制。 "
            f"Enterprises '<{n}': fewer than {n} enterprises, figures withheld; grey with blank "
            "figures and a count: withheld so that a small group cannot be worked out by subtraction.",
        ),
        ("排放因子集 Factor sets", _refs(stats.get("factor_sets", []))),
        ("评价方法 Methodologies", _refs(stats.get("methodologies", []))),
        (
            "碳排放 Emissions",
            f"基于位置的总排放（燃料+过程+电力+热力），{units.get('emissions_tco2', 'tCO2')} "
            "Location-based total: fuel + process + electricity + heat",
        ),
        ("综合能耗 Energy", units.get("energy_tce", "tce")),
        (
            "碳排放强度 Intensity",
            f"ΣE / Σ工业增加值，仅计增加值>0的企业，且此类企业不少于{n}家时公布；"
            f"{units.get('intensity', 'tCO2/万元')}. ΣE / Σ value added over enterprises with "
            f"value added > 0, published where there are at least {n} of them.",
        ),
        (
            "碳效码与三维四色 Grades and colours",
            "各组当年现行评价结果计数；未评价为无法计算强度等原因未评级的企业。 Counts of the year's "
            "current ratings; not rated: enterprises without a grade (e.g. no value added).",
        ),
        ("暂评 Provisional", " / ".join(_provisional_note(stats))),
    ]


def _provisional_note(stats: Mapping[str, Any]) -> tuple[str, str]:
    from reports.provisional import meaning

    n = sum(1 for e in stats.get("enterprises", []) if e.get("provisional"))
    en = meaning("en")
    return (
        f"“其中暂评”为各组评价中暂评的企业数（共 {n:,} 家）。{meaning('zh')}",
        f"'Of which provisional': how many of a group's ratings are provisional ({n:,} in all). "
        f"{en[0].upper()}{en[1:]}",
    )


def render_xlsx(stats: Mapping[str, Any]) -> bytes:
    """Four sheets (``XLSX_SHEETS``): regions, industries, the masked enterprises, notes."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font

    n = stats.get("min_group", 3)
    wb = Workbook()
    _Sheet(wb, XLSX_SHEETS[0], True).table(GROUP_COLUMNS, stats["regions"], n)
    _Sheet(wb, XLSX_SHEETS[1], False).table(GROUP_COLUMNS, stats["industries"], n)
    _Sheet(wb, XLSX_SHEETS[2], False).table(ENTERPRISE_COLUMNS, stats["enterprises"], n)

    notes = _Sheet(wb, XLSX_SHEETS[3], False).ws
    notes.column_dimensions["A"].width = 26
    notes.column_dimensions["B"].width = 110
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, (label, value) in enumerate(_notes(stats), start=1):
        put(notes, i, 1, label).font = Font(bold=True)
        put(notes, i, 2, value, "int").alignment = wrap

    buf = io.BytesIO()
    wb.properties.creator = "carbon-account"
    wb.save(buf)
    return buf.getvalue()
