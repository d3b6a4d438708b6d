"""File objects -> typed rows and row/column errors. No database, no web.

Importers depend only on the pure core's types (``carbon.domain``); spreadsheet libraries
are imported inside the functions that need them, so importing this package is cheap.
"""

from importers.layout import TEMPLATE_COLUMNS, TEMPLATE_HEADERS, match_header
from importers.template import read_template
from importers.template_writer import write_template, write_template_fast
from importers.workbook import read_workbook

__all__ = [
    "TEMPLATE_COLUMNS",
    "TEMPLATE_HEADERS",
    "match_header",
    "read_template",
    "read_workbook",
    "write_template",
    "write_template_fast",
]
