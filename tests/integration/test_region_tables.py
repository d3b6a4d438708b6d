"""The dashboard's county and industry tables, counted by the database, agree with the
ratings list they summarise, for an administrator and within an official's region."""

from __future__ import annotations

from collections import Counter

from carbon.services import usecases
from carbon.services.auth import SYSTEM


def _by_hand(items, key):
    groups: dict[str, Counter] = {}
    for r in items:
        g = groups.setdefault(key(r), Counter())
        g["enterprises"] += 1
        g["tco2"] += r["emissions_tco2"] or 0.0
        colour = (r.get("three_dimensional") or {}).get("colour")
        if colour:
            g[colour] += 1
    return groups


def test_the_tables_agree_with_the_ratings_list(loaded, app):
    db = app.extensions["carbon_db"]
    year = usecases.summary(db, by=SYSTEM)["years"][-1]["year"]
    items, _ = usecases.ratings_page(db, {"year": year}, 1, 1000, by=SYSTEM)
    tables = usecases.region_tables(db, year, by=SYSTEM)
    for name, key in (
        ("by_county", lambda r: r["region_code"]),
        ("by_industry", lambda r: r["industry_code"][:2]),
    ):
        expected = _by_hand(items, key)
        assert [g["code"] for g in tables[name]] == sorted(expected)
        for g in tables[name]:
            e = expected[g["code"]]
            assert g["enterprises"] == e["enterprises"]
            assert abs(g["tco2"] - e["tco2"]) < 1e-6 * max(1.0, e["tco2"])
            assert all(g[c] == e[c] for c in ("dark_green", "light_green", "yellow", "red"))
    assert sum(g["enterprises"] for g in tables["by_county"]) == len(items)


def test_an_official_sees_only_the_tables_of_their_region(loaded, app):
    db = app.extensions["carbon_db"]
    year = usecases.summary(db, by=SYSTEM)["years"][-1]["year"]
    county = usecases.region_tables(db, year, by=SYSTEM)["by_county"][0]["code"]
    usecases.create_user(db, SYSTEM, username="c", password="correct horse battery", role="official",
                         region_code=county)  # fmt: skip
    from carbon.services.usecases import login

    official = login(db, "c", "correct horse battery", origin=None)
    tables = usecases.region_tables(db, year, by=official)
    assert [g["code"] for g in tables["by_county"]] == [county]
