"""Reading single cells: numbers, codes, months, as uploaded workbooks write them.

Shared by every layout reader (the template, months-as-columns ledgers, the 205-1 return).
Each function reports a bad cell in the user's terms, bilingually, and never raises on a
value it does not understand except ``CellProblem``, whose message is for the user.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache

from carbon.domain.identifiers import Period, parse_industry, region_problem, uscc_problem
from carbon.domain.periods import MONTH_NAMES, month_alone, month_with_year
from carbon.domain.periods import YEAR_RANGE as YEAR_RANGE
from carbon.domain.quantities import MAX_QUANTITY
from importers.layout import NAME_MAX_CHARS

# Month cells are read with the one grammar of months and periods (carbon.domain.periods).

# The largest figure a quantity cell may hold, in the unit its header gives: far above any
# real enterprise-month, low enough that every sum of such figures stays finite (as
# MAX_QUANTITY bounds meter readings in canonical units).
MAX_CELL = MAX_QUANTITY
_MONTHS = frozenset(float(m) for m in range(1, 13))
# Excel serial day numbers for 1970-01-01 .. 2099-12-31: a number in this range in the
# month column is a date whose cell lost its date format.
EXCEL_SERIAL_RANGE = (25569, 73050)
_EXCEL_EPOCH = dt.date(1899, 12, 30)

_TEXT_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?(?:[eE][+-]?\d+)?")


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> 'A', 26 -> 'AA')."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class CellProblem(Exception):
    """A cell that cannot be read; the message is for the user."""


def show(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, str):
        return repr(v)
    return str(v)


def is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


FORMULA_WITHOUT_VALUE = "formula"


class ProblemCell(str):
    """A cell whose value cannot be used, put where the reader saw a blank: a formula saved
    without its result (``formula``), or a formula error such as ``#DIV/0!``. Nothing in a
    file is evaluated, so neither can be read as a number."""

    __slots__ = ()

    def describe(self, header: str) -> str:
        if self == FORMULA_WITHOUT_VALUE:
            return (
                f"{header}: the cell holds a formula whose result was not saved in the file; open it "
                "in Excel or WPS and save it again, or type the value / 该单元格为公式但文件中没有保存"
                "计算结果，请用Excel或WPS打开后保存再上传，或直接填写数值"
            )
        return (
            f"{header}: the cell's formula gives the error {str(self)}; correct it or type the value "
            f"/ 该单元格公式结果为错误值{str(self)}，请修正公式或直接填写数值"
        )


def too_large(header: str, v: object) -> str:
    return (
        f"{header}: {show(v)} is more than {MAX_CELL:g}; check the unit in the header "
        f"/ 数值超过{MAX_CELL:g}，请检查表头中的计量单位"
    )


def read_number(v: object, header: str) -> tuple[float | None, bool]:
    """A quantity cell -> (value in the header's unit or None if blank, was it text)."""
    if type(v) is ProblemCell:
        raise CellProblem(v.describe(header))
    if type(v) is float or (isinstance(v, int) and not isinstance(v, bool)):
        x = float(v)
        if not math.isfinite(x):
            raise CellProblem(f"{header}: expected a finite number, got {show(v)} / 应为有限数值")
        if x < 0:
            raise CellProblem(
                f"{header}: expected a non-negative number, got {show(v)} / 应为非负数字，不能为负数"
            )
        if x > MAX_CELL:
            raise CellProblem(too_large(header, v))
        return x, False
    if isinstance(v, str):
        t = unicodedata.normalize("NFKC", v).strip()
        if not t:
            return None, False
        if _TEXT_NUMBER.fullmatch(t) and any(c.isdigit() for c in t):
            x = float(t.replace(",", ""))
            if math.isfinite(x) and 0 <= x <= MAX_CELL:
                return x, True
            if x > MAX_CELL:
                raise CellProblem(too_large(header, v))
            if x < 0:
                raise CellProblem(
                    f"{header}: expected a non-negative number, got {v!r} / 应为非负数字，不能为负数"
                )
        raise CellProblem(
            f"{header}: expected a non-negative number, got {v!r} / 应为非负数字，实际为“{v.strip()}”"
        )
    if isinstance(v, dt.date | dt.time | dt.timedelta):
        raise CellProblem(f"{header}: expected a number, got the date/time {v} / 应为数字，实际为日期或时间")
    raise CellProblem(f"{header}: expected a non-negative number, got {show(v)} / 应为非负数字")


def code_text(v: object) -> str:
    """An identifier cell as text: numeric cells lose their '.0'."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, str):
        return unicodedata.normalize("NFKC", v).strip()
    return str(v)


# What a name cell is called in a problem: (English, Chinese), by column key.
NAME_LABELS = {"name": ("name", "企业名称"), "name_en": ("English name", "企业英文名称")}


def read_name(v: object, key: str = "name") -> tuple[str | None, str | None]:
    """(a name cell's text with its whitespace collapsed, None if blank; problem): at most
    ``NAME_MAX_CHARS`` characters and no control characters. ``key``: name or name_en."""
    text = " ".join(v.split()) if isinstance(v, str) else " ".join(code_text(v).split())
    if not text:
        return None, None
    en, zh = NAME_LABELS[key]
    if len(text) > NAME_MAX_CHARS:
        return None, f"{en} has {len(text):,} characters, more than {NAME_MAX_CHARS} / {zh}过长"
    bad = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        return None, f"{en} contains the control character U+{ord(bad):04X}; remove it / {zh}含有控制字符"
    return text, None


def read_uscc(v: object) -> tuple[str | None, str | None]:
    """(normalised USCC, problem)."""
    if is_blank(v):
        return None, "USCC is empty / 统一社会信用代码为空"
    if isinstance(v, int | float) and not isinstance(v, bool):
        return None, (
            f"USCC {show(v)} is a number cell, which loses digits; enter the USCC as text "
            "/ 统一社会信用代码应以文本格式填写"
        )
    if type(v) is str and len(v) == 18 and v.isascii() and v.isalnum():
        code = v.upper()  # the common case needs no Unicode folding
    else:
        code = "".join(code_text(v).split()).upper()
    problem = uscc_problem(code)
    if problem:
        return None, f"USCC {code!r}: {problem}"
    return code, None


def period_of(year: int, month: int, raw: object) -> Period:
    if not (YEAR_RANGE[0] <= year <= YEAR_RANGE[1] and 1 <= month <= 12):
        raise CellProblem(
            f"month {show(raw)} is not a valid month ({YEAR_RANGE[0]}-{YEAR_RANGE[1]}, 1-12) / 月份无效"
        )
    return Period(year, month)


MONTH_HELP = "use YYYY-MM, YYYY年M月, YYYY/MM or a date cell / 月份格式应为YYYY-MM、YYYY年M月、YYYY/MM或日期"


# A month without its year ("3月", "03月", "3月份", "Mar"), read with the sheet's year.
MONTH_ABBREVIATIONS: dict[str, int] = MONTH_NAMES


def month_number(v: object) -> int | None:
    """A month label without a year (``3月``, ``03月``, ``3月份``, ``Mar``, ``March``) -> 3, else None."""
    if not isinstance(v, str):
        return None
    n = month_alone(unicodedata.normalize("NFKC", v))
    return n if n is not None and 1 <= n <= 12 else None


def month_label(v: object, year: int | None) -> Period | None:
    """A column header naming a month: ``2023年3月``, ``2023-03``, a date, or ``3月`` / ``Mar``
    when ``year`` is known; None if it is not a month label."""
    n = month_number(v)
    if n is not None:
        return Period(year, n) if year is not None else None
    if isinstance(v, str | dt.date) and not isinstance(v, bool):
        try:
            return read_month(v)
        except CellProblem:
            return None
    return None


def read_month(v: object, year: int | None = None) -> Period:
    """A month cell -> Period. With ``year`` (the sheet's 年份), a month without its year
    (``3月``, ``3``) is read in that year."""
    if year is not None:
        if isinstance(v, float | int) and not isinstance(v, bool) and float(v) in _MONTHS:
            return Period(year, int(v))
        n = month_number(v)
        if n is not None:
            return Period(year, n)
        if isinstance(v, str) and v.strip().isdigit() and int(v) in range(1, 13):
            return Period(year, int(v))
    if isinstance(v, dt.date):  # datetime is a date too
        return period_of(v.year, v.month, v)
    if isinstance(v, float | int) and not isinstance(v, bool):
        x = float(v)
        if x.is_integer():
            n = int(x)
            if YEAR_RANGE[0] * 100 + 1 <= n <= YEAR_RANGE[1] * 100 + 12 and 1 <= n % 100 <= 12:
                return Period(n // 100, n % 100)
        if EXCEL_SERIAL_RANGE[0] <= x <= EXCEL_SERIAL_RANGE[1]:
            d = _EXCEL_EPOCH + dt.timedelta(days=int(x))
            return Period(d.year, d.month)
        raise CellProblem(f"month {show(v)} is a number, not a month: {MONTH_HELP}")
    if isinstance(v, str):
        t = unicodedata.normalize("NFKC", v).strip()
        if not t:
            raise CellProblem("month is empty / 月份为空")
        found = month_with_year(t)
        if found is not None:
            return period_of(*found, v)
        raise CellProblem(f"month {v!r} not recognised: {MONTH_HELP}")
    raise CellProblem(f"month {show(v)} not recognised: {MONTH_HELP}")


@lru_cache(maxsize=4096, typed=True)
def read_industry(cell: object) -> tuple[str | None, str | None]:
    """An industry cell -> (normalised GB/T 4754 code, problem). Few distinct values: cached."""
    text = code_text(cell)
    if isinstance(cell, float) and len(text) == 1:
        text = "0" + text  # a numeric cell dropped the leading zero of 06-09
    try:
        return parse_industry(text).code, None
    except ValueError as exc:
        return None, str(exc)


@lru_cache(maxsize=4096, typed=True)
def read_region(cell: object) -> tuple[str | None, str | None]:
    """A region cell -> (six-digit code, problem). Few distinct values: cached."""
    text = code_text(cell)
    problem = region_problem(text)
    return (None, problem) if problem else (text, None)
