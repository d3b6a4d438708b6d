"""The official's pages in a browser: the region dashboard, the ratings list filtered by
colour, the monthly report downloaded through its form, a county official kept to their
county, and the dashboard on a phone."""

from __future__ import annotations

import re
from pathlib import Path

from browser_kit import at, login, no_horizontal_overflow
from playwright.sync_api import expect


def test_dashboard_filter_and_monthly_report(page, live):
    from carbon.services import usecases

    summary = usecases.summary(live.app.extensions["carbon_db"], by=_official(live))
    login(page, live, "official")
    at(page, "/official")
    assert page.locator("h1").inner_text().startswith("辖区概览")
    assert page.locator("#off-enterprises").inner_text() == str(summary["enterprises"])
    years = page.locator("#off-years tbody tr")
    assert years.count() == len(summary["years"])
    assert f"{summary['years'][-1]['total_tco2']:,.3f}" in page.locator("#off-years").inner_text()

    page.get_by_role("link", name="评价结果").first.click()
    page.get_by_label("颜色").select_option("yellow")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    page.wait_for_url(re.compile("colour=yellow"))
    rows = page.locator("table.off-ratings tbody tr")
    assert rows.count() > 0
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.colour)")) == {"yellow"}
    rows.first.get_by_role("link").first.click()
    page.wait_for_url(re.compile("/official/enterprise/"))
    expect(page.locator("#off-latest")).to_be_visible()

    page.goto(live.url("/official/report"))
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("Excel")).click()
    body = Path(info.value.path()).read_bytes()
    assert body.startswith(b"PK"), body[:20]


def test_a_county_official_cannot_open_another_countys_enterprise(page, live):
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM

    db = live.app.extensions["carbon_db"]
    items, _ = usecases.ratings_page(db, {"region": "330803"}, 1, 1, by=SYSTEM)
    other = items[0]["uscc"]
    usecases.create_user(
        db, SYSTEM, username="kecheng-official", password="kecheng horse battery", role="official",
        region_code="330802",
    )  # fmt: skip
    page.goto(live.url("/login"))
    page.get_by_label("用户名").fill("kecheng-official")
    page.get_by_label("密码").fill("kecheng horse battery")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    at(page, "/official")
    assert "柯城区" in page.locator("h1").inner_text()
    response = page.goto(live.url(f"/official/enterprise/{other}"))
    assert response.status in (403, 404)
    assert re.match(r"40[34]", page.locator("h1").inner_text())
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()


def test_dashboard_on_a_phone(page, live, phone):
    login(page, live, "official")
    page.goto(live.url("/official/ratings"))
    no_horizontal_overflow(page)
    page.get_by_role("link", name="辖区概览").click()
    expect(page.locator("#off-enterprises")).to_be_visible()
    no_horizontal_overflow(page)


def _official(live):
    from carbon.services import usecases

    db = live.app.extensions["carbon_db"]
    return usecases.login(
        db, live.users["official"]["username"], live.users["official"]["password"], origin=None
    )
