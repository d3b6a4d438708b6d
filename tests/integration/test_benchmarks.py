"""Benchmarks written by the calculation runs, looked up from ratings, listed by the API and
the CLI; on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select

from api.cli import cli
from carbon.services.benchmarks import peer_benchmark
from carbon.services.compute import recompute
from carbon.store.models import BenchmarkRow, CalcRun, RatingRow


def database(app):
    return app.extensions["carbon_db"]


def count(app, model, *where) -> int:
    with database(app).read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def upload(client, path):
    r = client.post(
        "/api/v1/imports", data={"file": (path.open("rb"), path.name)}, content_type="multipart/form-data"
    )
    assert r.status_code in (200, 201), r.json
    return r


def check_peer_groups(app) -> int:
    """Every current rating's peer groups are benchmarks of its run (or current) with its figures."""
    checked = 0
    with database(app).read() as s:
        for r in s.scalars(select(RatingRow).where(RatingRow.is_current.is_(True))):
            x = r.explanation
            groups = [("value_added", x["carbon_efficiency_peers"])]
            groups += [(d["denominator"], d["peers"]) for d in x["dimensions"].values()]
            for denominator, g in groups:
                if g is None:
                    continue
                for as_of in (r.calc_run_id, None):
                    b = peer_benchmark(s, r.year, g["level"], g["key"], denominator, calc_run_id=as_of)
                    assert b is not None, (r.year, g)
                    assert b.peer_count == g["count"]
                    # equal to the tolerance below which the service does not rewrite a result
                    # (a later run may add the same figures up in another order)
                    assert b.emissions == pytest.approx(g["emissions_tco2"], rel=1e-12)
                    assert b.denominator_total == pytest.approx(g["denominator_sum"], rel=1e-12)
                    assert b.intensity == pytest.approx(g["intensity"], rel=1e-12)
                    assert b.methodology == r.methodology and b.factor_set == r.factor_set
                    assert b.q1 <= b.median <= b.q3 and b.advanced <= b.median
                checked += 1
    return checked


def test_every_rating_peer_group_has_its_benchmark(app, loaded):
    assert check_peer_groups(app) > 50
    with database(app).read() as s:
        current = [
            (b.year, b.level, b.key, b.advanced_percentile)
            for b in s.scalars(select(BenchmarkRow).where(BenchmarkRow.is_current.is_(True)))
        ]
    for year in (2022, 2023):
        levels = {level for y, level, _, _ in current if y == year}
        assert levels == {"division", "section", "all", "county"}
        assert [k for y, level, k, _ in current if y == year and level == "all"] == ["all"]
        assert {k for y, level, k, _ in current if y == year and level == "county"} == {"330802", "330803"}
    assert {p for *_, p in current} == {20.0}


def test_recompute_without_change_writes_no_benchmark(app, loaded):
    rows, runs = count(app, BenchmarkRow), count(app, CalcRun)
    with database(app).unit_of_work() as s:
        summary = recompute(s, [2022, 2023], reason="recalc")
    assert summary.benchmarks_written == 0 and summary.ratings_written == 0
    assert count(app, BenchmarkRow) == rows and count(app, CalcRun) == runs


def test_new_data_replaces_only_the_groups_that_changed(app, loaded, sample_files):
    with database(app).read() as s:
        before = {
            (b.year, b.level, b.key): b.id
            for b in s.scalars(select(BenchmarkRow).where(BenchmarkRow.is_current.is_(True)))
        }
    retired = count(app, BenchmarkRow, BenchmarkRow.is_current.is_(False))
    upload(loaded, sample_files[2])  # a third county
    with database(app).read() as s:
        after = {
            (b.year, b.level, b.key): b.id
            for b in s.scalars(select(BenchmarkRow).where(BenchmarkRow.is_current.is_(True)))
        }
    for year in (2022, 2023):
        assert after[(year, "county", "330802")] == before[(year, "county", "330802")]  # untouched
        assert after[(year, "all", "all")] != before[(year, "all", "all")]
        assert (year, "county", "330822") in after and (year, "county", "330822") not in before
    replaced = sum(1 for k, v in before.items() if after.get(k) != v)
    assert count(app, BenchmarkRow, BenchmarkRow.is_current.is_(False)) == retired + replaced
    assert check_peer_groups(app) > 0


def test_dry_run_writes_none_and_a_missing_snapshot_is_backfilled(app, loaded):
    """A database migrated from before benchmarks: the next recalculation writes them alone."""
    with database(app).unit_of_work() as s:
        s.execute(delete(BenchmarkRow))
    runs = count(app, CalcRun)
    with database(app).unit_of_work() as s:
        dry = recompute(s, [2023], reason="recalc", dry_run=True)
        s.rollback()
    assert dry.benchmarks_written > 0 and count(app, BenchmarkRow) == 0 and count(app, CalcRun) == runs
    with database(app).unit_of_work() as s:
        done = recompute(s, [2023], reason="recalc")
    assert done.benchmarks_written == dry.benchmarks_written == count(app, BenchmarkRow)
    assert done.ratings_written == 0 and done.accounts_written == 0 and len(done.calc_run_ids) == 1
    with database(app).read() as s:
        r = s.scalars(
            select(RatingRow).where(
                RatingRow.year == 2023, RatingRow.is_current.is_(True), RatingRow.peer_level.is_not(None)
            )
        ).first()
        g = r.explanation["carbon_efficiency_peers"]
        # The rating's own run predates the snapshot: the current one answers.
        b = peer_benchmark(s, 2023, g["level"], g["key"], calc_run_id=r.calc_run_id)
        assert b is not None and b.calc_run_id == done.calc_run_ids[0] and b.peer_count == g["count"]


def test_api_lists_benchmarks_with_names(loaded):
    r = loaded.get("/api/v1/benchmarks?year=2023")
    assert r.status_code == 200
    items = r.json
    assert [i["level"] for i in items] == sorted(
        (i["level"] for i in items), key=["division", "section", "all", "county"].index
    )
    by_key = {(i["level"], i["key"]): i for i in items}
    assert by_key[("county", "330802")]["name_zh"] == "柯城区"
    assert by_key[("county", "330802")]["name_en"] == "Kecheng District"
    assert by_key[("section", "C")]["name_zh"] == "制造业"
    assert by_key[("all", "all")]["name_en"] == "All enterprises"
    one = by_key[("all", "all")]
    assert one["methodology"] == {"id": "quzhou-3d", "version": 2}
    assert one["factor_set"] == {"id": "cn-default", "version": 2}
    assert one["current"] is True and one["calc_run_id"] > 0 and one["advanced_percentile"] == 20.0
    # figures as answers show them: amounts to 0.001, intensities to 6 significant digits
    assert one["intensity"] == pytest.approx(one["emissions_tco2"] / one["denominator_total"], rel=5e-6)
    assert one["peer_count"] == sum(i["peer_count"] for i in items if i["level"] == "county")
    for i in items:
        if i["level"] == "division":
            assert i["name_zh"] and i["name_en"]

    counties = loaded.get("/api/v1/benchmarks?year=2023&level=county").json
    assert {i["key"] for i in counties} == {"330802", "330803"}
    division = next(i["key"] for i in items if i["level"] == "division")
    assert [i["key"] for i in loaded.get(f"/api/v1/benchmarks?year=2023&key={division}").json] == [division]
    assert [i["level"] for i in loaded.get("/api/v1/benchmarks?year=2023&key=all").json] == ["all"]
    assert len(loaded.get("/api/v1/benchmarks?year=2023&all_revisions=true").json) >= len(items)


def test_api_errors_use_the_envelope(loaded):
    r = loaded.get("/api/v1/benchmarks?year=2019")
    assert r.status_code == 404 and r.json["code"] == "not_found" and "2019" in r.json["message"]
    r = loaded.get("/api/v1/benchmarks")
    assert r.status_code == 422 and "year" in r.json["errors"]["query"]
    r = loaded.get("/api/v1/benchmarks?year=2023&level=industry")
    assert r.status_code == 422 and "level" in r.json["errors"]["query"]
    r = loaded.get("/api/v1/benchmarks?year=2023&key=2x")
    assert r.status_code == 422 and "key" in r.json["errors"]["query"]
    r = loaded.get("/api/v1/benchmarks?year=2023&level=division&key=330802")
    assert r.status_code == 422 and r.json["status"] == 422 and "key" in r.json["errors"]["query"]


def test_cli_lists_benchmarks(db_url, loaded):
    res = CliRunner().invoke(cli, ["--db", db_url, "benchmarks", "--year", "2023", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {d["level"] for d in doc} == {"division", "section", "all", "county"}
    assert all(d["name_zh"] and d["name_en"] for d in doc)
    res = CliRunner().invoke(cli, ["--db", db_url, "benchmarks", "--year", "2023", "--level", "county"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert "advanced_P20" in lines[0] and "median" in lines[0]
    assert len(lines) == 3 and "柯城区 Kecheng District" in res.stdout
    assert "衢江区 Qujiang District" in res.stdout
    assert len({line.index("value_added") for line in lines[1:]}) == 1  # aligned columns
    res = CliRunner().invoke(cli, ["--db", db_url, "benchmarks", "--year", "2019", "--json"])
    assert res.exit_code == 1 and json.loads(res.stdout)["error"]["code"] == "not_found"
    res = CliRunner().invoke(cli, ["--db", db_url, "benchmarks", "--year", "2023", "--level", "x"])
    assert res.exit_code == 2


def test_enterprises_and_rating_peer_groups_carry_gb_names(loaded):
    e = loaded.get("/api/v1/enterprises?page_size=1").json[0]
    assert e["region_name"]["zh"].endswith(("区", "县", "市")) and e["region_name"]["en"]
    assert e["industry_name"]["zh"] and e["section_name"]["zh"]
    r = loaded.get(f"/api/v1/enterprises/{e['uscc']}/ratings/2023").json
    peers = r["explanation"]["carbon_efficiency_peers"]
    assert peers["name"]["zh"] and peers["name"]["en"]
    county = r["explanation"]["dimensions"]["regional_contribution"]["peers"]
    assert county["level"] == "county" and county["name"]["zh"] == e["region_name"]["zh"]
