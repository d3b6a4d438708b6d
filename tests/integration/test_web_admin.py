"""The administrator's pages through the test client: other roles get the 403 page, a form
without its CSRF token is refused, forms work, and after logout the login page follows."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from carbon.domain.identifiers import make_uscc
from carbon.services import usecases
from carbon.services.auth import SYSTEM

PASSWORD = "correct horse battery"
ADMIN_PAGES = ["/admin", "/admin/users", "/admin/tokens", "/admin/reference", "/admin/recalc", "/admin/audit"]


def _session(app, username: str, role: str, **fields):
    db = app.extensions["carbon_db"]
    usecases.create_user(db, SYSTEM, username=username, password=PASSWORD, role=role, **fields)
    c = app.test_client()
    r = c.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 303, r.data[:300]
    return c


def _csrf(c, path: str = "/admin") -> str:
    html = c.get(path).get_data(as_text=True)
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


@pytest.fixture
def adm(app):
    return _session(app, "web-admin", "admin")


@pytest.mark.parametrize(
    ("role", "fields"),
    [
        ("official", {"region_code": "330800"}),
        ("bank", {"institution": "示范银行"}),
        ("enterprise", {"usccs": [make_uscc("91330800MA2B00001")]}),
    ],
)
def test_other_roles_get_the_403_page(app, role, fields):
    c = _session(app, f"web-{role}", role, **fields)
    for path in ADMIN_PAGES:
        r = c.get(path)
        assert r.status_code == 403, path
        assert "text/html" in r.content_type
        assert "403" in r.get_data(as_text=True)
    r = c.post("/admin/users", data={"csrf_token": _csrf_of_any(c), "username": "x", "role": "admin"})
    assert r.status_code == 403


def _csrf_of_any(c) -> str:
    html = c.get("/methodology").get_data(as_text=True)
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m
    return m.group(1)


def test_not_logged_in_goes_to_login_and_logout_ends_it(app, adm):
    anon = app.test_client()
    r = anon.get("/admin/users")
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]
    assert adm.get("/admin").status_code == 200
    r = adm.post("/logout", data={"csrf_token": _csrf(adm)})
    assert r.status_code == 303 and r.headers["Location"].endswith("/login")
    r = adm.get("/admin/audit")
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]


def test_posts_without_csrf_token_are_refused(adm):
    for path, data in [
        ("/admin/users", {"action": "create", "username": "nocsrf", "password": PASSWORD, "role": "admin"}),
        ("/admin/users", {"action": "disable", "username": "web-admin"}),
        ("/admin/tokens", {"action": "create", "name": "x", "scope": "read"}),
        ("/admin/recalc", {"action": "confirm", "years": "2023"}),
        (
            "/admin/reference",
            {"action": "retire", "kind": "factor_set", "ref": "cn-default@1", "reason": "x"},
        ),
    ]:
        assert adm.post(path, data=data).status_code == 403, path
        assert adm.post(path, data={**data, "csrf_token": "wrong"}).status_code == 403, path
    assert "nocsrf" not in adm.get("/admin/users").get_data(as_text=True)


def test_create_and_disable_a_user_and_a_bad_form(app, adm):
    token = _csrf(adm)
    r = adm.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "action": "create",
            "username": "new-official",
            "password": PASSWORD,
            "role": "official",
            "region": "330802",
        },
    )
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "new-official" in html and "330802" in html
    r = adm.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "action": "create",
            "username": "bad user",
            "password": "x",
            "role": "official",
        },
    )
    assert r.status_code == 422
    assert 'role="alert"' in r.get_data(as_text=True)
    r = adm.post("/admin/users", data={"csrf_token": token, "action": "disable", "username": "new-official"})
    assert r.status_code == 200
    c = app.test_client()
    assert c.post("/login", data={"username": "new-official", "password": PASSWORD}).status_code != 303


def test_token_shown_once_then_revoked(adm):
    token = _csrf(adm, "/admin/tokens")
    r = adm.post(
        "/admin/tokens",
        data={"csrf_token": token, "action": "create", "name": "feed", "scope": ["read"], "days": "30"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    secret = re.search(r"<code class=\"adm-wrap\">([^<]+)</code>", html).group(1)
    assert secret not in adm.get("/admin/tokens").get_data(as_text=True)
    tid = re.search(r'name="token_id" value="(\d+)"', html).group(1)
    r = adm.post("/admin/tokens", data={"csrf_token": token, "action": "revoke", "token_id": tid})
    assert r.status_code == 200 and 'name="token_id"' not in r.get_data(as_text=True)
    r = adm.post("/admin/tokens", data={"csrf_token": token, "action": "revoke", "token_id": "999999"})
    assert r.status_code == 404


def test_reference_publish_and_retire(app, adm):
    kinds = {
        k: usecases.reference_list(app.extensions["carbon_db"], k) for k in ("factor_set", "methodology")
    }
    html = adm.get("/admin/reference").get_data(as_text=True)
    for rows in kinds.values():
        for row in rows:
            assert row["ref"] in html
    link = re.search(r'href="(/api/v1/factor-sets/[^"]+)"', html).group(1)
    assert adm.get(link).status_code == 200
    token = _csrf(adm, "/admin/reference")
    r = adm.post(
        "/admin/reference",
        data={
            "csrf_token": token,
            "action": "publish",
            "kind": "factor_set",
            "file": (io.BytesIO(b"{not json"), "x.json"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and 'role="alert"' in r.get_data(as_text=True)
    doc = usecases.reference_document(
        app.extensions["carbon_db"], "factor_set", kinds["factor_set"][0]["ref"]
    )
    document = dict(doc["document"])
    document["version"] = max(r["version"] for r in kinds["factor_set"] if r["id"] == doc["id"]) + 1
    r = adm.post(
        "/admin/reference",
        data={
            "csrf_token": token,
            "action": "publish",
            "kind": "factor_set",
            "file": (io.BytesIO(json.dumps(document).encode()), "fs.json"),
        },
        content_type="multipart/form-data",
    )
    new_ref = f"{doc['id']}@{document['version']}"
    assert r.status_code == 200, r.get_data(as_text=True)[-800:]
    assert new_ref in r.get_data(as_text=True)
    r = adm.post(
        "/admin/reference",
        data={
            "csrf_token": token,
            "action": "retire",
            "kind": "factor_set",
            "ref": new_ref,
            "reason": "superseded",
        },
    )
    assert r.status_code == 200 and "superseded" in r.get_data(as_text=True)


def test_recalc_rejects_bad_years_and_audit_pages(adm):
    token = _csrf(adm, "/admin/recalc")
    r = adm.post("/admin/recalc", data={"csrf_token": token, "action": "dry_run", "years": "20x3"})
    assert r.status_code == 422
    r = adm.post("/admin/recalc", data={"csrf_token": token, "action": "dry_run", "years": "2023"})
    assert r.status_code == 200 and 'name="action" value="confirm"' in r.get_data(as_text=True)
    r = adm.get("/admin/audit?page=abc&action=user")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "user.create" in html and "/api/v1/audit/export.csv" in html
    r = adm.get("/api/v1/audit/export.csv")
    assert r.status_code == 200 and r.content_type.startswith("text/csv")


def test_audit_pages_in_time_order(app, adm):
    db = app.extensions["carbon_db"]
    for i in range(55):
        usecases.create_token(db, SYSTEM, "web-admin", f"t{i}", ["read"], 1)
    first = adm.get("/admin/audit?action=token").get_data(as_text=True)
    assert (
        first.count("<code>token.create</code>") == 50 and 'rel="next"' in first and 'rel="prev"' not in first
    )
    second = adm.get("/admin/audit?action=token&page=2").get_data(as_text=True)
    assert second.count("<code>token.create</code>") == 5 and 'rel="next"' not in second
    assert 'rel="prev"' in second and "web-admin/" in second
    assert adm.get("/admin/audit?page=99999999999").status_code == 200


def test_every_word_of_the_admin_templates_in_both_languages(adm):
    from api.web.i18n import WORDS
    from api.web.pages_admin import KINDS

    templates = Path(__file__).resolve().parents[2] / "api" / "web" / "templates" / "admin"
    keys = set()
    for f in templates.glob("*.html"):
        keys |= set(re.findall(r"t\('([a-z0-9_]+)'\)", f.read_text("utf-8")))
    keys |= {f"adm_c_{c}" for c in ("dark_green", "light_green", "yellow", "red")}
    keys |= {f"{k}_hint" for k in ("adm_users", "adm_tokens", "adm_reference", "adm_recalc", "adm_audit")}
    assert KINDS and keys
    for lang in ("zh", "en"):
        assert not sorted(k for k in keys if k not in WORDS[lang]), lang
    adm.set_cookie("lang", "en")
    html = adm.get("/admin/recalc").get_data(as_text=True)
    assert "Dry run (stores nothing)" in html and "试算" not in html
