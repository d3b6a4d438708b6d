"""The bank's pages in a browser: look a borrower up, see its ratings, history and trend;
a borrower without consent is refused; the borrower page on a phone."""

from __future__ import annotations

import re

from browser_kit import at, login, no_horizontal_overflow
from playwright.sync_api import expect


def _without_consent(live):
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM

    items, _ = usecases.enterprises_page(live.app.extensions["carbon_db"], {}, 1, 50, by=SYSTEM)
    return next(
        e["uscc"] for e in sorted(items, key=lambda e: e["uscc"], reverse=True) if e["uscc"] != live.uscc
    )


def _look_up(page, uscc):
    page.get_by_label(re.compile("统一社会信用代码")).fill(uscc)
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()


def test_bank_looks_up_its_borrower_and_sees_ratings_history_and_charts(page, live):
    login(page, live, "bank")
    at(page, "/bank")
    expect(page.get_by_role("link", name=live.uscc)).to_be_visible()  # the consent it holds
    _look_up(page, live.uscc)
    at(page, f"/bank/borrower/{live.uscc}")
    expect(page.get_by_role("heading", name=re.compile("最新评级"))).to_be_visible()
    assert page.get_by_test_id("bank-grade").inner_text().strip() != ""
    expect(page.get_by_role("heading", name="评级历史")).to_be_visible()
    history = page.locator("section[aria-labelledby=bank-history] tbody tr")
    assert history.count() >= 1
    expect(page.get_by_test_id("bank-account")).to_be_visible()  # the demo consent covers the account
    charts = page.locator("img.chart")
    assert charts.count() == 2
    for i in range(2):
        charts.nth(i).scroll_into_view_if_needed()
        assert page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=charts.nth(i).element_handle()
        )


def test_bank_is_refused_a_borrower_without_consent(page, live):
    login(page, live, "bank")
    _look_up(page, _without_consent(live))
    assert "403" in page.locator("h1").inner_text()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.get_by_text("评级历史").count() == 0


def test_borrower_page_fits_a_phone(page, live, phone):
    login(page, live, "bank")
    page.goto(live.url(f"/bank/borrower/{live.uscc}"))
    expect(page.get_by_role("heading", name="评级历史")).to_be_visible()
    no_horizontal_overflow(page)
