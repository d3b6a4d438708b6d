"""The enterprise's pages without a browser: its own accounts only, CSRF on every form,
the upload's preview and confirm, consents, and nothing after logout."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from conftest import make_user

from carbon.domain.identifiers import make_uscc
from carbon.services import usecases
from carbon.services.auth import SYSTEM
from importers.template import write_template

MINE = make_uscc("91330802MA2C00201")
OTHER = make_uscc("91330802MA2C00202")


def rows(code: str, electricity: object = 100.0) -> list[dict[str, object]]:
    return [
        {
            "uscc": code,
            "name": "测试化工有限公司",
            "industry_code": "2614",
            "region_code": "330802",
            "month": f"2023-{m:02d}",
            "electricity": electricity if m == 1 else 100.0 + m,
            "natural_gas": 10.0,
            "value_added": 1000.0,
        }
        for m in (1, 2, 3)
    ]


@pytest.fixture
def ent(app, tmp_path):
    """A logged-in client of an enterprise user owning MINE; MINE and OTHER have 2023 data."""
    app.instance_path = str(tmp_path)  # where uploads await confirmation
    db = app.extensions["carbon_db"]
    data = write_template(rows(MINE) + rows(OTHER), lang="zh")
    assert usecases.import_file(db, data, "both.xlsx", by=SYSTEM).status == "imported"
    make_user(app, "page-ent", "enterprise", usccs=[MINE])
    c = app.test_client()
    r = c.post("/login", data={"username": "page-ent", "password": "correct horse battery"})
    assert r.status_code == 303 and r.headers["Location"] == "/enterprise"
    return c


def csrf(c, path: str = "/enterprise/upload") -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text)
    assert m
    return m.group(1)


def upload(c, data: bytes, token: str, name: str = "mine.xlsx"):
    return c.post(
        "/enterprise/upload",
        data={"file": (io.BytesIO(data), name), "csrf_token": token},
        content_type="multipart/form-data",
    )


def test_home_and_account_show_the_own_enterprise(ent):
    home = ent.get("/enterprise")
    assert home.status_code == 200 and MINE in home.text and OTHER not in home.text
    assert f"/enterprise/{MINE}/2023" in home.text
    page = ent.get(f"/enterprise/{MINE}/2023")
    assert page.status_code == 200
    assert f"/api/v1/enterprises/{MINE}/charts/monthly-emissions?format=svg&amp;year=2023" in page.text
    assert "碳效等级" in page.text or "该年度暂无评价结果" in page.text
    chart = ent.get(f"/api/v1/enterprises/{MINE}/charts/monthly-emissions?format=svg&year=2023&lang=zh")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"


def test_the_account_page_lists_each_month_and_they_add_up_to_the_year(ent, app):
    page = ent.get(f"/enterprise/{MINE}/2023")
    table = page.text.split('id="ent-months"', 1)[1].split("</table>", 1)[0]
    months = re.findall(r"<td>(2023-\d\d)</td>", table)
    assert months == ["2023-01", "2023-02", "2023-03"]
    full = usecases.account(app.extensions["carbon_db"], MINE, 2023, by=SYSTEM)
    each = [usecases.account(app.extensions["carbon_db"], MINE, 2023, m, by=SYSTEM) for m in months]
    assert sum(m["emissions_tco2"]["total"] for m in each) == pytest.approx(full["emissions_tco2"]["total"])
    for m in each:
        assert f"{m['emissions_tco2']['total']:,.3f}" in table


def test_another_enterprises_uscc_is_the_error_page(ent):
    r = ent.get(f"/enterprise/{OTHER}/2023")
    assert r.status_code in (403, 404) and r.mimetype == "text/html"
    assert "913308" not in r.text.split("<main", 1)[1] or OTHER not in r.text
    assert ent.get(f"/api/v1/enterprises/{OTHER}/charts/intensity?format=svg").status_code in (403, 404)


def test_other_roles_get_the_403_page(app):
    make_user(app, "page-bank", "bank", institution="某银行")
    c = app.test_client()
    c.post("/login", data={"username": "page-bank", "password": "correct horse battery"})
    assert c.get("/enterprise").status_code == 403


def test_posts_without_the_csrf_token_are_refused(ent):
    data = write_template(rows(MINE, 150.0), lang="zh")
    r = ent.post(
        "/enterprise/upload", data={"file": (io.BytesIO(data), "x.xlsx")}, content_type="multipart/form-data"
    )
    assert r.status_code == 403
    assert ent.post("/enterprise/upload/confirm").status_code == 403
    assert ent.post("/enterprise/consents", data={"action": "grant"}).status_code == 403
    assert ent.post("/enterprise/upload/confirm", data={"csrf_token": "wrong"}).status_code == 403


def test_upload_preview_then_confirm_changes_the_account(ent, app):
    token = csrf(ent)
    before = ent.get(f"/enterprise/{MINE}/2023").text
    preview = upload(ent, write_template(rows(MINE, 5000.0), lang="zh"), token)
    assert preview.status_code == 200 and "→" in preview.text and "5000" in preview.text
    pending = list((Path(app.instance_path) / "enterprise_uploads").iterdir())
    assert len(pending) == 1
    assert ent.get(f"/enterprise/{MINE}/2023").text == before  # a preview writes nothing
    done = ent.post("/enterprise/upload/confirm", data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/enterprise/{MINE}/2023")
    assert ent.get(f"/enterprise/{MINE}/2023").text != before
    assert not any(p.name == pending[0].name for p in pending[0].parent.iterdir())  # the file is gone
    again = ent.post("/enterprise/upload/confirm", data={"csrf_token": token})
    assert again.status_code == 422  # nothing pending any more
    history = ent.get("/enterprise/imports").text
    assert "mine.xlsx" in history and "由运营方导入" in history and "both.xlsx" not in history
    # mine.xlsx revised January: the operator's row of it counted as revised, mine marked
    assert "2023-01" in history and 'class="ent-revised"' in history and "已被修订" in history
    assert OTHER not in history  # the other enterprise's history is not listed


def test_a_bad_workbook_shows_its_cells_and_the_recorded_attempt_links_its_error_workbook(ent):
    token = csrf(ent)
    r = upload(ent, write_template(rows(MINE, "lots"), lang="zh"), token)
    assert r.status_code == 422 and 'class="ent-errors"' in r.text and "errors.xlsx" not in r.text
    recorded = ent.post("/enterprise/upload/confirm", data={"csrf_token": token})
    assert recorded.status_code == 422
    link = re.search(r'href="(/api/v1/imports/\d+/errors\.xlsx)"', recorded.text)
    assert link and ent.get(link.group(1)).status_code == 200


def test_another_enterprises_rows_are_refused(ent):
    r = upload(ent, write_template(rows(OTHER, 9.0), lang="zh"), csrf(ent))
    assert r.status_code in (403, 422)


def test_consents_grant_revoke_and_the_access_log(ent, app):
    make_user(app, "page-bank", "bank", institution="某银行")
    token = csrf(ent, "/enterprise/consents")
    assert "某银行" in ent.get("/enterprise/consents").text  # offered in the form
    grant = {"csrf_token": token, "action": "grant", "uscc": MINE, "institution": "某银行", "scope": "rating"}
    bad = ent.post("/enterprise/consents", data={**grant, "expires_on": "not a date"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    r = ent.post("/enterprise/consents", data={**grant, "expires_on": "2099-01-01"})
    assert r.status_code == 422  # more than 3 years ahead: the use case's refusal, shown
    ok = ent.post(
        "/enterprise/consents", data={**grant, "expires_on": str(dt.date.today() + dt.timedelta(days=200))}
    )
    assert ok.status_code == 303
    page = ent.get("/enterprise/consents").text
    assert "某银行" in page and "consent.grant" in page and "撤销" in page
    consent_id = re.search(r'name="consent_id" value="(\d+)"', page).group(1)
    stolen = ent.post(
        "/enterprise/consents", data={"csrf_token": token, "action": "revoke", "consent_id": "999999"}
    )
    assert stolen.status_code == 404
    revoked = ent.post(
        "/enterprise/consents", data={"csrf_token": token, "action": "revoke", "consent_id": consent_id}
    )
    assert revoked.status_code == 303 and "consent.revoke" in ent.get("/enterprise/consents").text


def test_after_logout_the_pages_send_to_the_login_page(ent):
    token = csrf(ent)
    assert ent.post("/logout", data={"csrf_token": token}).status_code == 303
    for path in ("/enterprise", f"/enterprise/{MINE}/2023", "/enterprise/upload", "/enterprise/consents"):
        r = ent.get(path)
        assert r.status_code in (302, 303) and "/login" in r.headers["Location"], path


def test_every_word_of_the_enterprise_pages_is_in_both_languages():
    from api.web import pages_enterprise
    from api.web.i18n import WORDS

    folder = Path(pages_enterprise.__file__).parent / "templates" / "enterprise"
    used = {k for f in folder.glob("*.html") for k in re.findall(r"t\('(ent_\w+)'\)", f.read_text("utf-8"))}
    dynamic = {f"ent_{k}" for k in pages_enterprise.PARTS} | {
        f"ent_chart_{k}" for k in pages_enterprise.CHARTS
    }
    dynamic |= {f"ent_class_{k}" for k in ("low", "medium", "high")} | {
        "ent_scope_rating",
        "ent_scope_account",
    }
    dynamic |= {f"ent_colour_{k}" for k in ("dark_green", "light_green", "yellow", "red")}
    dynamic |= {f"ent_{k}" for k in ("industry_advanced", "regional_contribution", "historical_decline")}
    for key in used | dynamic | {"ent_no_file", "ent_nothing_pending", "ent_bad_date"}:
        assert key in WORDS["zh"] and key in WORDS["en"], key
