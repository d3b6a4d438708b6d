"""Generate the demo workbooks in sample_inputs/ (fictitious enterprises of Quzhou, 2022-2023).

Run from the repository root::

    python sample_inputs/generate.py            # rewrite sample_inputs/*.xlsx
    python sample_inputs/generate.py --check    # exit 1 if the committed files differ

The data are deterministic (``random.Random(2026)``) and the workbooks byte-identical from
run to run: the workbook's document dates and the zip entries' timestamps are fixed.

Before writing anything, the generator accounts and rates the whole population with the
service's own core (``carbon.domain``) and asserts that 2023 shows every 碳效码 grade and
class, every 三维四色 colour, one enterprise whose intensity is not computable, and all
three peer levels (大类, 门类 fallback, all-enterprise fallback).

All enterprises, names and codes are invented; any likeness to a real company is chance.
Values are in the template's units (电力 万千瓦时, fuels 吨 / 万立方米, 热力 吉焦,
工业过程排放 吨二氧化碳, money 万元).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from carbon.domain.accounting import account  # noqa: E402
from carbon.domain.factors import parse_factor_set  # noqa: E402
from carbon.domain.identifiers import USCC_CHARSET, make_uscc, parse_industry, uscc_problem  # noqa: E402
from carbon.domain.methodology import parse_methodology  # noqa: E402
from carbon.domain.quantities import ECONOMIC_KEYS, ENERGY_KEYS, FIELD_BY_KEY, unit_factor  # noqa: E402
from carbon.domain.rating import Rating, RatingInput, rate_population  # noqa: E402

SEED = 2026
YEARS = (2022, 2023)
RATED_YEAR = 2023
OUT_DIR = Path(__file__).resolve().parent

# GB/T 2260 counties of 衢州市: code -> (name, short name used in company names, file slug).
COUNTIES: dict[str, tuple[str, str, str]] = {
    "330802": ("柯城区", "柯城", "kecheng"),
    "330803": ("衢江区", "衢江", "qujiang"),
    "330822": ("常山县", "常山", "changshan"),
    "330824": ("开化县", "开化", "kaihua"),
    "330825": ("龙游县", "龙游", "longyou"),
    "330881": ("江山市", "江山", "jiangshan"),
}


@dataclass(frozen=True)
class Industry:
    """A GB/T 4754-2017 class with a reference firm's energy mix per 万元 of value added.

    ``mix`` is in template units per 万元 VA for an enterprise of average efficiency; the
    enterprise's own efficiency multiplier scales every energy carrier.
    """

    code: str
    name: str
    suffixes: tuple[str, ...]
    counties: tuple[str, ...]  # where such plants are placed, cycled in order
    va_range: tuple[float, float]  # annual value added, 万元
    va_ratio: float  # value added / gross output
    mix: dict[str, float]
    season: str = "generic"


# fmt: off
INDUSTRIES: tuple[Industry, ...] = (
    Industry("2614", "有机化学原料制造", ("化工有限公司", "新材料股份有限公司", "化学有限公司"),
             ("330803", "330802", "330881", "330825", "330803", "330822", "330802", "330824"),
             (8000, 60000), 0.22,
             {"natural_gas": 0.040, "bituminous_coal": 0.60, "heat": 6.0, "electricity": 0.18}),
    Industry("3011", "水泥制造", ("水泥有限公司", "建材有限公司"),
             ("330822", "330881", "330803", "330825", "330822", "330881"),
             (25000, 70000), 0.28,
             {"process_co2": 7.5, "bituminous_coal": 2.4, "electricity": 0.38, "diesel": 0.01},
             "cement"),
    Industry("2221", "机制纸及纸板制造", ("纸业有限公司", "特种纸有限公司", "包装材料有限公司"),
             ("330825", "330825", "330825", "330803", "330881", "330825", "330802", "330824",
              "330825"),
             (5000, 30000), 0.20,
             {"heat": 10.0, "natural_gas": 0.025, "electricity": 0.18}),
    Industry("3130", "钢压延加工", ("钢材有限公司", "金属材料有限公司", "特钢有限公司"),
             ("330881", "330802", "330803", "330822", "330881", "330825", "330824"),
             (4000, 20000), 0.15,
             {"natural_gas": 0.030, "electricity": 0.10}),
    Industry("2927", "日用塑料制品制造", ("塑业有限公司", "塑料制品有限公司", "日用品有限公司"),
             ("330802", "330822", "330824", "330881", "330803", "330825", "330802", "330822"),
             (1500, 8000), 0.22,
             {"electricity": 0.080, "natural_gas": 0.0010}),
    Industry("3360", "金属表面处理及热处理加工", ("表面处理有限公司", "热处理有限公司", "电镀有限公司"),
             ("330803", "330881", "330824", "330802", "330825", "330822"),
             (1000, 5000), 0.30,
             {"electricity": 0.10, "natural_gas": 0.008, "heat": 1.0}),
    Industry("1713", "棉印染精加工", ("印染有限公司", "纺织印染有限公司"),
             ("330822", "330802", "330825", "330881", "330803", "330824"),
             (2000, 10000), 0.25,
             {"heat": 9.0, "bituminous_coal": 0.30, "natural_gas": 0.010, "electricity": 0.09}),
    # Fewer than 5 enterprises in 大类 38: rated against 门类 C.
    Industry("3831", "电线、电缆制造", ("电缆有限公司", "线缆股份有限公司"),
             ("330881", "330802", "330825"),
             (3000, 15000), 0.15,
             {"electricity": 0.035, "natural_gas": 0.0012, "diesel": 0.002}),
    # 门类 B has only these two: rated against all enterprises.
    Industry("1011", "石灰石、石膏开采", ("矿业有限公司", "石料有限公司"),
             ("330822", "330881"),
             (800, 2500), 0.40,
             {"diesel": 0.18, "electricity": 0.07},
             "cement"),
)
# fmt: on

# fmt: off
BRANDS = (
    "恒达", "华信", "金鑫", "宏远", "瑞丰", "永盛", "天禾", "新源", "鼎泰", "明辉", "科润", "嘉诚",
    "锦程", "盛元", "同力", "信达", "润泽", "东升", "联丰", "协和", "中越", "恒昌", "卓越", "崇和",
    "兴业", "安泰", "宏博", "凯达", "顺发", "博远", "众成", "佳美", "立恒", "宝丰", "正和", "丰泽",
    "诚信", "德润", "华晟", "金石", "宏盛", "鸿运", "立信", "申达", "万福", "远航", "泰和", "蓝天",
    "青山", "星辰", "振华", "天成", "通达", "华源", "亿丰", "三和", "益民", "康宁",
)
# fmt: on

# Monthly production index (Spring Festival dip in February; cement also slows in the
# plum-rain season and peaks before year end) and carrier-specific seasonality.
SEASON: dict[str, tuple[float, ...]] = {
    "generic": (0.88, 0.62, 1.02, 1.03, 1.05, 1.00, 0.97, 0.98, 1.04, 1.06, 1.09, 1.14),
    "cement": (0.78, 0.48, 1.00, 1.12, 1.10, 0.84, 0.80, 0.92, 1.10, 1.22, 1.30, 1.32),
}
HEAT_SEASON = (1.22, 1.15, 1.05, 0.95, 0.90, 0.85, 0.84, 0.85, 0.90, 0.96, 1.06, 1.18)
POWER_SEASON = (1.00, 0.98, 0.97, 0.96, 1.00, 1.06, 1.12, 1.12, 1.02, 0.97, 0.97, 1.00)

# Decimals each field is written with (template units).
# fmt: off
DECIMALS: dict[str, int] = {
    "electricity": 2, "electricity_exported": 2, "electricity_green": 2, "heat": 0,
    "natural_gas": 3, "process_co2": 1, "value_added": 2, "gross_output": 2, "tax": 2,
}
# fmt: on
DEFAULT_DECIMALS = 1

# Efficiency multipliers (intensity relative to the industry's reference firm) and
# year-on-year intensity change, cycled within an industry so that every grade and
# colour appears; the assertions in ``check_coverage`` keep it so.
EFFICIENCY = (0.42, 1.0, 0.72, 1.55, 0.95, 2.7, 0.6, 1.2, 1.05)
YOY = (0.86, 1.02, 0.93, 1.09, 0.98, 1.07, 0.91, 1.0, 1.04)

FIXED_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_ISO = "2026-01-01T00:00:00Z"


@dataclass
class Enterprise:
    uscc: str
    name: str
    industry: Industry
    region: str
    va: dict[int, float]  # annual value added by year
    efficiency: dict[int, float]
    mix: dict[str, float]
    green_share: float = 0.0
    export_share: float = 0.0
    first_year: int = YEARS[0]
    missing_va: set[int] = field(default_factory=set)
    tags: list[str] = field(default_factory=list)


def _uscc(rng: random.Random, region: str, seen: set[str]) -> str:
    while True:
        body = "".join(rng.choice(USCC_CHARSET) for _ in range(9))
        code = make_uscc("91" + region + body)
        if code not in seen:
            seen.add(code)
            return code


def _name(rng: random.Random, region: str, industry: Industry, used: set[str]) -> str:
    short = COUNTIES[region][1]
    while True:
        brand = rng.choice(BRANDS)
        prefix = rng.choice(("衢州", short, short, "浙江"))
        name = f"{prefix}{brand}{rng.choice(industry.suffixes)}"
        if brand not in used:
            used.add(brand)
            return name


def build_enterprises(rng: random.Random) -> list[Enterprise]:
    seen: set[str] = set()
    brands: set[str] = set()
    out: list[Enterprise] = []
    for ind in INDUSTRIES:
        for i, region in enumerate(ind.counties):
            lo, hi = ind.va_range
            va22 = round(lo * (hi / lo) ** rng.random(), -1)
            growth = rng.uniform(0.97, 1.12)
            eff22 = EFFICIENCY[i % len(EFFICIENCY)] * rng.uniform(0.97, 1.03)
            eff23 = eff22 * YOY[(i + len(out)) % len(YOY)]
            mix = {k: v * rng.uniform(0.85, 1.15) for k, v in ind.mix.items()}
            out.append(
                Enterprise(
                    uscc=_uscc(rng, region, seen),
                    name=_name(rng, region, ind, brands),
                    industry=ind,
                    region=region,
                    va={2022: va22, 2023: round(va22 * growth, -1)},
                    efficiency={2022: eff22, 2023: eff23},
                    mix=mix,
                )
            )
    by_code: dict[str, list[Enterprise]] = defaultdict(list)
    for e in out:
        by_code[e.industry.code].append(e)

    # Paper mills with their own coal-fired CHP buy less steam and export power.
    for e in by_code["2221"][1:3]:
        e.mix["heat"] *= 0.35
        e.mix["bituminous_coal"] = 0.55 * rng.uniform(0.9, 1.1)
        e.export_share = rng.uniform(0.25, 0.4)
        e.tags.append("exports electricity / 上网电量")
    # Green power buyers.
    for e in (*by_code["2927"][0:3], *by_code["3831"][0:2], by_code["3130"][1], by_code["3360"][0]):
        e.green_share = round(rng.uniform(0.15, 0.6), 2)
        e.tags.append("buys green electricity / 绿电")
    # A plastics maker that started production in 2023: no previous year, weights rescaled.
    newcomer = by_code["2927"][5]
    newcomer.first_year = 2023
    newcomer.tags.append("new in 2023, no 2022 data / 2023年新投产")
    # One enterprise that did not report value added for 2023: not computable.
    blank = by_code["3360"][2]
    blank.missing_va.add(2023)
    blank.tags.append("no value added in 2023 / 2023年增加值未填报")
    return out


def _shares(rng: random.Random, season: Sequence[float], noise: float) -> list[float]:
    raw = [s * rng.uniform(1 - noise, 1 + noise) for s in season]
    total = sum(raw)
    return [r / total for r in raw]


def _round(key: str, value: float) -> float:
    return round(value, DECIMALS.get(key, DEFAULT_DECIMALS))


def monthly_rows(enterprises: Iterable[Enterprise], rng: random.Random) -> list[dict[str, Any]]:
    """One template row per enterprise and month, in template units."""
    rows: list[dict[str, Any]] = []
    for e in enterprises:
        for year in YEARS:
            if year < e.first_year:
                continue
            va = e.va[year]
            eff = e.efficiency[year]
            prod = _shares(rng, SEASON[e.industry.season], 0.04)
            econ = _shares(rng, SEASON[e.industry.season], 0.06)
            annual = {k: v * va * eff for k, v in e.mix.items()}
            monthly: dict[str, list[float]] = {}
            for key, total in annual.items():
                if key == "heat":
                    w = [p * h for p, h in zip(prod, HEAT_SEASON, strict=True)]
                elif key == "electricity":
                    w = [p * s for p, s in zip(prod, POWER_SEASON, strict=True)]
                else:
                    w = prod
                sw = sum(w)
                monthly[key] = [total * x / sw * rng.uniform(0.97, 1.03) for x in w]
            gross = va / e.industry.va_ratio * rng.uniform(0.92, 1.08)
            tax_rate = rng.uniform(0.035, 0.07)
            for m in range(12):
                row: dict[str, Any] = {
                    "uscc": e.uscc,
                    "name": e.name,
                    "industry_code": e.industry.code,
                    "region_code": e.region,
                    "month": f"{year}-{m + 1:02d}",
                }
                for key, values in monthly.items():
                    row[key] = _round(key, values[m])
                power = row.get("electricity", 0.0)
                if e.export_share:
                    row["electricity_exported"] = _round("electricity", power * e.export_share)
                if e.green_share:
                    row["electricity_green"] = _round("electricity", power * e.green_share)
                if year not in e.missing_va:
                    row["value_added"] = _round("value_added", va * econ[m])
                row["gross_output"] = _round("gross_output", gross * econ[m])
                row["tax"] = _round("tax", gross * econ[m] * tax_rate)
                rows.append(row)
    return rows


def generate() -> tuple[list[Enterprise], list[dict[str, Any]]]:
    rng = random.Random(SEED)
    enterprises = build_enterprises(rng)
    return enterprises, monthly_rows(enterprises, rng)


# -- checking the population with the service's own core -------------------------------------


def _load(kind: str, name: str) -> dict[str, Any]:
    with open(ROOT / "carbon" / "data" / kind / name, encoding="utf-8") as f:
        doc: dict[str, Any] = json.load(f)
    return doc


def rate(rows: Sequence[dict[str, Any]], year: int = RATED_YEAR) -> list[Rating]:
    """Annual accounts of every enterprise-year and the ratings of ``year`` (real core)."""
    fs = parse_factor_set(_load("factor_sets", "cn-default-2.json"))
    meth = parse_methodology(_load("methodologies", "quzhou-3d-2.json"))
    to_canonical = {
        k: unit_factor(FIELD_BY_KEY[k].template_unit_zh, FIELD_BY_KEY[k].dimension)
        for k in (*ENERGY_KEYS, *ECONOMIC_KEYS)
    }
    energy: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    money: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    info: dict[str, tuple[str, str]] = {}
    for r in rows:
        key = (r["uscc"], int(r["month"][:4]))
        info[r["uscc"]] = (r["industry_code"], r["region_code"])
        for k in ENERGY_KEYS:
            if r.get(k) is not None:
                energy[key][k] += r[k] * to_canonical[k]
        for k in ECONOMIC_KEYS:
            if r.get(k) is not None:
                money[key][k] += r[k] * to_canonical[k]
    totals = {key: account(q, key[1], fs).total for key, q in energy.items()}
    inputs = []
    for uscc, (code, region) in info.items():
        if (uscc, year) not in totals:
            continue
        ind = parse_industry(code)
        prev = (uscc, year - 1)
        inputs.append(
            RatingInput(
                uscc=uscc,
                division=ind.division,
                section=ind.section,
                region=region,
                emissions=totals[(uscc, year)],
                denominators=dict(money[(uscc, year)]),
                previous_emissions=totals.get(prev),
                previous_denominators=dict(money[prev]) if prev in totals else None,
            )
        )
    return rate_population(inputs, year, meth)


def check_coverage(ratings: Sequence[Rating]) -> str:
    """Assert the demo shows every outcome; return a printable summary."""
    grades = Counter(r.grade for r in ratings if r.grade is not None)
    classes = Counter(r.intensity_class for r in ratings if r.intensity_class is not None)
    colours = Counter(r.colour for r in ratings if r.colour is not None)
    levels = Counter(r.peer.level for r in ratings if r.peer is not None)
    not_computable = [r.uscc for r in ratings if r.reason]
    partial = [r.uscc for r in ratings if r.score is not None and any(d.score is None for d in r.dimensions)]
    problems = []
    if set(grades) != {1, 2, 3, 4, 5}:
        problems.append(f"grades {sorted(grades)}")
    if set(classes) != {"low", "medium", "high"}:
        problems.append(f"classes {sorted(classes)}")
    if set(colours) != {"dark_green", "light_green", "yellow", "red"}:
        problems.append(f"colours {sorted(colours)}")
    if set(levels) != {"division", "section", "all"}:
        problems.append(f"peer levels {sorted(levels)}")
    if len(not_computable) != 1:
        problems.append(f"{len(not_computable)} not-computable enterprises, expected 1")
    if not partial:
        problems.append("no enterprise rated on fewer than three dimensions")
    if problems:
        raise AssertionError("demo data does not cover: " + "; ".join(problems))
    lines = [
        f"{RATED_YEAR} ratings of {len(ratings)} enterprises:",
        "  碳效码 grade  " + "  ".join(f"{g}:{grades[g]}" for g in range(1, 6)),
        "  class        " + "  ".join(f"{c}:{classes[c]}" for c in ("low", "medium", "high")),
        "  三维四色      "
        + "  ".join(f"{c}:{colours[c]}" for c in ("dark_green", "light_green", "yellow", "red")),
        "  peer level   " + "  ".join(f"{lv}:{levels[lv]}" for lv in ("division", "section", "all")),
        f"  not computable: {len(not_computable)} ({', '.join(not_computable)})",
        f"  rated on fewer than three dimensions: {len(partial)}",
    ]
    return "\n".join(lines)


# -- workbooks -------------------------------------------------------------------------------

# An extra sheet in one workbook, about the demo data (the template's own 说明 sheet explains
# the columns). Named README, which the importer skips as a notes sheet.
README_SHEET = "README"
README_ROWS = (
    ("演示数据说明 / About these demo data", ""),
    (
        "数据性质 Nature",
        "演示数据，企业名称与统一社会信用代码均为虚构 / demo data: names and USCCs are invented",
    ),
    (
        "范围 Scope",
        "衢州市六个县（市、区）共 55 家企业，本文件为龙游县 / 55 enterprises in six counties; "
        "this file: 龙游县 (330825)",
    ),
    (
        "期间 Period",
        "2022-01 至 2023-12，每行一家企业一个月 / 2022-01..2023-12, one row per enterprise-month",
    ),
    (
        "完整评价 Full rating",
        "同时导入 sample_inputs 下全部六个文件，才能按全市样本评价 / import all six "
        "workbooks together to rate against the whole population",
    ),
    (
        "特点 Features",
        "造纸企业外购蒸汽、部分自备电厂有上网电量；部分企业购买绿电 / paper mills buy steam, "
        "some export power from their own CHP; some buy green power",
    ),
    ("生成 Generated by", "python sample_inputs/generate.py（固定随机种子 2026 / fixed seed 2026）"),
)


@dataclass(frozen=True)
class WorkbookSpec:
    filename: str
    regions: tuple[str, ...]
    lang: str = "zh"
    notes: bool = False
    description_zh: str = ""
    description_en: str = ""


def workbook_specs() -> list[WorkbookSpec]:
    specs = []
    for code, (name, _, slug) in COUNTIES.items():
        lang = "en" if code == "330824" else "zh"
        notes = code == "330825"
        zh = f"{name}（{code}）企业 2022–2023 年月度能源与经济数据"
        en = f"{slug.capitalize()} ({code}) enterprises, monthly energy and economic data 2022-2023"
        if lang == "en":
            zh += "，英文表头"
            en += ", English headers"
        if notes:
            zh += "，另附 README 工作表介绍演示数据"
            en += ", with an extra README sheet about the demo data"
        specs.append(WorkbookSpec(f"quzhou_{code}_{slug}_2022-2023.xlsx", (code,), lang, notes, zh, en))
    return specs


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite an xlsx so that it does not depend on when it was written."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + FIXED_ISO + m.group(3),
                    text,
                )
                content = text.encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, content)
    return out.getvalue()


def _add_notes(data: bytes) -> bytes:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.create_sheet(README_SHEET)
    for row in README_ROWS:
        ws.append(list(row))
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 90
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(rows: Sequence[dict[str, Any]], spec: WorkbookSpec) -> bytes:
    from importers.template import write_template

    data = write_template([r for r in rows if r["region_code"] in spec.regions], lang=spec.lang)
    if spec.notes:
        data = _add_notes(data)
    return _fixed_zip(data)


def write_all(out_dir: Path, rows: Sequence[dict[str, Any]]) -> list[tuple[Path, int, WorkbookSpec]]:
    written = []
    for spec in workbook_specs():
        path = out_dir / spec.filename
        path.write_bytes(render(rows, spec))
        written.append((path, sum(1 for r in rows if r["region_code"] in spec.regions), spec))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary directory and compare with sample_inputs/",
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="directory to write (default: here)")
    args = parser.parse_args(argv)

    enterprises, rows = generate()
    bad = [f"{e.uscc}: {uscc_problem(e.uscc)}" for e in enterprises if uscc_problem(e.uscc)]
    if bad:
        raise AssertionError("invalid USCC(s): " + "; ".join(bad))
    summary = check_coverage(rate(rows))

    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            written = write_all(Path(tmp), rows)
            differ = [
                p.name
                for p, _, _ in written
                if not (OUT_DIR / p.name).exists() or (OUT_DIR / p.name).read_bytes() != p.read_bytes()
            ]
        stale = sorted(
            p.name for p in OUT_DIR.glob("*.xlsx") if p.name not in {s.filename for s in workbook_specs()}
        )
        if differ or stale:
            print("sample_inputs differ from the generator: " + ", ".join(differ + stale), file=sys.stderr)
            return 1
        print(f"sample_inputs are up to date ({len(written)} workbooks, {len(rows)} rows)")
        return 0

    print(summary)
    written = write_all(args.out, rows)
    per_year = Counter(r["month"][:4] for r in rows)
    print(
        f"{len(enterprises)} enterprises, {len(rows)} rows "
        f"({', '.join(f'{y}: {n}' for y, n in sorted(per_year.items()))})"
    )
    for path, n, spec in written:
        print(f"  {path.name}: {n} rows; {spec.description_en}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
