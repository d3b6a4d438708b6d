"""Pages everyone uses: login, the language switch, logout, error pages, the methodology."""

from __future__ import annotations

import re

from browser_kit import login, no_horizontal_overflow


def test_login_wrong_password_then_right_one_and_logout(page, live):
    page.goto(live.url("/"))
    assert page.url.endswith("/login")
    page.get_by_label("用户名").fill(live.users["official"]["username"])
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").is_visible()
    login(page, live, "official")
    assert page.url.endswith("/official")
    page.get_by_role("button", name="退出").click()
    assert page.url.endswith("/login")
    page.goto(live.url("/official"))  # the cookie after logout opens nothing
    assert "/login" in page.url


def test_language_switch_and_methodology_page_on_a_phone(page, live, phone):
    page.goto(live.url("/methodology"))
    assert page.locator("h1").first.is_visible()
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("link", name="Log in").is_visible()
    assert re.search("How the numbers are made", page.content())
    page.get_by_role("link", name="中文").click()
    assert page.get_by_role("link", name="登录").is_visible()
    no_horizontal_overflow(page)


def test_unknown_page_is_a_404_page_in_the_users_language(page, live):
    page.goto(live.url("/no/such/page"))
    assert "404" in page.locator("h1").inner_text()
    assert page.get_by_role("link", name="返回首页").is_visible()
