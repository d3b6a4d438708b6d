"""Months and periods as people write them: the one grammar every reader of the service uses.

Pure (the standard library only). The cell reader (``importers.cells``), the label-value
blocks above a table (``importers.blocks``), the header finder (``importers.detect``), the
205-1 return (``importers.return205``) and ``Period.parse`` (``carbon.domain.identifiers``)
all take months from here, so a form one of them reads is written once and means the same
everywhere. Text is expected NFKC-folded by the caller (full-width digits and punctuation
then read as ASCII); ``\\d`` is any decimal digit, as ``int`` reads it.

The forms:

- a month with its year, the whole text (``month_with_year``): ``2024-01``, ``2024/1``,
  ``2024.01``, with a day and a time allowed after it (``2024-01-15``,
  ``2024-01-15 08:30:00``); ``2024年1月`` (``2024年度1月``, spaces allowed, a day allowed after
  it: ``2024年1月5日``); ``202401``;
- a month without its year, the whole text (``month_alone``): ``1月``, ``01月``, ``1月份``,
  ``Jan``, ``jan.``, ``January``;
- a period, found in longer text: with its year (``spans_in``, ``first_span``):
  ``2024年3月``, ``2024年度3月``, ``2024年1-3月``, ``2024年1月-3月``; without it
  (``short_span``): ``3月``, ``1-3月``, ``1月至3月``. A range may use any of
  ``RANGE_DASHES``: ``-`` ``－`` ``~`` ``～`` ``–`` ``—`` ``至`` ``到``;
- a year alone (``year_alone``): ``2024``, ``2024年``, ``2024年度``; the years a title names
  (``years_named``): ``2024年`` not followed by a month;
- the canonical month (``iso_month``): ``YYYY-MM`` exactly, ``Period``'s own text.

Years and months are returned as written: whether they make a valid month (a year in
``YEAR_RANGE``, a month 1-12, a range that starts in January on a cumulative form) is the
caller's to say, in its own words. Where text is free (titles, labels, sheet names) only
``WRITTEN_YEARS`` (19xx and 20xx) are taken for a year.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# The years a month of data may have (a month cell outside them is an error).
YEAR_RANGE = (1950, 2100)
# Four digits read as a year where text is free (titles, labels, sheet names): 19xx, 20xx.
WRITTEN_YEARS = range(1900, 2100)

# What may stand between the first and the last month of a range: 1-3月, 1–3月, 1~3月, 1至3月.
RANGE_DASHES: tuple[str, ...] = ("-", "－", "~", "～", "–", "—", "至", "到")

MONTH_NAMES: dict[str, int] = {
    name: i
    for i, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")),
        start=1,
    )
    for name in names
}  # fmt: skip

_DASH = "[" + "".join(re.escape(d) for d in RANGE_DASHES) + "]"
_MONTH = r"(\d{1,2})"
# The first month of a range and its dash: "1-", "1月-", "1 至 ".
_RANGE_START = rf"(?:{_MONTH}\s*月?\s*{_DASH}\s*)?"
# YYYY年[度] [M[月]-]M月: groups year, range start (or None), month.
_YEAR_ZH = re.compile(rf"(\d{{4}})\s*年度?\s*{_RANGE_START}{_MONTH}\s*月")
_YEAR_ZH_DAY = re.compile(_YEAR_ZH.pattern + r"(?:\s*\d{1,2}\s*日)?")
# YYYY-MM, YYYY/MM, YYYY.MM, then the same separator and a day, then a time.
_YEAR_SEP = re.compile(
    r"(\d{4})\s*([-/.])\s*(\d{1,2})(?:\s*\2\s*\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)?"
)
_YEAR_COMPACT = re.compile(r"(\d{4})(\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{2})")
_MONTH_ALONE = re.compile(rf"{_MONTH}\s*月份?")
# [M[月]-]M月 not preceded by a digit or 年 (those belong to a period with its year).
_SHORT = re.compile(rf"(?<![\d年]){_RANGE_START}{_MONTH}\s*月")
_YEAR_ALONE = re.compile(r"\s*(\d{4})\s*(?:年度?)?\s*")
_YEAR_NAMED = re.compile(r"(\d{4})\s*年(?!\s*\d{1,2}\s*月)")


@dataclass(frozen=True)
class Span:
    """A period as written: ``year`` (None when the text gives none), the range's first
    month (None for a single month) and its last (or only) month."""

    year: int | None
    start: int | None
    end: int

    @property
    def is_range(self) -> bool:
        return self.start is not None


def _span(year: str | None, start: str | None, end: str) -> Span:
    return Span(None if year is None else int(year), None if start is None else int(start), int(end))


def month_with_year(text: str) -> tuple[int, int] | None:
    """(year, month) of a single month with its year that is the whole of ``text``, else None."""
    m = _YEAR_ZH_DAY.fullmatch(text)
    if m:
        return None if m.group(2) is not None else (int(m.group(1)), int(m.group(3)))
    m = _YEAR_SEP.fullmatch(text)
    if m:
        return int(m.group(1)), int(m.group(3))
    m = _YEAR_COMPACT.fullmatch(text)
    if m:
        return int(m.group(1)), int(m.group(2))
    return None


def month_alone(text: str) -> int | None:
    """The month of ``3月``, ``03月``, ``3月份``, ``Mar``, ``March`` (the whole text, stripped),
    as written (``13月`` gives 13), else None."""
    t = text.strip()
    m = _MONTH_ALONE.fullmatch(t)
    if m:
        return int(m.group(1))
    return MONTH_NAMES.get(t.lower().rstrip("."))


def iso_month(text: str) -> tuple[int, int] | None:
    """(year, month) of exactly ``YYYY-MM``, else None."""
    m = _ISO.fullmatch(text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def spans_in(text: str) -> Iterator[Span]:
    """Every period with its year in ``text`` (``2024年3月``, ``2024年1-3月`` …), in order."""
    for m in _YEAR_ZH.finditer(text):
        yield _span(m.group(1), m.group(2), m.group(3))


def first_span(text: str) -> Span | None:
    """The first period in ``text`` whose year is a written year (19xx, 20xx)."""
    return next((s for s in spans_in(text) if s.year in WRITTEN_YEARS), None)


def has_range(text: str) -> bool:
    """Whether ``text`` names a range of months with its year (``2024年1-3月``)."""
    return any(s.is_range for s in spans_in(text))


def short_span(text: str) -> Span | None:
    """The first period without its year in ``text`` (``3月``, ``1-3月``); its year is None."""
    m = _SHORT.search(text)
    return _span(None, m.group(1), m.group(2)) if m else None


def year_alone(text: str) -> int | None:
    """The year of ``2024``, ``2024年`` or ``2024年度`` (the whole text), a written year only."""
    m = _YEAR_ALONE.fullmatch(text)
    return int(m.group(1)) if m and int(m.group(1)) in WRITTEN_YEARS else None


def years_named(text: str) -> set[int]:
    """The written years ``text`` names as years (``2024年``), not those of a month (``2024年3月``)."""
    return {y for y in map(int, _YEAR_NAMED.findall(text)) if y in WRITTEN_YEARS}
