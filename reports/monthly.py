"""The officials' monthly report: one data shape in, xlsx or PDF bytes out.

- ``reports.monthly_data``: the figures, ``MonthlyReportData`` (built by
  ``carbon.services.monthly``, no database here);
- ``reports.monthly_xlsx.render_monthly_xlsx``: the workbook of seven sheets (``SHEETS``);
- ``reports.monthly_pdf.render_monthly_pdf``: the A4 PDF with charts;
- ``reports.monthly_ratings``: the rating sections of both (distribution, red list,
  largest emitters), each provisional rating marked (暂评, docs/methodology.md §6);
- ``reports.monthly_text``: what both say (formats, labels, notes); ``reports.labels``:
  the labels and colours of colours, classes and grades.

Every label is bilingual (中文 / English). Text cells of the workbook are stored as text,
never as formulas, whatever they start with.
"""

from __future__ import annotations

from reports.monthly_data import MonthlyReportData
from reports.monthly_pdf import render_monthly_pdf
from reports.monthly_text import SHEETS
from reports.monthly_xlsx import render_monthly_xlsx

__all__ = [
    "SHEETS",
    "MonthlyReportData",
    "render_monthly_pdf",
    "render_monthly_xlsx",
    "render_pdf",
    "render_xlsx",
]


def render_xlsx(data: MonthlyReportData) -> bytes:
    """The workbook (``render_monthly_xlsx``)."""
    return render_monthly_xlsx(data)


def render_pdf(data: MonthlyReportData) -> bytes:
    """The PDF (``render_monthly_pdf``)."""
    return render_monthly_pdf(data)
