"""Charts: data in, image bytes out (PNG, SVG or PDF), labelled in Chinese or English.

Pure functions over plain sequences and mappings: no database, no files, no global
pyplot state. Each chart is a ``Figure`` drawn on the Agg canvas inside an
``rc_context`` carrying the CJK font (``reports.fonts``) and the output settings that
make the bytes deterministic: the same data always gives the same file, so a report can
be cached, compared and tested byte for byte.

Every piece of visible text comes from ``TEXT`` (per language) or from the field names
of ``carbon.domain.quantities``; colours are the ``CARRIER_COLOURS`` (``reports.chart_style``)
and ``COLOUR_HEX`` (``reports.labels``) tables, so a carrier or a rating colour looks the same
in every chart. A provisional
(暂评, year-to-date) rating is drawn hatched and lighter, its year's tick says so and a
footnote names its months (``reports.provisional``, docs/methodology.md §6).
"""

from __future__ import annotations

import contextlib
import io
import math
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from carbon.domain.quantities import FIELD_BY_KEY, FIELD_KEYS
from carbon.domain.vocabulary import COLOURS
from reports import provisional as prov
from reports.chart_style import CARRIER_COLOURS, OTHER_COLOURS, STYLE, TEXT
from reports.fonts import RC_LOCK, chart_rc
from reports.labels import COLOUR_HEX

FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
LANGS: tuple[str, ...] = ("zh", "en")
PNG_DPI = 150

# 三维四色 colour ids, best first (the order of the quzhou-3d methodology).
COLOUR_IDS: tuple[str, ...] = COLOURS


_INTENSITY_SERIES: tuple[tuple[str, str], ...] = (
    ("enterprise", "#1f4e79"),
    ("industry", "#9dc3e6"),
    ("region", "#b4b4b4"),
)

_SAVE_METADATA: dict[str, dict[str, Any]] = {
    "png": {},  # matplotlib writes no timestamp into PNGs
    "svg": {"Date": None},
    "pdf": {"CreationDate": None},
}


_NOTE_COLOUR = "#666666"

_T = TypeVar("_T")


# ---------------------------------------------------------------------------- charts


def monthly_emissions_chart(
    months: Sequence[str],
    by_carrier: Mapping[str, Sequence[float]],
    *,
    title: str | None = None,
    lang: str = "zh",
    fmt: str = "png",
) -> bytes:
    """Stacked bars of emissions (tCO2) per month, one series per energy carrier.

    ``by_carrier`` maps a carrier key (``FIELD_BY_KEY``) to one value per month; an
    unknown key is labelled as is. Negative values (net exported electricity) stack
    below zero and a net-total marker is added; all-zero series are left out.
    """
    _check_options(lang, fmt)
    labels = [str(m) for m in months]
    n = len(labels)
    series = [(key, _finite_array(values, n, f"by_carrier[{key!r}]")) for key, values in _ordered(by_carrier)]
    series = [(key, values) for key, values in series if np.any(values != 0)]
    t = TEXT[lang]

    with _rendering():
        fig, ax = _new_figure((10, 5.6))
        x = np.arange(n, dtype=float)
        above = np.zeros(n)
        below = np.zeros(n)
        for key, values in series:
            ax.bar(
                x,
                values,
                bottom=np.where(values >= 0, above, below),
                width=0.68,
                color=carrier_colour(key),
                edgecolor="white",
                linewidth=0.4,
                label=carrier_label(key, lang),
            )
            above += np.clip(values, 0, None)
            below += np.clip(values, None, 0)
        if np.any(below < 0):
            ax.plot(
                x,
                above + below,
                linestyle="none",
                marker="D",
                markersize=6,
                markerfacecolor="white",
                markeredgecolor="#222222",
                markeredgewidth=1.3,
                zorder=3,
                label=t["net_total"],
            )
        ax.axhline(0, color="#444444", linewidth=0.8, zorder=2)
        _category_ticks(ax, labels)
        _set_span(ax, 0.0, n - 1.0, min_span=6.0)
        ax.set_xlabel(t["month_axis"])
        ax.set_ylabel(t["emissions_axis"])
        ax.yaxis.set_major_formatter(_NUMBER_FORMAT)
        if not series:
            _no_data(ax, t["no_emissions"])
        _set_title(ax, title, t["monthly_title"])
        handles, names = ax.get_legend_handles_labels()
        # Carriers in stack order, then the net total (matplotlib lists lines first).
        order = sorted(range(len(names)), key=lambda i: names[i] == t["net_total"])
        _legend_below(fig, [handles[i] for i in order], [names[i] for i in order])
        return _save(fig, fmt)


def intensity_chart(
    years: Sequence[int],
    enterprise: Sequence[float | None],
    industry: Sequence[float | None],
    region: Sequence[float | None],
    *,
    provisional: Sequence[Sequence[int] | bool | None] | None = None,
    title: str | None = None,
    lang: str = "zh",
    fmt: str = "png",
) -> bytes:
    """Grouped bars per year: the enterprise's intensity (tCO2/万元 value added) against its
    industry and county (region) averages. ``None`` (not computable) leaves a gap
    marked "not computable", explained in a note. ``provisional``: per year, None for a
    whole-year rating, else the months of a year to date (暂评): its bars are hatched and
    lighter, its tick says so and a note names the months."""
    _check_options(lang, fmt)
    xs = _year_array(years)
    n = len(xs)
    partial = prov.check(provisional, n)
    hatched = np.array([p is not None for p in partial], dtype=bool)
    values = {
        "enterprise": _optional_array(enterprise, n, "enterprise"),
        "industry": _optional_array(industry, n, "industry"),
        "region": _optional_array(region, n, "region"),
    }
    t = TEXT[lang]

    with _rendering():
        fig, ax = _new_figure((9, 5.4))
        width = 0.26
        gaps = False
        for i, (key, colour) in enumerate(_INTENSITY_SERIES):
            x = xs + (i - 1) * width
            v = values[key]
            ok = ~np.isnan(v)
            bars = ax.bar(x[ok], v[ok], width, color=colour, edgecolor="white", linewidth=0.5)
            for bar, h in zip(bars, hatched[ok], strict=True):
                if h:
                    _provisional_patch(bar)
            ax.bar_label(bars, fmt="{:,.2f}", padding=2, fontsize=7.5, color="#333333")
            for xi in x[~ok]:
                _gap_mark(ax, xi, 0.0, t["not_computable"], va="bottom")
            gaps = gaps or not ok.all()
        ax.axhline(0, color="#444444", linewidth=0.8, zorder=2)
        _year_ticks(ax, xs, partial, lang)
        _set_span(ax, *_bounds(xs), min_span=4.0)
        ax.set_xlabel(t["year_axis"])
        ax.set_ylabel(t["intensity_axis"])
        ax.yaxis.set_major_formatter(_NUMBER_FORMAT)
        if not any(np.any(~np.isnan(v)) for v in values.values()):
            _no_data(ax, t["no_data"])
        else:
            ax.margins(y=0.12)  # room for the value labels above the tallest bar
        _set_title(ax, title, t["intensity_title"])
        handles: list[Artist] = [Patch(facecolor=colour, label=t[key]) for key, colour in _INTENSITY_SERIES]
        names = [t[key] for key, _ in _INTENSITY_SERIES]
        if hatched.any():
            handles.append(_provisional_patch(Patch(facecolor=_INTENSITY_SERIES[0][1])))
            names.append(t["provisional_legend"])
        _legend_below(fig, handles, names)
        notes = [t["intensity_note"]] if gaps else []
        _footnote(ax, "\n".join([*notes, *filter(None, [prov.chart_note(years, partial, lang)])]))
        return _save(fig, fmt)


def grade_history_chart(
    years: Sequence[int],
    grades: Sequence[int | None],
    colours: Sequence[str | None],
    *,
    provisional: Sequence[Sequence[int] | bool | None] | None = None,
    title: str | None = None,
    lang: str = "zh",
    fmt: str = "png",
) -> bytes:
    """碳效 grade per year (1 best .. 5 worst; the axis is inverted so better is up), each
    point coloured by that year's 三维四色 colour id. ``None`` grade: a gap with a note;
    ``None`` colour: a hollow marker. ``provisional``: per year, None for a whole-year
    rating, else the months of a year to date (暂评): a hatched, lighter marker on a dashed
    line, its tick says so and a note names the months."""
    _check_options(lang, fmt)
    xs = _year_array(years)
    n = len(xs)
    _check_length(grades, n, "grades")
    _check_length(colours, n, "colours")
    partial = prov.check(provisional, n)
    hatched = np.array([p is not None for p in partial], dtype=bool)
    for g in grades:
        if g is not None and (isinstance(g, bool) or not isinstance(g, int | np.integer) or not 1 <= g <= 5):
            raise ValueError(f"grades must be integers 1..5 or None, got {g!r}")
    for c in colours:
        if c is not None and c not in COLOUR_HEX:
            raise ValueError(f"unknown colour id {c!r}; expected one of: {', '.join(COLOUR_IDS)} or None")
    t = TEXT[lang]

    with _rendering():
        fig, ax = _new_figure((8.5, 4.8))
        y = np.array([math.nan if g is None else float(g) for g in grades], dtype=float)
        final = np.where(hatched, math.nan, y)
        ax.plot(xs, final, color="#9a9a9a", linewidth=1.6, zorder=2)
        for i in np.flatnonzero(hatched):  # the segments into and out of a provisional year
            seg = slice(max(i - 1, 0), i + 2)
            ax.plot(xs[seg], y[seg], color="#9a9a9a", linewidth=1.4, linestyle=(0, (3, 2)), zorder=2)
        graded = ~np.isnan(y)
        faces: list[Any] = ["white" if c is None else COLOUR_HEX[c] for c in colours]
        faces = [_tint(f) if h else f for f, h in zip(faces, hatched, strict=True)]
        for subset, ytd in ((graded & ~hatched, False), (graded & hatched, True)):
            if subset.any():
                ax.scatter(
                    xs[subset],
                    y[subset],
                    s=150,
                    c=[f for f, ok in zip(faces, subset, strict=True) if ok],
                    edgecolors="#333333",
                    linewidths=1.0,
                    linestyle=(0, (2, 1.5)) if ytd else "solid",
                    hatch=prov.HATCH if ytd else None,
                    zorder=3,
                )
        for x in xs[~graded]:
            _gap_mark(ax, x, 3.0, t["not_computable"], va="center")
        ax.set_ylim(5.5, 0.5)  # inverted: grade 1 (best) at the top
        ax.set_yticks(range(1, 6), [t["grade_tick"].format(grade=g) for g in range(1, 6)])
        _year_ticks(ax, xs, partial, lang)
        _set_span(ax, *_bounds(xs), min_span=4.0)
        ax.set_xlabel(t["year_axis"])
        ax.set_ylabel(t["grade_axis"])
        if not graded.any():
            _no_data(ax, t["no_data"])
        _set_title(ax, title, t["grade_title"])
        hollow = any(c is None for c, ok in zip(colours, graded, strict=True) if ok)
        shown = [*COLOUR_IDS, "none"] if hollow else list(COLOUR_IDS)
        handles: list[Artist] = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=9,
                markeredgecolor="#333333",
                markerfacecolor=COLOUR_HEX.get(c, "white"),
            )
            for c in shown
        ]
        names = [t["no_colour"] if c == "none" else t[c] for c in shown]
        if (graded & hatched).any():
            handles.append(_provisional_patch(Patch(facecolor="#bbbbbb")))
            names.append(t["provisional_legend"])
        _legend_below(fig, handles, names, title=t["colour_legend"])
        notes = [t["grade_note"]] if not graded.all() and graded.any() else []
        _footnote(ax, "\n".join([*notes, *filter(None, [prov.chart_note(years, partial, lang)])]))
        return _save(fig, fmt)


def colour_distribution_chart(
    counts: Mapping[str, int],
    *,
    provisional: Mapping[str, int] | None = None,
    title: str | None = None,
    lang: str = "zh",
    fmt: str = "png",
) -> bytes:
    """Bars of the number of enterprises per 三维四色 colour, best to worst, each drawn
    in its colour and labelled with its count and share. Missing colours count 0.
    ``provisional``: of each colour's count, how many are provisional ratings (暂评, a year
    to date): that part of the bar is hatched and a note gives the total."""
    _check_options(lang, fmt)
    values = _colour_counts(counts, "counts")
    partial = _colour_counts(provisional or {}, "provisional")
    if any(p > v for p, v in zip(partial, values, strict=True)):
        raise ValueError("provisional counts must not exceed the colour's count")
    total = sum(values)
    t = TEXT[lang]

    with _rendering():
        fig, ax = _new_figure((7.5, 4.8))
        x = np.arange(len(COLOUR_IDS), dtype=float)
        bars = ax.bar(
            x,
            values,
            width=0.62,
            color=[COLOUR_HEX[c] for c in COLOUR_IDS],
            edgecolor="#333333",
            linewidth=0.6,
        )
        keep = np.asarray(partial) > 0
        if keep.any():  # the provisional part of a bar, from its top down (only bars with one:
            # a zero-height bar on top of the tallest would cancel the headroom for its label)
            tops, p = np.array(values, dtype=float)[keep], np.asarray(partial, dtype=float)[keep]
            part = ax.bar(x[keep], p, width=0.62, bottom=tops - p, linewidth=0.6)
            for bar, c in zip(part, np.array(COLOUR_IDS)[keep], strict=True):
                _provisional_patch(bar, COLOUR_HEX[str(c)])
        ax.set_xticks(x, [t[c] for c in COLOUR_IDS])
        ax.set_xlim(-0.6, len(COLOUR_IDS) - 0.4)
        ax.set_xlabel(t["colour_total"].format(total=total))
        ax.set_ylabel(t["count_axis"])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(_NUMBER_FORMAT)
        if total:
            ax.bar_label(bars, labels=[f"{v:,} ({v / total:.1%})" for v in values], padding=3, fontsize=9)
            ax.margins(y=0.14)
        else:
            _no_data(ax, t["no_data"])
        _set_title(ax, title, t["colour_title"])
        if any(partial):
            _footnote(ax, t["provisional_colour_note"].format(count=sum(partial)))
        return _save(fig, fmt)


def _colour_counts(counts: Mapping[str, int], name: str) -> list[int]:
    unknown = [k for k in counts if k not in COLOUR_HEX]
    if unknown:
        raise ValueError(f"unknown colour id(s) {unknown!r}; expected: {', '.join(COLOUR_IDS)}")
    values = []
    for c in COLOUR_IDS:
        v = counts.get(c, 0)
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 0:
            raise ValueError(f"{name}[{c!r}] must be a non-negative integer, got {v!r}")
        values.append(int(v))
    return values


# ----------------------------------------------------------------------- label helpers


def carrier_label(key: str, lang: str = "zh") -> str:
    """Display name of a carrier key; an unknown key is shown as is."""
    field = FIELD_BY_KEY.get(key)
    if field is None:
        return key
    return field.name_zh if lang == "zh" else field.name_en


def carrier_colour(key: str) -> str:
    """The carrier's colour in every chart; stable across runs for unknown keys too."""
    return CARRIER_COLOURS.get(key) or OTHER_COLOURS[zlib.crc32(key.encode()) % len(OTHER_COLOURS)]


# ----------------------------------------------------------------------------- internals


def _check_options(lang: str, fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    if lang not in LANGS:
        raise ValueError(f"unknown chart language {lang!r}; expected one of: {', '.join(LANGS)}")


def _ordered(by_carrier: Mapping[str, Sequence[float]]) -> list[tuple[str, Sequence[float]]]:
    """Known carriers in template (FIELDS) order, so stacks are alike across charts."""
    known = [(k, by_carrier[k]) for k in FIELD_KEYS if k in by_carrier]
    return known + [(k, v) for k, v in by_carrier.items() if k not in FIELD_BY_KEY]


def _check_length(values: Sequence[Any], n: int, name: str) -> None:
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} values, expected {n} (one per period)")


def _finite_array(values: Sequence[float], n: int, name: str) -> np.ndarray:
    _check_length(values, n, name)
    try:
        arr = np.asarray(values, dtype=float).reshape(n)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers: {exc}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains a non-finite value (NaN or infinity)")
    return arr


def _optional_array(values: Sequence[float | None], n: int, name: str) -> np.ndarray:
    """Floats with NaN where the value is None (not computable)."""
    _check_length(values, n, name)
    try:
        arr = np.array([math.nan if v is None else float(v) for v in values], dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers or None: {exc}") from None
    if np.any(np.isinf(arr)):
        raise ValueError(f"{name} contains an infinite value")
    return arr


def _year_array(years: Sequence[int]) -> np.ndarray:
    ys = []
    for y in years:
        if isinstance(y, bool) or not isinstance(y, int | np.integer):
            raise ValueError(f"years must be integers, got {y!r}")
        ys.append(int(y))
    if any(b <= a for a, b in zip(ys, ys[1:], strict=False)):
        raise ValueError("years must be strictly increasing")
    return np.array(ys, dtype=float)


@contextlib.contextmanager
def _rendering() -> Iterator[None]:
    with RC_LOCK, matplotlib.rc_context({**chart_rc(), **STYLE}):
        yield


def _new_figure(size: tuple[float, float]) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    assert isinstance(engine, ConstrainedLayoutEngine)
    engine.set(h_pad=0.08, w_pad=0.1)
    return fig, fig.add_subplot()


def _save(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "png":
        fig.savefig(buf, format=fmt, metadata=_SAVE_METADATA[fmt], dpi=PNG_DPI)
    else:
        fig.savefig(buf, format=fmt, metadata=_SAVE_METADATA[fmt])
    return buf.getvalue()


def _format_number(value: float, _pos: int | None = None) -> str:
    # 12 significant digits hide float noise (0.30000000000000004); + 0.0 turns -0 into 0.
    return f"{value + 0.0:,.12g}"


_NUMBER_FORMAT = FuncFormatter(_format_number)


def _set_title(ax: Axes, title: str | None, default: str) -> None:
    text = default if title is None else title
    if text:
        ax.set_title(text, fontweight="bold")


def _legend_below(
    fig: Figure, handles: Sequence[Artist], names: Sequence[str], title: str | None = None
) -> None:
    if not handles:
        return
    ncols = min(len(handles), 6)
    fig.legend(
        _row_major(handles, ncols),
        _row_major(names, ncols),
        loc="outside lower center",
        ncols=ncols,
        title=title,
        handlelength=1.4,
        columnspacing=1.4,
    )


def _row_major(items: Sequence[_T], ncols: int) -> list[_T]:
    """Reorder so a legend, which matplotlib fills column by column, reads row by row."""
    sizes = [len(c) for c in np.array_split(np.arange(len(items)), ncols)]
    slots = [(row, col) for col, size in enumerate(sizes) for row in range(size)]
    rank = {slot: i for i, slot in enumerate(sorted(slots))}
    return [items[rank[slot]] for slot in slots]


def _bounds(xs: np.ndarray) -> tuple[float, float]:
    return (float(xs.min()), float(xs.max())) if len(xs) else (0.0, 0.0)


def _set_span(ax: Axes, first: float, last: float, *, min_span: float) -> None:
    """x limits around the categories [first, last], at least ``min_span`` wide so one
    or two periods do not become bars as wide as the chart."""
    span = max(last - first + 1.2, min_span)
    centre = (first + last) / 2
    ax.set_xlim(centre - span / 2, centre + span / 2)


def _footnote(ax: Axes, text: str) -> None:
    """A note under the x-axis label. Anchored to the label and part of the axes, so the
    constrained layout makes room for it above the legend (a figure text would overlap)."""
    if not text:
        return
    ax.annotate(
        text,
        xy=(0, 0),
        xycoords=("axes fraction", ax.xaxis.label),
        xytext=(0, -4),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=8,
        color=_NOTE_COLOUR,
    )


def _gap_mark(ax: Axes, x: float, y: float, text: str, *, va: str) -> None:
    ax.text(x, y, text, rotation=90, ha="center", va=va, fontsize=7.5, color=_NOTE_COLOUR, zorder=3)


def _no_data(ax: Axes, text: str) -> None:
    if not ax.yaxis_inverted():  # a value axis with nothing on it: keep just the zero line
        ax.set_ylim(0, 1)
        ax.set_yticks([0])
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=12, color=_NOTE_COLOUR)


def _category_ticks(ax: Axes, labels: Sequence[str]) -> None:
    """One tick per category, thinned past 24 so labels never collide; slanted past 12."""
    n = len(labels)
    step = max(1, math.ceil(n / 24))
    idx = list(range(0, n, step))
    slanted = n > 12
    ax.set_xticks(
        idx,
        [labels[i] for i in idx],
        rotation=45 if slanted else 0,
        ha="right" if slanted else "center",
        rotation_mode="anchor",
    )


def _year_ticks(
    ax: Axes, xs: np.ndarray, partial: Sequence[Sequence[int] | None] = (), lang: str = "zh"
) -> None:
    """One tick per year; a provisional year's says so (``2024 暂评 1–3月``)."""
    months = list(partial) or [None] * len(xs)
    ax.set_xticks(xs, [prov.chart_tick(int(x), m, lang) for x, m in zip(xs, months, strict=True)])


def _tint(colour: Any) -> tuple[float, float, float]:
    """``colour`` moved ``prov.TINT`` of the way to white."""
    rgb = np.array(matplotlib.colors.to_rgb(colour))
    r, g, b = (float(v) for v in rgb + (1.0 - rgb) * prov.TINT)
    return (r, g, b)


def _provisional_patch(patch: Patch, colour: str | None = None) -> Patch:
    """A bar of a provisional (year-to-date) figure: a lighter tint of its colour, with a
    hatch drawn over it as a separate unfilled patch (fpdf2, which draws the report's SVG
    charts, skips hatch patterns: the tint alone then still shows)."""
    patch.set_facecolor(_tint(colour or patch.get_facecolor()))
    patch.set_edgecolor("#333333")
    if isinstance(patch, Rectangle) and patch.axes is not None:
        patch.axes.add_patch(
            Rectangle(
                patch.get_xy(),
                patch.get_width(),
                patch.get_height(),
                fill=False,
                hatch=prov.HATCH,
                edgecolor="#333333",
                linewidth=patch.get_linewidth(),
                zorder=patch.get_zorder(),
            )
        )
    else:  # a legend handle
        patch.set_hatch(prov.HATCH)
    return patch
