"""Meter feeds: pushed readings, all or nothing, idempotent by key, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from carbon.store.models import FeedReading, ImportRow, Job, MonthlyInput

URL = "/api/v1/feeds/readings"
SOURCE = "state-grid-quzhou"


def count(app, model) -> int:
    with app.extensions["carbon_db"].read() as s:
        return s.scalar(select(func.count()).select_from(model))


def counts(app) -> tuple[int, ...]:
    return tuple(count(app, m) for m in (FeedReading, ImportRow, MonthlyInput, Job))


def push(client, readings, source=SOURCE):
    return client.post(URL, json={"source": source, "readings": readings})


def push_csv(client, text: str, source=SOURCE, encoding="utf-8"):
    return client.post(
        f"{URL}?source={source}", data=text.encode(encoding), headers={"Content-Type": "text/csv"}
    )


def reading(uscc: str, key: str = "k1", value=12.5, **kw):
    return {
        "key": key,
        "uscc": uscc,
        "carrier": "electricity",
        "period": "2023-05",
        "value": value,
        "unit": "万千瓦时",
        **kw,
    }


@pytest.fixture
def uscc(loaded) -> str:
    return loaded.get("/api/v1/enterprises?page_size=1").json[0]["uscc"]


def month_account(client, uscc: str, month: str = "2023-05") -> dict:
    r = client.get(f"/api/v1/enterprises/{uscc}/accounts/{month[:4]}?month={month}")
    assert r.status_code == 200, r.json
    return r.json


def test_json_push_changes_the_account_by_value_times_grid_factor(app, loaded, uscc):
    before = month_account(loaded, uscc)
    year_before = loaded.get(f"/api/v1/enterprises/{uscc}/accounts/2023").json
    old_mwh = before["inputs"]["electricity"] or 0.0
    grid = before["grid_factor"]["value"]

    # 60 万千瓦时 = 600 MWh, above the month's green power, so the change is linear
    r = push(loaded, [reading(uscc, value=60.0)])
    assert r.status_code == 201, r.json
    assert r.json["source"] == SOURCE
    assert (r.json["accepted"], r.json["unchanged"], r.json["replaced"]) == (1, 0, 0)
    assert r.json["enterprise_months"] == 1
    assert r.json["job"]["status"] == "done" and r.json["job"]["params"]["reason"] == "feed"

    after = month_account(loaded, uscc)
    delta = (60.0 * 10 - old_mwh) * grid  # 万千瓦时 -> MWh
    assert after["inputs"]["electricity"] == pytest.approx(600.0)
    assert after["emissions_tco2"]["total"] == pytest.approx(before["emissions_tco2"]["total"] + delta)
    year_after = loaded.get(f"/api/v1/enterprises/{uscc}/accounts/2023").json
    assert year_after["emissions_tco2"]["total"] == pytest.approx(
        year_before["emissions_tco2"]["total"] + delta
    )
    # The audit trail names the feed batch, archived like a workbook.
    source = after["sources"][0]
    assert source["filename"] == f"feed:{SOURCE}" and source["revision"] == 2
    assert source["import_id"] == r.json["import_id"]

    # The earlier revision is kept, no longer current; the other fields were copied.
    with app.extensions["carbon_db"].read() as s:
        rows = s.scalars(
            select(MonthlyInput)
            .where(MonthlyInput.import_id != r.json["import_id"], MonthlyInput.year == 2023)
            .where(MonthlyInput.month == 5, MonthlyInput.is_current.is_(False))
        ).all()
        assert len(rows) == 1 and rows[0].revision == 1
        new = s.scalars(select(MonthlyInput).where(MonthlyInput.import_id == r.json["import_id"])).one()
        assert new.is_current and new.value_added == rows[0].value_added
        assert new.natural_gas == rows[0].natural_gas


def test_csv_push_utf8_and_gbk_with_chinese_carrier_names(app, loaded, uscc):
    csv_text = (
        "key,uscc,carrier,period,value,unit\n"
        f"c1,{uscc},电力,2023-06,1000,MWh\n"
        f"c2,{uscc},天然气,2023-06,20000,立方米\n"
    )
    r = push_csv(loaded, csv_text)
    assert r.status_code == 201, r.json
    assert r.json["accepted"] == 2 and r.json["enterprise_months"] == 1
    inputs = month_account(loaded, uscc, "2023-06")["inputs"]
    assert inputs["electricity"] == pytest.approx(1000.0)
    assert inputs["natural_gas"] == pytest.approx(2.0)  # 万立方米

    gbk = csv_text.replace("c1", "g1").replace("c2", "g2").replace("2023-06", "2023-07")
    r = push_csv(loaded, gbk, source="gbk-feed", encoding="gbk")
    assert r.status_code == 201, r.json
    assert month_account(loaded, uscc, "2023-07")["inputs"]["natural_gas"] == pytest.approx(2.0)

    assert push_csv(loaded, csv_text, source="").status_code == 422  # CSV needs ?source=
    r = loaded.post(URL, data=csv_text, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and r.json["code"] == "unsupported_media_type"


def test_same_key_twice_is_unchanged_and_writes_nothing(app, loaded, uscc):
    first = push(loaded, [reading(uscc)])
    assert first.status_code == 201
    before = counts(app)
    again = push(loaded, [reading(uscc)])
    assert again.status_code == 200, again.json
    assert (again.json["accepted"], again.json["unchanged"], again.json["job"]) == (0, 1, None)
    # The same reading in another unit is the same content.
    same = push(loaded, [reading(uscc, value=125, unit="MWh")])
    assert same.status_code == 200 and same.json["unchanged"] == 1
    assert counts(app) == before


def test_same_key_different_content_is_409(app, loaded, uscc):
    assert push(loaded, [reading(uscc, key="dup")]).status_code == 201
    before = counts(app)
    r = push(loaded, [reading(uscc, key="fresh", period="2023-08"), reading(uscc, key="dup", value=99)])
    assert r.status_code == 409
    assert r.json["code"] == "reading_conflict" and "'dup'" in r.json["message"]
    assert counts(app) == before
    # The same key from another source is another reading.
    assert push(loaded, [reading(uscc, key="dup", value=99)], source="other").status_code == 201


def test_bad_readings_reject_the_whole_batch(app, loaded, uscc):
    before = counts(app)
    batch = [
        reading(uscc, key="ok"),
        reading("913308020000000000", key="a"),  # bad check character
        reading(uscc[:-1] + ("0" if uscc[-1] != "0" else "1"), key="b"),
        reading("91330802MA2XXXXXXX"[:17] + "0", key="c"),
        reading(uscc, key="d", unit="吨", period="2023-09"),
        reading(uscc, key="e", value=-1, period="2023-10"),
        reading(uscc, key="f", period="2023-13"),
        reading(uscc, key="g", carrier="water", period="2023-11"),
        reading(uscc, key="ok", period="2023-12"),
    ]
    r = push(loaded, batch)
    assert r.status_code == 422, r.json
    assert r.json["code"] == "import_rejected"
    cells = {(e["row"], e["column"]) for e in r.json["errors"]}
    assert (5, "unit") in cells and (6, "value") in cells and (7, "period") in cells
    assert (8, "carrier") in cells and (9, "key") in cells
    assert {(2, "uscc"), (3, "uscc"), (4, "uscc")} <= cells
    assert 1 not in {row for row, _ in cells}
    assert all(e["sheet"] == "readings" and "/" in e["message"] for e in r.json["errors"])
    assert counts(app) == before


def test_unknown_enterprise_is_a_reading_error(app, loaded):
    from carbon.domain.identifiers import make_uscc

    before = counts(app)
    stranger = make_uscc("91330802NXTHERE00")
    r = push_csv(loaded, f"key,uscc,carrier,period,value,unit\nx,{stranger},electricity,2023-05,1,MWh\n")
    assert r.status_code == 422
    assert r.json["errors"] == [
        {"sheet": "readings", "row": 2, "column": "uscc", "message": r.json["errors"][0]["message"]}
    ]
    assert stranger in r.json["errors"][0]["message"]
    assert counts(app) == before


def test_nul_characters_are_reading_errors_not_database_errors(app, loaded, uscc):
    # found by schemathesis: a NUL in source, key or uscc was a 500 on PostgreSQL (text cannot hold it)
    before = counts(app)
    r = push(loaded, [reading(uscc, key="k\x00"), reading(uscc + "\x00", key="k2", period="2023-06")])
    assert r.status_code == 422, r.json
    assert {(e["row"], e["column"]) for e in r.json["errors"]} == {(1, "key"), (2, "uscc")}
    assert "NUL" in r.json["errors"][0]["message"] and "/" in r.json["errors"][0]["message"]
    csv = f"key,uscc,carrier,period,value,unit\nk,{uscc},electricity,2023-05,1,MWh\n"
    for bad in (push(loaded, [reading(uscc)], source="grid\x00"), push_csv(loaded, csv, source="a%00")):
        assert bad.status_code == 422 and "NUL" in bad.json["message"], bad.json
    assert counts(app) == before


@pytest.mark.parametrize(("value", "unit"), [(1.7e308, "万千瓦时"), (1e308, "MWh"), (2e12, "MWh")])
def test_a_value_beyond_any_plausible_month_is_rejected(app, loaded, uscc, value, unit):
    # 1.7e308 万千瓦时 is infinite in MWh: it was accepted, failed the recomputation, and made the
    # chart and the rating view 500s
    before = counts(app)
    r = push(loaded, [reading(uscc, value=value, unit=unit)])
    assert r.status_code == 422 and [e["column"] for e in r.json["errors"]] == ["value"], r.json
    assert "check the value and its unit" in r.json["errors"][0]["message"]
    assert counts(app) == before
    assert push(loaded, [reading(uscc, value=1e11, unit="MWh")]).status_code == 201  # large, but a month's
    assert loaded.get(f"/api/v1/enterprises/{uscc}/ratings/2023").status_code == 200
    assert loaded.get(f"/api/v1/enterprises/{uscc}/charts/monthly-emissions?year=2023").status_code == 200


def test_new_key_for_same_month_replaces_the_source_value(app, loaded, uscc):
    assert push(loaded, [reading(uscc, key="v1", value=10)]).status_code == 201
    r = push(loaded, [reading(uscc, key="v2", value=20)])
    assert r.status_code == 201 and r.json["replaced"] == 1 and r.json["accepted"] == 1
    assert month_account(loaded, uscc)["inputs"]["electricity"] == pytest.approx(200.0)
    with app.extensions["carbon_db"].read() as s:
        revisions = s.scalars(
            select(MonthlyInput.revision)
            .join_from(MonthlyInput, FeedReading, FeedReading.import_id == MonthlyInput.import_id)
            .where(MonthlyInput.year == 2023, MonthlyInput.month == 5)
            .order_by(MonthlyInput.revision)
        ).all()
        assert revisions == [2, 3]
        current = s.scalars(
            select(MonthlyInput.revision).where(
                MonthlyInput.year == 2023, MonthlyInput.month == 5, MonthlyInput.is_current.is_(True)
            )
        ).all()
        assert 3 in current and 2 not in current
    # Both readings stay on record; the old key re-sent is still "unchanged", not a rollback.
    old = push(loaded, [reading(uscc, key="v1", value=10)])
    assert old.status_code == 200 and old.json["unchanged"] == 1
    assert month_account(loaded, uscc)["inputs"]["electricity"] == pytest.approx(200.0)


def test_month_without_data_gets_a_first_revision(app, loaded, uscc):
    r = push(loaded, [reading(uscc, key="new-year", period="2024-01", value=1)])
    assert r.status_code == 201, r.json
    with app.extensions["carbon_db"].read() as s:
        row = s.scalars(select(MonthlyInput).where(MonthlyInput.year == 2024)).one()
        assert row.revision == 1 and row.electricity == pytest.approx(10.0) and row.value_added is None
    assert r.json["job"]["params"]["years"] == [2024]


def test_malformed_bodies(loaded):
    assert loaded.post(URL, data=b"{", headers={"Content-Type": "application/json"}).status_code == 422
    assert loaded.post(URL, json={"readings": []}).status_code == 422
    r = loaded.post(URL, json={"source": SOURCE, "readings": "nope"})
    assert r.status_code == 422 and set(r.json) == {"code", "status", "message", "errors"}
    assert push_csv(loaded, "key,uscc\n").status_code == 422
    assert json.loads(loaded.get("/openapi.json").data)["paths"][URL]["post"]["requestBody"]
