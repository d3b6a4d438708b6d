"""The world of the access tests (test_access.py, test_access_roles.py): two counties' samples,
an enterprise user of each, two banks and two officials (the ``w`` fixture), and the helpers
that call the API as them and check its answers."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from conftest import make_user

from carbon.domain.identifiers import make_uscc
from carbon.store.models import utcnow

ENVELOPE = {"code", "status", "message", "errors"}
BANK, OTHER_BANK = "衢州农商银行", "浙商银行衢州分行"
GHOST = make_uscc("91330802MA2C99999")  # well formed, never imported
PNG = b"\x89PNG\r\n\x1a\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_HEADER = ["id", "at", "actor", "origin", "action", "subject", "details"]
E = "/api/v1/enterprises"


def as_user(app, token: str, origin: str):
    """A client sending ``token`` with every request, from the address ``origin``."""
    c = app.test_client()
    c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    c.environ_base["REMOTE_ADDR"] = origin
    return c


def today() -> dt.date:
    return utcnow().date()


def grant(client, uscc: str, scope: str, days: int = 30, institution: str = BANK):
    expires = (today() + dt.timedelta(days=days)).isoformat()
    body = {"uscc": uscc, "institution": institution, "scope": scope, "expires_on": expires}
    return client.post("/api/v1/consents", json=body)


def usccs(client, path: str) -> list[str]:
    r = client.get(path)
    assert r.status_code == 200, r.json
    return sorted(x["uscc"] for x in r.json)


def is_envelope(r, status: int, code: str | None = None) -> bool:
    body = r.json
    return (
        r.status_code == status
        and isinstance(body, dict)
        and ENVELOPE <= body.keys()
        and body["status"] == status
        and (code is None or body["code"] == code)
        and isinstance(body["message"], str)
        and bool(body["message"])
    )


def without_digits(body: dict) -> dict:
    """An error body with the ids in its message blanked (``no import 7`` ~ ``no import 99``)."""
    return {**body, "message": re.sub(r"\d+", "#", body["message"])}


@pytest.fixture
def w(app, loaded):
    """Two counties' samples; A (and A2) in Kecheng 330802, B in Qujiang 330803; an
    enterprise user of each, two banks, an official of Kecheng and one of Qujiang, each
    calling from an address of its own."""
    ents = loaded.get(f"{E}?page_size=100").json
    kecheng = sorted(e["uscc"] for e in ents if e["region_code"] == "330802")
    qujiang = sorted(e["uscc"] for e in ents if e["region_code"] == "330803")
    assert len(kecheng) >= 3 and len(qujiang) >= 3
    A, B = kecheng[0], qujiang[0]
    return SimpleNamespace(
        A=A,
        B=B,
        kecheng=kecheng,
        qujiang=qujiang,
        admin=loaded,
        ent=as_user(app, make_user(app, "ent-a", "enterprise", usccs=[A]), "10.0.0.1"),
        ent_b=as_user(app, make_user(app, "ent-b", "enterprise", usccs=[B]), "10.0.0.2"),
        bank=as_user(app, make_user(app, "bank-x", "bank", institution=BANK), "10.0.0.3"),
        other_bank=as_user(app, make_user(app, "bank-y", "bank", institution=OTHER_BANK), "10.0.0.4"),
        official=as_user(app, make_user(app, "off-kecheng", "official", region_code="330802"), "10.0.0.5"),
        official_q=as_user(app, make_user(app, "off-qujiang", "official", region_code="330803"), "10.0.0.6"),
    )


# Below an enterprise's URL: what a consent of scope rating opens, and what only scope account does.
RATING_PATHS = ("", "/ratings", "/ratings/2023", "/charts/grade-history")
ACCOUNT_PATHS = (
    "/accounts/2023",
    "/accounts/2023?month=2023-06",
    "/supplier-contracts",
    "/charts/monthly-emissions?year=2023",
)


def assert_refused_like_a_missing_enterprise(client, uscc: str, suffixes) -> None:
    for suffix in suffixes:
        r, ghost = client.get(f"{E}/{uscc}{suffix}"), client.get(f"{E}/{GHOST}{suffix}")
        assert is_envelope(r, 403, "forbidden"), (suffix, r.status_code, r.json)
        assert r.json == ghost.json, (suffix, r.json, ghost.json)
