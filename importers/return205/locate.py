"""Locating the 205-1 return: is a sheet one, where its header is, what each column holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from importers.cells import month_number
from importers.return205.tables import HEADER_SEARCH_ROWS, MAX_HEADER_ROWS, _blank, _cell, _text


def _find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, int] | None:
    """(row index, column index) of the 能源名称 cell, or None."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for j, v in enumerate(row):
            t = _text(v)
            if "能源名称" in t and len(t) <= 12:
                return i, j
    return None


def looks_like_205(rows: Sequence[Sequence[Any]]) -> bool:
    """True if these first rows (up to ~40) of a sheet are a 205-1 return: a header with 能源名称
    and 计量单位 and 消费量 (and usually 代码)."""
    try:
        found = _find_header(rows)
        if found is None:
            return False
        i = found[0]
        head = [v for row in rows[i : i + MAX_HEADER_ROWS] for v in row]
        texts = [_text(v) for v in head]
        # 1月 2月 3月 … across the header is a months-as-columns ledger, not this return
        months = sum(1 for v in head if month_number(v) is not None)
        return any("计量单位" in t for t in texts) and any("消费" in t for t in texts) and months < 3
    except Exception:  # noqa: BLE001 - a guess about a sheet must never fail the upload
        return False


def _is_column_number_row(row: Sequence[Any], name_col: int) -> bool:
    """甲 乙 丙 1 2 3 …: the row numbering the form's columns."""
    if _text(_cell(row, name_col)).lower() in ("甲", "a"):
        return True
    if not _blank(_cell(row, name_col)):
        return False
    numbers = [v for v in row if not _blank(v)]
    if len(numbers) < 3 or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers):
        return False
    return [float(v) for v in numbers] == [float(k) for k in range(1, len(numbers) + 1)]


def _header_rows(rows: Sequence[Sequence[Any]], h: int, name_col: int) -> list[int]:
    out = [h]
    for k in range(h + 1, min(h + MAX_HEADER_ROWS, len(rows))):
        row = rows[k]
        if not _blank(_cell(row, name_col)) or _is_column_number_row(row, name_col):
            break
        if not any(_text(v) and not _looks_numeric(v) for v in row):
            break
        out.append(k)
    return out


def _looks_numeric(v: object) -> bool:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return True
    t = _text(v)
    return bool(t) and t.replace(".", "", 1).isdigit()


def _role(own: list[str], groups: list[str]) -> str | None:
    """What a column holds, from its own header texts and the group texts above it."""
    o = "".join(own)
    a = "".join(groups) + o
    if "能源名称" in o or o in ("名称", "品种", "能源品种"):
        return "name"
    if "计量单位" in o or o == "单位":
        return "unit"
    if o == "代码" or o.endswith("代码"):
        return "code"
    if "折标" in o or "系数" in o:
        return "ref_coef" if "参考" in o else "coef"
    if any(w in a for w in ("金额", "折标", "系数", "价格", "单价", "千元", "万元")):
        return None
    if "运输" in o:
        return "transport"
    if "原材料" in o or "原料" in o:
        return "feedstock"
    if "非工业" in o:
        return "non_industrial"
    if "工业生产" in o:
        return "industrial"
    if any(w in a for w in ("期初", "年初", "上年末", "上年底")):
        return "opening"
    if any(w in a for w in ("期末", "月末", "年末")):
        return "closing"
    if "库存" in a:
        return None
    if any(w in a for w in ("购进", "购入", "采购")):
        return "purchase"
    last = own[-1] if own else ""
    if "消费" in a and (last in ("合计", "小计", "总计") or "消费量" in last or last.endswith("消费合计")):
        return "total"
    return None


@dataclass
class _Header:
    row: int  # index of the 能源名称 row
    rows: list[int]  # indices of every header row
    roles: dict[str, int]  # role -> column index
    first_data: int  # index of the first row under the header


def _read_header(rows: Sequence[Sequence[Any]], h: int, name_col: int) -> _Header:
    hrows = _header_rows(rows, h, name_col)
    width = max(len(rows[k]) for k in hrows)
    grid = [[_text(_cell(rows[k], j)) for j in range(width)] for k in hrows]
    roles: dict[str, int] = {}
    for j in range(width):
        own = [grid[k][j] for k in range(len(hrows)) if grid[k][j]]
        if not own:
            continue
        top = next(k for k in range(len(hrows)) if grid[k][j])
        groups: list[str] = []
        for k in range(top - 1, -1, -1):  # the spanning cell above: nearest text to the left
            for c in range(j - 1, -1, -1):
                if grid[k][c]:
                    groups.insert(0, grid[k][c])
                    break
        role = _role(own, groups)
        if role is not None and role not in roles:
            roles[role] = j
    roles.setdefault("name", name_col)
    first = hrows[-1] + 1
    if first < len(rows) and _is_column_number_row(rows[first], name_col):
        first += 1
    return _Header(h, hrows, roles, first)
