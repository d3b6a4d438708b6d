"""The administrator's pages in the browser: create a user through the form, run a
recalculation dry run for 2023, see its diff, confirm it, and find it in the audit log;
the users page on a phone."""

from __future__ import annotations

import re

from browser_kit import SCREENSHOTS, at, login, no_horizontal_overflow
from playwright.sync_api import expect


def test_admin_creates_a_user_and_recalculates_2023_with_a_dry_run_first(page, live, request):
    login(page, live, "admin")
    at(page, "/admin")
    page.get_by_role("link", name="用户管理").first.click()
    page.get_by_label("用户名").fill("new-bank-user")
    page.get_by_label("密码").fill("a long enough password")
    page.get_by_label("角色").select_option("bank")
    page.get_by_label("所属机构").fill("衢州测试银行")
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("cell", name="new-bank-user", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="衢州测试银行")).to_be_visible()

    page.get_by_role("link", name="重新计算").first.click()
    page.get_by_label("年份").fill("2023")
    page.get_by_label("排放因子集").select_option("zhejiang-grid@1")  # moves four colours in the demo
    page.get_by_role("button", name="试算").click()
    result = page.get_by_role("region", name="试算结果")
    expect(result).to_be_visible()
    assert "2023: zhejiang-grid@1" in result.inner_text()
    assert re.search(r"黄 → 浅绿: 2", result.inner_text())
    assert result.locator("tbody tr").count() == 4  # the enterprise-years whose colour changes
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    shot = SCREENSHOTS / f"{name}_dry_run.png"
    page.screenshot(path=str(shot), full_page=True)
    page.get_by_role("button", name="确认执行").click()
    done = page.get_by_role("region", name="重新计算已完成")
    expect(done).to_be_visible()
    done.get_by_role("link", name=re.compile(r"#\d+")).click()
    at(page, "/admin/audit?action=recalc")
    expect(page.get_by_role("cell", name="recalc.run").first).to_be_visible()
    expect(page.get_by_role("link", name="导出全部（CSV）")).to_be_visible()


def test_users_page_on_a_phone(page, live, phone):
    login(page, live, "admin")
    for path in ("/admin", "/admin/audit", "/admin/reference", "/admin/tokens", "/admin/recalc"):
        page.goto(live.url(path))
        expect(page.locator("h1")).to_be_visible()
        no_horizontal_overflow(page)
    page.goto(live.url("/admin/users"))
    expect(page.get_by_role("heading", name="用户管理")).to_be_visible()
    expect(page.get_by_role("cell", name=live.users["official"]["username"], exact=True)).to_be_visible()
    no_horizontal_overflow(page)
