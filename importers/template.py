"""The energy-data template: its names as they were when one module read and wrote it.

Reading any supported file is ``importers.workbook.read_workbook``; ``read_template`` is the
same function under its earlier name. The template is read by ``importers.rows`` (its own
row layout) after ``importers.loading`` (bytes -> sheets, within ``Limits``), and written
by ``importers.template_writer``. This module only gives those names a common home, so that
``from importers.template import …`` keeps working.
"""

from importers.cells import column_letter
from importers.layout import TEMPLATE_COLUMNS
from importers.loading import CSV_ENCODINGS, CSV_EXTENSIONS, Limits
from importers.rows import PROGRESS_EVERY, SINK_CHUNK
from importers.rows_state import Progress, Sink
from importers.template_writer import (
    GENERAL_NOTES,
    MONTH_DATE_FORMAT,
    NOTES_NAME,
    QUANTITY_FORMAT,
    SHEET_NAME,
    VALIDATION_LAST_ROW,
    write_template,
    write_template_fast,
)
from importers.workbook import read_workbook

read_template = read_workbook

__all__ = [
    "CSV_ENCODINGS",
    "CSV_EXTENSIONS",
    "GENERAL_NOTES",
    "MONTH_DATE_FORMAT",
    "NOTES_NAME",
    "PROGRESS_EVERY",
    "QUANTITY_FORMAT",
    "SHEET_NAME",
    "SINK_CHUNK",
    "TEMPLATE_COLUMNS",
    "VALIDATION_LAST_ROW",
    "Limits",
    "Progress",
    "Sink",
    "column_letter",
    "read_template",
    "read_workbook",
    "write_template",
    "write_template_fast",
]
