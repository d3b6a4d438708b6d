"""What the 205-1 reader compares: a row's balance and the coal breakdown on one sheet;
the enterprise and the cumulative figures across the sheets of a file."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from carbon.domain.errors import CellError
from carbon.domain.quantities import FIELD_BY_KEY, Dimension
from importers.return205.extras import Report
from importers.return205.model import _EnergyRow, _Ident, _Sheet
from importers.return205.tables import _NAMES_205, _ZERO, BREAKDOWN, NO_STOCK, _close, _fmt, _span

# ---------------------------------------------------------------------------------------
# One sheet


def balance(
    er: _EnergyRow, got: dict[str, Decimal | None], letters: dict[str, str], dim: Dimension, warn: Report
) -> None:
    """Warnings: 合计 = 工业生产消费 + 非工业生产消费, and 期末 = 期初 + 购进 − 合计."""
    f = {k: _fmt(v) for k, v in got.items() if v is not None}
    label, total = er.label, _fmt(er.total)

    def val(role: str) -> Decimal:
        return got.get(role) or _ZERO

    split = ("industrial", "non_industrial")
    if any(got.get(k) is not None for k in split):
        parts = val("industrial") + val("non_industrial")
        if not _close(er.total, parts):
            message = (
                f"{label}: 消费量合计 ({total}) differs from 工业生产消费 ({f.get('industrial', 0)}) + "
                f"非工业生产消费 ({f.get('non_industrial', 0)}) = {_fmt(parts)} "
                f"/ {label}消费量合计不等于工业生产消费与非工业生产消费之和"
            )
            warn(er.row, letters["total"], message)
    stock = ("opening", "purchase", "closing")
    if (
        dim not in NO_STOCK
        and all(k in letters for k in stock)
        and any(got.get(k) is not None for k in stock)
    ):
        expected = val("opening") + val("purchase") - er.total
        if not _close(val("closing"), expected):
            message = (
                f"{label}: 期末库存量 ({f.get('closing', 0)}) differs from 期初库存量 "
                f"({f.get('opening', 0)}) + 购进量 ({f.get('purchase', 0)}) − 消费量合计 ({total}) = "
                f"{_fmt(expected)} / {label}期末库存量不等于期初库存量加购进量减消费量"
            )
            warn(er.row, letters["closing"], message)


def coal(sheet: _Sheet, warn: Report) -> None:
    """Which of a parent (原煤) and its breakdown counts on a sheet; a warning where they differ."""
    for parent, children in BREAKDOWN.items():
        kids = [r for r in sheet.rows if r.field in children and r.ok]
        filled = [r for r in kids if r.total > 0]
        parents = [r for r in sheet.rows if r.field == parent]
        if filled:
            sheet.coal_mode[parent] = "breakdown"
            for p in parents:
                p.counted = False
                if p.ok and p.total > 0:
                    s = sum((k.total_c for k in kids if k.counted), _ZERO)
                    if not _close(p.total_c, s):
                        warn(
                            p.row, sheet.letters["total"],
                            f"{p.label} ({_fmt(p.total_c)} {FIELD_BY_KEY[parent].unit}) differs from the "
                            f"sum of its breakdown ({_fmt(s)}); the breakdown is used "
                            f"/ {p.label}不等于其分品种之和，按分品种计算",
                        )  # fmt: skip
        elif any(p.total > 0 for p in parents if p.ok):
            sheet.coal_mode[parent] = "parent"
        else:
            sheet.coal_mode[parent] = None


# ---------------------------------------------------------------------------------------
# The file


@dataclass
class _Enterprise:
    uscc: str
    name: _Ident
    industry: _Ident
    region: _Ident
    sheet: str
    name_en: _Ident


def _check_enterprises(
    sheets: list[_Sheet], errors: list[CellError], warnings: list[CellError]
) -> dict[str, _Enterprise]:
    """Each USCC's name, industry and region, from its first sheet that gives them; a
    different industry or region on a later sheet is an error, a different name a warning."""
    out: dict[str, _Enterprise] = {}
    for s in sheets:
        uscc = s.uscc.value
        if uscc is None:
            continue
        ent = out.get(uscc)
        if ent is None:
            out[uscc] = _Enterprise(uscc, s.ent_name, s.industry, s.region, s.name, s.name_en)
            continue
        for attr, en, zh in _CONSISTENT:
            mine: _Ident = getattr(s, attr)
            theirs: _Ident = getattr(ent, attr)
            if mine.value is None:
                continue
            if theirs.value is None:
                setattr(ent, attr, mine)
            elif mine.value != theirs.value:
                message = (
                    f"{en} {mine.value!r} differs from {theirs.value!r} on sheet '{ent.sheet}' for the "
                    f"same USCC {uscc} / 同一统一社会信用代码的{zh}与工作表“{ent.sheet}”不一致"
                )
                errors.append(CellError(s.name, mine.row, mine.column, message))
        mine = s.ent_name
        if mine.value is None:
            continue
        if ent.name.value is None:
            ent.name = mine
        elif unicodedata.normalize("NFKC", mine.value) != unicodedata.normalize("NFKC", ent.name.value):
            message = (
                f"name {mine.value!r} differs from {ent.name.value!r} on sheet '{ent.sheet}' for the same "
                f"USCC {uscc}; {ent.name.value!r} is used "
                f"/ 同一统一社会信用代码的企业名称不一致，按工作表“{ent.sheet}”的名称"
            )
            warnings.append(CellError(s.name, mine.row, mine.column, message))
    return out


_CONSISTENT = (
    ("industry", "industry code", "行业代码"),
    ("region", "region code", "行政区划代码"),
    ("name_en", "English name", "企业英文名称"),
)


def _mode_switches(p: _Sheet, c: _Sheet, errors: list[CellError]) -> set[str]:
    """Errors where a parent (原煤) and its breakdown swap between two sheets; the names of
    the rows involved, whose cumulative comparison is then moot."""
    moot: set[str] = set()
    for parent, mode in c.coal_mode.items():
        before = p.coal_mode.get(parent)
        if mode is None or before is None or mode == before:
            continue
        zh = FIELD_BY_KEY[parent].name_zh
        kids = "/".join(n for n, k in _NAMES_205.items() if k in BREAKDOWN[parent])
        given = {"parent": zh, "breakdown": f"its breakdown ({kids})"}
        family = (parent, *BREAKDOWN[parent])
        first = next((r for r in c.rows if r.field in family and r.counted and r.ok and r.total > 0), None)
        message = (
            f"{zh} is given as {given[before]} on sheet '{p.name}' but as {given[mode]} on sheet "
            f"'{c.name}'; the cumulative figures of one year must use the same rows "
            f"/ 同一年度各月的{zh}应按相同品种填报（{zh}或其分品种）"
        )
        errors.append(CellError(c.name, first.row if first else None, c.letters["total"], message))
        moot.update(r.name for r in (*p.rows, *c.rows) if r.field in family)
    return moot


def _compare(p: _Sheet, c: _Sheet, errors: list[CellError]) -> None:
    """Errors where sheet ``c``'s cumulative figures go below those of ``p``, the previous
    sheet in the file of the same enterprise and year."""
    assert p.period is not None and c.period is not None
    p_en, p_zh = _span(p.period)
    c_en, c_zh = _span(c.period)
    total_l = c.letters["total"]
    feed_l = c.letters.get("feedstock")
    moot = _mode_switches(p, c, errors)
    pc, cc = p.counted(), c.counted()
    p_all, c_all = p.by_name(), c.by_name()
    for name in [*pc, *(n for n in cc if n not in pc)]:
        pr, cr = p_all.get(name), c_all.get(name)
        if name in moot or (pr is not None and not pr.ok) or (cr is not None and not cr.ok):
            continue
        if cr is None:
            if pr is not None and pr.total > 0:
                was = f"{_fmt(pr.total)} {pr.unit}"
                message = (
                    f"sheet '{c.name}' has no row for {pr.label}, but its cumulative consumption {p_en} "
                    f"on sheet '{p.name}' is {was}; cumulative figures cannot decrease "
                    f"/ 工作表“{c.name}”缺少{pr.label}行，而工作表“{p.name}”的{p_zh}累计消费量为{was}"
                )
                errors.append(CellError(c.name, None, total_l, message))
            continue
        label = cr.label
        p_tot = pr.total_c if pr else _ZERO
        p_feed = pr.feedstock_c if pr else _ZERO
        now = f"{_fmt(cr.total)} {cr.unit}"
        was = f"{_fmt(pr.total)} {pr.unit}" if pr else "0"
        if cr.total_c < p_tot:
            message = (
                f"{label} cumulative consumption {c_en} ({now}) is less than {p_en} ({was}) on sheet "
                f"'{p.name}'; cumulative figures cannot decrease / {label}{c_zh}累计消费量（{now}）"
                f"小于工作表“{p.name}”的{p_zh}累计（{was}），累计消费量不能小于上月累计"
            )
            errors.append(CellError(c.name, cr.row, total_l, message))
            continue
        if feed_l is None:
            continue
        if cr.feedstock_c < p_feed:
            now = f"{_fmt(cr.feedstock)} {cr.unit}"
            was = f"{_fmt(pr.feedstock)} {pr.unit}" if pr else "0"
            message = (
                f"{label} cumulative 用于原材料 (feedstock) {c_en} ({now}) is less than {p_en} ({was}) on "
                f"sheet '{p.name}'; cumulative figures cannot decrease / {label}{c_zh}累计用于原材料（{now}）"
                f"小于工作表“{p.name}”的{p_zh}累计（{was}），累计数不能小于上月累计"
            )
            errors.append(CellError(c.name, cr.row, feed_l, message))
        elif cr.feedstock_c - p_feed > cr.total_c - p_tot:
            unit = FIELD_BY_KEY[cr.field].unit
            added = f"{_fmt(cr.feedstock_c - p_feed)} > {_fmt(cr.total_c - p_tot)} {unit}"
            message = (
                f"{label}: the 用于原材料 (feedstock) added since {p_en} is more than the consumption added "
                f"({added}) / {label}本期新增用于原材料大于新增消费量"
            )
            errors.append(CellError(c.name, cr.row, feed_l, message))


def _base_only(s: _Sheet, prev: _Sheet | None) -> CellError:
    """The warning for a sheet whose previous month is not in the file."""
    assert s.period is not None
    en, zh = _span(s.period)
    month = s.period.month
    if prev is None or prev.period is None:
        message = (
            f"sheet '{s.name}' is cumulative {en} and the earlier months are not in the file; it is used "
            f"only as the base for later months (no record for {s.period}) / 工作表“{s.name}”为{zh}累计数，"
            f"文件中没有之前月份的表，仅作为以后月份的基数，不导入{month}月数据"
        )
    else:
        missing = ", ".join(f"{s.period.year}-{k:02d}" for k in range(prev.period.month + 1, month))
        message = (
            f"sheet '{s.name}' is cumulative {en} but {missing} is not in the file, so {s.period} cannot be "
            f"separated from it; the sheet is used only as the base for later months (no record for "
            f"{s.period}) / 工作表“{s.name}”为{zh}累计数，文件中缺少{missing}，无法拆分出{month}月数据，"
            "仅作为以后月份的基数"
        )
    return CellError(s.name, s.period_row, s.period_column, message)
