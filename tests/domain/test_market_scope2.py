"""Market-based scope 2: a second figure beside location-based (DESIGN §3, issue 5).

Expected values are worked by hand from the factors of DESIGN §5 (grid 2022 0.5366, 2023
0.5306 tCO2/MWh) and, where a factor set has a ``market`` section, its residual mix.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from carbon.domain.accounting import account, account_matrix, market_electricity, market_matrix
from carbon.domain.errors import InvalidReferenceData, InvalidValue
from carbon.domain.factors import (
    EXCLUDING_MARKET_NON_FOSSIL,
    GRID_AVERAGE_PROXY,
    RESIDUAL_MIX,
    parse_factor_set,
)
from carbon.domain.quantities import ENERGY_KEYS

DATA = Path(__file__).resolve().parents[2] / "carbon" / "data"
MIX_SOURCE = {"document": "hypothetical residual mix for tests", "assumption": True}


def with_market(residual_mix: dict[str, object]) -> dict:
    doc = json.loads((DATA / "factor_sets" / "cn-default-2.json").read_text("utf-8"))
    doc = copy.deepcopy(doc)
    doc["id"], doc["market"] = "cn-market-test", {"residual_mix": residual_mix}
    return doc


@pytest.fixture(scope="module")
def fs_mix():
    return parse_factor_set(
        with_market(
            {
                "2022": {"value": 0.6100, "unit": "tCO2/MWh", "source": MIX_SOURCE},
                "2023": {"value": 0.5800, "unit": "tCO2/MWh", "source": MIX_SOURCE},
            }
        )
    )


# -- factor data ---------------------------------------------------------------------------


def test_set_without_market_section_uses_grid_average_and_says_so(fs_v1):
    fs = fs_v1
    f = fs.market_factor(2023)
    assert (f.basis, f.value, f.source_year, f.proxy) == (GRID_AVERAGE_PROXY, 0.5306, 2023, False)
    d = f.as_dict()
    assert d["basis"] == "grid_average_proxy" and d["unit"] == "tCO2/MWh" and d["year"] == 2023
    assert "公告2025年第47号" in d["source"]["document"]
    assert "China publishes no official residual mix" in d["source"]["note"]
    assert d["source"]["assumption"] is True
    # A year without a grid factor: the latest earlier one, flagged.
    f25 = fs.market_factor(2025)
    assert (f25.value, f25.source_year, f25.proxy) == (0.5306, 2023, True)


def test_market_section_gives_residual_mix_by_year(fs_mix):
    f = fs_mix.market_factor(2023)
    assert (f.basis, f.value, f.source_year, f.proxy) == (RESIDUAL_MIX, 0.58, 2023, False)
    assert f.as_dict()["source"] == MIX_SOURCE
    assert fs_mix.market_factor(2022).value == 0.61
    later = fs_mix.market_factor(2024)
    assert (later.basis, later.value, later.source_year, later.proxy) == (RESIDUAL_MIX, 0.58, 2023, True)
    # No residual mix for 2021 or before: the 2021 grid average as a stated proxy.
    early = fs_mix.market_factor(2021)
    assert (early.basis, early.value) == (GRID_AVERAGE_PROXY, 0.5568)


@pytest.mark.parametrize(
    ("market", "message"),
    [
        ("0.58", "residual_mix"),
        ({"residual_mix": {}}, "map years"),
        ({"residual_mix": {"twenty": {"value": 0.5, "unit": "tCO2/MWh", "source": "x"}}}, "not a year"),
        ({"residual_mix": {"2023": {"value": 0.5, "unit": "kgCO2/kWh", "source": "x"}}}, "unit must be"),
        (
            {"residual_mix": {"2023": {"value": "0.5", "unit": "tCO2/MWh", "source": "x"}}},
            "expected a number",
        ),
        ({"residual_mix": {"2023": {"value": 580, "unit": "tCO2/MWh", "source": "x"}}}, "outside"),
        ({"residual_mix": {"2023": {"value": 0.5, "unit": "tCO2/MWh"}}}, "source"),
    ],
)
def test_bad_market_sections_are_refused(market, message):
    doc = with_market({})
    doc["market"] = market
    with pytest.raises(InvalidReferenceData, match=message):
        parse_factor_set(doc)


# -- the formula ---------------------------------------------------------------------------


def test_market_electricity_with_green_supplier_and_residual(fs_mix):
    """1,000 purchased − 100 exported; 200 green at 0; 300 under contract at 0.40;
    the other 400 at the residual mix 0.58: 300 × 0.40 + 400 × 0.58 = 120 + 232 = 352 tCO2."""
    m = market_electricity(
        1000.0, 100.0, 200.0, fs_mix.market_factor(2023), supplier_mwh=300.0, supplier_factor=0.40
    )
    assert (m.green_mwh, m.supplier_mwh, m.residual_mwh) == (200.0, 300.0, 400.0)
    assert m.supplier_tco2 == pytest.approx(120.0)
    assert m.residual_tco2 == pytest.approx(232.0)
    assert m.tco2 == pytest.approx(352.0)


def test_green_power_lowers_market_figure_by_green_times_factor(fs_mix):
    f = fs_mix.market_factor(2023)
    without = market_electricity(1000.0, 0.0, 0.0, f).tco2
    with_green = market_electricity(1000.0, 0.0, 250.0, f).tco2
    assert without == pytest.approx(580.0)
    assert without - with_green == pytest.approx(250.0 * 0.58)


def test_covered_beyond_consumption_floors_at_zero_never_negative(fs):
    """DESIGN §9.1: the remainder is max(0, P − X − G − C): certificates beyond consumption
    claim nothing more, and nothing is negative."""
    f = fs.market_factor(2023)
    assert market_electricity(1000.0, 500.0, 600.0, f).tco2 == 0.0  # consumed 500, green 600
    over = market_electricity(1000.0, 0.0, 600.0, f, supplier_mwh=500.0, supplier_factor=0.3)
    assert over.residual_mwh == 0.0 and over.tco2 == pytest.approx(150.0)
    # Exactly all of it covered: residual zero, no error.
    assert market_electricity(1000.0, 0.0, 700.0, f, supplier_mwh=300.0, supplier_factor=0.3).tco2 == (
        pytest.approx(90.0)
    )
    # A net exporter with no certificate or contract: the residual share is zero, not negative.
    assert market_electricity(100.0, 300.0, 0.0, f).tco2 == 0.0


def test_contract_needs_its_factor_and_quantities_are_not_negative(fs):
    f = fs.market_factor(2023)
    with pytest.raises(InvalidValue, match="supplier"):
        market_electricity(1000.0, 0.0, 0.0, f, supplier_mwh=100.0)
    with pytest.raises(InvalidValue, match="negative"):
        market_electricity(-1.0, 0.0, 0.0, f)
    with pytest.raises(InvalidValue, match="negative"):
        market_electricity(1.0, 0.0, 0.0, f, supplier_mwh=-1.0, supplier_factor=0.3)


# -- in the account ------------------------------------------------------------------------


def test_design_check_case_with_electricity_both_figures(fs, fs_mix):
    """DESIGN §5 check case (28,847.62 tCO2 of fuel) plus 1,000 MWh bought, 200 MWh of it green,
    in 2023: location 800 × 0.5306 = 424.48; market 800 × 0.58 = 464 with a residual mix, and
    800 × 0.5306 with the grid average as its proxy."""
    q = {
        "bituminous_coal": 10_000,
        "natural_gas": 500,
        "diesel": 200,
        "electricity": 1000,
        "electricity_green": 200,
    }
    a = account(q, 2023, fs_mix)
    assert round(a.fuel, 2) == 28_847.62
    assert a.electricity == pytest.approx(424.48)
    assert a.electricity_market == pytest.approx(464.0)
    assert round(a.total, 2) == 29_272.10
    assert round(a.total_market, 2) == 29_311.62
    e = a.emissions()
    assert {
        "total", "fuel", "process", "electricity", "heat", "electricity_location", "electricity_market",
        "total_location", "total_market", "biogenic",
    } == set(e)  # fmt: skip
    # location-based does not deduct green power: 1,000 × 0.5306
    assert a.electricity_location == pytest.approx(530.6)
    assert a.market.basis == RESIDUAL_MIX
    v2 = account(q, 2023, fs)  # cn-default@2: MEE's factor excluding market-traded non-fossil power
    assert v2.market.basis == EXCLUDING_MARKET_NON_FOSSIL
    assert v2.electricity_market == pytest.approx(800 * 0.6096)
    # green power: location-based > rating basis ≥ 0, market at the excluding factor
    assert v2.electricity_location > v2.electricity >= 0
    assert v2.total_location == pytest.approx(v2.total + 200 * 0.5306)


def test_account_without_electricity_has_equal_figures(fs):
    a = account({"heat": 1000, "process_co2": 50}, 2022, fs)
    assert a.electricity_market == 0.0
    assert a.total_market == pytest.approx(a.total) == pytest.approx(160.0)


def test_month_with_green_beyond_consumption_floors_every_figure_at_zero(fs):
    a = account({"electricity": 100, "electricity_exported": 60, "electricity_green": 50}, 2022, fs)
    assert a.electricity == 0.0  # max(0, 100 − 60 − 50): never negative (DESIGN §9.1)
    assert a.electricity_location == pytest.approx(40 * 0.5366)  # max(0, 100 − 60)
    assert a.electricity_market == 0.0 and a.total_market == a.total
    exporter = account({"electricity": 100, "electricity_exported": 260}, 2022, fs)
    assert (exporter.electricity, exporter.electricity_location, exporter.energy_tce) == (0.0, 0.0, 0.0)


def test_market_matrix_matches_scalar_accounts(fs, fs_mix):
    rng = np.random.default_rng(7)
    n = 60
    q = rng.uniform(0, 100, size=(n, len(ENERGY_KEYS)))
    p, x, g = (ENERGY_KEYS.index(k) for k in ("electricity", "electricity_exported", "electricity_green"))
    q[:, x] = rng.uniform(0, 0.2, n) * q[:, p]
    q[:, g] = rng.uniform(0, 1, n) * q[:, p] * 0.7
    q[:5, g] = 0.0
    q[:5, x] = q[:5, p] + 10  # net exporters with no green power: zero
    q[5:8, x] = q[5:8, p] - q[5:8, g] / 2  # green beyond consumption: floors at zero
    years = rng.choice([2021, 2022, 2023, 2024], size=n)
    for factor_set in (fs, fs_mix):
        market, factors = market_matrix(q, years, factor_set)
        parts, _ = account_matrix(q, years, factor_set)
        assert factors[2024].proxy
        for i in range(n):
            a = account(dict(zip(ENERGY_KEYS, q[i], strict=True)), int(years[i]), factor_set)
            assert market[i] == pytest.approx(a.electricity_market)
        assert (market[:8] == 0).all()
