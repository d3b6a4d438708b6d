"""Pages everyone uses: login, the language switch, logout, error pages, the methodology."""

from __future__ import annotations

import re

from browser_kit import at, login, no_horizontal_overflow
from playwright.sync_api import expect


def test_login_wrong_password_then_right_one_and_logout(page, live):
    page.goto(live.url("/"))
    at(page, "/login")
    page.get_by_label("用户名").fill(live.users["official"]["username"])
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_be_visible()
    login(page, live, "official")
    at(page, "/official")
    page.get_by_role("button", name="退出").click()
    at(page, "/login")
    page.goto(live.url("/official"))  # the cookie after logout opens nothing
    page.wait_for_url(re.compile("/login"))


def test_language_switch_and_methodology_page_on_a_phone(page, live, phone):
    page.goto(live.url("/methodology"))
    expect(page.locator("h1").first).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert re.search("How the numbers are made", page.content())
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("link", name="登录")).to_be_visible()
    no_horizontal_overflow(page)


def test_unknown_page_is_a_404_page_in_the_users_language(page, live):
    page.goto(live.url("/no/such/page"))
    assert "404" in page.locator("h1").inner_text()
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()
