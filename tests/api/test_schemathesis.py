"""Schemathesis against the service's own OpenAPI document, on SQLite and PostgreSQL.

Every operation of ``/openapi.json`` (GET and POST, uploads included) gets generated
requests, valid and invalid: examples, coverage (boundaries, missing and wrong-typed
parameters, undeclared methods and content types) and a bounded fuzzing run. What must
hold for every one of them: no 5xx (a server error is a bug), every 4xx carries the error
envelope ``{code, status, message, errors}`` (api/errors.py), and every other response
body is what the document says.

The API holds two counties' sample workbooks first, and path parameters are often swapped
for ones that exist (an imported USCC, a data year, an import, a published factor set), so
that the requests reach past the 404 of an unknown enterprise.

Run by hand with more examples: ``CARBON_SCHEMATHESIS_EXAMPLES=300 .venv/bin/pytest tests/api``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

SAMPLES = Path(__file__).resolve().parents[2] / "sample_inputs"
MAX_EXAMPLES = int(os.environ.get("CARBON_SCHEMATHESIS_EXAMPLES", "50"))
ENVELOPE = {"code", "status", "message", "errors"}

# Values that exist once the samples are imported, by path parameter (USCCs are added then).
KNOWN: dict[str, list[Any]] = {
    "year": [2022, 2023],
    "kind": ["monthly-emissions", "intensity", "grade-history"],
    "import_id": [1, 2],
    "job_id": [1, 2],
    "ref": ["cn-default@1", "quzhou-3d@1"],
}


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32 reads the test item's ``_nodeid``, which pytest 9.2 no longer has (the
    id is ``Node._id`` now); give it the attribute it reads and restores after each operation."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def api_schema(app):
    client = app.test_client()
    for f in sorted(SAMPLES.glob("*.xlsx"))[:2]:
        r = client.post(
            "/api/v1/imports", data={"file": (f.open("rb"), f.name)}, content_type="multipart/form-data"
        )
        assert r.status_code == 201, r.json
    known = {**KNOWN, "uscc": [e["uscc"] for e in client.get("/api/v1/enterprises?page_size=3").json]}

    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)

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

    return schema


def documented_body(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """A success's body matches its documented schema. Errors are checked by error_envelope:
    the document's ``Error`` schema is still flask-smorest's default (``code`` an integer,
    ``status`` a string), not the service's envelope."""
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


schema = schemathesis.pytest.from_fixture("api_schema")


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@schema.parametrize()
def test_no_server_errors_and_every_4xx_is_the_envelope(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[schemathesis.checks.not_a_server_error, error_envelope, documented_body])
