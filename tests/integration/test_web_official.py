"""The official's pages through the Flask test client: who may open them, what a bad filter
gives, and what an official of one county may not see."""

from __future__ import annotations

import re

import pytest

PASSWORD = "correct horse battery"


@pytest.fixture
def world(app, loaded):
    """Two counties' workbooks imported, and one user of each role (session logins)."""
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM

    db = app.extensions["carbon_db"]
    items, _ = usecases.ratings_page(db, {}, 1, 500, by=SYSTEM)
    by_county = {r["region_code"]: r["uscc"] for r in items}
    users = {
        "official": {"role": "official", "region_code": "330800"},
        "county": {"role": "official", "region_code": "330802"},
        "bank": {"role": "bank", "institution": "测试银行"},
        "firm": {"role": "enterprise", "usccs": [by_county["330802"]]},
    }
    for name, fields in users.items():
        usecases.create_user(db, SYSTEM, username=f"web-{name}", password=PASSWORD, **fields)
    return by_county


def session_client(app, name: str):
    c = app.test_client()
    r = c.post("/login", data={"username": f"web-{name}", "password": PASSWORD})
    assert r.status_code == 303, r.data[:300]
    return c


def text(r) -> str:
    return re.sub(r"\s+", " ", r.get_data(as_text=True))


PAGES = ["/official", "/official/ratings", "/official/red-list", "/official/report", "/official/open-data"]


def test_the_official_sees_every_page(app, world):
    c = session_client(app, "official")
    for path in PAGES:
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
        assert "text/html" in r.content_type
    dashboard = text(c.get("/official"))
    assert (
        "衢州市 (330800)" in dashboard and "柯城区 (330802)" in dashboard and "衢江区 (330803)" in dashboard
    )
    r = c.get(f"/official/enterprise/{world['330803']}")
    assert r.status_code == 200 and world["330803"] in text(r)
    red = text(c.get("/official/red-list"))
    assert 'data-colour="red"' in red
    assert not re.search(r'data-colour="(dark_green|light_green|yellow)"', red)
    report = text(c.get("/official/report"))
    assert 'action="/api/v1/reports/monthly"' in report and 'value="xlsx"' in report


@pytest.mark.parametrize("who", ["bank", "firm"])
def test_a_bank_or_an_enterprise_gets_the_403_page(app, world, who):
    c = session_client(app, who)
    for path in [*PAGES, f"/official/enterprise/{world['330802']}"]:
        r = c.get(path)
        assert r.status_code == 403, (path, r.status_code)
        assert "403" in text(r) and "text/html" in r.content_type


def test_a_bearer_token_opens_no_page(app, client, world):
    r = client.get("/official")  # the operator's token: pages want a login session
    assert r.status_code in (302, 303) and "/login" in r.location


def test_filters_are_checked_like_the_api(app, world):
    c = session_client(app, "official")
    bad_filters = ["region=999999", "region=33", "colour=purple", "grade=9", "year=1900", "class=huge"]
    for bad in [*bad_filters, "page=0", "page=x"]:
        r = c.get(f"/official/ratings?{bad}")
        assert r.status_code == 422, (bad, r.status_code)
        assert "422" in text(r)
    red = text(c.get("/official/ratings?colour=red"))
    assert 'data-colour="red"' in red
    assert not re.search(r'data-colour="(dark_green|light_green|yellow)"', red)
    empty = c.get("/official/ratings?colour=red&page=99")
    assert empty.status_code == 200


def test_a_county_official_sees_only_their_county(app, world):
    c = session_client(app, "county")
    assert c.get(f"/official/enterprise/{world['330802']}").status_code == 200
    r = c.get(f"/official/enterprise/{world['330803']}")
    assert r.status_code in (403, 404)
    assert world["330803"] not in text(r).split("<main")[1]
    listing = text(c.get("/official/ratings"))
    assert "330802" in listing and "(330803)" not in listing
    assert c.get("/official/ratings?region=330803").status_code in (200, 403)
    assert "(330803)" not in text(c.get("/official"))
    assert c.get("/official/enterprise/NOSUCHUSCC").status_code in (403, 404)


def test_after_logout_the_pages_send_to_login(app, world):
    c = session_client(app, "official")
    assert c.get("/official").status_code == 200
    with c.session_transaction() as s:
        token = s["csrf"]
    assert c.post("/logout", data={"csrf_token": token}).status_code == 303
    r = c.get("/official/ratings")
    assert r.status_code in (302, 303) and "/login" in r.location


def test_english_pages(app, world):
    c = session_client(app, "official")
    c.set_cookie("lang", "en")
    page = text(c.get("/official"))
    assert "Region dashboard" in page and "Kecheng District" in page


def test_every_word_of_the_official_pages_is_in_both_languages():
    from pathlib import Path

    from api.web import pages_official  # noqa: F401  (adds its words)
    from api.web.i18n import WORDS

    folder = Path(pages_official.__file__).parent / "templates" / "official"
    used = {k for f in folder.glob("*.html") for k in re.findall(r"t\('([a-z0-9_]+)'", f.read_text("utf-8"))}
    used |= {f"off_colour_{c}" for c in ("dark_green", "light_green", "yellow", "red")}
    used |= {f"off_class_{c}" for c in ("low", "medium", "high")}
    used = {k for k in used if not k.endswith("_")}  # a prefix completed in the template
    assert used and not {k for k in used if k not in WORDS["zh"] or k not in WORDS["en"]}


def test_the_report_form_offers_only_the_regions_inside_the_officials_own(app):
    """台州 (331000) covers 3310xx: 丽水's counties (3311xx) share the prefix 331 but are not
    inside it, and are never offered."""
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM

    db = app.extensions["carbon_db"]
    usecases.create_user(
        db, SYSTEM, username="web-taizhou", password=PASSWORD, role="official", region_code="331000"
    )
    page = text(session_client(app, "taizhou").get("/official/report"))
    offered = set(re.findall(r'<option value="(\d{6})"', page))
    assert "331000" in offered and "331002" in offered, offered
    assert not {c for c in offered if c.startswith("3311")}, offered
