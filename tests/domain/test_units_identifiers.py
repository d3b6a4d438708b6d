from __future__ import annotations

import pytest

from carbon.domain.identifiers import (
    Period,
    make_uscc,
    parse_industry,
    region_in_scope,
    region_problem,
    uscc_problem,
)
from carbon.domain.quantities import Dimension, split_header, to_canonical, unit_factor


@pytest.mark.parametrize(
    ("unit", "dimension", "factor"),
    [
        ("kWh", Dimension.ELECTRICITY, 0.001),
        ("MWh", Dimension.ELECTRICITY, 1.0),
        ("万千瓦时", Dimension.ELECTRICITY, 10.0),
        ("亿千瓦时", Dimension.ELECTRICITY, 100_000.0),
        ("kg", Dimension.MASS, 0.001),
        ("吨", Dimension.MASS, 1.0),
        ("万吨", Dimension.MASS, 10_000.0),
        ("m³", Dimension.GAS_VOLUME, 1e-4),
        ("10⁴ m³", Dimension.GAS_VOLUME, 1.0),
        ("万立方米", Dimension.GAS_VOLUME, 1.0),
        ("GJ", Dimension.HEAT, 1.0),
        ("MJ", Dimension.HEAT, 0.001),
        ("百万千焦", Dimension.HEAT, 1.0),
        ("元", Dimension.MONEY, 1e-4),
        ("千元", Dimension.MONEY, 0.1),
        ("万元", Dimension.MONEY, 1.0),
    ],
)
def test_every_design_unit_converts(unit, dimension, factor):
    assert unit_factor(unit, dimension) == pytest.approx(factor)


def test_unit_of_wrong_dimension_is_refused():
    with pytest.raises(KeyError, match="expected electricity"):
        unit_factor("吨", Dimension.ELECTRICITY)
    with pytest.raises(KeyError, match="unknown unit"):
        unit_factor("furlong", Dimension.MASS)


def test_full_width_header_splits():
    assert split_header("天然气（万立方米）") == ("天然气", "万立方米")
    assert split_header("Electricity (MWh)") == ("Electricity", "MWh")
    assert split_header("企业名称") == ("企业名称", None)
    assert to_canonical(1234.5, "万千瓦时", Dimension.ELECTRICITY) == pytest.approx(12345.0)


def test_uscc_check_character():
    code = make_uscc("91330800MA2DXXXX0")
    assert uscc_problem(code) is None
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert "check character" in (uscc_problem(wrong) or "")
    assert "18 characters" in (uscc_problem("123") or "")
    assert "invalid character" in (uscc_problem("91330800MA2DXXXXIO") or "")
    # A published code (Alibaba (China) Co., Ltd.) validates.
    assert uscc_problem("91330100799655058B") is None


def test_industry_section_from_division():
    assert parse_industry("3011").section == "C"
    assert parse_industry("3011").division == "30"
    assert parse_industry("0610").section == "B"
    assert parse_industry("4411").section == "D"
    assert parse_industry("C2614").code == "2614"
    with pytest.raises(ValueError):
        parse_industry("B2614")
    with pytest.raises(ValueError):
        parse_industry("99")
    with pytest.raises(ValueError):
        parse_industry("abc")


def test_region_scope():
    assert region_problem("330802") is None
    assert region_problem("33080") is not None
    assert region_in_scope("330881", "330800")
    assert not region_in_scope("330102", "330800")
    assert region_in_scope("330802", "330802")
    assert not region_in_scope("330803", "330802")
    assert region_in_scope("330102", "330000")


def test_period():
    assert str(Period.parse("2023-05")) == "2023-05"
    with pytest.raises(ValueError):
        Period.parse("2023-13")
