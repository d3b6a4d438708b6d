"""Supplier contracts enter the market-based scope 2 (only), through the API, on SQLite and
PostgreSQL."""

from __future__ import annotations

import io

import pytest

from carbon.domain.identifiers import make_uscc
from importers.template import write_template

CODE = make_uscc("91330802MA2CNTR01")


def _workbook(green: float = 0.0) -> bytes:
    rows = [
        {
            "uscc": CODE, "name": "合同测试企业", "industry_code": "2614", "region_code": "330802",
            "month": f"2023-{m:02d}", "electricity": 100.0, "electricity_green": green, "value_added": 500.0,
        }
        for m in range(1, 13)
    ]  # fmt: skip
    return write_template(rows)


@pytest.fixture
def enterprise(client):
    r = client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(_workbook(green=10.0)), "w.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 201, r.json
    return client


def test_a_supplier_contract_changes_the_market_figure_only(enterprise):
    client = enterprise
    before = client.get(f"/api/v1/enterprises/{CODE}/accounts/2023").json
    # 1,200 万千瓦时 = 12,000 MWh purchased, 1,200 MWh green: market = 10,800 × 0.6096 (MEE's 2023
    # factor excluding market-traded non-fossil power, cn-default@2)
    assert before["emissions_tco2"]["electricity_market"] == pytest.approx(10800 * 0.6096)
    r = client.post(
        f"/api/v1/enterprises/{CODE}/supplier-contracts",
        json={"year": 2023, "supplier": "衢州水电", "amount": 300, "unit": "万千瓦时",
              "factor_tco2_per_mwh": 0.05, "evidence": "PPA 2023-017"},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    assert r.json["contract"]["mwh"] == pytest.approx(3000.0) and r.json["job"]["status"] == "done"
    after = client.get(f"/api/v1/enterprises/{CODE}/accounts/2023").json
    assert after["emissions_tco2"]["electricity_market"] == pytest.approx(3000 * 0.05 + 7800 * 0.6096)
    assert after["emissions_tco2"]["electricity"] == before["emissions_tco2"]["electricity"]
    assert after["emissions_tco2"]["total"] == before["emissions_tco2"]["total"]
    assert [c["supplier"] for c in after["supplier_contracts"]] == ["衢州水电"]
    # the same supplier again supersedes; the earlier record stays readable
    r = client.post(
        f"/api/v1/enterprises/{CODE}/supplier-contracts",
        json={"year": 2023, "supplier": "衢州水电", "amount": 1000, "factor_tco2_per_mwh": 0.0,
              "evidence": "PPA 2023-017 amended"},
    )  # fmt: skip
    assert r.status_code == 201
    again = client.get(f"/api/v1/enterprises/{CODE}/accounts/2023").json
    assert again["emissions_tco2"]["electricity_market"] == pytest.approx(9800 * 0.6096)
    history = client.get(f"/api/v1/enterprises/{CODE}/supplier-contracts").json
    assert [(c["mwh"], c["current"]) for c in history] == [(3000.0, False), (1000.0, True)]


def test_contracts_beyond_consumption_floor_the_remainder_at_zero(enterprise):
    """20,000 MWh under contract against 10,800 MWh consumed net of green power: the contract
    counts at its factor, the remainder is max(0, …) = 0, never negative."""
    r = enterprise.post(
        f"/api/v1/enterprises/{CODE}/supplier-contracts",
        json={"year": 2023, "supplier": "x", "amount": 20000, "factor_tco2_per_mwh": 0.1, "evidence": "e"},
    )
    assert r.status_code == 201
    account = enterprise.get(f"/api/v1/enterprises/{CODE}/accounts/2023").json
    assert account["emissions_tco2"]["electricity_market"] == pytest.approx(20_000 * 0.1)


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            {"year": 2023, "supplier": "x", "amount": 1, "factor_tco2_per_mwh": 530.6, "evidence": "e"},
            "outside",
        ),
        (
            {"year": 2023, "supplier": "x", "amount": -1, "factor_tco2_per_mwh": 0.1, "evidence": "e"},
            "positive",
        ),
        (
            {
                "year": 2023,
                "supplier": "x",
                "amount": 1,
                "unit": "吨",
                "factor_tco2_per_mwh": 0.1,
                "evidence": "e",
            },
            "unit",
        ),
        ({"year": 2023, "supplier": "x", "amount": 1, "factor_tco2_per_mwh": 0.1}, "evidence"),
        # found by schemathesis: a NUL in the text was a 500 on PostgreSQL (text cannot hold it)
        (
            {"year": 2023, "supplier": "x\x00", "amount": 1, "factor_tco2_per_mwh": 0.1, "evidence": "e"},
            "supplier: must not contain NUL",
        ),
        (
            {"year": 2023, "supplier": "x", "amount": 1, "factor_tco2_per_mwh": 0.1, "evidence": "e\x00"},
            "evidence: must not contain NUL",
        ),
    ],
)
def test_bad_contracts_are_422_and_store_nothing(enterprise, body, expected):
    r = enterprise.post(f"/api/v1/enterprises/{CODE}/supplier-contracts", json=body)
    assert r.status_code == 422 and expected in str(r.json), r.json
    assert enterprise.get(f"/api/v1/enterprises/{CODE}/supplier-contracts").json == []


def test_unknown_enterprise_is_404(client):
    r = client.post(
        f"/api/v1/enterprises/{CODE}/supplier-contracts",
        json={"year": 2023, "supplier": "x", "amount": 1, "factor_tco2_per_mwh": 0.1, "evidence": "e"},
    )
    assert r.status_code == 404
