"""What-if per carrier (issue 5 "Explanations"): how much of which carrier, that carrier
alone, an enterprise must cut to reach a better grade, class or colour.

The population is hand-sized: four peers of 10,000 tCO2 and 10,000 万元 each, and a target
with the DESIGN §5 check case (10,000 t 烟煤 + 500 × 10⁴ Nm³ 天然气 + 200 t 柴油 = 28,847.62
tCO2) plus 20,000 MWh of grid power (× 0.5306 = 10,612 tCO2) and 1,000 GJ of heat (× 0.11
= 110 tCO2) in 2023: 39,569.62 tCO2 on 10,000 万元.
"""

from __future__ import annotations

import math

import pytest

from carbon.domain.accounting import account, carrier_inputs, with_factors
from carbon.domain.rating import RatingInput, rate_population
from carbon.domain.what_if import thresholds, what_if

CHECK_CASE = {"bituminous_coal": 10_000.0, "natural_gas": 500.0, "diesel": 200.0}
TARGET = {**CHECK_CASE, "electricity": 20_000.0, "heat": 1_000.0}

COAL = 19.570 * 0.02610 * 0.93 * 44 / 12  # 1.74174957 tCO2/t
GAS = 389.31 * 0.01530 * 0.99 * 44 / 12  # 21.62188809 tCO2 per 10⁴ Nm³
DIESEL = 42.652 * 0.02020 * 0.98 * 44 / 12  # 3.09590964 tCO2/t
GRID_2023 = 0.5306


def ent(i, e, va, carriers=None, prev=None):
    return RatingInput(
        uscc=f"E{i:03d}",
        division="30",
        section="C",
        region="330802",
        emissions=e,
        denominators={"value_added": va, "gross_output": va * 4, "tax": va / 5},
        previous_emissions=prev,
        previous_denominators=None
        if prev is None
        else {"value_added": va, "gross_output": va * 4, "tax": va / 5},
        carriers=carriers,
    )


def population(target_e, carriers):
    return [*(ent(i, 10_000.0, 10_000.0) for i in range(4)), ent(99, target_e, 10_000.0, carriers)]


@pytest.fixture(scope="module")
def target(fs):
    carriers = carrier_inputs(TARGET, 2023, fs)
    total = account(TARGET, 2023, fs).total
    return total, carriers


def test_carrier_inputs_of_the_design_check_case(fs):
    carriers = {c["key"]: c for c in carrier_inputs(CHECK_CASE, 2023, fs)}
    assert list(carriers) == ["bituminous_coal", "diesel", "natural_gas"]  # field order
    assert carriers["bituminous_coal"]["tco2_per_unit"] == pytest.approx(COAL)
    assert carriers["natural_gas"]["tco2_per_unit"] == pytest.approx(GAS)
    assert carriers["diesel"]["tco2_per_unit"] == pytest.approx(DIESEL)
    assert round(sum(c["emissions_tco2"] for c in carriers.values()), 2) == 28_847.62
    coal = carriers["bituminous_coal"]
    assert (coal["quantity"], coal["unit"]) == (10_000.0, "t")
    assert carriers["natural_gas"]["unit"] == "10^4 Nm3"
    # With the factor set: each factor's derivation and source.
    described = {c["key"]: c for c in with_factors(list(carriers.values()), fs, 2023)}
    f = described["bituminous_coal"]["factor"]
    assert f["value"] == pytest.approx(COAL) and f["unit"] == "tCO2/t"
    assert (f["ncv_gj_per_unit"], f["cc_tc_per_gj"], f["oxidation"]) == (19.570, 0.02610, 0.93)
    assert "GB/T 32151" in f["source"]["document"]
    assert described["natural_gas"]["name_zh"] == "天然气"
    assert described["diesel"]["quantity"] == 200.0  # the stored figures are kept


def test_electricity_and_heat_inputs_name_their_factors(fs):
    q = {"electricity": 1000.0, "electricity_exported": 100.0, "electricity_green": 200.0, "heat": 50.0}
    carriers = {c["key"]: c for c in with_factors(carrier_inputs(q, 2022, fs), fs, 2022)}
    el = carriers["electricity"]
    assert (el["purchased"], el["exported"], el["green"], el["quantity"]) == (1000.0, 100.0, 200.0, 700.0)
    assert el["tco2_per_unit"] == 0.5366
    assert el["factor"]["value"] == 0.5366 and el["factor"]["year"] == 2022
    assert el["factor"]["factor_proxy"] is False
    assert "公告2024年第33号" in el["factor"]["source"]["document"]
    assert el["emissions_tco2"] == pytest.approx(700 * 0.5366)
    heat = carriers["heat"]
    assert heat["tco2_per_unit"] == heat["factor"]["value"] == 0.11
    assert heat["emissions_tco2"] == pytest.approx(5.5)
    assert "0.11" in heat["factor"]["source"]["document"]
    assert sum(c["emissions_tco2"] for c in carriers.values()) == pytest.approx(account(q, 2022, fs).total)
    # A year without a published grid factor: the proxy is named.
    proxy = with_factors(carrier_inputs({"electricity": 1.0}, 2025, fs), fs, 2025)[0]["factor"]
    assert (proxy["year"], proxy["factor_proxy"]) == (2023, True)


def test_explanation_carries_carriers_that_sum_to_its_emissions(methodology, target):
    total, carriers = target
    assert total == pytest.approx(28_847.62 + 10_612.0 + 110.0, abs=0.005)
    r = rate_population(population(total, carriers), 2023, methodology)[-1]
    ex = r.explanation()
    assert [c["key"] for c in ex["carriers"]] == [
        "electricity",
        "heat",
        "bituminous_coal",
        "diesel",
        "natural_gas",
    ]
    assert sum(c["emissions_tco2"] for c in ex["carriers"]) == pytest.approx(ex["emissions_tco2"])
    # Given no carriers (older explanations), the key is absent and cuts list no carriers.
    bare = rate_population(population(total, None), 2023, methodology)[-1]
    assert "carriers" not in bare.explanation()
    assert all(
        c.carriers == () and c.as_dict()["carriers"] == [] for c in what_if(bare.explanation(), methodology)
    )


def test_cut_to_grade_four_per_carrier_by_hand(methodology, target):
    """K = (39,569.62 / 10,000) / (79,569.62 / 50,000) = 2.486 → grade 5. Grade 4 needs K ≤ 2.0
    with the target inside its peers: E ≤ 2 × 10,000 × 40,000 / (50,000 − 2 × 10,000) =
    26,666.67, a cut of 12,902.96 tCO2 (rounded up to the cent); from one carrier alone:
    烟煤 12,902.96 / 1.74174957 = 7,408.05 t of 10,000 (enough); 电力 12,902.96 / 0.5306 =
    24,317.68 MWh of 20,000 (not enough); 天然气 596.75 of 500 × 10⁴ Nm³ (not enough)."""
    total, carriers = target
    r = rate_population(population(total, carriers), 2023, methodology)[-1]
    assert r.grade == 5 and r.ratio == pytest.approx((total / 10_000) / ((40_000 + total) / 50_000))
    cuts = {(c.kind, c.target): c for c in what_if(r.explanation(), methodology)}
    g4 = cuts[("grade", "4")]
    assert g4.cut_tco2 == pytest.approx(math.ceil((total - 80_000 / 3) * 100) / 100)
    assert g4.cut_tco2 == pytest.approx(12_902.96)
    per = {c.key: c.as_dict() for c in g4.carriers}
    assert per["bituminous_coal"]["amount"] == pytest.approx(12_902.96 / COAL)
    assert per["bituminous_coal"]["amount"] == pytest.approx(7_408.05, abs=0.01)
    assert per["bituminous_coal"]["enough"] is True
    assert per["bituminous_coal"]["share_pct"] == pytest.approx(74.08)
    assert per["bituminous_coal"]["text"] == "烟煤 7,409 t (7,409 吨)"
    el = per["electricity"]
    assert el["amount"] == pytest.approx(24_317.68, abs=0.01) and el["enough"] is False
    assert (el["unit"], el["template_unit"]) == ("MWh", "万千瓦时")
    assert el["amount_template"] == pytest.approx(el["amount"] / 10)
    assert el["text"].startswith(
        "电力 24,318 MWh (2,432 万千瓦时): more than its whole annual use, 20,000 MWh"
    )
    assert per["natural_gas"]["amount"] == pytest.approx(12_902.96 / GAS) and not per["natural_gas"]["enough"]
    assert per["natural_gas"]["text"].startswith("天然气 596.8 10^4 Nm3 (596.8 万立方米)")
    assert per["heat"]["amount"] == pytest.approx(12_902.96 / 0.11) and not per["heat"]["enough"]
    assert per["diesel"]["amount"] == pytest.approx(12_902.96 / DIESEL) and not per["diesel"]["enough"]
    # Better grades need more than any one carrier gives.
    assert not any(c.enough for c in cuts[("grade", "3")].carriers)


def _rerated(methodology, new_e):
    return rate_population(population(new_e, None), 2023, methodology)[-1]


def test_every_enough_carrier_cut_applied_reaches_its_target(methodology, target):
    """Recompute K (and class, score, colour) with the target's emissions cut by amount ×
    factor of each carrier said to be enough: the target is reached."""
    total, carriers = target
    r = rate_population(population(total, carriers), 2023, methodology)[-1]
    checked = 0
    for cut in what_if(r.explanation(), methodology):
        for c in cut.carriers:
            assert c.amount * c.tco2_per_unit == pytest.approx(cut.cut_tco2)
            if not c.enough:
                continue
            after = _rerated(methodology, total - c.amount * c.tco2_per_unit)
            if cut.kind == "grade":
                assert after.grade <= int(cut.target)
            elif cut.kind == "class":
                assert after.intensity_class == cut.target
            else:
                assert methodology.colour_rank(after.colour) <= methodology.colour_rank(cut.target)
            checked += 1
    assert checked >= 2  # grade 4 and yellow by coal


def test_net_exporter_electricity_is_no_lever(fs, methodology):
    q = {"electricity": 100.0, "electricity_exported": 150.0, "bituminous_coal": 5_000.0}
    carriers = carrier_inputs(q, 2023, fs)
    # exports beyond purchases floor the emitting electricity at zero (no credit for exports)
    assert carriers[0]["key"] == "electricity" and carriers[0]["quantity"] == 0.0
    total = account(q, 2023, fs).total
    r = rate_population(population(total, carriers), 2023, methodology)[-1]
    cuts = what_if(r.explanation(), methodology)
    assert cuts and all([c.key for c in cut.carriers] == ["bituminous_coal"] for cut in cuts)


def test_thresholds_name_every_bound_weight_and_score(methodology):
    t = thresholds(methodology)
    assert t["class_upper_bounds"] == {"low": 0.6, "medium": 2.0}
    assert t["grade_upper_bounds"] == [0.6, 0.8, 1.2, 2.0]
    assert t["dimensions"]["industry_advanced"] == {
        "weight": 0.4,
        "denominator": "value_added",
        "bounds": [0.6, 0.8, 1.2, 2.0],
        "direction": "lower_better",
    }
    assert t["dimensions"]["regional_contribution"]["bounds"] == [1.5, 1.2, 0.8, 0.5]
    assert t["dimensions"]["historical_decline"]["direction"] == "higher_better"
    assert t["scores"] == [100, 80, 60, 40, 20]
    assert [c["id"] for c in t["colours"]] == ["dark_green", "light_green", "yellow", "red"]
    assert t["colours"][0]["min_score"] == 80
