"""The bank's pages without a browser: the consents it holds, a borrower's ratings with an
account consent, and every refusal as the error page (the use cases decide)."""

from __future__ import annotations

import pytest

from carbon.services import usecases
from carbon.services.auth import SYSTEM


@pytest.fixture
def demo(app, loaded):
    """Two counties' workbooks and the demo users (the bank holds an account consent on the
    first enterprise); the USCCs with and without consent."""
    db = app.extensions["carbon_db"]
    users = {u["role"]: u for u in usecases.demo_users(db)}
    items, _ = usecases.enterprises_page(db, {}, 1, 50, by=SYSTEM)
    usccs = sorted(e["uscc"] for e in items)
    return {"users": users, "granted": usccs[0], "other": usccs[-1]}


def session_of(app, demo, role):
    c = app.test_client()
    user = demo["users"][role]
    r = c.post("/login", data={"username": user["username"], "password": user["password"]})
    assert r.status_code == 303, r.text
    return c


def test_the_bank_home_lists_its_consent_and_the_lookup_form(app, demo):
    bank = session_of(app, demo, "bank")
    r = bank.get("/bank")
    assert r.status_code == 200 and 'action="/bank/lookup"' in r.text
    assert f'href="/bank/borrower/{demo["granted"]}"' in r.text and "评级与碳账户" in r.text


def test_the_lookup_redirects_to_the_borrower_with_ratings_history_charts_and_account(app, demo):
    bank = session_of(app, demo, "bank")
    r = bank.get("/bank/lookup", query_string={"uscc": " " + demo["granted"].lower() + " "})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/bank/borrower/{demo['granted']}")
    page = bank.get(f"/bank/borrower/{demo['granted']}")
    assert page.status_code == 200, page.text
    for words in ("碳效码", "三维四色", "评级历史", "碳账户", "行业先进性"):
        assert words in page.text
    assert f"/api/v1/enterprises/{demo['granted']}/charts/grade-history?format=svg&amp;lang=zh" in page.text
    assert 'data-testid="bank-account"' in page.text
    chart = bank.get(f"/api/v1/enterprises/{demo['granted']}/charts/intensity?format=svg&lang=zh")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"  # the session cookie suffices
    assert "style=" not in page.text and "<script" not in page.text


def test_a_rating_only_consent_shows_the_ratings_without_the_account(app, demo):
    db = app.extensions["carbon_db"]
    with db.unit_of_work() as session:
        from carbon.store.models import Consent

        session.query(Consent).update({"scope": "rating"})
    page = session_of(app, demo, "bank").get(f"/bank/borrower/{demo['granted']}")
    assert page.status_code == 200 and 'data-testid="bank-rating-only"' in page.text
    assert 'data-testid="bank-account"' not in page.text and "碳效码" in page.text


def test_without_consent_the_borrower_page_is_the_403_page(app, demo):
    page = session_of(app, demo, "bank").get(f"/bank/borrower/{demo['other']}")
    assert page.status_code == 403 and page.mimetype == "text/html"
    assert "无权访问" in page.text and 'role="alert"' in page.text and "碳效码" not in page.text


@pytest.mark.parametrize(
    "bad", ["123", "91330802MA2DJ0XXXI", "91330802MA2DJ0XXX0", "<script>alert(1)</script>"]
)
def test_a_malformed_uscc_is_the_422_page_in_the_users_words(app, demo, bad):
    bank = session_of(app, demo, "bank")
    r = bank.get("/bank/lookup", query_string={"uscc": bad})
    assert r.status_code == 422 and "统一社会信用代码" in r.text and "<script>alert" not in r.text
    if "/" not in bad:
        assert bank.get(f"/bank/borrower/{bad}").status_code == 422


@pytest.mark.parametrize("role", ["enterprise", "official"])
@pytest.mark.parametrize("path", ["/bank", "/bank/lookup?uscc=X", "/bank/borrower/{granted}"])
def test_other_roles_get_the_403_page_on_bank_pages(app, demo, role, path):
    r = session_of(app, demo, role).get(path.format(granted=demo["granted"]))
    assert r.status_code == 403 and r.mimetype == "text/html" and "无权访问" in r.text


def test_after_logout_the_bank_pages_redirect_to_login(app, demo):
    bank = session_of(app, demo, "bank")
    assert bank.get("/bank").status_code == 200
    token = bank.get("/api/v1/auth/me").json["csrf_token"]
    assert bank.post("/logout", data={"csrf_token": token}).status_code == 303
    for path in ("/bank", f"/bank/borrower/{demo['granted']}"):
        r = bank.get(path)
        assert r.status_code == 303 and "/login?next=" in r.headers["Location"]


def test_the_borrower_page_in_english(app, demo):
    bank = session_of(app, demo, "bank")
    bank.get("/lang/en")
    page = bank.get(f"/bank/borrower/{demo['granted']}")
    assert page.status_code == 200 and "Rating history" in page.text and "lang=en" in page.text
