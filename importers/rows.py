"""The template's own row layout: one row per enterprise-month, read fast.

Speed matters (240,000-row workbooks are benchmarked against calamine's bare parse):

- rows are streamed from calamine (``iter_rows``) and dropped once read, rather than
  materialised as one big list;
- each sheet's header is resolved once into column indices, factors and blank values
  (``importers.rows_header``);
- identity cells (USCC, name, industry, region) and month cells are validated on first
  sight and cached, so a row of a known enterprise and month costs two dict lookups;
- quantities are converted by one dict comprehension whose common cell (a non-negative
  float or a blank) costs no function call;
- a row that loop does not clear (text numbers, any problem) goes to
  ``SheetReader._slow_row``, which validates everything and collects all errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from operator import attrgetter, itemgetter
from typing import Any

from carbon.domain.errors import CellError
from carbon.domain.identifiers import Period
from carbon.domain.records import MonthlyRecord
from importers.cells import MAX_CELL, CellProblem, code_text, is_blank, read_month, read_number
from importers.detect import Table, fill_merged
from importers.layout import is_total_label, match_header
from importers.limits import ErrorLog
from importers.loading import RawSheet
from importers.row_checks import export_floor
from importers.rows_header import Header
from importers.rows_state import (
    CONSISTENT,
    Enterprise,
    FileState,
    Progress,
    agrees,
    fold_text,
    read_identity,
    where,
)

SINK_CHUNK = 20_000  # records handed to the sink at a time
PROGRESS_EVERY = 5000  # rows between progress reports


def _getter(indices: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """Like ``itemgetter(*indices)`` but always returning a tuple."""
    if len(indices) > 1:
        return itemgetter(*indices)
    if indices:
        i = indices[0]
        return lambda row: (row[i],)
    return lambda row: ()


_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+").fullmatch
_MISSING: Any = object()


_COLUMN_NUMBER_TOKENS = frozenset("甲乙丙丁戊己庚辛壬癸")


def _is_column_numbers(row: list[Any]) -> bool:
    """The row under a statistical form's header that numbers its columns: 甲 乙 丙 1 2 3 …"""
    cells = [v for v in row if not is_blank(v)]
    if len(cells) < 3:
        return False
    tokens = [v.strip() for v in cells if isinstance(v, str) and v.strip() in _COLUMN_NUMBER_TOKENS]
    numbers = [
        float(v) for v in cells
        if (type(v) is float or isinstance(v, str) and v.strip().isdigit()) and float(v).is_integer()
    ]  # fmt: skip
    if len(tokens) + len(numbers) != len(cells):
        return False
    return bool(tokens) or numbers == [float(i) for i in range(1, len(numbers) + 1)]


def _looks_like_code(v: object) -> bool:
    """Whether a USCC cell could hold a code at all (letters and digits), not a note."""
    return isinstance(v, str) and code_text(v).replace(" ", "").isalnum() and code_text(v).isascii()


def _is_month(v: object, year: int | None) -> bool:
    try:
        read_month(v, year)
    except CellProblem:
        return False
    return True


def _is_figure(v: object) -> bool:
    """A cell holding a number, or text that reads as one."""
    if isinstance(v, str):
        try:
            return read_number(v, "")[0] is not None
        except CellProblem:
            return False
    return isinstance(v, int | float) and not isinstance(v, bool)


def _total_kind(label: str) -> str:
    """小计 -> 'sub', 总计 / grand total -> 'grand', 合计 / total -> 'total' (小 计 too)."""
    t = "".join(label.split()).lower()
    if "小计" in t or "sub" in t:
        return "sub"
    if "总计" in t or "grand" in t:
        return "grand"
    return "total"


def _typed_plain_numbers(rows: Iterable[list[Any]], indices: list[int]) -> Iterator[list[Any]]:
    """In a CSV, where every cell is text, read plain decimals ('12', '0.5') as numbers.

    Such text is how CSV writes any number, so it is not kept as an original; anything
    else ('1,234.5', full-width digits, words) stays text for the slow path.
    """
    plain = _PLAIN_NUMBER
    for row in rows:
        for i in indices:
            v = row[i]
            if v and plain(v):
                row[i] = float(v)
        yield row


class _Slow(Exception):
    """A cell the fast path does not handle."""


def _not_fast(v: object) -> float:
    raise _Slow


class SheetReader:
    """Reads the data rows under one sheet's header.

    One tight loop over the streamed rows: identity and month cells are validated on
    first sight and cached, quantities are converted in one comprehension, and the
    record is built. A row the fast path does not clear is handed to ``_slow_row``.
    """

    def __init__(self, sheet: RawSheet, header: Header, state: FileState, table: Table | None = None) -> None:
        self.sheet = sheet
        self.name = sheet.name
        self.h = header
        self.state = state
        # Identity given once above the table (企业名称：…) is appended to every row as
        # extra cells, so the row loop reads it like a column.
        self.width = len(table.cells) if table is not None else 0
        self.extra = [header.constants[k] for k in header.constants]
        for k, key in enumerate(header.constants):
            header.identity[key] = self.width + k
        # The sheet's year (年份 or title) reads month cells that give no year (3月).
        self.year = table.year if table is not None else None
        self.months = state.months if self.year is None else {}
        # Subtotal checks: running sums of this sheet's records, folded in lazily.
        self.cum: dict[str, float] | None = {c.key: 0.0 for c in header.quantities}
        self.bases: dict[str, dict[str, float]] = {}
        self.folded = 0  # records (state.accepted) folded into cum
        self.totals_seen = False
        ident = header.identity
        self.ui = ident["uscc"]
        self.mi = ident["month"]
        idx: tuple[int | None, ...] = (self.ui, ident.get("name"), ident.get("industry_code"),
                                       ident.get("region_code"))  # fmt: skip
        if "name_en" in ident:  # optional: read where the sheet gives it
            idx = (*idx, ident["name_en"])
        self.id_get: Callable[[list[Any]], Any]
        if all(i is not None for i in idx):
            self.id_get = itemgetter(*idx)
        else:
            self.id_get = lambda row: tuple(None if i is None else row[i] for i in idx)
        q = header.quantities
        self.keys = tuple(c.key for c in q)
        self.by_key = {c.key: c for c in q}
        # Green power is part of purchased power: checked when the sheet has both columns.
        self.green = "electricity_green" in self.by_key and "electricity" in self.by_key
        # Exported (+ green) beyond purchased floors at zero and warns (docs/methodology.md §3.2).
        self.exported = "electricity_exported" in self.by_key
        # Energy columns that are no field: every row is read the slow way to apply them.
        self.extras = header.extras if header.extras is not None and header.extras.active else None
        self.figure_columns = self._quantity_indices()
        # identity cells -> (uscc, name, industry, region, name_en), or None for the slow path
        self.ent_cache: dict[Any, tuple[Any, ...] | None] = {}

    @property
    def first_data(self) -> int:
        return self.h.row_index + 1

    @property
    def data_rows(self) -> int:
        return max(self.sheet.n_rows - self.first_data, 0)

    def _quantity_indices(self) -> set[int]:
        """The columns that hold figures: the fields' and every energy column that is no field."""
        found = {c.index for c in self.h.quantities}
        if self.h.extras is not None:
            found |= self.h.extras.indices()
        return found

    def _resolve_enterprise(self, cells: Any, r: int) -> tuple[Any, ...] | None:
        """First sight of these identity cells: (uscc, name, industry, region, name_en) if they are
        valid and agree with what the file said of this USCC before, else None.

        None sends the row to ``_slow_row``, which reports the problem against the row; the
        answer is cached either way, so each distinct identity is checked once.
        """
        found: tuple[Any, ...] | None = None
        if not is_total_label(cells[1]):
            who = read_identity(cells)
            if who.uscc is not None and not who.problems and not who.has_blank:
                enterprises = self.state.enterprises
                ent = enterprises.get(who.uscc)
                if ent is None:
                    ent = Enterprise(self.name, r, who.name, who.industry, who.region, who.name_en)
                    enterprises[who.uscc] = ent
                elif not agrees(ent, who):
                    ent = None
                if ent is not None:
                    ent.name = ent.name or who.name
                    ent.industry = ent.industry or who.industry
                    ent.region = ent.region or who.region
                    ent.name_en = ent.name_en or who.name_en
                    # a column this sheet lacks takes the enterprise's value from another sheet
                    found = (
                        who.uscc,
                        who.name or ent.name,
                        who.industry or ent.industry,
                        who.region or ent.region,
                        who.name_en,
                    )
        self.ent_cache[cells] = found
        return found

    def _resolve_month(self, cell: Any) -> tuple[Period, int] | None:
        try:
            p = read_month(cell, self.year)
        except CellProblem:
            return None  # the slow path reports it
        found = (p, p.year * 12 + p.month - 1)
        self.months[cell] = found
        return found

    def _rows(self) -> Iterator[list[Any]]:
        """The data rows, with merged cells filled and block identity appended."""
        rows: Iterator[list[Any]] = chain(self.sheet.head[self.first_data :], self.sheet.rows)
        first_r = self.sheet.first_row + self.first_data
        quantity_columns = {self.sheet.first_col + j for j in self.figure_columns}
        ranges = [
            ((r0, c0), (r1, c1))
            for (r0, c0), (r1, c1) in self.sheet.merged
            if r0 + 1 >= first_r and not quantity_columns.intersection(range(c0, c1 + 1))
        ]
        if ranges:
            rows = fill_merged(rows, ranges, first_r, self.sheet.first_col)
        if self.extra:
            width, extra = self.width, self.extra
            rows = (
                r + extra if len(r) == width else [*r[:width], *[""] * (width - len(r)), *extra] for r in rows
            )
        return rows

    # -- subtotal rows ---------------------------------------------------------------

    def _fold(self) -> None:
        """Add the records read since the last fold to the sheet's running sums."""
        state, cum = self.state, self.cum
        if cum is None:
            return
        recs = state.records[self.folded - state.flushed :]
        if recs:
            values = list(map(attrgetter("values"), recs))
            for key in cum:
                cum[key] += sum(filter(None, map(itemgetter(key), values)))
        self.folded = state.accepted

    def before_flush(self) -> None:
        """Records are about to leave memory: fold them if a subtotal may need them, else
        give up checking this sheet's subtotals (a sheet without any so far rarely has one)."""
        if self.totals_seen:
            self._fold()
        else:
            self.cum = None

    def _check_total(self, row: list[Any], r: int, label: str) -> None:
        """Compare a 小计 / 合计 / 总计 row with the sum of the rows it covers; a mismatch is a
        warning. 小计 covers the rows since the previous total row of any kind, 合计 those
        since the previous 合计 or 总计, 总计 the whole sheet."""
        self.totals_seen = True
        if self.cum is None or self.state.errors:
            return
        self._fold()
        kind = _total_kind(label)
        zero = dict.fromkeys(self.cum, 0.0)
        base = zero if kind == "grand" else self.bases.get("any" if kind == "sub" else "total", zero)
        state = self.state
        steam = self.h.extras is not None and bool(self.h.extras.heat)
        for c in self.h.quantities:
            if steam and c.key == "heat":
                continue  # the rows' heat includes their steam, which the 热力 total does not
            try:
                x, _ = read_number(row[c.index], c.header)
            except CellProblem:
                continue
            if x is None:
                continue
            expected = (self.cum[c.key] - base[c.key]) / c.factor
            if abs(x - expected) > max(1e-6 * max(abs(x), abs(expected)), 0.01):
                state.warnings.append(
                    CellError(
                        self.name, r, c.letter,
                        f"{label} row: {c.header} is {x:,.6g} but the rows it covers sum to "
                        f"{expected:,.6g}; the rows are used, not the {label} row "
                        f"/ {label}行数值与所汇总各行之和（{expected:,.6g}）不符，按明细行计",
                    )
                )  # fmt: skip
        snapshot = dict(self.cum)
        self.bases["any"] = snapshot
        if kind != "sub":
            self.bases["total"] = snapshot

    def read(self, progress: Progress | None) -> None:
        state = self.state
        self.folded = state.accepted
        rows = self._rows()
        if not self.sheet.typed:
            rows = _typed_plain_numbers(rows, [c.index for c in self.h.quantities])
        first_r = self.sheet.first_row + self.first_data  # Excel row of the first data row
        id_get = self.id_get
        mi = self.mi
        ent_get = self.ent_cache.get
        mon_get = self.months.get
        resolve_enterprise = self._resolve_enterprise
        resolve_month = self._resolve_month
        q = self.h.quantities
        q_get = _getter([c.index for c in q])
        keys = self.keys
        # Applied after the comprehension, which reads every cell as if its factor were 1
        # and blank meant 0: most columns are like that, and the rest are few.
        scaled = tuple((c.key, c.factor) for c in q if c.factor != 1.0)
        economic = tuple((c.key, c.index) for c in q if c.blank is None)
        nf = _not_fast
        cap = MAX_CELL
        name = self.name
        green = self.green
        exported = self.exported
        has_green, has_electricity = "electricity_green" in self.by_key, "electricity" in self.by_key
        one_by_one = self.extras is not None
        seen_setdefault = state.seen.setdefault
        append = state.records.append
        slow = self._slow_row
        text_row = self._text_row
        record = MonthlyRecord
        accepted_before = state.accepted
        slow_before = state.slow_records
        # The fast path's values are floats or, for a blank economic cell, None; typed Any
        # so that the loop needs no check to say so.
        values: dict[str, Any]
        originals: dict[str, str] | None
        r = first_r - 1
        while True:
            r0 = r
            for row in islice(rows, PROGRESS_EVERY):
                r += 1
                if one_by_one:
                    slow(row, r)
                    continue
                cells = id_get(row)
                ent = ent_get(cells, _MISSING)
                if ent is _MISSING:
                    ent = resolve_enterprise(cells, r)
                if ent is None:
                    slow(row, r)
                    continue
                per = mon_get(row[mi])
                if per is None:
                    per = resolve_month(row[mi])
                    if per is None:
                        slow(row, r)
                        continue
                try:
                    # The common cell is a non-negative float (not absurdly large) or blank;
                    # anything else (text, int, date, negative) takes the slow path.
                    values = {
                        k: (v if type(v) is float and 0.0 <= v <= cap else (0.0 if v == "" else nf(v)))
                        # zip's strict= keyword alone costs more per call than the check it skips
                        for k, v in zip(keys, q_get(row))  # noqa: B905
                    }
                except _Slow:
                    # Numbers written as text ('1,234.5', full-width digits) are common in
                    # real workbooks: read them here, and only a bad cell goes the slow way.
                    text = text_row(row)
                    if text is None:
                        slow(row, r)
                        continue
                    values, originals = text
                else:
                    originals = None
                    for k, f in scaled:
                        values[k] *= f
                    for k, i in economic:
                        if row[i] == "":
                            values[k] = None  # a blank economic cell is missing, not zero
                if green and values["electricity_green"] > values["electricity"]:
                    slow(row, r)
                    continue
                if (
                    exported  # export_floor's test, loosened, before the call: rarely true
                    and values["electricity_exported"] + (values["electricity_green"] if has_green else 0.0)
                    > (values["electricity"] if has_electricity else 0.0)
                    and export_floor(values, per[0]) is not None
                ):
                    slow(row, r)  # which warns
                    continue
                at = (name, r)  # a plain tuple: a NamedTuple costs a Python call a row
                if seen_setdefault((ent[0], per[1]), at) is not at:  # a duplicate
                    slow(row, r)
                    continue
                if originals is None:
                    append(record(ent[0], per[0], values, name, r, ent[1], ent[2], ent[3], ent[4]))
                else:
                    append(record(ent[0], per[0], values, name, r, ent[1], ent[2], ent[3], ent[4], originals))
            if r == r0:
                break
            more = r - r0 == PROGRESS_EVERY  # the batch was full: rows may remain
            if more and isinstance(state.errors, ErrorLog) and state.errors.too_many:  # importers.limits
                state.errors.stop(name, r)
                break
            if len(state.records) >= SINK_CHUNK and state.sink is not None:
                self.before_flush()
                state.flush()
                append = state.records.append
            state.done += r - r0
            if progress is not None:
                progress(state.done, max(state.total, state.done))
        state.rows_read += state.accepted - accepted_before - (state.slow_records - slow_before)

    def _text_row(self, row: list[Any]) -> tuple[dict[str, Any], dict[str, str]] | None:
        """A row's quantities when some are numbers written as text: (canonical values, the
        text as written), or None if a cell is not a number at all (the slow path says why).
        The values are floats, or None for a blank economic cell (typed as the fast path's)."""
        return self._quantities(row, None)

    def _quantities(
        self, row: list[Any], err: Callable[[str, str], None] | None
    ) -> tuple[dict[str, float | None], dict[str, str]] | None:
        """(canonical values, text as written) of a row's quantity cells. A cell that is not
        a number is passed to ``err`` (column letter, message), or ends it with None."""
        values: dict[str, float | None] = {}
        originals: dict[str, str] = {}
        for c in self.h.quantities:
            v = row[c.index]
            if type(v) is float and 0.0 <= v <= MAX_CELL:
                values[c.key] = v * c.factor
                continue
            if v == "":
                values[c.key] = c.blank
                continue
            try:
                x, was_text = read_number(v, c.header)
            except CellProblem as exc:
                if err is None:
                    return None
                err(c.letter, str(exc))
                continue
            values[c.key] = c.blank if x is None else x * c.factor
            if was_text:
                originals[c.key] = v
        return values, originals

    def _slow_row(self, row: list[Any], r: int) -> None:
        """Validate one row completely, collecting every error; record it if it is clean."""
        if row.count("") == len(row) or all(map(is_blank, row)):
            return
        cells = self.id_get(row)
        raw_month = row[self.mi]
        quantity_cells = self.figure_columns
        label = next((v for j, v in enumerate(row) if j not in quantity_cells and is_total_label(v)), None)
        if label is not None:
            self._check_total(row, r, " ".join(str(label).split()))
            return
        if match_header(cells[0]) == ("uscc", None) or _is_column_numbers(row):
            return  # the header repeated further down, or the 甲 乙 1 2 3 row under it
        state = self.state
        # the fields' columns and the energy columns that are no field (蒸汽(吉焦) 7 is a figure)
        figures = [row[j] for j in quantity_cells if j < len(row)]
        no_figures = not any(map(_is_figure, figures))
        if (is_blank(raw_month) and all(map(is_blank, figures))) or (
            no_figures and not _looks_like_code(cells[0]) and not _is_month(raw_month, self.year)
        ):
            # No month and no figures (制表人：… 审核人：… spread over the columns, 注：…): a
            # note or signature line under the table, not data.
            state.warnings.append(
                CellError(
                    self.name, r, None,
                    "row has no month and no quantities; skipped / 该行没有月份和数据，已跳过",
                )
            )  # fmt: skip
            return
        state.rows_read += 1
        letters = self.h.letters
        errs: list[CellError] = []

        def err(column: str | None, message: str) -> None:
            errs.append(CellError(self.name, r, column, message))

        who = read_identity(cells)
        for key, message in who.problems:
            err(letters[key], message)
        period: Period | None = None
        try:
            period = read_month(raw_month, self.year)
        except CellProblem as exc:
            err(letters["month"], str(exc))

        read = self._quantities(row, err)
        assert read is not None  # with an err callback every bad cell is reported, none ends it
        values, originals = read
        if self.extras is not None:
            self.extras.apply(row, values, originals, err)
        if self.green:
            g, e = values.get("electricity_green"), values.get("electricity")
            if g is not None and e is not None and g > e:
                gq, eq = self.by_key["electricity_green"], self.by_key["electricity"]
                err(
                    gq.letter,
                    f"{gq.header} ({g:g} MWh) is greater than {eq.header} ({e:g} MWh); green power "
                    "is part of purchased electricity / 绿电不能大于外购电力",
                )

        uscc = who.uscc
        if uscc is not None:
            ent = state.enterprises.get(uscc)
            if ent is None:
                state.enterprises[uscc] = Enterprise(self.name, r, who.name, who.industry, who.region,
                                                     who.name_en)  # fmt: skip
            else:
                for attr, column, label_en, label_zh in CONSISTENT:
                    mine, theirs = getattr(who, attr), getattr(ent, attr)
                    if mine is None:
                        setattr(who, attr, theirs)  # a blank cell inherits the enterprise's value
                    elif theirs is None:
                        setattr(ent, attr, mine)
                    elif fold_text(mine) != fold_text(theirs):
                        en, zh = where(ent.sheet, ent.row, self.name)
                        err(
                            letters[column],
                            f"{label_en} {mine!r} differs from {theirs!r} in {en} for the same USCC "
                            f"{uscc} / 同一统一社会信用代码的{label_zh}与{zh}不一致",
                        )
            if period is not None:
                k = (uscc, period.year * 12 + period.month - 1)
                prev = state.seen.get(k)
                if prev is None:
                    state.seen[k] = (self.name, r)
                else:
                    en, zh = where(prev[0], prev[1], self.name)
                    err(
                        letters["month"],
                        f"duplicate row: USCC {uscc} month {period} already given in {en} "
                        f"/ 重复数据：同一企业同一月份已在{zh}填写",
                    )

        if errs:
            state.errors.extend(errs)
            return
        assert uscc is not None and period is not None
        floor = export_floor(values, period) if self.exported else None
        if floor is not None:
            key, message = floor
            state.warnings.append(CellError(self.name, r, self.by_key[key].letter, message))
        state.records.append(MonthlyRecord(uscc, period, values, self.name, r, who.name, who.industry,
                                           who.region, who.name_en, originals))  # fmt: skip
        state.slow_records += 1  # already counted in rows_read
