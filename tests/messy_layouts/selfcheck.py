"""The self-check of the generator (not the importer): ``python -m messy_layouts`` from tests/."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from carbon.domain.quantities import FIELD_BY_KEY

from .book import _Book, _parse_number, clean_totals
from .ledger import _ledger, ledger_layout
from .register import _register, english_layout, register_layout
from .vocabulary import Row

# ---------------------------------------------------------------------------------------------
# Self-check (the generator, not the importer)
# ---------------------------------------------------------------------------------------------

_MONTH_RE = re.compile(r"^(?:(\d{4})年)?0?(\d{1,2})月$")


def _month_of(v: Any) -> str:
    """Month of a register month cell, for every form this module writes."""
    if isinstance(v, dt.datetime | dt.date):
        return f"{v.year}-{v.month:02d}"
    if isinstance(v, int):
        return f"{v // 100}-{v % 100:02d}"
    t = str(v)
    m = re.fullmatch(r"(\d{4})(?:-|/|年)(\d{1,2})月?", t)
    if not m:
        raise AssertionError(f"month cell {v!r}")
    return f"{m.group(1)}-{int(m.group(2)):02d}"


def check_book(book: _Book, data: bytes, rows: Sequence[Row]) -> list[str]:
    """Re-read ``data`` with openpyxl and compare with what ``book`` says was written."""
    import openpyxl

    from carbon.domain.quantities import unit_factor
    from importers.layout import is_total_label, match_header

    wb = openpyxl.load_workbook(io.BytesIO(data))
    problems: list[str] = []

    def cell(sheet: str, r: int, c: int) -> Any:
        return wb[sheet].cell(row=r, column=c).value

    # Headers resolve to the intended field and a unit whose factor undoes the multiplier.
    for h in book.headers:
        texts = [cell(h.sheet, r, c) for r, c in h.cells]
        text = texts[0] if len(texts) == 1 else f"{texts[0]}({texts[1]})"
        got = match_header(text)
        if got is None or got[0] != h.key:
            problems.append(f"{h.sheet}: header {texts} -> {got}, expected {h.key}")
            continue
        if h.unit is not None:
            dim = FIELD_BY_KEY[h.key].dimension
            tpl = unit_factor(FIELD_BY_KEY[h.key].template_unit_zh, dim)
            unit = got[1] or ""
            if abs(unit_factor(unit, dim) * h.mult / tpl - 1) > 1e-12:
                problems.append(f"{h.sheet}: header {texts}: unit {unit} does not match ×{h.mult}")
    # Quantity cells.
    sums: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for q in book.qty:
        v = cell(q.sheet, q.row, q.col)
        x = _parse_number(v)
        if not (x >= 0 and x != float("inf")):
            problems.append(f"{q.sheet}!{q.row},{q.col}: {v!r}")
        tpl = x / q.mult
        want = q.expected * (1.1 if q.bad else 1.0)
        if abs(tpl - want) > 1e-9 * max(abs(want), 1e-12):
            problems.append(f"{q.sheet}!{get_column_letter(q.col)}{q.row} {q.role} {q.key}: {tpl} != {want}")
        if q.role == "data":
            assert q.uscc is not None and q.year is not None
            sums[(q.uscc, q.year)][q.key] += tpl
    clean = clean_totals(rows)
    for k, totals in clean.items():
        for key, want in totals.items():
            got_v = sums.get(k, {}).get(key, 0.0)
            if abs(got_v - want) > 1e-9 * max(abs(want), 1e-9):
                problems.append(f"{k} {key}: cells sum to {got_v}, clean {want}")
    for k in sums:
        if k not in clean:
            problems.append(f"{k}: cells for an enterprise-year not in the rows")
    # Identity cells, month headers and enterprise blocks.
    for sheet, first, last, what, want in book.block_items:
        ws = wb[sheet]
        found = any(
            want in str(ws.cell(row=rr, column=cc).value or "")
            for rr in range(first, last + 1)
            for cc in range(1, ws.max_column + 1)
        )
        if not found:
            problems.append(f"{sheet}: block item {what} {want!r} not in rows {first}-{last}")
    for sheet, r, c, what, want in book.idents:
        v = cell(sheet, r, c)
        if what == "month":
            if _month_of(v) != want:
                problems.append(f"{sheet}!{r},{c}: month {v!r} != {want}")
        elif what == "month_header":
            m = _MONTH_RE.match(str(v))
            if not m or int(m.group(2)) != int(want[5:7]) or (m.group(1) and m.group(1) != want[:4]):
                problems.append(f"{sheet}!{r},{c}: month header {v!r} != {want}")
        elif not isinstance(v, str) or v != want:
            problems.append(f"{sheet}!{r},{c}: {what} {v!r} != {want!r} (must be text)")
    for sheet, header_end, _uscc, year, source in book.blocks:
        ws = wb[sheet]
        texts = [str(ws.cell(row=rr, column=cc).value or "") for rr in range(1, header_end + 2)
                 for cc in range(1, ws.max_column + 1)]  # fmt: skip
        if not any(str(year) in t for t in texts):
            problems.append(f"{sheet}: year {year} ({source}) appears nowhere above the table")
    for sheet, r, kind in book.skip_rows:
        if kind in ("subtotal", "total"):
            ws = wb[sheet]
            labels = [ws.cell(row=r, column=cc).value for cc in range(1, ws.max_column + 1)]
            if not any(is_total_label(x) for x in labels):
                problems.append(f"{sheet}!{r}: {kind} row without a total label: {labels}")
    return problems


def _dump(data: bytes, sheet: str | None = None, n: int = 15, width: int = 14) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else next(w for w in wb.worksheets if w.max_row > 5)
    lines = [f"--- sheet '{ws.title}' of {wb.sheetnames} ({ws.max_row} rows × {ws.max_column} cols); merged: "
             + ", ".join(str(m) for m in list(ws.merged_cells.ranges)[:8])]  # fmt: skip
    for row in ws.iter_rows(min_row=1, max_row=n):
        cells = []
        for c in row:
            v = c.value
            if v is None:
                continue
            if isinstance(v, dt.datetime):
                v = f"date({v:%Y-%m-%d})"
            elif isinstance(v, str):
                v = repr(v)[: width * 3]
            cells.append(f"{c.coordinate}={v}")
        lines.append(f"{row[0].row:>3}: " + "  ".join(cells))
    return "\n".join(lines)


def _selfcheck(out_dir: Path = Path("/tmp/messy_examples"), variants: int = 30) -> int:
    from sample_inputs.generate import generate

    _, rows = generate()
    out_dir.mkdir(parents=True, exist_ok=True)
    failures = 0
    builders = {
        "register": lambda rng, **kw: _register(
            rows, rng, "zh", 0.05, None, None, kw.get("bad", False), (0, 3)
        ),
        "english": lambda rng, **kw: _register(
            rows, rng, "en", 0.05, None, None, kw.get("bad", False), (0, 3)
        ),
        "ledger": lambda rng, **kw: _ledger(rows, rng, 0.05, None, kw.get("bad", False), None, False, None),
    }
    for name, build in builders.items():
        for seed in range(variants):
            bad = seed % 5 == 4
            book = build(random.Random(seed), bad=bad)
            data = book.to_bytes()
            again = build(random.Random(seed), bad=bad).to_bytes()
            problems = check_book(book, data, rows)
            if again != data:
                problems.append("not deterministic")
            if problems:
                failures += 1
                print(f"{name} seed {seed}: {len(problems)} problems", *problems[:10], sep="\n  ")
            if seed == 0:
                (out_dir / f"{name}.xlsx").write_bytes(data)
                print(f"\n=== {out_dir / f'{name}.xlsx'}\n{book.description()}\n{_dump(data)}")
            if seed == 4:
                (out_dir / f"{name}_bad.xlsx").write_bytes(data)
    # Public API and the ledger's optional rows.
    data, desc = ledger_layout(rows[:24], random.Random(7), derived_total_row=True, energy_total_row=True)
    (out_dir / "ledger_one_enterprise.xlsx").write_bytes(data)
    print(f"\n=== {out_dir / 'ledger_one_enterprise.xlsx'}\n{desc}\n{_dump(data, n=20)}")
    for fn in (register_layout, english_layout, ledger_layout):
        a = fn(rows, random.Random(99))
        if a != fn(rows, random.Random(99)):
            failures += 1
            print(f"{fn.__name__}: not deterministic")
    print(f"\n{3 * variants} variants checked, {failures} with problems")
    return 1 if failures else 0
