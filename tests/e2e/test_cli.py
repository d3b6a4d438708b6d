"""The ``carbon`` command against DESIGN §8: JSON keys, exit codes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_inputs").glob("*.xlsx"))


def carbon(db_url: str, *args: str) -> tuple[int, object, str]:
    result = CliRunner().invoke(cli, ["--db", db_url, *args], catch_exceptions=False)
    out = result.stdout
    doc = json.loads(out) if "--json" in args and out.strip() else None
    return result.exit_code, doc, out + result.stderr


@pytest.fixture
def imported(db_url):
    code, doc, _ = carbon(db_url, "import", str(SAMPLES[0]), "--json")
    assert code == 0 and doc["status"] == "imported"
    return doc


def test_import_json_contract_and_idempotence(db_url):
    code, doc, _ = carbon(db_url, "import", str(SAMPLES[0]), "--dry-run", "--json")
    assert code == 0 and doc["status"] == "dry_run"
    code, doc, _ = carbon(db_url, "import", str(SAMPLES[0]), "--json")
    assert code == 0
    assert {"status", "sha256", "rows_accepted", "rows_rejected", "errors", "enterprises"} <= set(doc)
    assert doc["status"] == "imported" and doc["rows_rejected"] == 0 and len(doc["sha256"]) == 64
    assert all(len(u) == 18 for u in doc["enterprises"])
    code, again, _ = carbon(db_url, "import", str(SAMPLES[0]), "--json")
    assert code == 0 and again["status"] == "unchanged" and again["sha256"] == doc["sha256"]


def test_rejected_import_exits_1_and_lists_cells(db_url, tmp_path):
    from importers.template import write_template

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        write_template(
            [
                {
                    "uscc": "91330802MA2D0000X1",
                    "name": "x",
                    "industry_code": "3011",
                    "region_code": "330802",
                    "month": "2023-02",
                    "diesel": -5,
                }
            ]
        )
    )
    code, doc, _ = carbon(db_url, "import", str(bad), "--json")
    assert code == 1 and doc["status"] == "rejected" and doc["rows_rejected"] == 1
    assert all({"sheet", "row", "column", "message"} <= set(e) for e in doc["errors"])
    assert any(e["row"] == 2 and e["column"] == "A" for e in doc["errors"])
    code, _, text = carbon(db_url, "import", str(bad))
    assert code == 1 and "能源数据" in text


def test_account_and_rate_json_contract(db_url, imported):
    uscc = imported["enterprises"][0]
    code, acc, _ = carbon(db_url, "account", uscc, "--year", "2023", "--json")
    assert code == 0
    assert {
        "uscc",
        "period",
        "emissions_tco2",
        "energy_tce",
        "value_added",
        "intensity",
        "factor_set",
        "methodology",
    } <= set(acc)
    # The DESIGN §8 keys, and market-based scope 2 beside them (a second figure, issue 5).
    assert set(acc["emissions_tco2"]) == {"total", "fuel", "process", "electricity", "heat"} | {
        "electricity_location",
        "electricity_market",
        "total_location",
        "total_market",
        "biogenic",
    }
    assert acc["market_basis"] == "grid_excluding_market_non_fossil"
    assert acc["period"] == "2023" and isinstance(acc["energy_tce"], float)
    code, month, _ = carbon(db_url, "account", uscc, "--year", "2023", "--month", "2023-03", "--json")
    assert code == 0 and month["period"] == "2023-03"
    code, rating, _ = carbon(db_url, "rate", uscc, "--year", "2023", "--json")
    assert code == 0 and rating["uscc"] == uscc and rating["year"] == 2023
    ce = rating["carbon_efficiency"]
    assert {"intensity", "class", "industry_intensity", "ratio", "grade", "peer_level", "peer_count"} <= set(
        ce
    )
    assert ce["class"] in ("low", "medium", "high") and ce["peer_level"] in ("division", "section", "all")
    td = rating["three_dimensional"]
    assert {"industry_advanced", "regional_contribution", "historical_decline", "score", "colour"} <= set(td)
    assert td["colour"] in ("dark_green", "light_green", "yellow", "red")
    assert set(td["industry_advanced"]) == {"value", "score"}
    code, _, text = carbon(db_url, "rate", uscc, "--year", "2023")
    assert code == 0 and "碳效码" in text


def test_errors_and_usage(db_url, imported):
    code, doc, _ = carbon(db_url, "account", "913308020000000000", "--year", "2023", "--json")
    assert code == 1 and doc["error"]["code"] == "unknown_enterprise"
    code, _, _ = carbon(db_url, "account", imported["enterprises"][0])  # --year missing
    assert code == 2
    code, _, _ = carbon(db_url, "import", "/nonexistent.xlsx")
    assert code == 2
    code, doc, _ = carbon(db_url, "recalc", "--year", "2023", "--factor-set", "nope@9", "--json")
    assert code == 1 and "nope@9" in doc["error"]["message"]


@pytest.mark.parametrize(
    "args",
    [
        ("account", "91330802MA2D0000X1", "--year", "2023", "--month", "2023-13"),
        ("account", "91330802MA2D0000X1", "--year", "2023", "--month", "abc"),
        ("account", "91330802MA2D0000X1", "--year", "2023", "--month", "2023/1"),
        ("account", "91330802MA2D0000X1", "--year", "2023", "--month", "2023-3"),
        ("report", "monthly", "--region", "330800", "--month", "2023-00", "--out", "unused"),
        ("report", "monthly", "--region", "330800", "--month", "六月", "--out", "unused"),
        ("recalc", "--year", "2023", "--factor-set", "nope"),
        ("recalc", "--year", "2023", "--methodology", "quzhou-3d@v2"),
        ("factor-sets", "show", "cn-default"),
        ("methodologies", "retire", "quzhou-3d@", "--reason", "x"),
    ],
)
def test_malformed_values_are_usage_errors(db_url, args):
    """A month or a version that cannot be read is a usage error (exit 2) with click's
    message naming the option and the reason in both languages; nothing is looked up."""
    result = CliRunner().invoke(cli, ["--db", db_url, *args, "--json"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""  # no JSON document for a command that never ran
    assert "Invalid value for" in result.stderr
    assert re.search(r"YYYY-MM / 月份格式应为YYYY-MM|ID@VERSION.* / 应为", result.stderr), result.stderr


def test_well_formed_but_unknown_values_are_input_errors(db_url, imported):
    uscc = imported["enterprises"][0]
    code, doc, _ = carbon(db_url, "account", uscc, "--year", "2023", "--month", "2022-03", "--json")
    assert code == 1 and doc["error"]["code"] == "not_found"  # a month outside the year asked for
    code, doc, _ = carbon(db_url, "factor-sets", "show", "nope@9", "--json")
    assert code == 1 and "nope@9" in doc["error"]["message"]


def test_json_is_utf8_and_figures_are_rounded(db_url, imported):
    """Chinese as characters, not \\u escapes; figures rounded where they leave the service
    (carbon/domain/rounding.py): amounts to 0.001, intensities to 6 significant digits."""

    def decimals(x: float) -> int:
        return max(0, -int(Decimal(repr(x)).as_tuple().exponent))

    def significant(x: float) -> int:
        return len(Decimal(repr(x)).normalize().as_tuple().digits)

    uscc = imported["enterprises"][0]
    for command in ("account", "rate"):
        result = CliRunner().invoke(cli, ["--db", db_url, command, uscc, "--year", "2023", "--json"])
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        assert re.search(r"[\u4e00-\u9fff]", doc["name"]) and doc["name"] in result.stdout
        assert "\\u" not in result.stdout
    acc = json.loads(
        CliRunner().invoke(cli, ["--db", db_url, "account", uscc, "--year", "2023", "--json"]).stdout
    )
    figures = [v for v in acc["emissions_tco2"].values() if v is not None]
    figures += [acc["energy_tce"], *acc["emissions_by_carrier"].values()]
    assert figures and all(decimals(v) <= 3 for v in figures), figures
    assert any(decimals(v) > 0 for v in figures)  # rounded, not truncated to whole tonnes
    assert acc["intensity"] is not None and significant(acc["intensity"]) <= 6
    rating = json.loads(
        CliRunner().invoke(cli, ["--db", db_url, "rate", uscc, "--year", "2023", "--json"]).stdout
    )
    assert decimals(rating["emissions_tco2"]) <= 3
    assert significant(rating["carbon_efficiency"]["ratio"]) <= 6


def test_recalc_dry_run_and_run_with_same_versions_change_nothing(db_url, imported):
    code, doc, _ = carbon(db_url, "recalc", "--year", "2023", "--dry-run", "--json")
    assert code == 0 and doc["status"] == "dry_run"
    assert doc["ratings_written"] == 0 and doc["ratings_unchanged"] == len(imported["enterprises"])
    code, doc, _ = carbon(db_url, "recalc", "--year", "2023", "--factor-set", "cn-default@2", "--json")
    assert code == 0 and doc["accounts_written"] == 0 and doc["factor_sets"] == {"2023": "cn-default@2"}


def test_demo_imports_samples_and_prints_summary(db_url):
    code, _, text = carbon(db_url, "demo", "--no-serve")
    assert code == 0
    assert "enterprises 企业: 55" in text
    assert "2023: total" in text and "dark_green" in text
    code, _, text = carbon(db_url, "demo", "--no-serve")
    assert code == 0 and text.count("unchanged") == len(SAMPLES)
