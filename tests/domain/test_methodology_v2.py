"""cn-default@2 and quzhou-3d@2 (methodology v2): each case seen in review, as a test.

Every expected figure is worked by hand from the factors in the shipped documents.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest

from carbon.domain.accounting import INPUT_KEYS, account, account_matrix, derive_matrix
from carbon.domain.errors import FactorMissing, InvalidReferenceData
from carbon.domain.factors import EXCLUDING_MARKET_NON_FOSSIL, parse_factor_set
from carbon.domain.methodology import parse_methodology
from carbon.domain.quantities import ENERGY_KEYS
from carbon.domain.rating import FULL_YEAR, RatingInput, rate_population
from carbon.domain.what_if import what_if

DATA = Path(__file__).resolve().parents[2] / "carbon" / "data"


def _doc(kind: str, name: str) -> dict:
    return json.loads((DATA / kind / name).read_text("utf-8"))


def ent(i, e, va, *, prev=None, prev_va=None, division="30", mask=FULL_YEAR):
    return RatingInput(
        uscc=f"E{i:03d}",
        division=division,
        section="C",
        region="330802",
        emissions=e,
        denominators={"value_added": va, "gross_output": va * 4, "tax": va / 5},
        previous_emissions=prev,
        previous_denominators=None
        if prev is None
        else {"value_added": prev_va or va, "gross_output": 1, "tax": 1},
        month_mask=mask,
    )


def by_uscc(ratings):
    return {r.uscc: r for r in ratings}


# -- electricity: three figures, floored month by month (§9.1) --------------------------------


def test_green_power_location_above_rating_basis_market_at_excluding_factor(fs):
    """35 % green power: location-based counts it, the rating basis deducts it, market-based
    puts the rest at MEE's factor that excludes market-traded non-fossil power."""
    q = {"electricity": 10_000.0, "electricity_green": 3_500.0}
    a = account(q, 2023, fs)
    assert a.electricity == pytest.approx(6_500 * 0.5306)
    assert a.electricity_location == pytest.approx(10_000 * 0.5306)
    assert a.electricity_location / a.electricity == pytest.approx(1 / 0.65)  # 54 % higher
    assert a.market is not None and a.market.basis == EXCLUDING_MARKET_NON_FOSSIL
    assert a.electricity_market == pytest.approx(6_500 * 0.6096)
    assert a.electricity_location > a.electricity >= 0
    assert a.energy_tce == pytest.approx(10_000 * 0.1229)  # green power is consumed energy


@pytest.mark.parametrize("year, factor", [(2021, 0.5942), (2022, 0.5856), (2023, 0.6096)])
def test_excluding_market_factor_by_year_and_proxy_after(fs, year, factor):
    assert fs.market_factor(year).value == factor and not fs.market_factor(year).proxy
    later = fs.market_factor(2025)
    assert (later.value, later.source_year, later.proxy) == (0.6096, 2023, True)


def test_month_with_exports_above_purchases_is_zero_not_negative(fs):
    """v1 gave −159 tCO2 for such a month, lowering the year's total: now it floors at zero."""
    months = np.zeros((2, len(ENERGY_KEYS)))
    p, x = ENERGY_KEYS.index("electricity"), ENERGY_KEYS.index("electricity_exported")
    months[0, p], months[0, x] = 100.0, 400.0  # exports 300 MWh more than purchases
    months[1, p] = 500.0
    parts, _ = account_matrix(months, [2022, 2022], fs)
    assert parts[0, 2] == 0.0 and parts[0, 5] == 0.0 and parts[0, 4] == 0.0
    # the year is the sum of the floored months, not the floor of the summed year
    year = derive_matrix(months).sum(axis=0, keepdims=True)
    total, _ = account_matrix(year, [2022], fs)
    assert total[0, 2] == pytest.approx(500 * 0.5366)
    assert year[0, INPUT_KEYS.index("electricity_emitting")] == 500.0


# -- carriers (§9.3) ---------------------------------------------------------------------------


def test_cleaned_coal_ncv_corrected_in_v2_and_kept_in_v1(fs, fs_v1):
    assert fs.fuels["cleaned_coal"].ncv == 26.344
    assert fs_v1.fuels["cleaned_coal"].ncv == 26.334


@pytest.mark.parametrize(
    "key",
    ["other_washed_coal", "briquette", "lng", "refinery_gas", "naphtha", "tar", "crude_benzene", "other_gas"],
)
def test_v2_has_the_rest_of_the_carriers_with_sources(fs, key):
    f = fs.fuels[key]
    assert f.tco2_per_unit > 0 and f.tce > 0 and f.source.document and f.source.verified is not None
    a = account({key: 10.0}, 2023, fs)
    assert a.fuel == pytest.approx(10 * f.ncv * f.cc * f.oxidation * 44 / 12)


def test_biomass_counts_energy_and_no_fossil_co2(fs):
    a = account({"biomass": 100.0, "bituminous_coal": 10.0}, 2023, fs)
    coal = fs.fuels["bituminous_coal"].tco2_per_unit * 10
    bio = fs.fuels["biomass"]
    assert a.fuel == pytest.approx(coal) and a.total == pytest.approx(coal)
    assert a.biogenic == pytest.approx(100 * bio.tco2_per_unit) and a.biogenic > 0
    assert a.energy_tce == pytest.approx(100 * bio.tce + 10 * fs.fuels["bituminous_coal"].tce)
    assert "biomass" not in a.by_carrier


def test_a_carrier_the_factor_set_lacks_is_refused_never_zero(fs_v1):
    with pytest.raises(FactorMissing, match="液化天然气.*cn-default@1"):
        account({"lng": 5.0}, 2023, fs_v1)
    q = np.zeros((1, len(ENERGY_KEYS)))
    q[0, ENERGY_KEYS.index("lng")] = 5.0
    with pytest.raises(FactorMissing, match="液化天然气"):
        account_matrix(q, [2023], fs_v1)
    assert account({"lng": 0.0, "diesel": 1.0}, 2023, fs_v1).fuel > 0  # a zero column is no use


# -- strict documents (§9.5) -------------------------------------------------------------------


def test_v1_methodology_misplaced_region_level_is_refused_at_publish_but_stays_readable():
    doc = _doc("methodologies", "quzhou-3d-1.json")
    with pytest.raises(InvalidReferenceData, match="region_level"):
        parse_methodology(doc)
    assert parse_methodology(doc, strict=False).region_level == "county"


@pytest.mark.parametrize(
    "path, value",
    [
        (("colour",), "red"),
        (("three_dimensional", "dimensions", "historical_decline", "weigth"), 0.3),
        (("carbon_efficiency", "min_peer"), 3),
        (("edge_rules", "zero_emission"), {"reason": "x"}),
        (("three_dimensional", "source", "url"), "x"),
    ],
)
def test_unknown_or_misplaced_methodology_keys_are_refused(path, value):
    doc = copy.deepcopy(_doc("methodologies", "quzhou-3d-2.json"))
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    with pytest.raises(InvalidReferenceData, match="unknown"):
        parse_methodology(doc)


def test_emission_basis_must_be_known():
    doc = copy.deepcopy(_doc("methodologies", "quzhou-3d-2.json"))
    doc["emission_basis"] = "scope1"
    with pytest.raises(InvalidReferenceData, match="emission_basis"):
        parse_methodology(doc)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.__setitem__("colour", 1),
        lambda d: d["fuels"]["diesel"].__setitem__("ncv_gj", 1),
        lambda d: d["grid"]["2023"].__setitem__("year", 2023),
        lambda d: d["fuels"]["diesel"]["source"].__setitem__("url", "x"),
        lambda d: d["market"].__setitem__("residual_mix", {}),
        lambda d: d["fuels"]["diesel"].__setitem__("biogenic", True),
        lambda d: d["fuels"]["biomass"].pop("biogenic"),
    ],
)
def test_factor_set_documents_are_validated_strictly(mutate):
    doc = copy.deepcopy(_doc("factor_sets", "cn-default-2.json"))
    mutate(doc)
    with pytest.raises(InvalidReferenceData):
        parse_factor_set(doc)


def test_every_shipped_v2_document_passes_strict_validation():
    for name in ("cn-default-2.json",):
        parse_factor_set(_doc("factor_sets", name))
    parse_methodology(_doc("methodologies", "quzhou-3d-2.json"))


# -- edge rules (§9.5) -------------------------------------------------------------------------


def test_zero_emissions_low_grade_one_every_dimension_100_with_reason(methodology):
    peers = [ent(i, 1000.0, 1000.0, prev=1000.0) for i in range(5)]
    r = by_uscc(rate_population([*peers, ent(9, 0.0, 500.0, prev=10.0)], 2023, methodology))["E009"]
    assert (r.intensity, r.intensity_class, r.ratio, r.grade) == (0.0, "low", 0.0, 1)
    assert all(d.score == 100 and d.reason and "L = 0" in d.reason for d in r.dimensions)
    assert r.colour == "dark_green" and r.rules == ("zero_emissions",)
    assert r.explanation()["edge_rules"] == ["zero_emissions"]
    assert what_if(r.explanation(), methodology) == []


def test_v1_zero_emissions_kept_its_unlabelled_result(methodology_v1):
    peers = [ent(i, 1000.0, 1000.0) for i in range(5)]
    r = by_uscc(rate_population([*peers, ent(9, 0.0, 500.0)], 2023, methodology_v1))["E009"]
    reg = r.dimension("regional_contribution")
    assert reg is not None and reg.value is None and reg.reason is None  # C = ∞, as v1 stored it


def test_peer_intensity_not_positive_falls_back_a_level(methodology):
    from carbon.domain.rating import Aggregates

    inputs = [ent(i, 0.0, 100.0, division="30") for i in range(5)]
    inputs += [ent(10 + i, 100.0, 100.0, division="31") for i in range(5)]
    agg = Aggregates(inputs, "value_added", skip_non_positive=True)
    g = agg.peers(inputs[0], ("division", "section", "all"), 5)
    assert g is not None and g.level == "section" and g.emissions > 0
    legacy = Aggregates(inputs, "value_added").peers(inputs[0], ("division", "section", "all"), 5)
    assert legacy is not None and legacy.level == "division"


def test_zero_previous_intensity_is_not_assessed_with_reason(methodology):
    peers = [ent(i, 1000.0, 1000.0, prev=1000.0) for i in range(5)]
    r = by_uscc(rate_population([*peers, ent(9, 800.0, 1000.0, prev=0.0)], 2023, methodology))["E009"]
    hist = r.dimension("historical_decline")
    assert hist is not None and hist.score is None and hist.weight == 0.0
    assert "zero" in (hist.reason or "") and "上一年度强度为零" in (hist.reason or "")
    assert r.rules == ("zero_previous_intensity",)
    assert sum(d.weight for d in r.dimensions) == pytest.approx(1.0)


def test_energy_basis_leaves_process_co2_out(methodology):
    doc = copy.deepcopy(_doc("methodologies", "quzhou-3d-2.json"))
    doc["version"], doc["emission_basis"] = 99, "energy"
    energy = parse_methodology(doc)
    assert energy.emission_basis == "energy" and methodology.emission_basis == "total"
    r = rate_population([ent(i, 100.0, 100.0) for i in range(5)], 2023, energy)[0]
    assert r.explanation()["emission_basis"] == "energy"


# -- provisional years (§9.4) ------------------------------------------------------------------


def test_a_year_to_date_is_provisional_and_names_its_months(methodology):
    from carbon.services.views import rating_headline  # the rating's view (one shape, services)

    r = rate_population([ent(i, 100.0 * (i + 1), 100.0, mask=0b111) for i in range(5)], 2024, methodology)[0]
    headline = rating_headline(r)
    assert r.provisional and headline["provisional"] is True and headline["months"] == [1, 2, 3]
    full = rate_population([ent(i, 100.0, 100.0) for i in range(5)], 2023, methodology)[0]
    assert not full.provisional and rating_headline(full)["months"] == list(range(1, 13))


def test_intensity_divides_emissions_of_the_months_that_report_value_added(methodology):
    """3 months of emissions (300 t), value added in 1 month (100 万元) reporting 100 t:
    L = 100 / 100 = 1.0, not 300 / 100 = 3.0."""
    denominators = {"value_added": 100.0, "gross_output": None, "tax": None}
    r = RatingInput(
        "E001", "30", "C", "330802", 100.0, denominators, emissions_by_denominator={"value_added": 100.0}
    )
    rated = rate_population([r, *[ent(i, 100.0, 100.0) for i in range(2, 7)]], 2023, methodology)
    assert rated[0].intensity == pytest.approx(1.0)
    assert not math.isinf(rated[0].ratio or 0.0)
