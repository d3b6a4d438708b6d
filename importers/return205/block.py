"""The enterprise and the month of one 205-1 sheet, from the block above its table.

The month's forms are those of ``carbon.domain.periods`` (the one grammar of months); on
this cumulative form a single month (``2023年3月``) means 1–3月.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from carbon.domain.identifiers import Period
from carbon.domain.periods import WRITTEN_YEARS, YEAR_RANGE, Span, first_span, month_with_year, short_span
from importers.blocks import BlockValue, year_in_title, year_of
from importers.cells import column_letter, read_industry, read_name, read_region, read_uscc
from importers.return205.extras import Report
from importers.return205.model import _Ident, _Sheet
from importers.return205.tables import NOT_PERIOD_MARKERS, _blank, _text

# ---------------------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class _Span:
    """A reporting period: a single month (2023年3月) means 1–3月 on this cumulative form."""

    year: int
    start: int
    end: int


def _cumulative(s: Span | None, year: int | None = None) -> _Span | None:
    """A period as written -> the cumulative period it means here (from January when single)."""
    if s is None:
        return None
    y = s.year if s.year is not None else year
    if y is None:
        return None
    return _Span(y, 1 if s.start is None else s.start, s.end)


def _single(found: tuple[int, int] | None) -> _Span | None:
    """A month with its year (2023-03, 202303) -> 1–本月, if its year is a written one."""
    if found is None or found[0] not in WRITTEN_YEARS:
        return None
    return _Span(found[0], 1, found[1])


def _parse_period(v: object, year_hint: int | None) -> _Span | None:
    """A reporting period as written -> (year, first month, last month), or None."""
    if isinstance(v, dt.date):
        return _Span(v.year, 1, v.month)
    if isinstance(v, int | float) and not isinstance(v, bool):
        x = float(v)
        if x.is_integer():
            return _single(month_with_year(str(int(x))))  # 202303
        return None
    t = _text(v)
    if not t:
        return None
    found = _cumulative(first_span(t)) or _single(month_with_year(t))
    if found is not None:
        return found
    if year_hint is not None:
        return _cumulative(short_span(t), year_hint)  # 3月, 1-3月 in the sheet's year
    return None


@dataclass(frozen=True)
class _Found:
    """A month read from one place: the 报告期 block cell, the sheet name, or a title cell."""

    span: _Span
    source: str  # "block", "sheet" or "title"
    row: int | None
    column: str | None
    shown: str  # as written


_SOURCE_EN = {"block": "报告期 cell", "sheet": "sheet name", "title": "title"}
_SOURCE_ZH = {"block": "报告期", "sheet": "工作表名称", "title": "标题"}


def _span_problem(s: _Span, shown: str) -> str | None:
    if not (YEAR_RANGE[0] <= s.year <= YEAR_RANGE[1] and 1 <= s.start <= s.end <= 12):
        return f"reporting period {shown!r} is not a valid month / 报告期“{shown}”不是有效月份"
    if s.start != 1:
        return (
            f"reporting period {shown!r} does not start in January; a 205-1 return gives cumulative "
            "figures from January (1–本月) / 205-1表报告期应为1月至本月的累计数"
        )
    return None


# ---------------------------------------------------------------------------------------
# Identity


def identity(sheet: _Sheet, block: list[BlockValue], above: Sequence[Sequence[Any]], err: Report) -> None:
    """The enterprise: USCC (required), name, industry and region from the block above the table."""
    first: dict[str, BlockValue] = {}
    for bv in block:
        if bv.key not in first and not _blank(bv.value):
            first[bv.key] = bv
    u = first.get("uscc")
    if u is None:
        written = _uscc_in_text(above)
        if written is not None:
            u = BlockValue("uscc", written[0], written[1], written[2], "统一社会信用代码")
    if u is None:
        err(
            None, None,
            "no 统一社会信用代码 (USCC) above the table; write it as 统一社会信用代码：9133… "
            "/ 表头上方未找到统一社会信用代码",
        )  # fmt: skip
    else:
        letter = column_letter(u.column)
        code, problem = read_uscc(_joined_code(above, u))
        if problem:
            err(u.row, letter, problem)
        else:
            sheet.uscc = _Ident(code, u.row, letter)
    for key in ("name", "name_en"):
        n = first.get(key)
        if n is None:
            continue
        text, problem = read_name(n.value, key)
        if problem:
            err(n.row, column_letter(n.column), problem)
        else:
            setattr(sheet, "ent_name" if key == "name" else key, _Ident(text, n.row, column_letter(n.column)))
    for key, target in (("industry_code", sheet.industry), ("region_code", sheet.region)):
        item = first.get(key)
        if item is None:
            continue
        reader = read_industry if key == "industry_code" else read_region
        value, problem = reader(item.value)
        if problem:
            err(item.row, column_letter(item.column), problem)
        else:
            target.value, target.row, target.column = value, item.row, column_letter(item.column)


_USCC_IN_TEXT = re.compile(r"统一社会信用代码[^0-9A-Za-z]*([0-9A-Za-z]{18})(?![0-9A-Za-z])")


def _uscc_in_text(above: Sequence[Sequence[Any]]) -> tuple[str, int, int] | None:
    """'统一社会信用代码 9133…' without a colon, anywhere above the table."""
    for i, row in enumerate(above):
        for j, v in enumerate(row):
            m = _USCC_IN_TEXT.search(_text(v))
            if m:
                return m.group(1), i + 1, j
    return None


def _joined_code(above: Sequence[Sequence[Any]], bv: BlockValue) -> Any:
    """A USCC typed one character per cell (the form's boxes) joined; else the value as is."""
    v = bv.value
    if not isinstance(v, str | int | float) or isinstance(v, bool):
        return v
    text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
    if len(text) >= 18 or len(text) > 2:
        return v
    row = above[bv.row - 1] if 0 < bv.row <= len(above) else []
    parts = [text]
    for c in row[bv.column + 1 :]:
        if _blank(c):
            continue
        t = str(int(c)) if isinstance(c, float) and c.is_integer() else str(c).strip()
        if len(t) > 2 or sum(map(len, parts)) >= 18:
            break
        parts.append(t)
    joined = "".join(parts)
    return joined if len(joined) == 18 else v


# ---------------------------------------------------------------------------------------
# Month


def period(
    name: str,
    sheet: _Sheet,
    block: list[BlockValue],
    above: Sequence[Sequence[Any]],
    err: Report,
    warn: Report,
) -> Period | None:
    """The sheet's month: 报告期 in the block, else the sheet name, else a title cell."""
    year_hint: int | None = None
    for bv in block:
        if bv.key == "year" and (year_hint := year_of(bv.value)) is not None:
            break
    found: list[_Found] = []
    unreadable: BlockValue | None = None
    for bv in block:
        if bv.key != "month":
            continue
        s = _parse_period(bv.value, year_hint)
        if s is None:
            unreadable = unreadable or bv
            continue
        found.append(_Found(s, "block", bv.row, column_letter(bv.column), str(bv.value)))
        year_hint = year_hint or s.year
        break
    if year_hint is None:
        years = {
            y
            for row in above
            for v in row
            if not any(m in _text(v) for m in NOT_PERIOD_MARKERS) and (y := year_in_title(v)) is not None
        }
        if len(years) == 1:
            year_hint = years.pop()
    title: list[_Found] = []
    for i, row in enumerate(above):
        for j, v in enumerate(row):
            t = _text(v)
            if not t or any(m in t for m in NOT_PERIOD_MARKERS):
                continue
            s = _cumulative(first_span(t))
            if s is not None and all(s != f.span for f in title):
                title.append(_Found(s, "title", i + 1, column_letter(j), str(v).strip()))
    if year_hint is None and len(title) == 1:
        year_hint = title[0].span.year
    s_name = _parse_period(name, year_hint)
    if s_name is not None:
        found.append(_Found(s_name, "sheet", None, None, name))
    if len(title) == 1:
        found.append(title[0])
    if not found:
        if unreadable is not None:
            err(
                unreadable.row, column_letter(unreadable.column),
                f"cannot tell which month sheet '{name}' reports ({unreadable.label} "
                f"{str(unreadable.value)!r} not understood); write 报告期：2023年1-3月 above the table "
                f"or name the sheet 2023年3月 / 无法确定工作表“{name}”的报告期",
            )  # fmt: skip
        else:
            err(
                None, None,
                f"cannot tell which month sheet '{name}' reports: no 报告期 above the table and "
                f"no month in the sheet name or title; write 报告期：2023年1-3月 or name the sheet "
                f"2023年3月 / 无法确定工作表“{name}”的报告期",
            )  # fmt: skip
        return None
    used = found[0]
    s = used.span
    if unreadable is not None:
        warn(
            unreadable.row, column_letter(unreadable.column),
            f"{unreadable.label} {str(unreadable.value)!r} not understood; the month is taken from the "
            f"{_SOURCE_EN[used.source]} ({used.shown}) "
            f"/ 报告期无法识别，按{_SOURCE_ZH[used.source]}确定月份",
        )  # fmt: skip
    problem = _span_problem(s, used.shown)
    if problem:
        err(used.row, used.column, problem)
        return None
    sheet.period_row, sheet.period_column = used.row, used.column
    for other in found[1:]:
        o = other.span
        if (o.year, o.end) != (s.year, s.end):
            warn(
                used.row, used.column,
                f"the {_SOURCE_EN[used.source]} says {s.year}-{s.end:02d} ({used.shown}) but the "
                f"{_SOURCE_EN[other.source]} says {o.year}-{o.end:02d} ({other.shown}); "
                f"{s.year}-{s.end:02d} is used / {_SOURCE_ZH[used.source]}与{_SOURCE_ZH[other.source]}"
                f"不一致，按{s.year}年{s.end}月读取",
            )  # fmt: skip
    return Period(s.year, s.end)
