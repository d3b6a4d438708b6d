"""The register layout (one row per enterprise-month; zh, and en as ``english_layout``): the
book, its region sheets (drawn in ``register_sheet``), notes and empty sheets."""

from __future__ import annotations

import random
from collections.abc import Sequence

from carbon.domain.quantities import ECONOMIC_KEYS, FIELD_KEYS

from .book import _Book, _group_rows, _Numbers, _Sheet, _spoil
from .register_sheet import _register_data, _register_sheet
from .vocabulary import _LANG, COUNTY_NAMES, Row

# ---------------------------------------------------------------------------------------------
# Register layout (one row per enterprise-month; zh and en)
# ---------------------------------------------------------------------------------------------


def register_layout(
    rows: Sequence[Row],
    rng: random.Random,
    *,
    text_fraction: float = 0.05,
    subtotals: bool | None = None,
    blank_subtotal_cells: bool | None = None,
    bad_subtotal: bool = False,
    blank_rows: tuple[int, int] = (0, 3),
) -> tuple[bytes, str]:
    """Statistics-office register: a sheet per region, one row per enterprise-month.

    ``subtotals`` None = drawn (70 % on); ``blank_subtotal_cells`` None = drawn (30 %);
    ``bad_subtotal`` makes one 小计 cell 10 % too large (forces subtotals on).
    """
    book = _register(
        rows, rng, "zh", text_fraction, subtotals, blank_subtotal_cells, bad_subtotal, blank_rows
    )
    return book.to_bytes(), book.description()


def english_layout(
    rows: Sequence[Row],
    rng: random.Random,
    *,
    text_fraction: float = 0.05,
    subtotals: bool | None = None,
    blank_subtotal_cells: bool | None = None,
    bad_subtotal: bool = False,
    blank_rows: tuple[int, int] = (0, 3),
) -> tuple[bytes, str]:
    """The register with English title, headers, units and labels; months are date cells."""
    book = _register(
        rows, rng, "en", text_fraction, subtotals, blank_subtotal_cells, bad_subtotal, blank_rows
    )
    return book.to_bytes(), book.description()


def _register(
    rows: Sequence[Row],
    rng: random.Random,
    lang: str,
    text_fraction: float,
    subtotals: bool | None,
    blank_subtotal_cells: bool | None,
    bad_subtotal: bool,
    blank_rows: tuple[int, int],
) -> _Book:
    if not rows:
        raise ValueError("no rows")
    L = _LANG[lang]
    book = _Book("english" if lang == "en" else "register")
    numbers = _Numbers(rng, text_fraction)
    present = [k for k in FIELD_KEYS if any(r.get(k) is not None for r in rows)]
    absent_energy = [k for k in FIELD_KEYS if k not in present and k not in ECONOMIC_KEYS]
    blank_cols = rng.sample(absent_energy, min(len(absent_energy), rng.randint(0, 2)))
    qty_keys = [k for k in FIELD_KEYS if k in present or k in blank_cols]
    header_style = rng.choice(("single", "grouped", "split"))
    if subtotals is None:
        subtotals = rng.random() < 0.7
    if bad_subtotal:
        subtotals = True
    if blank_subtotal_cells is None:
        blank_subtotal_cells = rng.random() < 0.3
    extras = [e for e, p in (("seq", 0.8), ("remark", 0.6), ("contact", 0.4), ("phone", 0.3), ("filed", 0.4))
              if rng.random() < p]  # fmt: skip
    naming = rng.choice(("county", "code", "both"))
    book.notes.append(f"header {header_style}")
    book.notes.append(f"quantity columns {qty_keys} (all blank: {blank_cols})")
    book.notes.append(f"extra columns {[L['extras'][e] for e in extras]}")
    book.notes.append(
        f"小计 rows: {subtotals}" + (f" (some cells blank: {blank_subtotal_cells})" if subtotals else "")
    )

    sheets: list[_Sheet] = []
    regions = _group_rows(rows, "region_code")
    codes = list(regions)
    if rng.random() < 0.5:
        codes.sort()
    for code in codes:
        zh_name, en_name = COUNTY_NAMES.get(code, (code, code))
        county = zh_name if lang == "zh" else en_name
        name = {
            "county": county,
            "code": code,
            "both": f"{code}{county}" if lang == "zh" else f"{code} {county}",
        }[naming]
        s = _Sheet(name)
        cols, first = _register_sheet(
            book, s, regions[code], rng, lang, qty_keys, extras, header_style, county
        )
        _register_data(
            book,
            s,
            cols,
            first,
            regions[code],
            rng,
            lang,
            subtotals,
            blank_subtotal_cells,
            blank_rows,
            numbers,
        )
        sheets.append(s)
    notes = _Sheet(L["notes_sheet"])
    for i, line in enumerate(L["notes"], start=1):
        for j, text in enumerate(line, start=1):
            notes.put(i, j, text, bold=i == 1)
    notes.widths[1] = 60
    if rng.random() < 0.5:
        sheets.insert(0, notes)
        book.notes.append(f"notes sheet '{notes.name}' first")
    else:
        sheets.append(notes)
        book.notes.append(f"notes sheet '{notes.name}' last")
    if rng.random() < 0.4:
        empty = _Sheet(rng.choice(L["empty_sheets"]))
        sheets.append(empty)
        book.notes.append(f"empty sheet '{empty.name}'")
    book.sheets = sheets
    if bad_subtotal:
        _spoil(book, rng, "subtotal")
    book.notes.append(numbers.summary())
    return book
