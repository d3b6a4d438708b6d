"""End to end against an independent oracle: template workbook -> CLI -> JSON == tests/independent.py.

A fresh workbook (30 enterprises × 24 months, its own seed, every fuel of DESIGN §5 used
somewhere, green power, exports, process CO2, a newcomer without a previous year, one
enterprise without value added in 2023, industries above and below the 5-peer minimum)
is written in the official template layout, imported with the ``carbon`` CLI, and every
enterprise's 2023 account and rating are compared with ``tests/independent.py``, which
imports nothing from ``carbon``.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import independent  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SEED = 20260417
YEAR = 2023
REL = 1e-4  # 0.01 %

COUNTIES = ("330802", "330803", "330822", "330824", "330825", "330881")
# (industry code, enterprises): divisions 26, 22, 29 have >= 5 (division peers); 30, 38, 33
# fewer (section C); 10 (section B) and 44 (section D) are too small for a section (all).
INDUSTRIES = (("2614", 7), ("2221", 6), ("2927", 6), ("3011", 3), ("3831", 2), ("3360", 2),
              ("1011", 1), ("4430", 3))  # fmt: skip
FUELS = tuple(independent.FUELS)
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return first17 + CHARSET[(31 - total % 31) % 31]


def make_rows(seed: int = SEED) -> list[dict[str, Any]]:
    """Template rows (template units) for 2022 and 2023."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    fuel_cycle = 0
    n = 0
    for code, count in INDUSTRIES:
        for _ in range(count):
            region = COUNTIES[n % len(COUNTIES)]
            uscc = _uscc("91" + region + "".join(rng.choice(CHARSET) for _ in range(9)))
            va = 1000 * 10 ** rng.uniform(0, 1.7)
            eff = 10 ** rng.gauss(0, 0.3)
            fuels = {}
            for _ in range(rng.randint(1, 3)):
                fuels[FUELS[fuel_cycle % len(FUELS)]] = rng.uniform(0.005, 0.4)
                fuel_cycle += 1
            # Gases are in 10^4 Nm3: about twenty times the energy of a tonne of coal.
            mix = {
                "electricity": rng.uniform(0.02, 0.2),
                **{k: v / 20 if k.endswith("_gas") else v for k, v in fuels.items()},
            }
            if rng.random() < 0.5:
                mix["heat"] = rng.uniform(0.5, 8)
            if code == "3011":
                mix["process_co2"] = rng.uniform(3, 8)
            green = rng.uniform(0.1, 0.6) if rng.random() < 0.25 else 0.0
            export = rng.uniform(0.1, 0.4) if rng.random() < 0.15 else 0.0
            newcomer = n == 5
            blank_va = n == 11
            for year in (2022, 2023):
                if newcomer and year == 2022:
                    continue
                y_eff = eff * (rng.uniform(0.85, 1.12) if year == 2023 else 1.0)
                y_va = va * (rng.uniform(0.95, 1.15) if year == 2023 else 1.0)
                for m in range(1, 13):
                    share = rng.uniform(0.06, 0.105)
                    row: dict[str, Any] = {
                        "uscc": uscc,
                        "name": f"测试{code}企业{n:02d}有限公司",
                        "industry_code": code,
                        "region_code": region,
                        "month": f"{year}-{m:02d}",
                    }
                    for key, per_va in mix.items():
                        row[key] = round(per_va * y_va * share * y_eff * rng.uniform(0.9, 1.1), 3)
                    if green:
                        row["electricity_green"] = round(row["electricity"] * green, 3)
                    if export:
                        row["electricity_exported"] = round(row["electricity"] * export, 3)
                    if not (blank_va and year == 2023):
                        row["value_added"] = round(y_va * share, 2)
                    row["gross_output"] = round(y_va * share * 4.2, 2)
                    row["tax"] = round(y_va * share * 0.3, 2)
                    rows.append(row)
            n += 1
    return rows


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= REL * max(abs(a), abs(b), 1e-9)


def _carbon(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CARBON_DATABASE_URL"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, env=env, timeout=600
    )


def test_cli_agrees_with_independent_calculation(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from api.cli import cli
    from importers.template import write_template

    rows = make_rows()
    workbook = tmp_path / "independent_check.xlsx"
    workbook.write_bytes(write_template(rows, lang="zh"))
    url = f"sqlite:///{tmp_path / 't.db'}"
    usccs = sorted({r["uscc"] for r in rows})
    assert len(usccs) == 30

    assert _carbon("--db", url, "db", "upgrade").returncode == 0  # opening no longer migrates
    proc = _carbon("--db", url, "import", str(workbook), "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    imported = json.loads(proc.stdout)
    assert imported["status"] == "imported", imported
    assert imported["rows_accepted"] == len(rows)
    assert imported["rows_rejected"] == 0
    assert imported["errors"] == []
    assert sorted(imported["enterprises"]) == usccs
    assert len(imported["sha256"]) == 64

    accounts = independent.annual_accounts(rows)
    expected = independent.rate(accounts, YEAR)
    runner = CliRunner()

    def call(*args: str) -> dict[str, Any]:
        result = runner.invoke(cli, ["--db", url, *args, "--json"], catch_exceptions=False)
        assert result.exit_code == 0, f"carbon {' '.join(args)}: {result.output}"
        doc: dict[str, Any] = json.loads(result.stdout)
        return doc

    problems: list[str] = []
    for uscc in usccs:
        acc = accounts[(uscc, YEAR)]
        want = expected[uscc]
        got = call("account", uscc, "--year", str(YEAR))
        em = got["emissions_tco2"]
        checks = [
            ("emissions_tco2.total", em["total"], acc.total),
            ("emissions_tco2.fuel", em["fuel"], acc.fuel),
            ("emissions_tco2.process", em["process"], acc.process),
            ("emissions_tco2.electricity", em["electricity"], acc.electricity),
            ("emissions_tco2.heat", em["heat"], acc.heat),
            ("energy_tce", got["energy_tce"], acc.tce),
            ("value_added", got["value_added"], acc.value_added),
            ("intensity", got["intensity"], acc.intensity),
        ]
        problems += [
            f"{uscc} account {k}: CLI {a!r}, independent {b!r}" for k, a, b in checks if not _close(a, b)
        ]
        if got["uscc"] != uscc:
            problems.append(f"{uscc} account uscc: CLI {got['uscc']!r}")

        got = call("rate", uscc, "--year", str(YEAR))
        ce, td = got["carbon_efficiency"], got["three_dimensional"]
        exact = [
            ("carbon_efficiency.grade", ce["grade"], want.grade),
            ("carbon_efficiency.class", ce["class"], want.intensity_class),
            ("three_dimensional.colour", td["colour"], want.colour),
            ("carbon_efficiency.peer_level", ce["peer_level"], want.peer_level),
            ("carbon_efficiency.peer_count", ce["peer_count"], want.peer_count),
        ]
        for dim in independent.WEIGHTS:
            d = td[dim]
            exact.append(
                (f"three_dimensional.{dim}.score", None if d is None else d["score"], want.scores.get(dim))
            )
        problems += [f"{uscc} rate {k}: CLI {a!r}, independent {b!r}" for k, a, b in exact if a != b]
        near = [
            ("carbon_efficiency.intensity", ce["intensity"], want.intensity),
            ("carbon_efficiency.industry_intensity", ce["industry_intensity"], want.industry_intensity),
            ("carbon_efficiency.ratio", ce["ratio"], want.ratio),
            ("three_dimensional.score", td["score"], None if want.score is None else float(want.score)),
        ]
        problems += [f"{uscc} rate {k}: CLI {a!r}, independent {b!r}" for k, a, b in near if not _close(a, b)]

    assert not problems, f"{len(problems)} disagreement(s):\n" + "\n".join(problems)

    # The data exercise what they are meant to.
    levels = {r.peer_level for r in expected.values()}
    assert levels == {"division", "section", "all", None}, levels
    assert sum(r.grade is None for r in expected.values()) == 1
    assert any(len(r.scores) == 2 for r in expected.values())
    used = {k for r in rows for k in independent.FUELS if r.get(k)}
    assert used == set(independent.FUELS)
