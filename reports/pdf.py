"""A4 report documents: page furniture, headings, key-figure tiles, tables and charts.

Built on fpdf2, chosen because it embeds the CJK font that ``reports.fonts`` picks (Noto
Sans CJK, an OpenType font with CFF outlines in a .ttc collection) the way the PDF
standard asks: a subset in ``FontFile3`` under a ``CIDFontType0`` with a ToUnicode map,
so the text renders in every viewer and can be searched and extracted. reportlab cannot
embed CFF outlines at all, and matplotlib's PDF backend puts them in ``FontFile2`` (the
TrueType slot), which viewers flag as a mismatch. fpdf2 also draws the matplotlib charts
as PNG images at a fixed DPI (``ReportDocument.png``), and with a fixed creation date its
output is byte-for-byte deterministic. The CJK faces come cut down to the characters a
document can show (``reports.pdf_fonts``): fpdf2 parses and subsets a face of a thousand
glyphs, not of 65,535.
"""

from __future__ import annotations

import functools
import io
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode, VAlign, XPos, YPos
from matplotlib import font_manager

from reports.fonts import cjk_font_family

FONT = "cjk"
PAGE_MARGIN = 15.0  # mm
ACCENT = (31, 78, 121)
MUTED = (105, 105, 105)
RULE = (200, 200, 200)
HEAD_FILL = (31, 78, 121)
ZEBRA_FILL = (242, 245, 249)


def _weight(entry: Any) -> int:
    w = entry.weight
    return int(w) if isinstance(w, int | float) else int(font_manager.weight_dict.get(str(w), 400))


@functools.cache
def cjk_font_files() -> dict[str, tuple[str, int]]:
    """File and collection index of the regular and bold faces of the font charts use.

    The family comes from ``reports.fonts`` (the one place that chooses it); a family
    installed without a bold face uses the regular one for both.
    """
    family = cjk_font_family()
    faces = sorted(
        (f for f in font_manager.fontManager.ttflist if f.name == family and f.style == "normal"),
        key=lambda f: (_weight(f), f.fname, getattr(f, "index", 0)),
    )
    regular = min(faces, key=lambda f: abs(_weight(f) - 400))
    boldest = faces[-1]
    bold = boldest if _weight(boldest) >= 600 else regular
    return {
        "": (regular.fname, int(getattr(regular, "index", 0))),
        "B": (bold.fname, int(getattr(bold, "index", 0))),
    }


@dataclass(frozen=True)
class Column:
    """One table column: heading (may hold a line break), width in mm, alignment."""

    heading: str
    width: float
    align: str = "L"  # L, C or R


class ReportDocument(FPDF):
    """An A4 portrait report with a running head (from page 2) and "page n of N" footers."""

    def __init__(
        self,
        *,
        title: str,
        running_head: str,
        footer: str,
        created: datetime,
        fonts: Mapping[str, tuple[str, int]] | None = None,
    ) -> None:
        """``fonts``: per style, the file and collection index of the CJK face (default: the
        installed faces, ``cjk_font_files``; ``reports.pdf_fonts`` gives faces cut down)."""
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_creation_date(created)
        self.set_title(title)
        self.set_creator("carbon-account")
        self.set_lang("zh-CN")
        for style, (path, index) in (fonts or cjk_font_files()).items():
            self.add_font(FONT, style, path, collection_font_number=index)
        for font in self.fonts.values():
            # The subset keeps the face's own bounds: recomputing them draws every glyph
            # of the subset once more (and again for the CFF's FontBBox) at output.
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.recalcBBoxes = False
        self.set_margins(PAGE_MARGIN, 18, PAGE_MARGIN)
        self.set_auto_page_break(True, margin=16)
        self.alias_nb_pages()
        self.running_head = running_head
        self.footer_text = footer

    # -------------------------------------------------------------- page furniture

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*MUTED)
        self.set_xy(PAGE_MARGIN, 8)
        self.cell(0, 4, self.running_head)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(PAGE_MARGIN, 13, self.w - PAGE_MARGIN, 13)
        self.set_xy(PAGE_MARGIN, 18)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*MUTED)
        n = self.page_no()
        self.cell(0, 4, self.footer_text, align="L")
        self.set_x(PAGE_MARGIN)
        self.cell(0, 4, f"第 {n} 页，共 {{nb}} 页 · Page {n} of {{nb}}", align="R")
        self.set_text_color(0)

    def missing_glyphs(self) -> set[int]:
        """The characters drawn so far that the fonts have no glyph for."""
        return {c for font in self.fonts.values() for c in getattr(font, "missing_glyphs", ())}

    def release_fonts(self) -> None:
        """Close the font files (the document cannot be output afterwards)."""
        for font in self.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()

    @property
    def content_width(self) -> float:
        return float(self.w - self.l_margin - self.r_margin)

    def space_left(self) -> float:
        return float(self.page_break_trigger - self.get_y())

    def ensure_space(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit on this one."""
        if self.space_left() < height:
            self.add_page()

    def section(self, needs: float) -> None:
        """Room before a new section: a gap, or a new page if less than ``needs`` mm remain
        (so a heading never ends a page without what follows it)."""
        if self.space_left() < needs:
            self.add_page()
        else:
            self.ln(6)

    # -------------------------------------------------------------------- blocks

    def heading(self, zh: str, en: str, *, size: float = 13.0) -> None:
        """Section heading: an accent bar, the Chinese title in bold and the English one after it."""
        self.ensure_space(size * 0.35 + 20)
        y = self.get_y() + 1
        self.set_fill_color(*ACCENT)
        self.rect(PAGE_MARGIN, y, 1.4, size * 0.42, style="F")
        self.set_xy(PAGE_MARGIN + 3.5, y - 0.4)
        self.set_text_color(*ACCENT)
        self.set_font(FONT, "B", size)
        self.cell(self.get_string_width(zh) + 2.5, size * 0.45, zh)
        self.set_font(FONT, "", size * 0.72)
        self.set_text_color(*MUTED)
        self.cell(0, size * 0.47, en, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.ln(2.5)

    def subheading(self, text: str) -> None:
        self.ensure_space(18)
        self.set_font(FONT, "B", 9.5)
        self.set_text_color(*ACCENT)
        self.cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.ln(0.5)

    def paragraph(self, text: str, *, size: float = 8.5, colour: tuple[int, int, int] | None = None) -> None:
        self.set_font(FONT, "", size)
        if colour:
            self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)

    def notes(self, lines: Sequence[str], *, size: float = 7.8) -> None:
        """A list of small grey notes, each starting with a bullet."""
        self.set_font(FONT, "", size)
        self.set_text_color(*MUTED)
        for line in lines:
            self.set_x(PAGE_MARGIN)
            self.multi_cell(0, size * 0.48, f"• {line}", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(0.6)
        self.set_text_color(0)

    def tiles(self, tiles: Sequence[tuple[str, str, str, str]], *, per_row: int = 4) -> None:
        """Key figures: (label, value, unit, note) boxes, ``per_row`` to a row."""
        gap = 3.0
        w = (self.content_width - gap * (per_row - 1)) / per_row
        h = 24.0
        for start in range(0, len(tiles), per_row):
            self.ensure_space(h + gap)
            y = self.get_y()
            for j, (label, value, unit, note) in enumerate(tiles[start : start + per_row]):
                x = PAGE_MARGIN + j * (w + gap)
                self.set_fill_color(*ZEBRA_FILL)
                self.set_draw_color(*RULE)
                self.set_line_width(0.2)
                self.rect(x, y, w, h, style="DF")
                self.set_fill_color(*ACCENT)
                self.rect(x, y, w, 0.9, style="F")
                self.set_xy(x + 2.5, y + 2.2)
                self.set_font(FONT, "", 7)
                self.set_text_color(*MUTED)
                self.multi_cell(w - 5, 3.2, label, align="L")
                self.set_xy(x + 2.5, y + 10.2)
                self.set_text_color(0)
                self.set_font(FONT, "B", _fit(self, value, w - 5, 13.5))
                self.cell(w - 5, 6, value)
                self.set_xy(x + 2.5, y + 16.4)
                self.set_font(FONT, "", 6.8)
                self.set_text_color(*MUTED)
                self.cell(w - 5, 3.2, unit)
                self.set_xy(x + 2.5, y + 19.6)
                self.set_text_color(*ACCENT)
                self.cell(w - 5, 3.2, note)
            self.set_text_color(0)
            self.set_xy(PAGE_MARGIN, y + h + gap)

    def data_table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[Any]],
        *,
        size: float = 7.4,
        bold_last: bool = False,
        width: float | None = None,
    ) -> None:
        """A table whose header repeats on every page it runs onto.

        A cell is a string, or ``(text, fill)`` with ``fill`` an ``#rrggbb`` background
        (and white text when the fill is dark).
        """
        total_width = min(width or self.content_width, self.content_width)
        widths = [c.width for c in columns]
        scale = total_width / sum(widths)
        self.ensure_space(size * 0.5 * 4 + 6)
        self.set_font(FONT, "", size)
        self.set_draw_color(*RULE)
        self.set_line_width(0.15)
        self.set_fill_color(*ZEBRA_FILL)  # the zebra rows take the current fill colour
        heading = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=HEAD_FILL, size_pt=size)
        with self.table(
            width=total_width,
            align="LEFT",
            col_widths=tuple(w * scale for w in widths),
            text_align=tuple(c.align for c in columns),
            headings_style=heading,
            cell_fill_color=ZEBRA_FILL,
            cell_fill_mode=TableCellFillMode.ROWS,
            line_height=size * 0.48,
            padding=(0.9, 1.2, 0.9, 1.2),
            v_align=VAlign.M,
            repeat_headings=1,
        ) as t:
            head = t.row()
            for c in columns:
                head.cell(c.heading, align="C")
            for k, r in enumerate(rows):
                style = FontFace(emphasis="BOLD") if bold_last and k == len(rows) - 1 else None
                row = t.row(style=style)
                for cell in r:
                    if isinstance(cell, tuple):
                        text, fill = cell
                        row.cell(text, align="C", style=FontFace(fill_color=fill, color=_ink(fill)))
                    else:
                        row.cell(str(cell))
        self.ln(3)

    def png(self, data: bytes, *, width: float | None = None) -> None:
        """A chart (matplotlib PNG at a fixed DPI, about 200 dots per inch at this width),
        across ``width`` mm, centred. Cheaper than a vector chart by far: fpdf2 turns every
        glyph of an SVG chart's text into a copied path (~0.3 s a chart)."""
        w = width or self.content_width
        px_w, px_h = struct.unpack(">II", data[16:24])  # the IHDR chunk
        h = w * px_h / px_w
        self.ensure_space(h + 3)
        x = PAGE_MARGIN + (self.content_width - w) / 2
        self.image(io.BytesIO(data), x=x, y=self.get_y(), w=w, h=h)
        self.set_y(self.get_y() + h + 3)


def _fit(pdf: FPDF, text: str, width: float, size: float) -> float:
    """The largest font size up to ``size`` at which ``text`` fits ``width`` mm (bold)."""
    pdf.set_font(FONT, "B", size)
    while size > 7 and pdf.get_string_width(text) > width:
        size -= 0.5
        pdf.set_font(FONT, "B", size)
    return size


def _ink(fill: str) -> tuple[int, int, int]:
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return (255, 255, 255) if 0.299 * r + 0.587 * g + 0.114 * b < 150 else (34, 34, 34)
