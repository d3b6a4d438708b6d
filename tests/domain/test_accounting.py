from __future__ import annotations

import numpy as np
import pytest

from carbon.domain.accounting import account, account_matrix, intensity
from carbon.domain.errors import FactorMissing
from carbon.domain.quantities import ENERGY_KEYS


def test_design_check_case(fs):
    """DESIGN §5: 10,000 t 烟煤 + 500 × 10⁴ Nm³ 天然气 + 200 t 柴油 = 28,847.62 tCO2."""
    a = account({"bituminous_coal": 10_000, "natural_gas": 500, "diesel": 200}, 2023, fs)
    assert round(a.total, 2) == 28_847.62
    assert a.fuel == a.total
    assert round(a.by_carrier["bituminous_coal"], 4) == round(10_000 * 19.570 * 0.02610 * 0.93 * 44 / 12, 4)


def test_electricity_nets_out_exported_and_green_power(fs):
    a = account({"electricity": 1000, "electricity_exported": 100, "electricity_green": 200}, 2022, fs)
    assert a.electricity == pytest.approx(700 * 0.5366)
    # Energy counts purchased net of exports, green power included.
    assert a.energy_tce == pytest.approx(900 * 0.1229)


def test_grid_factor_is_chosen_by_data_year(fs):
    assert account({"electricity": 1}, 2021, fs).electricity == pytest.approx(0.5568)
    assert account({"electricity": 1}, 2022, fs).electricity == pytest.approx(0.5366)
    assert account({"electricity": 1}, 2023, fs).electricity == pytest.approx(0.5306)


def test_year_without_factor_uses_latest_earlier_and_flags_proxy(fs):
    a = account({"electricity": 1}, 2025, fs)
    assert a.electricity == pytest.approx(0.5306)
    assert a.grid.proxy and a.grid.source_year == 2023
    assert not account({"electricity": 1}, 2023, fs).grid.proxy
    with pytest.raises(FactorMissing):
        account({"electricity": 1}, 2019, fs)


def test_heat_process_and_tce(fs):
    a = account({"heat": 1000, "process_co2": 50, "raw_coal": 10, "natural_gas": 1}, 2023, fs)
    assert a.heat == pytest.approx(110.0)
    assert a.process == 50
    assert a.energy_tce == pytest.approx(1000 * 0.03412 + 10 * 0.7143 + 13.300)


def test_tce_from_ncv_where_standard_lists_no_coefficient(fs):
    a = account({"bituminous_coal": 29.3076}, 2023, fs)
    assert a.energy_tce == pytest.approx(19.570)


def test_matrix_matches_scalar_accounts(fs):
    rng = np.random.default_rng(1)
    q = rng.uniform(0, 100, size=(50, len(ENERGY_KEYS)))
    years = rng.choice([2021, 2022, 2023, 2024], size=50)
    parts, grids = account_matrix(q, years, fs)
    for i in range(50):
        a = account(dict(zip(ENERGY_KEYS, q[i], strict=True)), int(years[i]), fs)
        assert parts[i, 0] == pytest.approx(a.fuel)
        assert parts[i, 2] == pytest.approx(a.electricity)
        assert parts[i, 4] == pytest.approx(a.energy_tce)
    assert grids[2024].proxy


def test_intensity_not_computable_without_positive_value_added():
    assert intensity(10, None) is None
    assert intensity(10, 0) is None
    assert intensity(10, -5) is None
    assert intensity(10, 4) == 2.5
