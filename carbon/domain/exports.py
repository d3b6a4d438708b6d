"""Rules for what the service writes into spreadsheets (formula-like text is escaped)."""

from __future__ import annotations

import re

# A text cell starting with one of these would be read as a formula by a spreadsheet
# (CSV injection), so exports mark such text as text.
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def csv_text(value: str) -> str:
    """``value`` as a CSV cell that no spreadsheet runs: text starting like a formula
    (``FORMULA_START``) gets a leading apostrophe, unless it is a plain number (``-5``)."""
    if value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
