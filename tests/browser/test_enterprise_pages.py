"""The enterprise's pages in a browser: a bad workbook's errors, a good one through preview
and confirm changing the account, and the account page on a phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from browser_kit import SCREENSHOTS, at, login, no_horizontal_overflow
from playwright.sync_api import expect
from sqlalchemy import select

from carbon.domain.quantities import FIELD_BY_KEY, unit_factor
from carbon.services import usecases
from carbon.services.auth import SYSTEM
from carbon.store.models import Enterprise, MonthlyInput
from importers.layout import TEMPLATE_COLUMNS
from importers.template import write_template


def demo_rows(live: Any) -> tuple[int, list[dict[str, object]]]:
    """The demo enterprise's stored months of its latest year, in the template's units."""
    db = live.app.extensions["carbon_db"]
    e = usecases.enterprise(db, live.uscc, by=SYSTEM)
    with db.read() as s:
        eid = s.scalar(select(Enterprise.id).where(Enterprise.uscc == live.uscc))
        current = select(MonthlyInput).where(MonthlyInput.enterprise_id == eid, MonthlyInput.is_current)
        stored = list(s.scalars(current))
        year = max(m.year for m in stored)
        rows = []
        for m in sorted((m for m in stored if m.year == year), key=lambda m: m.month):
            row: dict[str, object] = {
                "uscc": live.uscc,
                "name": e["name"],
                "industry_code": e["industry_code"],
                "region_code": e["region_code"],
                "month": f"{year}-{m.month:02d}",
            }
            for col in TEMPLATE_COLUMNS:
                f = FIELD_BY_KEY.get(col.key)
                value = getattr(m, col.key, None) if f is not None else None
                if f is not None and value is not None:
                    row[col.key] = value / unit_factor(f.template_unit_zh, f.dimension)
            rows.append(row)
    return year, rows


def choose(page: Any, tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.goto(page.url.split("/enterprise")[0] + "/enterprise/upload")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="预览").click()
    page.wait_for_load_state()


def total(page: Any) -> float:
    return float(page.locator("#ent-total").inner_text().replace(",", ""))


def test_bad_workbook_shows_its_errors_then_a_good_one_is_previewed_and_confirmed(page, live, tmp_path):
    year, rows = demo_rows(live)
    login(page, live, "enterprise")
    at(page, "/enterprise")
    page.get_by_role("link", name=f"碳账户 {year}").click()
    before = total(page)

    bad = [dict(r) for r in rows]
    bad[0]["electricity"] = "很多"
    choose(page, tmp_path, "bad.xlsx", write_template(bad, lang="zh"))
    expect(page.get_by_role("alert")).to_be_visible()
    errors = page.locator("table.ent-errors tbody tr")
    assert errors.count() >= 1 and re.search("电力|lectricity", errors.first.inner_text())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "enterprise_upload_errors.png"), full_page=True)
    page.get_by_role("button", name=re.compile("记录本次上传")).click()
    expect(page.get_by_role("link", name="下载错误标注工作簿")).to_be_visible()

    good = [dict(r) for r in rows]
    good[0]["electricity"] = float(good[0].get("electricity") or 0) + 100.0  # 100 万千瓦时 = 1,000 MWh more
    choose(page, tmp_path, "good.xlsx", write_template(good, lang="zh"))
    changes = page.locator("table.ent-changes")
    expect(changes).to_be_visible()
    assert "→" in changes.inner_text() and f"{year}-01" in changes.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "enterprise_upload_preview.png"), full_page=True)
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state()
    at(page, f"/enterprise/{live.uscc}/{year}")
    assert total(page) > before


def test_account_page_on_a_phone(page, live, phone):
    login(page, live, "enterprise")
    page.locator("a.ent-year").first.click()
    page.wait_for_load_state()
    expect(page.locator("h1").first).to_be_visible()
    expect(page.locator("#ent-total")).to_be_visible()
    imgs = page.locator("img.chart")
    assert imgs.count() == 3
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    assert all(imgs.nth(i).evaluate("i => i.naturalWidth > 0") for i in range(3))  # the API's charts load
    no_horizontal_overflow(page)
