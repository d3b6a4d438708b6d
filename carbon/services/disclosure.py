"""Desensitisation (数据脱敏) and the open-data statistics of a year.

Open data is public: anyone may read it, so nothing in it may single out an enterprise.

- Every published group (county, city, GB/T 4754 section and division) has at least
  ``MIN_GROUP`` enterprises; a smaller group keeps its code and name, and its count and
  figures are withheld (``suppress_small``, "primary" suppression).
- A withheld group must not be recoverable by subtraction (a city's total minus its shown
  counties). Wherever the withheld children of a published total (all enterprises, a city,
  a section) cover fewer than ``MIN_GROUP`` enterprises, or a withheld parent has no
  withheld child, the smallest shown sibling is withheld too ("secondary", or
  complementary, suppression: its count stays, its figures go), until nothing changes.
- An intensity is published only where at least ``MIN_GROUP`` enterprises have value
  added > 0 (the denominator), as it would otherwise be one or two enterprises' own ratio.
- The enterprise list gives each enterprise's grade and colour with its USCC and name
  masked (``mask_uscc``, ``mask_name``). Where its (county, section) cell has fewer than
  ``MIN_GROUP`` enterprises, county and section are ``*``, and so is whatever would tell
  them again: the region digits of the USCC (characters 3–8, the registration authority's
  GB/T 2260 code) and the first characters of the name (often a place name, 柯城…).

Figures are the year's current accounts (location-based total tCO2, tce, value added) and
current ratings (碳效码 grade, 三维四色 colour); ``provisional`` counts the ratings of a group
that are provisional (暂评: a year to date, rated over the months reported so far,
docs/methodology.md §6), and the enterprise list flags each one; the document names every factor set and
methodology they come from. The xlsx and CSV writers are ``reports.opendata`` (plain
dicts in, bytes out); ``statistics_xlsx`` and ``statistics_csv`` here call them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from carbon import names
from carbon.domain import vocabulary
from carbon.domain.errors import InvalidValue, NotFound
from carbon.services import reference
from carbon.store.models import AccountRow, Enterprise, RatingRow

MIN_GROUP = 3

GRADES = ("1", "2", "3", "4", "5")
COLOURS = vocabulary.COLOURS
GRADE_KEYS = tuple(f"grade_{g}" for g in GRADES)
# What a suppressed group withholds (its count too when it is below MIN_GROUP).
FIGURES = (
    "emissions_tco2",
    "energy_tce",
    "intensity",
    "intensity_enterprises",
    *GRADE_KEYS,
    "not_rated",
    *COLOURS,
    "provisional",
)
TABLES = ("regions", "industries", "enterprises")
UNITS = {"emissions_tco2": "tCO2", "energy_tce": "tce", "intensity": "tCO2/万元 (tCO2 per 10^4 CNY)"}

RULE = {
    "zh": (
        f"企业数少于{MIN_GROUP}家的分组不公布企业数及各项数据（显示为“<{MIN_GROUP}”）；"
        "可由上级合计减去其他分组推算出此类分组的，另隐去最小的其他分组的数据（辅助抑制）；"
        f"强度仅在有增加值的企业不少于{MIN_GROUP}家时公布。"
        "统一社会信用代码仅保留前8位与校验码，企业名称仅保留前2个字与组织形式；"
        f"所在区县与行业门类内企业少于{MIN_GROUP}家的，区县、门类及代码中的地区码、名称前2字均以*代替。"
    ),
    "en": (
        f"Groups of fewer than {MIN_GROUP} enterprises are suppressed: their count and figures "
        f"are withheld (shown as '<{MIN_GROUP}'). Where such a group could be worked out from a "
        "total minus the other groups, the smallest other group's figures are withheld as well "
        f"(complementary suppression). An intensity is published only where at least {MIN_GROUP} "
        "enterprises have value added. USCCs and names are masked: a USCC keeps its first 8 "
        "characters and its check character, a name its first 2 characters and its legal form; "
        f"where an enterprise's county and section hold fewer than {MIN_GROUP} enterprises, the "
        "county, the section, the USCC's region digits and the name's first characters are '*'."
    ),
}

# Legal forms a masked name keeps (the longest one it ends with).
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "厂", "Co., Ltd.", "Ltd.", "Ltd")


# -- masking ----------------------------------------------------------------------------------


def mask_uscc(uscc: str, *, keep_region: bool = True) -> str:
    """``91330802MA2D0000X1`` -> ``91330802**********``: the registration authority, type and
    GB/T 2260 region (first 8) stay; the check character goes too, as with it most masked
    codes stay unique and anyone holding an enterprise's USCC could find its row.
    ``keep_region=False`` keeps the first 2 only. Anything that is not 18 characters long
    is all ``*``."""
    if len(uscc) != 18:
        return "*" * len(uscc)
    if not keep_region:
        return uscc[:2] + "*" * 16
    return uscc[:8] + "*" * 10


def _legal_form(name: str) -> str:
    """The longest legal form ``name`` ends with (English ones in any case), as written."""
    folded = name.casefold()
    forms = [f for f in LEGAL_FORMS if folded.endswith(f.casefold()) and len(name) > len(f)]
    if not forms:
        return ""
    n = max(len(f) for f in forms)
    return name[len(name) - n :]


def mask_name(name: str | None, *, keep_start: bool = True) -> str:
    """``衢州蓝天化学有限公司`` -> ``衢州****有限公司``: the first 2 characters and the legal
    form the name ends with (longest of ``LEGAL_FORMS``) stay, everything between is ``*``,
    at least 2. At least one character of the rest is always hidden (``华为公司`` ->
    ``华**公司``). ``keep_start=False`` hides the first characters too."""
    text = (name or "").strip()
    if not text:
        return "**"
    form = _legal_form(text)
    stem = text[: len(text) - len(form)]
    head = stem[: min(2, len(stem) - 1)] if keep_start else ""
    return head + "*" * max(2, len(stem) - len(head)) + form


# -- suppression ------------------------------------------------------------------------------


def suppress_small(
    rows: list[dict[str, Any]], count_key: str, figure_keys: Iterable[str]
) -> list[dict[str, Any]]:
    """Copies of ``rows``; where ``row[count_key] < MIN_GROUP`` (or unknown) the count and
    every figure key are None and ``suppressed`` is True, elsewhere ``suppressed`` is False."""
    keys = tuple(figure_keys)
    out = []
    for row in rows:
        r = dict(row)
        n = r.get(count_key)
        small = n is None or n < MIN_GROUP
        if small:
            for k in keys:
                r[k] = None
            r[count_key] = None
        r["suppressed"] = small
        out.append(r)
    return out


Key = tuple[str, str]  # (level, code)


def complementary(counts: dict[Key, int], families: Sequence[tuple[Key | None, Sequence[Key]]]) -> set[Key]:
    """The groups to withhold besides those under ``MIN_GROUP`` (which are withheld anyway).

    ``families`` are (parent, children) where the children partition the parent and both are
    published (parent None: all enterprises, known from any fully shown partition). In each,
    the withheld children must cover 0 or at least ``MIN_GROUP`` enterprises, and a withheld
    parent needs a withheld child (else it is their sum); the smallest shown child is added
    until that holds everywhere."""
    hidden = {k for k, n in counts.items() if n < MIN_GROUP}
    primary = set(hidden)
    changed = True
    while changed:
        changed = False
        for parent, children in families:
            withheld = [c for c in children if c in hidden]
            covered = sum(counts[c] for c in withheld)
            parent_hidden = parent is not None and parent in hidden
            if (withheld and covered < MIN_GROUP) or (parent_hidden and not withheld):
                shown = sorted((c for c in children if c not in hidden), key=lambda c: (counts[c], c))
                if shown:
                    hidden.add(shown[0])
                    changed = True
    return hidden - primary


# -- statistics -------------------------------------------------------------------------------


def _city(region_code: str) -> str:
    return region_code[:4] + "00"


def _group(level: str, code: str, parent: str | None, name: names.Name | None) -> dict[str, Any]:
    return {
        "level": level,
        "code": code,
        "parent": parent,
        "name_zh": name.zh if name else None,
        "name_en": name.en if name else None,
    }


def _figures(members: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals of one group's enterprises (each a dict of its account and rating)."""
    with_va = [m for m in members if m["value_added"] is not None and m["value_added"] > 0]
    intensity = None
    if len(with_va) >= MIN_GROUP:
        intensity = math.fsum(m["total"] for m in with_va) / math.fsum(m["value_added"] for m in with_va)
    out: dict[str, Any] = {
        "enterprises": len(members),
        "emissions_tco2": math.fsum(m["total"] for m in members),
        "energy_tce": math.fsum(m["energy_tce"] for m in members),
        "intensity": intensity,
        "intensity_enterprises": len(with_va),
    }
    for g in GRADES:
        out[f"grade_{g}"] = sum(1 for m in members if m["grade"] == int(g))
    out["not_rated"] = sum(1 for m in members if m["grade"] is None)
    for c in COLOURS:
        out[c] = sum(1 for m in members if m["colour"] == c)
    out["provisional"] = sum(1 for m in members if m["provisional"])  # 暂评, of the counts above
    return out


def _members(session: Session, year: int) -> list[dict[str, Any]]:
    rating = and_(
        RatingRow.enterprise_id == Enterprise.id, RatingRow.year == year, RatingRow.is_current.is_(True)
    )
    stmt = (
        select(
            Enterprise.uscc,
            Enterprise.name,
            Enterprise.section,
            Enterprise.division,
            Enterprise.region_code,
            AccountRow.total,
            AccountRow.energy_tce,
            AccountRow.value_added,
            AccountRow.factor_set,
            AccountRow.methodology,
            RatingRow.grade,
            RatingRow.colour,
            RatingRow.provisional,
            RatingRow.factor_set.label("rating_factor_set"),
            RatingRow.methodology.label("rating_methodology"),
        )
        .join(AccountRow, AccountRow.enterprise_id == Enterprise.id)
        .outerjoin(RatingRow, rating)
        .where(AccountRow.year == year, AccountRow.is_current.is_(True))
        .order_by(Enterprise.uscc)
    )
    rows = [dict(r._mapping) for r in session.execute(stmt)]
    for r in rows:
        r["provisional"] = bool(r["provisional"])  # None without a rating
    return rows


def _refs(members: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    refs = sorted({m[k] for m in members for k in keys if m[k]})
    out = []
    for ref in refs:
        key, version = reference.split_ref(ref)
        out.append({"id": key, "version": version})
    return out


def _grouped(members: list[dict[str, Any]], key: Any) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in members:
        groups.setdefault(key(m), []).append(m)
    return dict(sorted(groups.items()))


def _suppressed(raw: list[dict[str, Any]], secondary: set[Key]) -> list[dict[str, Any]]:
    rows = suppress_small(raw, "enterprises", FIGURES)
    for r in rows:
        if r["suppressed"]:
            r["suppression"] = "primary"
        elif (r["level"], r["code"]) in secondary:
            for k in FIGURES:
                r[k] = None
            r["suppressed"] = True
            r["suppression"] = "secondary"
        else:
            r["suppression"] = None
    return rows


def _enterprise_list(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cells: dict[tuple[str, str], int] = {}
    for m in members:
        cell = (m["region_code"], m["section"])
        cells[cell] = cells.get(cell, 0) + 1
    out = []
    for m in members:
        shown = cells[(m["region_code"], m["section"])] >= MIN_GROUP
        out.append(
            {
                "uscc": mask_uscc(m["uscc"], keep_region=shown),
                "name": mask_name(m["name"], keep_start=shown),
                "section": m["section"] if shown else "*",
                "county": m["region_code"] if shown else "*",
                "grade": m["grade"],
                "colour": m["colour"],
                "provisional": m["provisional"],
            }
        )
    # Ordered by what is shown only, so the order says nothing about what is masked.
    order = ("county", "section", "uscc", "name", "grade", "colour", "provisional")
    out.sort(key=lambda e: tuple("" if e[k] is None else str(e[k]) for k in order))
    return out


def statistics(session: Session, year: int) -> dict[str, Any]:
    """The open-data statistics of ``year`` (plain JSON types): per city and county, per
    section and division, and the masked enterprise list, suppressed as the module says."""
    members = _members(session, year)
    if not members:
        raise NotFound(f"no results for {year}: nothing to publish / {year}年无核算结果，无可公开数据")

    counties = _grouped(members, lambda m: m["region_code"])
    cities = _grouped(members, lambda m: _city(m["region_code"]))
    sections = _grouped(members, lambda m: m["section"])
    divisions = _grouped(members, lambda m: m["division"])

    raw_regions: list[dict[str, Any]] = []
    for city, city_members in cities.items():
        raw_regions.append({**_group("city", city, None, names.region(city)), **_figures(city_members)})
        for county, county_members in counties.items():
            if _city(county) == city:
                raw_regions.append(
                    {**_group("county", county, city, names.region(county)), **_figures(county_members)}
                )
    raw_industries: list[dict[str, Any]] = []
    for section, section_members in sections.items():
        raw_industries.append(
            {**_group("section", section, None, names.section(section)), **_figures(section_members)}
        )
        for division, division_members in divisions.items():
            if division_members[0]["section"] == section:
                raw_industries.append(
                    {
                        **_group("division", division, section, names.division(division)),
                        **_figures(division_members),
                    }
                )

    counts = {(r["level"], r["code"]): r["enterprises"] for r in (*raw_regions, *raw_industries)}

    def keys(level: str, rows: Iterable[str]) -> list[Key]:
        return [(level, c) for c in rows]

    families: list[tuple[Key | None, Sequence[Key]]] = [
        (None, keys("city", cities)),
        (None, keys("county", counties)),
        (None, keys("section", sections)),
        (None, keys("division", divisions)),
    ]
    families += [(("city", c), keys("county", [k for k in counties if _city(k) == c])) for c in cities]
    families += [
        (("section", s), keys("division", [d for d, ms in divisions.items() if ms[0]["section"] == s]))
        for s in sections
    ]
    secondary = complementary(counts, families)

    return {
        "year": year,
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "min_group": MIN_GROUP,
        "rule": RULE,
        "units": UNITS,
        "factor_sets": _refs(members, "factor_set", "rating_factor_set"),
        "methodologies": _refs(members, "methodology", "rating_methodology"),
        "enterprises_total": len(members),
        "regions": _suppressed(raw_regions, secondary),
        "industries": _suppressed(raw_industries, secondary),
        "enterprises": _enterprise_list(members),
    }


# -- files ------------------------------------------------------------------------------------


def statistics_xlsx(stats: dict[str, Any]) -> bytes:
    """The statistics as a workbook: 地区 Regions, 行业 Industries, 企业(脱敏), 说明 Notes."""
    from reports.opendata import render_xlsx

    return render_xlsx(stats)


def statistics_csv(stats: dict[str, Any], table: str) -> bytes:
    """One table (regions, industries or enterprises) as CSV, UTF-8 with a BOM."""
    from reports.opendata import render_csv

    if table not in TABLES:
        raise InvalidValue(f"table must be one of {', '.join(TABLES)} / 表名不支持")
    return render_csv(stats, table)
