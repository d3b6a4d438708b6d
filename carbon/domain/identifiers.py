"""Identifiers: USCC (GB 32100-2015), industry (GB/T 4754-2017), region (GB/T 2260), period."""

from __future__ import annotations

import re
from dataclasses import dataclass

from carbon.domain.periods import iso_month

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC from its first 17 (GB 32100-2015 §5)."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or None if it is."""
    if len(code) != 18:
        return f"USCC must have 18 characters, got {len(code)} / 统一社会信用代码应为18位"
    bad = sorted({c for c in code if c not in _USCC_VALUE})
    if bad:
        return (
            f"USCC contains invalid character(s) {''.join(bad)!r} (I, O, S, V, Z are not used) "
            "/ 统一社会信用代码含非法字符"
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return (
            f"USCC check character is {code[17]!r}, expected {expected!r} (GB 32100-2015) "
            "/ 统一社会信用代码校验码错误"
        )
    return None


def make_uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


# GB/T 4754-2017 门类 (section) by 大类 (division) range.
SECTION_RANGES: tuple[tuple[str, int, int], ...] = (
    ("A", 1, 5),
    ("B", 6, 12),
    ("C", 13, 43),
    ("D", 44, 46),
    ("E", 47, 50),
    ("F", 51, 52),
    ("G", 53, 60),
    ("H", 61, 62),
    ("I", 63, 65),
    ("J", 66, 69),
    ("K", 70, 70),
    ("L", 71, 72),
    ("M", 73, 75),
    ("N", 76, 79),
    ("O", 80, 82),
    ("P", 83, 83),
    ("Q", 84, 85),
    ("R", 86, 90),
    ("S", 91, 96),
    ("T", 97, 97),
)

_INDUSTRY_RE = re.compile(r"^(?:[A-T])?(\d{2})(\d{1,2})?$")


@dataclass(frozen=True)
class Industry:
    """A GB/T 4754-2017 code as given (2-4 digits, optionally led by its section letter)."""

    code: str
    division: str
    section: str


def parse_industry(text: str) -> Industry:
    """Parse an industry code; raises ValueError with a user-facing message."""
    t = text.strip().upper()
    m = _INDUSTRY_RE.match(t)
    if not m:
        raise ValueError(
            f"industry code {text!r} is not a GB/T 4754-2017 code (2-4 digits, e.g. 26 or 2614) "
            "/ 行业代码格式错误"
        )
    division = m.group(1)
    number = int(division)
    for letter, lo, hi in SECTION_RANGES:
        if lo <= number <= hi:
            if t[0].isalpha() and t[0] != letter:
                raise ValueError(
                    f"industry code {text!r}: division {division} belongs to section {letter} "
                    "/ 行业门类与大类不符"
                )
            digits = t[1:] if t[0].isalpha() else t
            return Industry(code=digits, division=division, section=letter)
    raise ValueError(f"industry code {text!r}: no GB/T 4754-2017 division {division} / 无此行业大类")


_REGION_RE = re.compile(r"^[1-8]\d{5}$")


def region_problem(code: str) -> str | None:
    if not _REGION_RE.match(code):
        return f"region code {code!r} must be a 6-digit GB/T 2260 code, e.g. 330802 / 行政区划代码应为6位数字"
    return None


def region_prefix(scope: str) -> str:
    """The code prefix a scope covers: 330800 -> 3308, 330000 -> 33, 330802 -> 330802."""
    prefix = scope
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def region_in_scope(code: str, scope: str) -> bool:
    """An official scoped to 330800 sees 3308xx; 330000 sees 33xxxx; a county sees itself."""
    return code.startswith(region_prefix(scope))


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def parse(cls, text: str) -> Period:
        """The canonical ``YYYY-MM`` (``carbon.domain.periods.iso_month``), surrounding spaces allowed."""
        found = iso_month(text.strip())
        if found is None or not 1 <= found[1] <= 12:
            raise ValueError(f"period {text!r} must be YYYY-MM / 月份格式应为YYYY-MM")
        return cls(*found)
