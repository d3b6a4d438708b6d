"""The pages' common ground, without a browser: headers, redirects, languages, errors."""

from __future__ import annotations

import pytest
from conftest import make_user


def test_pages_carry_a_csp_of_this_origin_only_and_api_answers_stay_json(client):
    r = client.get("/login")
    assert r.status_code == 200 and r.mimetype == "text/html"
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Cache-Control"] == "no-store"
    api = client.get("/api/v1/nope")
    assert api.status_code == 404 and api.mimetype == "application/json"
    page = client.get("/nope")
    assert page.status_code == 404 and page.mimetype == "text/html" and "页面或数据不存在" in page.text
    css = client.get("/assets/site.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    css.close()


def test_home_sends_who_is_not_logged_in_to_the_login_page(anon):
    r = anon.get("/")
    assert r.status_code == 303 and r.headers["Location"].endswith("/login")


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "evil.example", "/\\\\evil"],
)
def test_the_language_switch_never_redirects_off_the_site(anon, target):
    r = anon.get("/lang/en", query_string={"next": target})
    assert r.status_code == 303
    location = r.headers["Location"]
    assert location in ("/", "http://localhost/") or location.startswith("/") and "evil" not in location


def test_the_language_switch_sets_english(anon):
    r = anon.get("/lang/en", query_string={"next": "/login"})
    assert r.headers["Location"].endswith("/login") and "lang=en" in r.headers["Set-Cookie"]
    assert "Log in" in anon.get("/login").text
    anon.get("/lang/xx")  # an unknown language changes nothing
    assert "Log in" in anon.get("/login").text


def test_wrong_password_is_said_on_the_page_and_a_login_redirects_home(app, anon):
    make_user(app, "page-official", "official", region_code="330800")
    bad = anon.post("/login", data={"username": "page-official", "password": "nope"})
    assert bad.status_code == 401 and 'role="alert"' in bad.text
    ok = anon.post(
        "/login?next=//evil.example", data={"username": "page-official", "password": "correct horse battery"}
    )
    assert ok.status_code == 303 and ok.headers["Location"] == "/official"


def test_logout_needs_the_csrf_token_and_ends_the_session(app, anon):
    make_user(app, "page-admin", "admin")
    anon.post("/login", data={"username": "page-admin", "password": "correct horse battery"})
    assert anon.get("/methodology").status_code == 200
    assert anon.post("/logout").status_code == 403  # no token: refused
    token = anon.get("/api/v1/auth/me").json["csrf_token"]
    assert anon.post("/logout", data={"csrf_token": token}).status_code == 303
    assert anon.get("/api/v1/auth/me").status_code == 401


def test_the_methodology_page_renders_the_document_without_its_raw_html(anon):
    r = anon.get("/methodology")
    assert r.status_code == 200 and "<h1>" in r.text and "<table>" in r.text
    assert "<script" not in r.text
