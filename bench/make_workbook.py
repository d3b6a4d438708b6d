"""Large template workbooks for benchmarks: 20,000 enterprises × 12 months = 240,000 rows.

    python bench/make_workbook.py OUT.xlsx [--enterprises N] [--years 2022 2023] [--months 12] [--seed 1]

``make_rows`` yields the same rows in memory (template units: 电力 万千瓦时, fuels 吨 /
万立方米, 热力 吉焦, 工业过程排放 吨二氧化碳, money 万元), so a benchmark can skip the file.
The rows are plausible (industry-specific energy mixes, seasonality, green power and
exports for a few, valid USCCs in the six counties of 衢州) and deterministic for a seed;
``make_workbook`` writes them in the official template layout with
``importers.template.write_template_fast`` (xlsxwriter).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from carbon.domain.identifiers import USCC_CHARSET, make_uscc  # noqa: E402

REGIONS = ("330802", "330803", "330822", "330824", "330825", "330881")

# (GB/T 4754-2017 code, name, weight in the population, VA median 万元, VA/gross output,
#  energy mix per 万元 VA in template units for a firm of average efficiency).
# fmt: off
INDUSTRIES: tuple[tuple[str, str, float, float, float, dict[str, float]], ...] = (
    ("2614", "有机化学原料制造", 6, 9000, 0.22,
     {"natural_gas": 0.040, "bituminous_coal": 0.60, "heat": 6.0, "electricity": 0.18}),
    ("2651", "初级形态塑料及合成树脂制造", 3, 12000, 0.20,
     {"natural_gas": 0.030, "raw_coal": 0.50, "heat": 5.0, "electricity": 0.15}),
    ("3011", "水泥制造", 2, 30000, 0.28,
     {"process_co2": 7.5, "bituminous_coal": 2.4, "electricity": 0.38, "diesel": 0.01}),
    ("3021", "水泥制品制造", 4, 2500, 0.25, {"electricity": 0.06, "diesel": 0.02}),
    ("2221", "机制纸及纸板制造", 6, 6000, 0.20,
     {"heat": 10.0, "natural_gas": 0.025, "electricity": 0.18}),
    ("3130", "钢压延加工", 5, 5000, 0.15, {"natural_gas": 0.030, "electricity": 0.10}),
    ("2927", "日用塑料制品制造", 14, 1800, 0.22, {"electricity": 0.080, "natural_gas": 0.0010}),
    ("3360", "金属表面处理及热处理加工", 10, 1200, 0.30,
     {"electricity": 0.10, "natural_gas": 0.008, "heat": 1.0}),
    ("1713", "棉印染精加工", 8, 2500, 0.25,
     {"heat": 9.0, "bituminous_coal": 0.30, "natural_gas": 0.010, "electricity": 0.09}),
    ("3831", "电线、电缆制造", 6, 4000, 0.15,
     {"electricity": 0.035, "natural_gas": 0.0012, "diesel": 0.002}),
    ("3484", "机械零部件加工", 20, 1500, 0.25, {"electricity": 0.045, "natural_gas": 0.002}),
    ("2710", "化学药品原料药制造", 4, 5000, 0.35,
     {"heat": 4.0, "natural_gas": 0.010, "electricity": 0.08}),
    ("1011", "石灰石、石膏开采", 1, 1000, 0.40, {"diesel": 0.18, "electricity": 0.07}),
    ("4430", "热力生产和供应", 1, 3000, 0.30,
     {"bituminous_coal": 6.0, "natural_gas": 0.02, "electricity": 0.15}),
)

SEASON = (0.88, 0.62, 1.02, 1.03, 1.05, 1.00, 0.97, 0.98, 1.04, 1.06, 1.09, 1.14)
HEAT_SEASON = (1.22, 1.15, 1.05, 0.95, 0.90, 0.85, 0.84, 0.85, 0.90, 0.96, 1.06, 1.18)
POWER_SEASON = (1.00, 0.98, 0.97, 0.96, 1.00, 1.06, 1.12, 1.12, 1.02, 0.97, 0.97, 1.00)

# Company names: county, a two-character trade name, the industry's usual suffix.
COUNTY_SHORT = {"330802": "柯城", "330803": "衢江", "330822": "常山", "330824": "开化", "330825": "龙游",
                "330881": "江山"}
TRADE_CHARS = "恒达华信金鑫宏远瑞丰永盛天禾新源鼎泰明辉科润嘉诚锦程同力润泽东升联协和安凯顺博众佳宝正诚德晟"
SUFFIX = {"2614": "化工有限公司", "2651": "新材料有限公司", "3011": "水泥有限公司", "3021": "建材有限公司",
          "2221": "纸业有限公司", "3130": "钢材有限公司", "2927": "塑业有限公司", "3360": "表面处理有限公司",
          "1713": "印染有限公司", "3831": "电缆有限公司", "3484": "机械有限公司", "2710": "药业有限公司",
          "1011": "矿业有限公司", "4430": "热电有限公司"}
DECIMALS = {"electricity": 2, "electricity_exported": 2, "electricity_green": 2, "heat": 0,
            "natural_gas": 3, "process_co2": 1}
# fmt: on


def _uscc(index: int, region: str, rng: random.Random) -> str:
    """Valid and unique per index: 5 characters encode the index, 4 are random."""
    digits = []
    n = index
    for _ in range(5):
        n, d = divmod(n, len(USCC_CHARSET))
        digits.append(USCC_CHARSET[d])
    tail = "".join(rng.choice(USCC_CHARSET) for _ in range(4))
    return make_uscc("91" + region + "".join(reversed(digits)) + tail)


def make_rows(
    enterprises: int = 20000,
    years: Sequence[int] = (2023,),
    months: int = 12,
    seed: int = 1,
) -> Iterator[dict[str, Any]]:
    """Yield template rows enterprise by enterprise, year by year, month by month."""
    if not 1 <= months <= 12:
        raise ValueError("months must be 1..12")
    if enterprises > len(USCC_CHARSET) ** 5:
        raise ValueError("too many enterprises for unique codes")
    rng = random.Random(seed)
    weights = [ind[2] for ind in INDUSTRIES]
    years = sorted(years)
    for i in range(enterprises):
        code, _, _, va_median, va_ratio, base_mix = rng.choices(INDUSTRIES, weights)[0]
        region = REGIONS[rng.randrange(len(REGIONS))]
        uscc = _uscc(i, region, rng)
        trade = rng.choice(TRADE_CHARS) + rng.choice(TRADE_CHARS)
        company = f"{COUNTY_SHORT[region]}{trade}{SUFFIX[code]}"
        va = va_median * math.exp(rng.gauss(0.0, 0.7))
        efficiency = math.exp(rng.gauss(0.0, 0.45))
        mix = {k: v * rng.uniform(0.85, 1.15) for k, v in base_mix.items()}
        green = rng.uniform(0.1, 0.5) if rng.random() < 0.06 else 0.0
        export = rng.uniform(0.1, 0.3) if "bituminous_coal" in mix and rng.random() < 0.05 else 0.0
        tax_rate = rng.uniform(0.03, 0.07)
        for year in years:
            season = [s * rng.uniform(0.95, 1.05) for s in SEASON[:months]]
            total = sum(season)
            for m in range(months):
                share = season[m] / total * months / 12
                month_va = va * share
                row: dict[str, Any] = {
                    "uscc": uscc,
                    "name": company,
                    "industry_code": code,
                    "region_code": region,
                    "month": f"{year}-{m + 1:02d}",
                }
                for key, per_va in mix.items():
                    q = per_va * month_va * efficiency * rng.uniform(0.96, 1.04)
                    if key == "heat":
                        q *= HEAT_SEASON[m]
                    elif key == "electricity":
                        q *= POWER_SEASON[m]
                    row[key] = round(q, DECIMALS.get(key, 1))
                power = row.get("electricity", 0.0)
                if green:
                    row["electricity_green"] = round(power * green, 2)
                if export:
                    row["electricity_exported"] = round(power * export, 2)
                gross = month_va / va_ratio
                row["value_added"] = round(month_va, 2)
                row["gross_output"] = round(gross, 2)
                row["tax"] = round(gross * tax_rate, 2)
                yield row
            va *= rng.uniform(0.95, 1.15)
            efficiency *= rng.uniform(0.88, 1.06)


def make_workbook(
    path: str | Path | IO[bytes],
    enterprises: int = 20000,
    year: int = 2023,
    months: int = 12,
    seed: int = 1,
    years: Sequence[int] | None = None,
    lang: str = "zh",
) -> int:
    """Write a template-layout workbook; ``years`` (e.g. ``(2022, 2023)``) overrides ``year``.

    Returns the number of data rows written.
    """
    from importers.template import write_template_fast

    counted = 0

    def counting() -> Iterator[dict[str, Any]]:
        nonlocal counted
        for row in make_rows(enterprises, years or (year,), months, seed):
            counted += 1
            yield row

    write_template_fast(counting(), path, lang=lang)
    return counted


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a large template-layout energy workbook.")
    parser.add_argument("out", type=Path, help="output .xlsx")
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--years", type=int, nargs="+", default=[2023])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    n = make_workbook(
        args.out, args.enterprises, months=args.months, seed=args.seed, years=args.years, lang=args.lang
    )
    elapsed = time.perf_counter() - start
    print(
        f"{args.out}: {n} rows ({args.enterprises} enterprises × {len(args.years)} year(s) × "
        f"{args.months} months) in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
