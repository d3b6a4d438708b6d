"""Market-based scope 2 and the per-carrier what-if through the API (SQLite and PostgreSQL).

A small template workbook, 2023, six enterprises of division 30 in 330802:

- T: January the DESIGN §5 check case (10,000 t 烟煤, 500 万立方米 天然气, 200 t 柴油 =
  28,847.62 tCO2); every month 100 万千瓦时 of power, 20 of it green; 1,000 万元 value added.
- W: the same without green power.
- four peers: 50 万千瓦时 and 1,000 万元 a month.

cn-default@1 has no residual mix, so the market figure uses the 2023 grid average 0.5306 as
a stated proxy: T's market-based electricity is (12,000 − 2,400) × 0.5306 = 5,093.76 tCO2,
W's 12,000 × 0.5306 = 6,367.20, lower for T by green × factor = 2,400 × 0.5306 = 1,273.44.
"""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from api.cli import cli
from carbon.domain.identifiers import make_uscc
from importers.template import write_template

T = make_uscc("91330802MKT000000")
W = make_uscc("91330802MKT000001")
PEERS = [make_uscc(f"91330802MKT00010{i}") for i in range(4)]
VA = 1_000.0  # 万元 a month


def rows(coal: float = 10_000.0) -> list[dict[str, object]]:
    """The workbook's rows; ``coal``: T's January 烟煤 (t)."""
    out: list[dict[str, object]] = []
    for uscc, elec, green in [(T, 100.0, 20.0), (W, 100.0, 0.0), *((p, 50.0, 0.0) for p in PEERS)]:
        for m in range(1, 13):
            row: dict[str, object] = {
                "uscc": uscc,
                "name": f"市场法测试{uscc[-4:]}",
                "industry_code": "3011",
                "region_code": "330802",
                "month": f"2023-{m:02d}",
                "electricity": elec,
                "electricity_green": green,
                "value_added": VA,
            }
            if m == 1 and uscc in (T, W):
                row.update(bituminous_coal=coal if uscc == T else 10_000.0, natural_gas=500.0, diesel=200.0)
            out.append(row)
    return out


def upload(client, data: bytes, name: str):
    r = client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )
    assert r.status_code == 201, r.json
    return r


@pytest.fixture
def loaded(client):
    upload(client, write_template(rows()), "market.xlsx")
    return client


def test_account_shows_both_figures(loaded, db_url):
    t = loaded.get(f"/api/v1/enterprises/{T}/accounts/2023").json
    w = loaded.get(f"/api/v1/enterprises/{W}/accounts/2023").json
    et, ew = t["emissions_tco2"], w["emissions_tco2"]
    # DESIGN §8 keys unchanged, the market figures beside them.
    assert {
        "total", "fuel", "process", "electricity", "heat", "electricity_location", "electricity_market",
        "total_location", "total_market", "biogenic",
    } == set(et)  # fmt: skip
    assert et["electricity_location"] == pytest.approx(12_000 * 0.5306)  # green power not deducted
    assert round(et["fuel"], 2) == 28_847.62
    assert et["electricity"] == pytest.approx(9_600 * 0.5306)
    assert et["electricity_market"] == pytest.approx(9_600 * 0.6096)
    assert ew["electricity_market"] == pytest.approx(12_000 * 0.6096)
    assert ew["electricity_market"] - et["electricity_market"] == pytest.approx(2_400 * 0.6096)
    assert et["total_market"] == pytest.approx(
        et["fuel"] + et["process"] + et["electricity_market"] + et["heat"]
    )
    assert t["market_basis"] == "grid_excluding_market_non_fossil"
    mf = t["market_factor"]
    assert (mf["value"], mf["unit"], mf["year"], mf["factor_proxy"]) == (0.6096, "tCO2/MWh", 2023, False)
    assert "不包括市场化交易的非化石能源电量" in mf["source"]["document"]
    assert "公告2025年第47号" in mf["source"]["document"] and "assumption" not in mf["source"]
    assert t["market_note"] is None

    month = loaded.get(f"/api/v1/enterprises/{T}/accounts/2023?month=2023-02").json
    em = month["emissions_tco2"]
    assert em["electricity"] == pytest.approx(800 * 0.5306)
    assert em["electricity_market"] == pytest.approx(800 * 0.6096)
    assert em["total_market"] == pytest.approx(em["total"] - 800 * 0.5306 + 800 * 0.6096)
    assert month["market_basis"] == "grid_excluding_market_non_fossil"

    result = CliRunner().invoke(cli, ["--db", db_url, "account", T, "--year", "2023"], catch_exceptions=False)
    assert result.exit_code == 0
    line = next(ln for ln in result.stdout.splitlines() if "market-based 市场法" in ln)
    assert "5,852.16" in line and "grid_excluding_market_non_fossil" in line


def _grade(k: float) -> int:
    bounds = (0.6, 0.8, 1.2, 2.0)
    return next((g for g, b in enumerate(bounds, start=1) if k <= b * (1 + 1e-9)), 5)


def test_what_if_carriers_reach_the_target(loaded, db_url):
    r = loaded.get(f"/api/v1/enterprises/{T}/ratings/2023").json
    ex = r["explanation"]
    assert r["carbon_efficiency"]["grade"] == 5
    # The explanation names every input total and factor with its source, and the thresholds.
    carriers = {c["key"]: c for c in ex["carriers"]}
    assert list(carriers) == ["electricity", "bituminous_coal", "diesel", "natural_gas"]
    el = carriers["electricity"]
    assert (el["purchased"], el["green"], el["quantity"]) == (12_000.0, 2_400.0, 9_600.0)
    assert el["factor"]["value"] == 0.5306 and "公告2025年第47号" in el["factor"]["source"]["document"]
    assert all(c["factor"]["source"]["document"] for c in carriers.values())
    assert sum(c["emissions_tco2"] for c in carriers.values()) == pytest.approx(ex["emissions_tco2"])
    assert ex["thresholds"]["grade_upper_bounds"] == [0.6, 0.8, 1.2, 2.0]
    assert "carriers_derived_on_read" not in ex

    e, va = ex["emissions_tco2"], ex["denominators"]["value_added"]
    peers = ex["carbon_efficiency_peers"]
    assert (peers["level"], peers["count"]) == ("division", 6)
    cuts = {(c["kind"], c["target"]): c for c in ex["cuts"]}
    g4 = cuts[("grade", "4")]
    # Hand: ΣE = 33,941.3817 + 35,214.8217 + 4 × 3,183.60 = 81,890.6034 on 72,000 万元; E ≤ 2 × 12,000
    # × (81,890.6034 − 33,941.3817) / (72,000 − 24,000) = 23,974.6108, a cut of 9,966.7708, i.e.
    # 9,966.78 tCO2 rounded up to the cent.
    assert g4["cut_tco2"] == 9_966.78
    per = {c["key"]: c for c in g4["carriers"]}
    assert per["bituminous_coal"]["enough"] is True
    assert per["bituminous_coal"]["amount"] == pytest.approx(
        9_966.78 / (19.570 * 0.02610 * 0.93 * 44 / 12), abs=0.01
    )
    assert per["electricity"]["enough"] is False  # 18,784 MWh needed, 9,600 emit
    assert per["electricity"]["amount_template"] == pytest.approx(per["electricity"]["amount"] / 10)

    # Recompute K with each carrier's cut, from the explanation's own peer sums: every amount
    # reaches grade 4; it is "enough" where the carrier's annual use covers it.
    for c in g4["carriers"]:
        after = e - c["amount"] * c["tco2_per_unit"]
        k = (after / va) / ((peers["emissions_tco2"] - e + after) / peers["denominator_sum"])
        assert _grade(k) == 4 and k == pytest.approx(2.0, rel=1e-5)
        assert c["enough"] == (c["amount"] <= carriers[c["key"]]["quantity"])

    text = (
        CliRunner().invoke(cli, ["--db", db_url, "rate", T, "--year", "2023"], catch_exceptions=False).stdout
    )
    assert f"one carrier alone 单一能源: {per['bituminous_coal']['text']}" in text

    # And for real: the same workbook with that much less coal in January rates grade 4.
    coal_cut = per["bituminous_coal"]["amount"]
    upload(loaded, write_template(rows(coal=10_000.0 - coal_cut)), "market-cut.xlsx")
    again = loaded.get(f"/api/v1/enterprises/{T}/ratings/2023").json
    assert again["emissions_tco2"] == pytest.approx(e - 9_966.78, abs=1e-3)  # the answer shows 0.001 t
    assert again["carbon_efficiency"]["grade"] == 4


def test_colour_cut_by_one_carrier_reaches_the_colour(loaded):
    ex = loaded.get(f"/api/v1/enterprises/{T}/ratings/2023").json["explanation"]
    colour_cuts = [c for c in ex["cuts"] if c["kind"] == "colour"]
    assert colour_cuts
    first = colour_cuts[0]
    coal = next(c for c in first["carriers"] if c["key"] == "bituminous_coal")
    assert coal["enough"] is True
    upload(loaded, write_template(rows(coal=10_000.0 - coal["amount"])), "market-colour.xlsx")
    after = loaded.get(f"/api/v1/enterprises/{T}/ratings/2023").json["three_dimensional"]["colour"]
    assert after == first["target"]


def test_results_stored_before_market_figures_and_carriers(app, loaded, db_url):
    """An account stored without the market figure says so and a recalculation adds it (the
    account counts as changed); a rating stored without carriers gets them from the current
    inputs when these still add up to its emissions."""
    from sqlalchemy import select, update

    from carbon.store.models import AccountRow, RatingRow

    with app.extensions["carbon_db"].unit_of_work() as s:
        s.execute(
            update(AccountRow).values(
                electricity_market=None, total_market=None, electricity_location=None, total_location=None
            )
        )
        for r in s.scalars(select(RatingRow)):
            r.explanation = {k: v for k, v in r.explanation.items() if k != "carriers"}
    t = loaded.get(f"/api/v1/enterprises/{T}/accounts/2023").json
    assert t["emissions_tco2"]["electricity_market"] is None and t["emissions_tco2"]["total_market"] is None
    assert "recalculation" in t["market_note"]
    ex = loaded.get(f"/api/v1/enterprises/{T}/ratings/2023").json["explanation"]
    assert ex["carriers_derived_on_read"] is True
    assert [c["key"] for c in ex["carriers"]] == ["electricity", "bituminous_coal", "diesel", "natural_gas"]
    assert all(cut["carriers"] for cut in ex["cuts"])

    result = CliRunner().invoke(
        cli, ["--db", db_url, "recalc", "--year", "2023", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["accounts_written"] == 6
    t = loaded.get(f"/api/v1/enterprises/{T}/accounts/2023").json
    assert t["emissions_tco2"]["electricity_market"] == pytest.approx(9_600 * 0.6096)
    assert t["market_note"] is None
