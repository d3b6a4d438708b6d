"""The role × endpoint matrix, generated from the OpenAPI document (docs/access.md).

Every operation of ``/openapi.json`` must have a rule here, so a new endpoint without one
fails the suite. Each operation is called as anonymous and as every role, on data the
caller may see and on data it may not: what is allowed must not be refused, what is
refused must be exactly 401/403/404 and carry nothing of the enterprise, and a list must
hold only what the caller may see. A bank without consent gets the same answer for an
enterprise that exists and for one that does not.

Callers: ``anon``; ``enterprise`` (acts for A, in county 330802); ``official`` (330802);
``bank_account`` and ``bank_rating`` (consent of scope account / rating on A);
``bank_none`` (no consent); ``admin``. Enterprise B is in county 330803, outside all of
them; ``GHOST`` is a valid USCC no enterprise has.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import make_user

from carbon.domain.identifiers import make_uscc
from carbon.services import usecases
from carbon.services.auth import SYSTEM, Principal
from importers.template import write_template

ROLES = ("anon", "enterprise", "official", "bank_account", "bank_rating", "bank_none", "admin")
LOGGED_IN = ROLES[1:]
BANKS = ("bank_account", "bank_rating", "bank_none")
GHOST = make_uscc("91330802MA7GHX8T0")
YEAR = 2023


@dataclass
class World:
    clients: dict[str, Any]
    a: dict[str, Any]  # enterprise A (330802), the enterprise user's
    b: dict[str, Any]  # enterprise B (330803), nobody's but the admin's
    visible: dict[str, set[str]]  # role -> USCCs it may list
    ids: dict[str, Any] = field(default_factory=dict)


def _workbook(e: dict[str, Any], month: str = "2023-12") -> bytes:
    row = {
        "uscc": e["uscc"], "name": e["name"], "industry_code": e["industry_code"],
        "region_code": e["region_code"], "month": month, "electricity": 1.0, "value_added": 10.0,
    }  # fmt: skip
    return write_template([row], lang="zh")


def _upload(client: Any, data: bytes, name: str) -> Any:
    return client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


@pytest.fixture
def world(app, client, sample_files) -> World:
    admin = client
    for f in sample_files[:2]:
        assert _upload(admin, f.read_bytes(), f.name).status_code == 201
    everyone = admin.get("/api/v1/enterprises?page_size=100").json
    a = next(e for e in everyone if e["region_code"] == "330802")
    b = next(e for e in everyone if e["region_code"] == "330803")
    tokens = {
        "enterprise": make_user(app, "ent-a", "enterprise", usccs=[a["uscc"]]),
        "official": make_user(app, "off-kc", "official", region_code="330802"),
        "bank_account": make_user(app, "bank-acc", "bank", institution="账户银行"),
        "bank_rating": make_user(app, "bank-rat", "bank", institution="评级银行"),
        "bank_none": make_user(app, "bank-none", "bank", institution="无授权银行"),
    }
    clients = {"anon": app.test_client(), "admin": admin}
    for role, token in tokens.items():
        c = app.test_client()
        c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        clients[role] = c
    ent = clients["enterprise"]
    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    for institution, scope in (("账户银行", "account"), ("评级银行", "rating")):
        body = {"uscc": a["uscc"], "institution": institution, "scope": scope, "expires_on": expires}
        assert ent.post("/api/v1/consents", json=body).status_code == 201
    body = {"uscc": a["uscc"], "institution": "评级银行", "scope": "rating", "expires_on": expires}
    spare = ent.post("/api/v1/consents", json=body).json  # revoked by the matrix
    county = {e["uscc"] for e in everyone if e["region_code"].startswith("330802")}
    visible = {
        "enterprise": {a["uscc"]}, "official": county, "bank_account": {a["uscc"]},
        "bank_rating": {a["uscc"]}, "bank_none": set(), "admin": {e["uscc"] for e in everyone},
    }  # fmt: skip
    w = World(clients, a, b, visible)
    # an import and a job of the enterprise's, a rejected import of theirs, an admin's import
    own = _upload(ent, _workbook(a), "own.xlsx")
    assert own.status_code == 201, own.json
    w.ids["own_import"], w.ids["own_job"] = own.json["import_id"], own.json["job"]["id"]
    bad = _upload(ent, _workbook(b), "not-mine.xlsx")
    assert bad.status_code == 422, bad.json
    w.ids["rejected_import"] = bad.json["import_id"]
    w.ids["admin_import"] = 1
    w.ids["spare_consent"] = spare["id"]
    spare = usecases.create_token(app.extensions["carbon_db"], SYSTEM, "ent-a", "spare", ["read"], 5)
    w.ids["spare_token"] = spare["id"]  # revoked by the matrix
    _identity_changes(app, w, ent)
    return w


def _identity_changes(app: Any, w: World, ent: Any) -> None:
    """A pending identity change request of A's (its own upload, another industry: A stays in
    its county) and one of B's (B's user is not among the callers)."""

    def other(e: dict[str, Any]) -> dict[str, Any]:
        return {**e, "industry_code": "3011" if e["industry_code"] != "3011" else "2614"}

    r = _upload(ent, _workbook(other(w.a), "2023-11"), "identity-a.xlsx")
    assert r.status_code == 201, r.json
    b_user = Principal(0, "ent-b", "enterprise", usccs=frozenset({w.b["uscc"]}))
    res = usecases.import_file(
        app.extensions["carbon_db"], _workbook(other(w.b), "2023-11"), "b.xlsx", by=b_user
    )
    assert res.status == "imported", res.as_dict()
    pending = w.clients["admin"].get("/api/v1/identity-changes?status=pending").json
    ids = {c["uscc"]: c["id"] for c in pending}
    w.ids["change_a"], w.ids["change_b"] = ids[w.a["uscc"]], ids[w.b["uscc"]]


# -- rules ---------------------------------------------------------------------------------
# A rule: (path with its parameters filled, request kwargs, expected outcome per role).
# Outcomes: "ok" (not refused, no server error), or the exact refusal status 401/403/404.

Outcome = int | str
Call = tuple[str, dict[str, Any], dict[str, Outcome]]


def _by(default: Outcome, anon: Outcome = 401, **roles: Outcome) -> dict[str, Outcome]:
    out = {r: default for r in LOGGED_IN}
    out["anon"] = anon
    out.update(roles)
    return out


PUBLIC = {r: "ok" for r in ROLES}
LOGIN = _by("ok")
ADMIN = _by(403, admin="ok")


def _enterprise_rules(need: str) -> Callable[[World], list[Call]]:
    """GET of one enterprise's data: A is seen by its own user, its county's official, a
    bank with the consent it needs, the admin; B by the admin only; GHOST by nobody."""

    def calls(w: World, path: str, query: str = "") -> list[Call]:
        bank_rating = "ok" if need == "rating" else 403
        on_a = _by("ok", bank_rating=bank_rating, bank_none=403)
        on_b = _by(403, admin="ok")
        return [
            (path.replace("{uscc}", w.a["uscc"]) + query, {}, on_a),
            (path.replace("{uscc}", w.b["uscc"]) + query, {}, on_b),
            (path.replace("{uscc}", GHOST) + query, {}, _by(403, admin="ok")),
        ]

    return calls  # type: ignore[return-value]


def rules(w: World) -> dict[str, list[Call]]:
    a, b = w.a["uscc"], w.b["uscc"]
    expires = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    contract = {
        "year": YEAR, "supplier": "绿电供应商", "amount": 1.0, "factor_tco2_per_mwh": 0.1, "evidence": "合同",
    }  # fmt: skip

    def readings(uscc: str) -> dict[str, Any]:
        r = {
            "key": f"matrix-{uscc}", "uscc": uscc, "carrier": "electricity", "period": "2023-11",
            "value": 2.0, "unit": "MWh",
        }  # fmt: skip
        return {"json": {"source": "matrix", "readings": [r]}}

    def upload(uscc_row: dict[str, Any], name: str) -> dict[str, Any]:
        return {
            "data": {"file": (io.BytesIO(_workbook(uscc_row, "2023-10")), name)},
            "content_type": "multipart/form-data",
        }

    ent = _enterprise_rules
    return {
        "GET /api/v1/enterprises": [("/api/v1/enterprises?page_size=100", {}, LOGIN)],
        "GET /api/v1/ratings": [(f"/api/v1/ratings?year={YEAR}&page_size=100", {}, LOGIN)],
        "GET /api/v1/enterprises/{uscc}": ent("rating")(w, "/api/v1/enterprises/{uscc}"),
        "GET /api/v1/enterprises/{uscc}/accounts/{year}": ent("account")(
            w, f"/api/v1/enterprises/{{uscc}}/accounts/{YEAR}"
        ),
        "GET /api/v1/enterprises/{uscc}/imports": ent("account")(w, "/api/v1/enterprises/{uscc}/imports"),
        "GET /api/v1/enterprises/{uscc}/ratings": ent("rating")(w, "/api/v1/enterprises/{uscc}/ratings"),
        "GET /api/v1/enterprises/{uscc}/ratings/{year}": ent("rating")(
            w, f"/api/v1/enterprises/{{uscc}}/ratings/{YEAR}"
        ),
        "GET /api/v1/enterprises/{uscc}/charts/{kind}": [
            *ent("rating")(w, "/api/v1/enterprises/{uscc}/charts/grade-history"),
            *ent("rating")(w, "/api/v1/enterprises/{uscc}/charts/intensity"),
            *ent("account")(w, "/api/v1/enterprises/{uscc}/charts/monthly-emissions", f"?year={YEAR}"),
        ],
        "GET /api/v1/enterprises/{uscc}/supplier-contracts": ent("account")(
            w, "/api/v1/enterprises/{uscc}/supplier-contracts"
        ),
        "POST /api/v1/enterprises/{uscc}/supplier-contracts": [
            (
                f"/api/v1/enterprises/{a}/supplier-contracts",
                {"json": contract},
                _by(403, enterprise="ok", admin="ok"),
            ),
            (f"/api/v1/enterprises/{b}/supplier-contracts", {"json": contract}, _by(403, admin="ok")),
        ],  # fmt: skip
        "GET /api/v1/enterprises/{uscc}/accesses": [
            (f"/api/v1/enterprises/{a}/accesses", {}, _by(403, enterprise="ok", admin="ok")),
            (f"/api/v1/enterprises/{b}/accesses", {}, _by(403, admin="ok")),
        ],
        "POST /api/v1/imports": [
            ("/api/v1/imports", upload(w.a, "a.xlsx"), _by(403, enterprise="ok", admin="ok")),
            # the enterprise's file of B is taken apart and refused row by row (422)
            ("/api/v1/imports", upload(w.b, "b.xlsx"), _by(403, enterprise=422, admin="ok")),
        ],
        "GET /api/v1/imports/{import_id}": [
            (f"/api/v1/imports/{w.ids['own_import']}", {}, _by(404, enterprise="ok", admin="ok")),
            (f"/api/v1/imports/{w.ids['admin_import']}", {}, _by(404, admin="ok")),
        ],
        "GET /api/v1/imports/{import_id}/errors.xlsx": [
            (
                f"/api/v1/imports/{w.ids['rejected_import']}/errors.xlsx",
                {},
                _by(404, enterprise="ok", admin="ok"),
            ),  # fmt: skip
        ],
        "POST /api/v1/feeds/readings": [
            ("/api/v1/feeds/readings", readings(a), _by(403, enterprise="ok", admin="ok")),
            ("/api/v1/feeds/readings", readings(b), _by(403, admin="ok")),
        ],
        "GET /api/v1/jobs/{job_id}": [
            (f"/api/v1/jobs/{w.ids['own_job']}", {}, _by(404, enterprise="ok", admin="ok")),
            ("/api/v1/jobs/1", {}, _by(404, admin="ok")),
        ],
        "GET /templates/energy.xlsx": [("/templates/energy.xlsx", {}, PUBLIC)],
        "GET /api/v1/summary": [("/api/v1/summary", {}, _by(403, official="ok", admin="ok"))],
        "GET /api/v1/factor-sets": [("/api/v1/factor-sets", {}, PUBLIC)],
        "GET /api/v1/factor-sets/{ref}": [("/api/v1/factor-sets/cn-default@1", {}, PUBLIC)],
        "POST /api/v1/factor-sets": [("/api/v1/factor-sets", {"json": {"id": "x"}}, ADMIN)],
        "POST /api/v1/factor-sets/{ref}/retire": [
            ("/api/v1/factor-sets/nope@1/retire", {"json": {"reason": "matrix"}}, ADMIN)
        ],
        "GET /api/v1/methodologies": [("/api/v1/methodologies", {}, PUBLIC)],
        "GET /api/v1/methodologies/{ref}": [("/api/v1/methodologies/quzhou-3d@1", {}, PUBLIC)],
        "POST /api/v1/methodologies": [("/api/v1/methodologies", {"json": {"id": "x"}}, ADMIN)],
        "POST /api/v1/methodologies/{ref}/retire": [
            ("/api/v1/methodologies/nope@1/retire", {"json": {"reason": "matrix"}}, ADMIN)
        ],
        "POST /api/v1/recalculations": [("/api/v1/recalculations", {"json": {"years": [YEAR]}}, ADMIN)],
        "GET /api/v1/audit": [("/api/v1/audit?limit=5", {}, ADMIN)],
        "GET /api/v1/audit/export.csv": [("/api/v1/audit/export.csv?action=consent", {}, ADMIN)],
        "GET /api/v1/benchmarks": [(f"/api/v1/benchmarks?year={YEAR}", {}, LOGIN)],
        "POST /api/v1/auth/login": [
            (
                "/api/v1/auth/login",
                {"json": {"username": "ent-a", "password": "correct horse battery"}},
                PUBLIC,
            )  # fmt: skip
        ],
        "POST /api/v1/auth/logout": [("/api/v1/auth/logout", {}, PUBLIC)],
        "GET /api/v1/auth/me": [("/api/v1/auth/me", {}, LOGIN)],
        "GET /api/v1/auth/tokens": [("/api/v1/auth/tokens", {}, LOGIN)],
        "POST /api/v1/auth/tokens": [("/api/v1/auth/tokens", {"json": {"name": "matrix", "days": 1}}, LOGIN)],
        "POST /api/v1/auth/tokens/{token_id}/revoke": [
            (f"/api/v1/auth/tokens/{w.ids['spare_token']}/revoke", {}, _by(404, enterprise="ok", admin="ok"))
        ],
        "GET /api/v1/consents": [("/api/v1/consents", {}, _by("ok", official=403))],
        "POST /api/v1/consents": [
            (
                "/api/v1/consents",
                {"json": {"uscc": a, "institution": "账户银行", "scope": "account", "expires_on": expires}},
                _by(403, enterprise="ok"),
            ),
            (
                "/api/v1/consents",
                {"json": {"uscc": b, "institution": "账户银行", "scope": "account", "expires_on": expires}},
                _by(403),
            ),
        ],  # fmt: skip
        "GET /api/v1/consents/institutions": [("/api/v1/consents/institutions", {}, LOGIN)],
        "POST /api/v1/consents/{consent_id}/revoke": [
            (f"/api/v1/consents/{w.ids['spare_consent']}/revoke", {}, _by(403, enterprise="ok", admin="ok"))
        ],
        "GET /api/v1/reports/monthly": [
            (
                "/api/v1/reports/monthly?region=330802&month=2023-06&format=xlsx",
                {},
                _by(403, official="ok", admin="ok"),
            ),
            ("/api/v1/reports/monthly?region=330803&month=2023-06&format=xlsx", {}, _by(403, admin="ok")),
        ],  # fmt: skip
        "GET /api/v1/open-data/statistics": [(f"/api/v1/open-data/statistics?year={YEAR}", {}, PUBLIC)],
        "GET /api/v1/enterprises/{uscc}/identity-history": ent("rating")(
            w, "/api/v1/enterprises/{uscc}/identity-history"
        ),
        "GET /api/v1/identity-changes": [
            ("/api/v1/identity-changes?status=pending", {}, _by("ok", **{bank: 403 for bank in BANKS}))
        ],
        # A's: its county's official decides (a second decision is a 409, not a refusal); B's
        # is outside every caller's reach but the admin's
        "POST /api/v1/identity-changes/{change_id}/approve": [
            (
                f"/api/v1/identity-changes/{w.ids['change_a']}/approve",
                {},
                _by(403, official="ok", admin="ok"),
            ),
            (
                f"/api/v1/identity-changes/{w.ids['change_b']}/approve",
                {},
                _by(403, official=404, admin="ok"),
            ),
        ],
        "POST /api/v1/identity-changes/{change_id}/reject": [
            (
                f"/api/v1/identity-changes/{w.ids['change_' + x]}/reject",
                {"json": {"reason": "matrix"}},
                _by(403, official="ok" if x == "a" else 404, admin="ok"),
            )
            for x in ("a", "b")
        ],
    }


def _operations(app: Any) -> set[str]:
    spec = app.test_client().get("/openapi.json").json
    return {
        f"{method.upper()} {path}"
        for path, ops in spec["paths"].items()
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_the_document_says_which_operations_need_no_login(app, world: World) -> None:
    """Exactly the operations anonymous callers may use carry ``security: []``; every other
    one inherits the document's bearer-or-session requirement."""
    spec = app.test_client().get("/openapi.json").json
    assert spec["security"] == [{"bearer": []}, {"session": []}]
    documented = {
        f"{method.upper()} {path}"
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if isinstance(op, dict) and op.get("security") == []
    }
    public = {op for op, cases in rules(world).items() if all(c[2]["anon"] == "ok" for c in cases)}
    assert documented == public


def _secrets(e: dict[str, Any]) -> list[str]:
    return [e["uscc"], *([e["name"]] if e.get("name") else [])]


def _check_list(role: str, path: str, body: Any, w: World) -> None:
    if not path.startswith(("/api/v1/enterprises?", "/api/v1/ratings?")):
        return
    seen = {item["uscc"] for item in body}
    assert seen <= w.visible[role], f"{role} listed {sorted(seen - w.visible[role])} on {path}"
    assert seen == w.visible[role], f"{role} should list exactly what it may see on {path}"


def test_every_endpoint_as_every_role(app, world: World) -> None:
    table = rules(world)
    ops = _operations(app)
    assert ops == set(table), (
        f"operations without a rule: {sorted(ops - set(table))}; rules without an operation: "
        f"{sorted(set(table) - ops)} (add the endpoint to docs/access.md and to this matrix)"
    )
    problems: list[str] = []
    calls = 0
    # reads first, then writes, so that what a write changes cannot hide a read's leak
    order = sorted(table.items(), key=lambda kv: (not kv[0].startswith("GET"), kv[0]))
    for op, cases in order:
        method = op.split()[0].lower()
        for path, kwargs, expected in cases:
            for role in ROLES:
                # a fresh anonymous client each time: the login call would give it a session
                client = app.test_client() if role == "anon" else world.clients[role]
                kw = {k: v for k, v in kwargs.items()}
                if "data" in kw:  # an upload's stream is consumed by each call
                    (_, name) = kw["data"]["file"]
                    src = world.a if name == "a.xlsx" else world.b
                    kw["data"] = {"file": (io.BytesIO(_workbook(src, "2023-10")), name)}
                r = getattr(client, method)(path, **kw)
                calls += 1
                want = expected[role]
                where = f"{op} {path} as {role}: {r.status_code}"
                if r.status_code >= 500:
                    problems.append(f"{where} server error")
                    continue
                if want == "ok":
                    if r.status_code in (401, 403) or (r.status_code == 404 and "{" not in op):
                        problems.append(f"{where}, expected to be allowed: {r.get_data(as_text=True)[:200]}")
                    elif r.is_json and r.status_code < 300 and r.data:
                        _check_list(role, path, r.json, world)
                    continue
                if r.status_code != want:
                    problems.append(f"{where}, expected {want}: {r.get_data(as_text=True)[:200]}")
                    continue
                text = r.get_data(as_text=True)
                if want in (401, 403, 404):
                    body = json.loads(text)
                    assert set(body) == {"code", "status", "message", "errors"}, where
                    for secret in _secrets(world.b) + (_secrets(world.a) if role != "enterprise" else []):
                        if secret in text:
                            problems.append(f"{where} refusal carries {secret!r}")
    assert not problems, f"{len(problems)} of {calls} calls wrong:\n" + "\n".join(problems)
    assert calls > 300


def test_a_bank_without_consent_learns_nothing_but_a_refusal(app, world: World) -> None:
    """The same answer, byte for byte, for A (consented to other banks), B and a USCC that no
    enterprise has, on every read of one enterprise's data; and nothing in any list."""
    bank = world.clients["bank_none"]
    table = rules(world)
    for op, cases in table.items():
        if not op.startswith("GET /api/v1/enterprises/{uscc}"):
            continue
        paths = {p.replace(world.a["uscc"], "X").replace(world.b["uscc"], "X") for p, _, _ in cases}
        paths = {p.replace(GHOST, "X") for p in paths}
        for template in paths:
            answers = set()
            for uscc in (world.a["uscc"], world.b["uscc"], GHOST):
                r = bank.get(template.replace("X", uscc))
                answers.add((r.status_code, r.get_data(as_text=True)))
            assert len(answers) == 1 and next(iter(answers))[0] == 403, (template, answers)
    for path in ("/api/v1/enterprises", "/api/v1/ratings", "/api/v1/consents"):
        assert bank.get(path).json == [], path
    assert bank.get("/api/v1/summary").status_code == 403
    stats = bank.get(f"/api/v1/open-data/statistics?year={YEAR}").get_data(as_text=True)
    for e in (world.a, world.b):
        assert e["uscc"] not in stats and e["name"] not in stats
