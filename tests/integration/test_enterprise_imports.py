"""An enterprise's import history (GET /api/v1/enterprises/{uscc}/imports): every import
that wrote its rows, newest first, with the rows still current, those revised later and
whether the import revised earlier data; seen by whoever may read its account."""

from __future__ import annotations

import datetime as dt
import io

from conftest import make_user
from sqlalchemy import select

from carbon.domain.identifiers import make_uscc
from carbon.store.models import AuditEntry
from importers.template import write_template

A = make_uscc("91330802MA2C00301")
B = make_uscc("91330802MA2C00302")
BANK = "衢州农商银行"


def rows(code: str, months: tuple[int, ...], electricity: float) -> list[dict[str, object]]:
    return [
        {
            "uscc": code,
            "name": "测试化工有限公司",
            "industry_code": "2614",
            "region_code": "330802",
            "month": f"2023-{m:02d}",
            "electricity": electricity + m,
            "natural_gas": 10.0,
            "value_added": 1000.0,
        }
        for m in months
    ]


def upload(c, data: bytes, name: str):
    r = c.post("/api/v1/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert r.status_code == 201, r.json
    return r.json


def as_user(app, token: str):
    c = app.test_client()
    c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return c


def test_a_month_uploaded_twice_shows_both_imports_newest_first(app, client):
    first = upload(client, write_template(rows(A, (1, 2), 100.0) + rows(B, (1,), 50.0)), "first.xlsx")
    ent = as_user(app, make_user(app, "ent-a", "enterprise", usccs=[A]))
    second = upload(ent, write_template(rows(A, (1,), 900.0)), "second.xlsx")

    r = ent.get(f"/api/v1/enterprises/{A}/imports")
    assert r.status_code == 200, r.json
    newer, older = r.json
    assert [newer["id"], older["id"]] == [second["import_id"], first["import_id"]]
    assert newer == {
        "id": second["import_id"],
        "filename": "second.xlsx",
        "record_visible": True,
        "uploaded_at": newer["uploaded_at"],
        "status": "imported",
        "months": ["2023-01"],
        "rows_current": 1,
        "rows_revised": 0,
        "revised_earlier": True,
    }
    assert older["months"] == ["2023-01", "2023-02"]
    assert (older["rows_current"], older["rows_revised"], older["revised_earlier"]) == (1, 1, False)
    # the operator's upload: its record is not the enterprise's to open, so no file name
    assert older["filename"] is None and older["record_visible"] is False
    assert older["uploaded_at"] <= newer["uploaded_at"]

    # the administrator sees every file name; B's history has the first import only
    seen = client.get(f"/api/v1/enterprises/{A}/imports").json
    assert [i["filename"] for i in seen] == ["second.xlsx", "first.xlsx"]
    other = client.get(f"/api/v1/enterprises/{B}/imports").json
    assert [(i["id"], i["months"], i["rows_current"], i["rows_revised"]) for i in other] == [
        (first["import_id"], ["2023-01"], 1, 0)
    ]


def test_only_those_who_may_read_the_account_see_it(app, client):
    upload(client, write_template(rows(A, (1,), 100.0) + rows(B, (1,), 50.0)), "both.xlsx")
    ent_a = as_user(app, make_user(app, "ent-a", "enterprise", usccs=[A]))
    ent_b = as_user(app, make_user(app, "ent-b", "enterprise", usccs=[B]))
    bank = as_user(app, make_user(app, "bank", "bank", institution=BANK))

    assert ent_b.get(f"/api/v1/enterprises/{A}/imports").status_code in (403, 404)
    assert bank.get(f"/api/v1/enterprises/{A}/imports").status_code == 403
    assert app.test_client().get(f"/api/v1/enterprises/{A}/imports").status_code == 401

    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    consent = {"uscc": A, "institution": BANK, "expires_on": expires}
    assert ent_a.post("/api/v1/consents", json={**consent, "scope": "rating"}).status_code == 201
    assert bank.get(f"/api/v1/enterprises/{A}/imports").status_code == 403  # the rating only
    assert ent_a.post("/api/v1/consents", json={**consent, "scope": "account"}).status_code == 201
    r = bank.get(f"/api/v1/enterprises/{A}/imports")
    assert r.status_code == 200 and [i["filename"] for i in r.json] == [None]

    with app.extensions["carbon_db"].read() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.subject == A)).all()
    assert "read.imports" in actions and "read.denied" in actions
