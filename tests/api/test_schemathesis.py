"""Schemathesis against the service's own OpenAPI document, on SQLite and PostgreSQL.

Every operation of ``/openapi.json`` (GET and POST, uploads included) gets generated
requests, valid and invalid, chosen for coverage rather than count: the examples phase (one
request per operation from the document's examples: a sample USCC, year, region, import),
the coverage phase (deterministic: boundaries, missing and wrong-typed parameters,
undeclared methods and content types), and a short fuzzing run of distinct inputs
(``unique-inputs``). What must hold for every one of them: no 5xx (a server error is a
bug), every 4xx carries the error envelope ``{code, status, message, errors}``
(api/errors.py), and every other response body is what the document says.

It runs three times: without credentials (everything behind a login is a 401), as an
administrator (every operation past its login: uploads, publications, recalculations,
the audit log) and as an enterprise user acting for one imported USCC (its own data, and
403s and 404s for the rest). The authenticated runs send the caller's bearer token with
every request (never revoking it, see ``Caller``).

The API holds two counties' sample workbooks first, and path parameters are often swapped
for ones that exist (an imported USCC, a data year, an import, a published factor set), so
that the requests reach past the 404 of an unknown enterprise; so is a query's ``year``
and ``region``. A chart or a report takes a second to draw: those operations fuzz fewer
inputs (their parameters are few and closed; the coverage phase walks them all).

Run by hand with more examples: ``CARBON_SCHEMATHESIS_EXAMPLES=300
CARBON_SCHEMATHESIS_AUTH_EXAMPLES=300 .venv/bin/pytest tests/api/test_schemathesis.py``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

SAMPLES = Path(__file__).resolve().parents[2] / "sample_inputs"
MAX_EXAMPLES = int(os.environ.get("CARBON_SCHEMATHESIS_EXAMPLES", "5"))  # anonymous: mostly 401s
AUTH_EXAMPLES = int(os.environ.get("CARBON_SCHEMATHESIS_AUTH_EXAMPLES", "8"))
RENDERS = r"/charts/|/reports/"  # operations that draw: a few fuzzed inputs each
RENDER_EXAMPLES = 3
ENVELOPE = {"code", "status", "message", "errors"}

# Values that exist once the samples are imported, by path parameter (USCCs are added then).
KNOWN: dict[str, list[Any]] = {
    "year": [2022, 2023],
    "kind": ["monthly-emissions", "intensity", "grade-history"],
    "import_id": [1, 2],
    "job_id": [1, 2],
    "ref": ["cn-default@1", "quzhou-3d@1"],
}
KNOWN_QUERY: dict[str, list[Any]] = {"year": KNOWN["year"], "region": ["330800", "330802", "330803"]}


def fuzzing(examples: int) -> SchemathesisConfig:
    """Every phase on; the fuzzing phase generates ``examples`` distinct inputs per operation
    (fewer for the ones that draw)."""
    few = min(examples, RENDER_EXAMPLES)
    return SchemathesisConfig.from_dict(
        {
            "phases": {"fuzzing": {"generation": {"max-examples": examples, "unique-inputs": True}}},
            "operations": [
                {
                    "include-path-regex": RENDERS,
                    "phases": {
                        "fuzzing": {"generation": {"max-examples": few}},
                        # every valid combination would draw: the examples and fuzzing phases draw
                        "coverage": {"generation": {"mode": "negative"}},
                    },
                }
            ],
        }
    )


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32 reads the test item's ``_nodeid``, which pytest 9.2 no longer has (the
    id is ``Node._id`` now); give it the attribute it reads and restores after each operation."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def api_schema(request, app, client):
    """The document of the API holding two counties' samples (imported by the operator,
    ``client`` is an administrator's), with the fuzzing of the test asking for it."""
    for f in sorted(SAMPLES.glob("*.xlsx"))[:2]:
        r = client.post(
            "/api/v1/imports", data={"file": (f.open("rb"), f.name)}, content_type="multipart/form-data"
        )
        assert r.status_code == 201, r.json
    known = {**KNOWN, "uscc": [e["uscc"] for e in client.get("/api/v1/enterprises?page_size=3").json]}

    authenticated = "_as_" in request.node.name
    config = fuzzing(AUTH_EXAMPLES if authenticated else MAX_EXAMPLES)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        """Keep each generated value or swap in an existing one, parameter by parameter."""
        if not path_parameters:
            return st.just(path_parameters)
        return st.fixed_dictionaries(
            {
                name: st.sampled_from([value, *known[name]]) if name in known else st.just(value)
                for name, value in path_parameters.items()
            }
        )

    @schema.hook
    def flatmap_query(context: Any, query: dict[str, Any] | None) -> Any:
        """The same for a query's ``year`` (benchmarks, open data, ratings, charts) and
        ``region`` (lists, reports), so that those reach past the 404 of a year without
        data and the 422 of a region code that does not exist."""
        names = [name for name in KNOWN_QUERY if query and name in query]
        if not names:
            return st.just(query)
        return st.fixed_dictionaries(
            {name: st.sampled_from([query[name], *KNOWN_QUERY[name]]) for name in names}
        ).map(lambda known: {**query, **known})

    return schema


def documented_body(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """A success's body matches its documented schema (errors: ``error_envelope``)."""
    if response.status_code < 400:
        schemathesis.checks.response_schema_conformance(ctx, response, case)


def error_envelope(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Every 4xx is the service's error envelope, with the response's own status."""
    if not 400 <= response.status_code < 500 or case.method.upper() == "HEAD":
        return
    body = response.json()
    assert isinstance(body, dict) and ENVELOPE <= body.keys(), f"not the error envelope: {body!r}"
    assert body["status"] == response.status_code, body
    assert isinstance(body["code"], str) and isinstance(body["message"], str) and body["message"], body


CHECKS = [schemathesis.checks.not_a_server_error, error_envelope, documented_body]


class Caller:
    """A bearer token to send with every request, and the ids of the tokens the run must not
    revoke (its own): a generated ``POST /auth/tokens/{id}/revoke`` of one of them revokes
    a spare token of the same user instead, so the rest of the run is still authenticated."""

    def __init__(self, token: str, keep: set[int], spare: int) -> None:
        self.headers = {"Authorization": f"Bearer {token}"}
        self.keep, self.spare = keep, spare

    def call_and_validate(self, case: schemathesis.Case) -> None:
        sent = (case.path_parameters or {}).get("token_id")
        if sent is not None and str(sent) in {str(i) for i in self.keep}:  # '1' in coverage cases
            case.path_parameters["token_id"] = self.spare
        case.call_and_validate(headers=self.headers, checks=CHECKS)


def make_caller(app, username: str, token: str) -> Caller:
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM

    db = app.extensions["carbon_db"]
    spare = usecases.create_token(db, SYSTEM, username, "spare", ["read"], 30)["id"]
    keep = {t["id"] for t in usecases.my_tokens(db, usecases.principal_from_token(db, token))} - {spare}
    return Caller(token, keep, spare)


@pytest.fixture
def as_admin(app, client, api_schema) -> Caller:
    """The operator: an administrator's token of every scope."""
    return make_caller(app, "operator", client.environ_base["HTTP_AUTHORIZATION"].removeprefix("Bearer "))


@pytest.fixture
def as_enterprise(app, client, api_schema) -> Caller:
    """An enterprise user acting for the first imported USCC, with read, write and feeds."""
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM

    db = app.extensions["carbon_db"]
    own = client.get("/api/v1/enterprises?page_size=1").json[0]["uscc"]
    username = "schemathesis-enterprise"
    usecases.create_user(
        db, SYSTEM, username=username, password="correct horse battery", role="enterprise", usccs=[own]
    )
    token = usecases.create_token(db, SYSTEM, username, "schemathesis", ["read", "write", "feeds"], 30)
    return make_caller(app, username, token["token"])


schema = schemathesis.pytest.from_fixture("api_schema")


# How many inputs are fuzzed is the schemathesis config's (``fuzzing``): a max_examples
# here would override it for every operation alike.
DETERMINISTIC = settings(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@DETERMINISTIC
@schema.parametrize()
def test_no_server_errors_and_every_4xx_is_the_envelope(case: schemathesis.Case) -> None:
    """Without credentials."""
    case.call_and_validate(checks=CHECKS)


@DETERMINISTIC
@schema.parametrize()
def test_no_server_errors_and_every_4xx_is_the_envelope_as_administrator(
    case: schemathesis.Case, as_admin: Caller
) -> None:
    as_admin.call_and_validate(case)


@DETERMINISTIC
@schema.parametrize()
def test_no_server_errors_and_every_4xx_is_the_envelope_as_enterprise(
    case: schemathesis.Case, as_enterprise: Caller
) -> None:
    as_enterprise.call_and_validate(case)
