"""What the sheets of one file share while their rows are read: the records, the errors,
the enterprises and enterprise-months seen; and the identity cells of a row, checked."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from carbon.domain.errors import CellError
from carbon.domain.identifiers import Period
from carbon.domain.records import MonthlyRecord
from importers.cells import is_blank, read_industry, read_name, read_region, read_uscc

Progress = Callable[[int, int], None]  # (rows read so far, rows in all)
Sink = Callable[[list[MonthlyRecord]], None]  # takes each chunk of records as it is read


@dataclass
class Enterprise:
    sheet: str
    row: int
    name: str | None
    industry: str | None
    region: str | None
    name_en: str | None = None


@dataclass
class FileState:
    """What the sheets of one file share: enterprises and months seen, outputs."""

    records: list[MonthlyRecord] = field(default_factory=list)
    sink: Sink | None = None
    flushed: int = 0  # records already handed to the sink
    errors: list[CellError] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    # (uscc, month ordinal) -> where it was first given, (sheet, row): the record, or the row
    # if it had errors
    seen: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    months: dict[Any, tuple[Period, int]] = field(default_factory=dict)  # raw cell -> (period, ordinal)
    rows_read: int = 0
    slow_records: int = 0
    done: int = 0
    total: int = 0

    @property
    def accepted(self) -> int:
        return self.flushed + len(self.records)

    def add(self, records: list[MonthlyRecord]) -> None:
        """Records another reader (a ledger) made: checked for months given twice and for
        an enterprise described differently elsewhere in the file, like the rows read here."""
        for rec in records:
            err = self._conflict(rec)
            if err is not None:
                self.errors.append(err)
                continue
            self.seen[(rec.uscc, rec.period.year * 12 + rec.period.month - 1)] = (rec.sheet, rec.row)
            self.records.append(rec)
            self.rows_read += 1

    def _conflict(self, rec: MonthlyRecord) -> CellError | None:
        prev = self.seen.get((rec.uscc, rec.period.year * 12 + rec.period.month - 1))
        if prev is not None:
            en, zh = where(prev[0], prev[1], rec.sheet)
            return CellError(
                rec.sheet, rec.row, None,
                f"duplicate: USCC {rec.uscc} month {rec.period} already given in {en} "
                f"/ 重复数据：同一企业同一月份已在{zh}填写",
            )  # fmt: skip
        ent = self.enterprises.get(rec.uscc)
        if ent is None:
            self.enterprises[rec.uscc] = Enterprise(rec.sheet, rec.row, rec.name, rec.industry_code,
                                                     rec.region_code, rec.name_en)  # fmt: skip
            return None
        for attr, rattr, label_en, label_zh in CONSISTENT:
            mine, theirs = getattr(rec, rattr), getattr(ent, attr)
            if mine is None:
                setattr(rec, rattr, theirs)
            elif theirs is None:
                setattr(ent, attr, mine)
            elif fold_text(mine) != fold_text(theirs):
                en, zh = where(ent.sheet, ent.row, rec.sheet)
                return CellError(
                    rec.sheet, rec.row, None,
                    f"{label_en} {mine!r} differs from {theirs!r} in {en} for the same USCC {rec.uscc} "
                    f"/ 同一统一社会信用代码的{label_zh}与{zh}不一致",
                )  # fmt: skip
        return None

    def flush(self) -> None:
        """Hand the records read so far to the sink; once a cell is rejected the file will be
        refused whole, so further records are dropped instead."""
        if self.sink is None or not self.records:
            return
        if not self.errors:
            self.sink(self.records)
        self.flushed += len(self.records)
        self.records = []


def where(sheet: str, row: int, current_sheet: str) -> tuple[str, str]:
    if sheet == current_sheet:
        return f"row {row}", f"第{row}行"
    return f"row {row} of sheet '{sheet}'", f"工作表“{sheet}”第{row}行"


# Enterprise attributes that must agree between rows of one USCC: attribute, column, labels.
CONSISTENT: tuple[tuple[str, str, str, str], ...] = (
    ("name", "name", "name", "企业名称"),
    ("industry", "industry_code", "industry code", "行业代码"),
    ("region", "region_code", "region code", "行政区划代码"),
    ("name_en", "name_en", "English name", "企业英文名称"),
)


def fold_text(text: str | None) -> str | None:
    return None if text is None else unicodedata.normalize("NFKC", text)


def agrees(a: Enterprise | Who, b: Enterprise | Who) -> bool:
    return all(
        x is None or y is None or fold_text(x) == fold_text(y)
        for x, y in ((a.name, b.name), (a.industry, b.industry), (a.region, b.region), (a.name_en, b.name_en))
    )


@dataclass
class Who:
    """The identity cells of a row, read and checked."""

    uscc: str | None
    name: str | None
    industry: str | None
    region: str | None
    problems: list[tuple[str, str]]  # (identity column key, message)
    has_blank: bool  # a name/industry/region column is present but its cell is blank
    name_en: str | None = None  # optional: a blank cell gives none (it never sends a row the slow way)


def read_identity(cells: tuple[Any, ...]) -> Who:
    """(USCC, name, industry, region[, English name]) cells; None for a column the sheet does
    not have."""
    u, n, i, g, *rest = cells
    uscc, problem = read_uscc(u)
    problems = [("uscc", problem)] if problem else []
    name = industry = region = name_en = None
    has_blank = False
    if n is not None:
        name, problem = read_name(n)
        has_blank = name is None and problem is None
        if problem:
            problems.append(("name", problem))
    if rest and rest[0] is not None:
        name_en, problem = read_name(rest[0], "name_en")
        if problem:
            problems.append(("name_en", problem))
    if i is not None:
        if is_blank(i):
            has_blank = True
        else:
            industry, problem = read_industry(i)
            if problem:
                problems.append(("industry_code", problem))
    if g is not None:
        if is_blank(g):
            has_blank = True
        else:
            region, problem = read_region(g)
            if problem:
                problems.append(("region_code", problem))
    return Who(uscc, name, industry, region, problems, has_blank, name_en)
