"""Rules for what the service writes into spreadsheets (formula-like text is escaped)."""

from __future__ import annotations

# A text cell starting with one of these would be read as a formula by a spreadsheet
# (CSV injection), so exports mark such text as text.
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
