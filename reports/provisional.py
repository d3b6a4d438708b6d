"""How a provisional rating (暂评) is shown: in lists, reports and charts (docs/methodology.md §6).

A year with fewer than 12 months of energy data is a year to date: its rating is
provisional, compared with its peers over the same calendar months, and final once the
year is complete. Wherever a rating is shown, a provisional one says so, in Chinese 暂评
and in English "provisional (year to date, months 1–N)", naming the months.

Plain text in, plain text out (no database, no plotting): ``reports.charts``,
``reports.monthly`` / ``reports.monthly_ratings``, ``reports.opendata`` and the CLI use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

LABEL_ZH = "暂评"
LABEL_EN = "provisional"
# How a chart draws what belongs to a provisional year: hatched, and its colour this much
# of the way to white.
HATCH = "////"
TINT = 0.5


def months_span(months: Iterable[int], sep: str = ", ") -> str:
    """``[1, 2, 3]`` -> ``1–3``; months with a gap are listed: ``[1, 2, 5]`` -> ``1, 2, 5``
    (``sep="、"`` in Chinese)."""
    ms = sorted({int(m) for m in months})
    if not ms:
        return ""
    if len(ms) > 1 and ms == list(range(ms[0], ms[-1] + 1)):
        return f"{ms[0]}–{ms[-1]}"
    return sep.join(str(m) for m in ms)


def label(months: Sequence[int] | None, lang: str = "zh") -> str:
    """``暂评（1–3月）`` / ``provisional (year to date, months 1–3)``."""
    span = months_span(months or (), "、" if lang == "zh" else ", ")
    if lang == "zh":
        return f"{LABEL_ZH}（{span}月）" if span else LABEL_ZH
    if not span:
        return f"{LABEL_EN} (year to date)"
    return f"{LABEL_EN} (year to date, month{'s' if len(set(months or ())) > 1 else ''} {span})"


def bilingual(months: Sequence[int] | None) -> str:
    """Both languages, for the bilingual report: ``暂评（1–3月） / provisional (…)``."""
    return f"{label(months, 'zh')} / {label(months, 'en')}"


def status(row: Mapping[str, Any]) -> str | None:
    """The status text of a rating row that carries ``provisional`` and ``months``, or None
    for a final (whole-year) rating."""
    return bilingual(row.get("months")) if row.get("provisional") else None


def suffix(row: Mapping[str, Any]) -> str:
    """``（暂评）`` after a grade or colour of a provisional rating, else nothing."""
    return f"（{LABEL_ZH}）" if row.get("provisional") else ""


def meaning(lang: str = "zh") -> str:
    """What 暂评 means, in one sentence."""
    if lang == "zh":
        return (
            "暂评：该年能源数据不足12个月，按年初至今已报送月份评价，与同行业同期月份比较，"
            "全年数据齐全后更新。"
        )
    return (
        "provisional: fewer than 12 months of energy data, so the year to date is rated "
        "against its peers over the same months; final once the year is complete."
    )


def count_note(
    count: int, rated: int | None = None, spans: Sequence[Mapping[str, Any]] = ()
) -> tuple[str, str]:
    """(zh, en) note on how many ratings are provisional, over which months (``spans``:
    ``[{months, enterprises}]``), and what that means."""
    of_zh = [f"共{rated:,}家"] if rated is not None else []
    of_en = f" of {rated:,}" if rated is not None else ""
    if not count:
        zh = f"（{of_zh[0]}）" if of_zh else ""
        return (
            f"暂评 0 家{zh}：均为全年评价。",
            f"0{of_en} ratings provisional: all are whole-year ratings.",
        )
    zh_parts = of_zh + [f"{months_span(s['months'], '、')}月 {s['enterprises']:,} 家" for s in spans]
    en_parts = [f"months {months_span(s['months'])}: {s['enterprises']:,}" for s in spans]
    en_meaning = meaning("en")
    return (
        f"其中暂评 {count:,} 家" + (f"（{'；'.join(zh_parts)}）" if zh_parts else "") + f"。{meaning('zh')}",
        f"{count:,}{of_en} ratings are provisional (暂评)"
        + (f" ({'; '.join(en_parts)})" if en_parts else "")
        + f". {en_meaning[0].upper()}{en_meaning[1:]}",
    )


def chart_tick(year: int, months: Sequence[int] | None, lang: str) -> str:
    """A year's tick label on a chart: ``2024`` or ``2024\\n暂评 1–3月`` / ``2024\\nprovisional``."""
    if months is None:
        return str(year)
    if lang == "zh":
        span = months_span(months, "、")
        return f"{year}\n{LABEL_ZH} {span}月" if span else f"{year}\n{LABEL_ZH}"
    return f"{year}\n{LABEL_EN}"


def chart_note(years: Sequence[int], provisional: Sequence[Sequence[int] | None], lang: str) -> str | None:
    """The footnote of a chart that shows provisional years, else None."""
    parts = [(y, m) for y, m in zip(years, provisional, strict=True) if m is not None]
    if not parts:
        return None
    if lang == "zh":
        which = "，".join(f"{y}年（{months_span(m, '、')}月）" for y, m in parts)
        return f"{LABEL_ZH}（浅色）：{which}为年初至今数据，按同期月份与同行业比较，全年数据齐全后更新。"
    which = "; ".join(f"{y} {label(m, 'en')}" for y, m in parts)
    return f"Lighter: {which}, compared with peers over the same months; final once the year is complete."


def check(provisional: Sequence[Sequence[int] | bool | None] | None, n: int) -> list[list[int] | None]:
    """One entry per year: None for a whole-year rating, the months rated for a provisional
    one (``[]`` where they are not known). Raises ValueError on anything else."""
    if provisional is None:
        return [None] * n
    if len(provisional) != n:
        raise ValueError(f"provisional has {len(provisional)} values, expected {n} (one per period)")
    out: list[list[int] | None] = []
    for p in provisional:
        if p is None or p is False:
            out.append(None)
        elif p is True:
            out.append([])
        else:
            ms = [int(m) for m in p]
            if any(not 1 <= m <= 12 for m in ms):
                raise ValueError(f"provisional months must be 1..12, got {list(p)!r}")
            out.append(ms)
    return out
