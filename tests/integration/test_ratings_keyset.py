"""The ratings list walked by cursor (``after``): the same ratings in the same order as
the numbered pages, across years, under filters and for each role; and refusals."""

from __future__ import annotations

import json

from conftest import make_user


def numbered(client, query: str, size: int) -> list[tuple[int, str]]:
    seen, page = [], 1
    while True:
        r = client.get(f"/api/v1/ratings?{query}&page_size={size}&page={page}")
        assert r.status_code == 200, r.json
        if not r.json:
            return seen
        seen += [(i["year"], i["uscc"]) for i in r.json]
        page += 1


def by_cursor(client, query: str, size: int) -> list[tuple[int, str]]:
    r = client.get(f"/api/v1/ratings?{query}&page_size={size}")
    assert r.status_code == 200, r.json
    assert "total" in json.loads(r.headers["X-Pagination"])  # the first page counts
    seen = [(i["year"], i["uscc"]) for i in r.json]
    while "X-Next-After" in r.headers:
        r = client.get(f"/api/v1/ratings?{query}&page_size={size}&after={r.headers['X-Next-After']}")
        assert r.status_code == 200, r.json
        assert "X-Pagination" not in r.headers  # a page after a cursor counts nothing
        assert len(r.json) <= size
        seen += [(i["year"], i["uscc"]) for i in r.json]
    return seen


def test_the_cursor_walks_the_same_list_as_the_page_numbers(loaded):
    for query in ("", "year=2022", "region=330802&colour=yellow"):
        everything = numbered(loaded, query, 7)
        assert by_cursor(loaded, query, 7) == everything, query
        if query == "":
            assert {y for y, _ in everything} == {2022, 2023}  # the walk crosses a year


def test_each_role_walks_only_what_it_may_see(loaded, app):
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM

    db = app.extensions["carbon_db"]
    items, _ = usecases.ratings_page(db, {}, 1, 100, by=SYSTEM)
    county = items[0]["uscc"]
    official = app.test_client()
    official.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + make_user(
        app,
        "county-official",
        "official",
        region_code=next(i for i in items if i["uscc"] == county)["region_code"],
    )
    seen = by_cursor(official, "", 3)
    assert seen == numbered(official, "", 3) and seen
    regions = {i["region_code"] for i in items if (i["year"], i["uscc"]) in set(seen)}
    assert len(regions) == 1  # another county's ratings are not reached by a cursor either
    bank = app.test_client()
    bank.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + make_user(
        app, "a-bank", "bank", institution="某银行"
    )
    far = max(items, key=lambda i: (i["year"], i["uscc"]))
    r = bank.get(f"/api/v1/ratings?after=2099:{far['uscc']}")
    assert r.status_code == 200 and r.json == []  # no consent: nothing, whatever the cursor


def test_a_malformed_cursor_is_a_422(loaded):
    bad = ["2023", "2023:", "x:91330802H7BECKLJ1F", "2023:91330802H7BECKLJ1G", "2023:' OR 1=1 --", "20231:A"]
    for after in bad:
        r = loaded.get("/api/v1/ratings", query_string={"after": after})
        assert r.status_code == 422, (after, r.json)
        assert "after" in json.dumps(r.json, ensure_ascii=False)


def test_a_cursor_past_the_end_gives_an_empty_page(loaded):
    r = loaded.get("/api/v1/ratings?after=1990:91330802H7BECKLJ1F")
    assert r.status_code == 200 and r.json == [] and "X-Next-After" not in r.headers


def test_a_cursor_from_far_in_the_future_costs_a_few_queries(loaded, app):
    """An attacker's ``after=9999:…`` starts at the newest year with ratings (one index
    look-up), not with a query for every year from 9999 down."""
    from sqlalchemy import event

    engine = app.extensions["carbon_db"].engine
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    first = loaded.get("/api/v1/ratings?page_size=5")
    uscc = first.json[0]["uscc"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        r = loaded.get(f"/api/v1/ratings?page_size=5&after=9999:{uscc}")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert r.status_code == 200
    assert r.json == first.json  # everything comes after a cursor beyond the newest year
    assert len(sent) < 20, len(sent)
