"""Methodology v2 through the API, on SQLite and PostgreSQL: accounts and ratings of the
cases seen in review (negative electricity months, green power's three figures, value added
in some months, years to date compared with the same months of their peers).

Figures are worked by hand from cn-default@2 (grid 2023 0.5306, excluding-market 0.6096).
"""

from __future__ import annotations

import io

import pytest

from carbon.domain.identifiers import make_uscc
from importers.template import write_template

A = make_uscc("913308022WA000000")  # green power, an export-heavy month
B = make_uscc("913308022WB000000")  # three months, value added in one
PEERS = [make_uscc(f"913308022WP00000{i}") for i in range(5)]
Y = make_uscc("913308022WY000000")  # a year to date: 2024-01..03 only
L = make_uscc("913308022WL000000")  # a lime kiln: process CO2 beside its fuel


def row(uscc: str, month: str, **figures: object) -> dict[str, object]:
    return {
        "uscc": uscc,
        "name": f"方法二测试{uscc[-4:]}",
        "industry_code": "3011",
        "region_code": "330802",
        "month": month,
        **figures,
    }


def rows() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for m in range(1, 13):
        # A: 100 MWh a month (10 万kWh), 35 MWh of it green; in July exports 60 MWh beyond purchases
        exported = 16.0 if m == 7 else 0.0
        green = 0.0 if m == 7 else 3.5
        out.append(row(A, f"2023-{m:02d}", electricity=10.0, electricity_exported=exported,
                       electricity_green=green, value_added=100.0))  # fmt: skip
        for i, p in enumerate(PEERS):
            for year in (2023, 2024):
                # the peers' first quarter is far dirtier than the rest of their year
                coal = 400.0 if m <= 3 else 10.0
                out.append(row(p, f"{year}-{m:02d}", bituminous_coal=coal + 10 * i, value_added=100.0))
    for m in (1, 2, 3):
        out.append(row(B, f"2023-{m:02d}", bituminous_coal=100.0, value_added=100.0 if m == 1 else None))
        out.append(row(Y, f"2024-{m:02d}", bituminous_coal=300.0, value_added=100.0))
        out.append(row(Y, f"2023-{m:02d}", bituminous_coal=300.0, value_added=100.0))
    for m in range(4, 13):
        out.append(row(Y, f"2023-{m:02d}", bituminous_coal=300.0, value_added=100.0))
    for m in range(1, 13):
        out.append(row(L, f"2023-{m:02d}", bituminous_coal=50.0, process_co2=400.0, value_added=100.0))
    return out


@pytest.fixture
def loaded(client):
    r = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(write_template(rows())), "v2.xlsx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.json
    return client


def test_new_results_name_the_v2_versions(loaded):
    acc = loaded.get(f"/api/v1/enterprises/{A}/accounts/2023").json
    assert acc["factor_set"] == {"id": "cn-default", "version": 2}
    assert acc["methodology"]["id"] == "quzhou-3d" and acc["methodology"]["version"] == 2
    assert acc["methodology"]["doc"] == "docs/methodology.md"
    rating = loaded.get(f"/api/v1/enterprises/{A}/ratings/2023").json
    assert rating["methodology"]["doc"] == "docs/methodology.md"
    assert rating["explanation"]["methodology"]["doc"] == "docs/methodology.md"


def test_three_electricity_figures_and_the_floor(loaded):
    """11 months of 100 MWh with 35 green, and July: 100 bought, 160 exported (floored)."""
    acc = loaded.get(f"/api/v1/enterprises/{A}/accounts/2023").json
    e = acc["emissions_tco2"]
    assert e["electricity"] == pytest.approx(11 * 65 * 0.5306)  # July adds 0, not −60 × 0.5306
    assert e["electricity_location"] == pytest.approx(11 * 100 * 0.5306)
    assert e["electricity_market"] == pytest.approx(11 * 65 * 0.6096)
    assert e["electricity_location"] > e["electricity"] >= 0
    assert e["total_location"] == pytest.approx(e["total"] + 11 * 35 * 0.5306)
    assert acc["energy_tce"] == pytest.approx(11 * 100 * 0.1229)
    assert acc["electricity_floored_months"] == ["2023-07"]
    july = loaded.get(f"/api/v1/enterprises/{A}/accounts/2023?month=2023-07").json
    assert (
        july["emissions_tco2"]["electricity"] == 0.0 and july["emissions_tco2"]["electricity_location"] == 0.0
    )
    assert july["energy_tce"] == 0.0


def test_intensity_over_the_months_that_report_value_added(loaded):
    """B: 3 months of 100 t coal, value added only in January: L = Jan emissions / Jan VA."""
    acc = loaded.get(f"/api/v1/enterprises/{B}/accounts/2023").json
    per_t = 19.57 * 0.0261 * 0.93 * 44 / 12
    assert acc["emissions_tco2"]["total"] == pytest.approx(300 * per_t)
    assert acc["intensity"] == pytest.approx(100 * per_t / 100.0)  # not 3× that
    assert acc["energy_intensity"] == pytest.approx(100 * 19.57 / 29.3076 / 100.0, rel=1e-3)
    assert acc["coverage"]["months_energy"] == [1, 2, 3]
    assert acc["coverage"]["months_value_added"] == [1]
    assert acc["provisional"] is True
    rating = loaded.get(f"/api/v1/enterprises/{B}/ratings/2023").json
    assert rating["carbon_efficiency"]["intensity"] == pytest.approx(100 * per_t / 100.0)
    assert rating["provisional"] is True and rating["months"] == [1, 2, 3]
    assert rating["status_label"] == "暂评"


def test_year_to_date_compared_with_the_same_months_of_peers_and_itself(loaded):
    """Y has 2024-01..03 only. Its peers burn 400+ t a month in Q1 and 10+ t after: over
    the same months they are dirtier than Y's 300 t, over their whole year far cleaner."""
    r = loaded.get(f"/api/v1/enterprises/{Y}/ratings/2024").json
    assert r["provisional"] is True and r["months"] == [1, 2, 3]
    per_t = 19.57 * 0.0261 * 0.93 * 44 / 12
    peers_q1 = sum(3 * (400 + 10 * i) for i in range(5)) * per_t / (5 * 3 * 100.0)
    own = 900 * per_t / 300.0
    ce = r["carbon_efficiency"]
    assert ce["intensity"] == pytest.approx(own)
    # the peer group is every enterprise of division 30 over Jan–Mar (Y included)
    group = r["explanation"]["carbon_efficiency_peers"]
    assert group["count"] == 6
    assert group["intensity"] == pytest.approx((peers_q1 * 1500 + own * 300) / 1800)
    assert ce["ratio"] < 1.0  # cleaner than its peers over the same months
    # historical decline against its own 2023 January–March (same 300 t): r = 0
    hist = r["three_dimensional"]["historical_decline"]
    assert hist["value"] == pytest.approx(0.0)
    full = loaded.get(f"/api/v1/enterprises/{PEERS[0]}/ratings/2024").json
    assert full["provisional"] is False and full["months"] == list(range(1, 13))
    # the same-months benchmark is stored and listed as provisional
    marks = loaded.get("/api/v1/benchmarks?year=2024&key=30").json
    items = marks if isinstance(marks, list) else marks.get("items", marks.get("benchmarks", []))
    assert any(b.get("months") == [1, 2, 3] for b in items)
    assert any(b.get("months") == list(range(1, 13)) for b in items)


def test_year_to_date_shown_in_the_ratings_list(loaded):
    page = loaded.get("/api/v1/ratings?year=2024&page_size=100").json
    items = page["items"] if isinstance(page, dict) and "items" in page else page
    by = {i["uscc"]: i for i in items}
    assert by[Y]["provisional"] is True and by[Y]["status_label"] == "暂评"
    assert by[PEERS[1]]["provisional"] is False


def test_an_energy_basis_methodology_rates_emissions_from_energy_use_only(loaded):
    """A methodology with ``emission_basis: energy`` leaves process CO2 out of the rating
    (the Huzhou method rates emissions from energy use); the account keeps every part."""
    import json

    from carbon.services.reference import methodology_documents

    doc = json.loads(json.dumps(methodology_documents()["quzhou-3d@2"]))
    doc["version"], doc["emission_basis"] = 3, "energy"
    r = loaded.post("/api/v1/methodologies", data=json.dumps(doc), content_type="application/json")
    assert r.status_code == 201, r.json
    run = loaded.post(
        "/api/v1/recalculations", json={"years": [2023], "methodology": "quzhou-3d@3", "dry_run": False}
    )
    assert run.status_code == 200, run.json
    acc = loaded.get(f"/api/v1/enterprises/{L}/accounts/2023").json
    rating = loaded.get(f"/api/v1/enterprises/{L}/ratings/2023").json
    e = acc["emissions_tco2"]
    assert e["process"] == pytest.approx(12 * 400.0) and e["total"] == pytest.approx(e["fuel"] + e["process"])
    assert rating["emissions_tco2"] == pytest.approx(e["fuel"])
    assert rating["carbon_efficiency"]["intensity"] == pytest.approx(e["fuel"] / 1200.0)
    assert rating["explanation"]["emission_basis"] == "energy"
    assert "process_co2" not in [c["key"] for c in rating["explanation"]["carriers"]]


def test_unknown_methodology_keys_are_refused_at_publish(loaded):
    import json

    from carbon.services.reference import methodology_documents

    v1 = methodology_documents()["quzhou-3d@1"]
    doc = {**json.loads(json.dumps(v1)), "version": 7}
    r = loaded.post("/api/v1/methodologies", data=json.dumps(doc), content_type="application/json")
    assert r.status_code == 422 and "region_level" in r.json["message"]
    assert loaded.get("/api/v1/methodologies/quzhou-3d@1").status_code == 200  # v1 stays readable


def test_monthly_report_intensity_counts_only_months_that_report_value_added(app, loaded):
    """The region's year-to-date intensity to March 2023: B burned 300 t over three months
    but reported value added only in January, so only January's 100 t count."""
    from carbon.domain.identifiers import Period
    from carbon.services.monthly import report_data

    per_t = 19.57 * 0.0261 * 0.93 * 44 / 12
    with app.extensions["carbon_db"].read() as session:
        data = report_data(session, "330802", Period(2023, 3))
        accounts = {u: loaded.get(f"/api/v1/enterprises/{u}/accounts/2023").json for u in (A, *PEERS, Y, L)}
    ytd = data["totals"]["ytd"]
    # every enterprise but B reports value added every month: its Q1 emissions count in full
    others = 0.0
    for u in accounts:
        months = [
            loaded.get(f"/api/v1/enterprises/{u}/accounts/2023?month=2023-{m:02d}").json for m in (1, 2, 3)
        ]
        others += sum(m["emissions_tco2"]["total"] for m in months)
    va = 100.0 * 3 * len(accounts) + 100.0
    assert ytd["intensity"] == pytest.approx((others + 100 * per_t) / va)
    assert ytd["total"] == pytest.approx(others + 300 * per_t)


def test_cli_account_shows_the_three_figures_coverage_and_provisional(loaded, db_url):
    from click.testing import CliRunner

    from api.cli import cli

    out = CliRunner().invoke(cli, ["--db", db_url, "account", B, "--year", "2023"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert "暂评" in out.stdout and "provisional" in out.stdout
    assert "(months 月份 1)" in out.stdout  # value added reported in January only
    out = CliRunner().invoke(cli, ["--db", db_url, "account", A, "--year", "2023"], catch_exceptions=False)
    assert "location-based 基于位置: electricity 583.66" in out.stdout  # 1,100 MWh × 0.5306
    assert "floored at zero 按零计" in out.stdout and "2023-07" in out.stdout
    assert "暂评" not in out.stdout


def test_a_v1_database_moves_to_v2_with_one_audited_recalculation(loaded):
    """As the README says: a year computed with the v1 versions keeps them (new imports
    too) until one recalculation moves it; the v1 results stay readable."""
    v1 = {"years": [2023], "factor_set": "cn-default@1", "methodology": "quzhou-3d@1", "dry_run": False}
    assert loaded.post("/api/v1/recalculations", json=v1).status_code == 200
    before = loaded.get(f"/api/v1/enterprises/{A}/accounts/2023").json
    assert before["factor_set"]["version"] == 1 and before["market_basis"] == "grid_average_proxy"
    v2 = {**v1, "factor_set": "cn-default@2", "methodology": "quzhou-3d@2", "note": "methodology v2"}
    dry = loaded.post("/api/v1/recalculations", json={**v2, "dry_run": True}).json
    assert dry["status"] == "dry_run" and dry["factor_sets"] == {"2023": "cn-default@2"}
    run = loaded.post("/api/v1/recalculations", json=v2).json
    assert run["status"] == "done"
    after = loaded.get(f"/api/v1/enterprises/{A}/accounts/2023").json
    assert after["factor_set"]["version"] == 2
    assert after["emissions_tco2"]["electricity_market"] == pytest.approx(11 * 65 * 0.6096)
    assert before["emissions_tco2"]["electricity_market"] == pytest.approx(11 * 65 * 0.5306)
    history = loaded.get(f"/api/v1/enterprises/{A}/ratings?all_revisions=true").json
    assert {(h["methodology"]["version"], h["current"]) for h in history if h["year"] == 2023} >= {
        (1, False),
        (2, True),
    }
    runs = [e for e in loaded.get("/api/v1/audit").json if e["action"] == "recalc.run"]
    assert runs[-1]["details"]["note"] == "methodology v2"
    assert runs[-1]["details"]["factor_sets"] == {"2023": "cn-default@2"}
