"""Charts of the officials' reports: data in, image bytes out.

Like ``reports.charts``: a ``Figure`` on the Agg canvas (never pyplot), the CJK font from
``reports.fonts``, and no timestamps in the output, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from matplotlib.typing import RcKeyType

from reports.fonts import RC_LOCK, chart_rc

FORMATS = ("png", "svg")
CURRENT_COLOUR = "#1f4e79"
PREVIOUS_COLOUR = "#b4c7dc"

_STYLE: dict[RcKeyType, Any] = {
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titlelocation": "left",
    "axes.titleweight": "bold",
    "axes.edgecolor": "#888888",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": "#e3e3e3",
    "xtick.labelsize": 8,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    # Explicit, not black: fpdf2 draws SVG text without a fill (matplotlib's black) in the
    # last fill colour used, so every colour is spelled out.
    "text.color": "#222222",
    "axes.labelcolor": "#333333",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "xtick.labelcolor": "#333333",
    "ytick.labelcolor": "#333333",
}
_METADATA: dict[str, dict[str, Any]] = {"png": {}, "svg": {"Date": None}}
# rcParams are process-global: charts drawn in two threads at once would mix settings.


def emissions_bar_chart(
    labels: Sequence[str],
    current: Sequence[float],
    previous: Sequence[float | None] | None = None,
    *,
    title: str,
    axis_label: str,
    current_label: str,
    previous_label: str = "",
    fmt: str = "png",
    width: float = 7.2,
) -> bytes:
    """Horizontal bars, one row per label in the order given (first on top): the current
    figure, and beside it the previous year's where ``previous`` is given (``None`` for a
    label with no figure last year). Each current bar is labelled with its value."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    n = len(labels)
    if len(current) != n or (previous is not None and len(previous) != n):
        raise ValueError("labels, current and previous must have the same length")
    cur = np.asarray(current, dtype=float)
    prev = None if previous is None else np.array([np.nan if v is None else v for v in previous], dtype=float)

    with RC_LOCK, matplotlib.rc_context({**chart_rc(), **_STYLE}):
        fig = Figure(figsize=(width, max(2.2, 0.9 + 0.34 * max(n, 1) * (1.5 if prev is not None else 1))))
        fig.set_layout_engine("constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        y = np.arange(n, dtype=float)
        h = 0.38 if prev is not None else 0.62
        off = h / 2 if prev is not None else 0.0
        bars = ax.barh(y - off, cur, height=h, color=CURRENT_COLOUR)
        digits = 0 if n and np.nanmax(np.abs(cur)) >= 1000 else 1
        ax.bar_label(bars, labels=[f"{v:,.{digits}f}" for v in cur], padding=3, fontsize=7.5, color="#222222")
        if prev is not None:
            ok = ~np.isnan(prev)
            ax.barh(y[ok] + off, prev[ok], height=h, color=PREVIOUS_COLOUR)
        ax.set_yticks(y, list(labels))
        ax.invert_yaxis()
        ax.set_xlabel(axis_label)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v + 0.0:,.12g}"))
        top = np.nanmax(np.concatenate([cur, prev if prev is not None else cur])) if n else 0.0
        ax.set_xlim(0, (top if top > 0 else 1.0) * 1.16)
        if n == 0:
            ax.text(0.5, 0.5, "—", transform=ax.transAxes, ha="center", va="center")
        ax.set_title(title)
        if prev is not None:
            fig.legend(
                [Patch(color=CURRENT_COLOUR), Patch(color=PREVIOUS_COLOUR)],
                [current_label, previous_label],
                loc="outside lower center",
                ncols=2,
            )
        return _save(fig, fmt)


def _save(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "png":
        # Light compression: the PDF these charts go into decodes and compresses them again.
        fig.savefig(buf, format=fmt, metadata=_METADATA[fmt], dpi=200, pil_kwargs={"compress_level": 1})
    else:
        fig.savefig(buf, format=fmt, metadata=_METADATA[fmt])
    return buf.getvalue()
