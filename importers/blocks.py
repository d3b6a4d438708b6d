"""Label-value blocks above a table: ``企业名称：…  统一社会信用代码：…  年份：2023``.

Real workbooks name the enterprise (and the year or month) once, in cells above the table,
instead of in a column. Three forms occur and are all read:

- ``企业名称：某某有限公司`` in one cell (full-width or ASCII colon);
- several items in one cell: ``企业名称：某某有限公司    统一社会信用代码：9133…``;
- a label cell followed by its value in the next non-blank cell of the row:
  ``统一社会信用代码`` | ``9133…`` (the label may end with a colon).

Labels are looked up in a table (``BLOCK_LABELS``), not branched on. Values are returned
as written (text); checking them is the caller's job, which knows the cell to blame.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from carbon.domain.periods import year_alone, years_named
from carbon.domain.quantities import normalise_name
from importers.layout import IDENTITY_COLUMNS, OPTIONAL_COLUMNS, match_header

# Block labels -> key. Identity labels come from the template's columns and synonyms;
# the block adds the year, and 报告期-style labels that give a month.
_EXTRA_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("单位详细名称", "企业(单位)名称", "企业（单位）名称", "纳税人名称"),
    "uscc": ("统一社会信用代码(组织机构代码)", "组织机构代码", "纳税人识别号"),
    "industry_code": ("国民经济行业代码", "所属行业代码", "行业类别"),
    "region_code": ("所在地区划代码", "区划码"),
    "year": ("年份", "年度", "统计年度", "报告年度", "Year"),
    "month": ("统计期间", "所属期", "数据期间"),  # besides the month column's own names
}
BLOCK_KEYS = ("uscc", "name", "industry_code", "region_code", "year", "month", "name_en")


def _labels() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in (*IDENTITY_COLUMNS, *OPTIONAL_COLUMNS):
        for n in (c.name_zh, c.name_en, *c.synonyms):
            table[normalise_name(n)] = c.key
    for key, names in _EXTRA_LABELS.items():
        for n in names:
            table[normalise_name(n)] = key
    # 企业 alone is too vague for a block label; 名称 alone is usual on forms.
    table.pop(normalise_name("企业"), None)
    table[normalise_name("名称")] = "name"
    return table


BLOCK_LABELS: dict[str, str] = _labels()

# "label：value" items inside one cell; items are separated by 2+ spaces (or a full-width space)
# or by the next "label：".
_ITEM = re.compile(r"([^:：\s][^:：]*?)\s*[:：]\s*(.*?)\s*(?=(?:\s{2,}|\u3000)[^:：\s][^:：]*?[:：]|$)")


@dataclass(frozen=True)
class BlockValue:
    key: str  # one of BLOCK_KEYS
    value: Any  # the value as written: text, or the cell's own value (a number, a date)
    row: int  # 1-based Excel row of the value's cell
    column: int  # 0-based column of the value's cell
    label: str  # the label as written


def label_key(text: object) -> str | None:
    """The block key of a label cell (``统一社会信用代码：`` -> ``uscc``), or None."""
    if not isinstance(text, str):
        return None
    t = unicodedata.normalize("NFKC", text).strip().rstrip(":：").strip()
    if not t or len(t) > 30:
        return None
    return BLOCK_LABELS.get(normalise_name(t))


def holds_item(cell: object) -> bool:
    """Whether a cell holds a ``label：value`` item with a known label and a value
    (``企业名称：某某有限公司``): block text, never a header name."""
    if not isinstance(cell, str) or ":" not in (text := unicodedata.normalize("NFKC", cell)):
        return False
    return any(label_key(m.group(1).strip()) and m.group(2).strip() for m in _ITEM.finditer(text))


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def read_block(rows: Sequence[Sequence[Any]], first_row: int = 1, first_col: int = 0) -> list[BlockValue]:
    """Every label-value item in ``rows`` (cells as the reader gives them), in reading order.

    ``first_row`` is the Excel row of ``rows[0]``, ``first_col`` the column of each row's
    first cell. A key given twice is returned twice; the caller decides.
    """
    found: list[BlockValue] = []
    for i, row in enumerate(rows):
        r = first_row + i
        j = 0
        n = len(row)
        while j < n:
            cell = row[j]
            if not isinstance(cell, str) or not cell.strip():
                j += 1
                continue
            text = unicodedata.normalize("NFKC", cell).strip()
            key = label_key(text)
            if key is not None:
                # a label alone: its value is the next non-blank cell of the row
                k = j + 1
                while k < n and _blank(row[k]):
                    k += 1
                if k < n and label_key(row[k]) is None and match_header(row[k]) is None:
                    value = row[k]
                    found.append(BlockValue(key, value.strip() if isinstance(value, str) else value,
                                            r, first_col + k, text.rstrip(":：").strip()))  # fmt: skip
                    j = k + 1
                    continue
                j += 1
                continue
            if ":" in text:
                for m in _ITEM.finditer(text):
                    label, value = m.group(1).strip(), m.group(2).strip()
                    key = label_key(label)
                    if key is not None and value:
                        found.append(BlockValue(key, value, r, first_col + j, label))
            j += 1
    return found


def year_of(value: object) -> int | None:
    """A 年份 value (``2023``, ``2023年``, ``2023年度``, 2023.0, a date) -> the year, or None."""
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, float | int) and not isinstance(value, bool):
        x = float(value)
        return int(x) if x.is_integer() and 1950 <= x <= 2100 else None
    if isinstance(value, str):
        return year_alone(unicodedata.normalize("NFKC", value))
    return None


def year_in_title(text: object) -> int | None:
    """The year a title names: ``某某公司2023年能源消费台账`` -> 2023 (not ``2023年3月``)."""
    if not isinstance(text, str):
        return None
    years = years_named(unicodedata.normalize("NFKC", text))
    return years.pop() if len(years) == 1 else None
