"""The API as a client generated from its own OpenAPI document sees it.

The service is served on a real local port (werkzeug, in a thread) over the demo data: the
six sample workbooks imported as ``carbon demo`` does, the demo users, a supplier contract,
a rejected upload and an enterprise's change request. openapi-python-client generates a
package from ``/openapi.json`` once for the module; then every GET operation of the document
is called through that package as an administrator, with parameters taken from the demo
data. Every answer must be a 200 the generated models parse (a download: a ``File``), and
its raw body must also validate against the document (schemathesis' check, which knows the
types a generated model does not check). An operation the document has and this file does
not call fails the test, as does one it calls that the document lacks.

openapi-python-client is a test dependency (``pyproject.toml``); without it the module is
skipped locally and fails under ``CI=true``.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import io
import json
import os
import pkgutil
import re
import subprocess
import sys
import threading
import types
import typing
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_inputs").glob("*.xlsx"))
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "carbon_account_service_client"  # what the generator makes of the document's title
YEAR = 2023
PROVISIONAL_YEAR = 2024  # the enterprise's own upload adds a January: a year to date
JSON_MEDIA = ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")


def _generator() -> Path:
    if not GENERATOR.exists():
        message = f"openapi-python-client is not installed in the venv ({GENERATOR})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + ": it is a test dependency (pyproject.toml [test])")
        pytest.skip(message)
    return GENERATOR


@dataclass
class Demo:
    base_url: str
    token: str
    uscc: str  # the demo enterprise (account consent to the demo bank)
    unrated: str  # an enterprise of YEAR without a rating (no value added)
    import_id: int
    rejected_import_id: int
    job_id: int
    refs: dict[str, list[str]]
    document: dict[str, Any] = field(default_factory=dict)


def _build_demo(app: Any) -> dict[str, Any]:
    """What ``carbon demo`` builds, and a few things the demo lacks so that every kind of
    answer has rows: a supplier contract, a rejected upload, a change request."""
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM
    from carbon.services.usecases import identity_changes
    from importers.template import write_template

    db, runner = app.extensions["carbon_db"], app.extensions["carbon_jobs"]
    first = None
    for path in SAMPLES:
        res = usecases.import_file(db, path.read_bytes(), path.name, runner=runner, by=SYSTEM)
        assert res.status == "imported", res.errors[:3]
        first = first or res
    assert first is not None and first.import_id is not None and first.job_id is not None
    users = {u["username"]: u for u in usecases.demo_users(db)}
    uscc = users["demo-enterprise"]["usccs"]
    usecases.record_supplier_contract(
        db,
        uscc,
        {
            "year": YEAR, "supplier": "衢州绿电售电有限公司", "amount": 1234.5, "unit": "MWh",
            "factor_tco2_per_mwh": 0.1234567, "evidence": "合同 2023-001",
        },
        runner=runner,
        by=SYSTEM,
    )  # fmt: skip
    bad = write_template(
        [{"uscc": "913308020000000000", "name": "坏数据", "industry_code": "3011",
          "region_code": "330802", "month": "2023-01", "electricity": "abc"}]
    )  # fmt: skip
    rejected = usecases.import_file(db, bad, "bad.xlsx", runner=runner, by=SYSTEM)
    assert rejected.status == "rejected" and rejected.import_id is not None
    # the demo enterprise's own upload with another name: figures imported, a change request
    enterprise = usecases.principal_from_token(
        db, usecases.create_token(db, SYSTEM, "demo-enterprise", "upload", ["read", "write"], 1)["token"]
    )
    own = usecases.enterprise(db, uscc, by=SYSTEM)
    csv = (
        "统一社会信用代码,企业名称,行业代码,行政区划代码,月份,电力(万千瓦时),工业增加值(万元)\n"
        f"{uscc},{own['name']}（新名称）,{own['industry_code']},{own['region_code']},"
        f"{PROVISIONAL_YEAR}-01,100.5,900.1\n"
    )
    res = usecases.import_file(db, csv.encode(), "own.csv", runner=runner, by=enterprise)
    assert res.status == "imported", res.errors[:3]
    assert identity_changes.list_changes(db, by=SYSTEM, status="pending"), "no change request"
    ratings, _ = usecases.ratings_page(db, {"year": YEAR}, 1, 100, by=SYSTEM)
    unrated = next(r["uscc"] for r in ratings if r["three_dimensional"]["colour"] is None)
    token = usecases.create_token(db, SYSTEM, "demo-admin", "generated client", ["read", "admin"], 1)
    return {
        "token": token["token"],
        "uscc": uscc,
        "unrated": unrated,
        "import_id": first.import_id,
        "rejected_import_id": rejected.import_id,
        "job_id": first.job_id,
        "refs": {
            kind: [r["ref"] for r in usecases.reference_list(db, kind)]
            for kind in ("factor_set", "methodology")
        },
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo on SQLite, served on a free local port for the module."""
    from werkzeug.serving import make_server

    from api.app import create_app
    from carbon.store.db import Database

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'carbon.db'}"
    Database(url, migrate=True).dispose()
    app = create_app({"DATABASE_URL": url, "JOBS": "eager"})
    try:
        built = _build_demo(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            base = f"http://127.0.0.1:{server.server_port}"
            with urllib.request.urlopen(f"{base}/openapi.json", timeout=30) as r:  # noqa: S310 - local
                document = json.loads(r.read())
            yield Demo(base_url=base, document=document, **built)
        finally:
            server.shutdown()
            thread.join(timeout=10)
    finally:
        app.extensions["carbon_jobs"].shutdown()
        app.extensions["carbon_db"].dispose()


def _config(document: dict[str, Any]) -> dict[str, Any]:
    """The generator's options: every download's media type read as bytes (the generator
    itself knows JSON, text and octet-stream only), and of its hooks only the one that sorts
    the imports (the generated modules need it; formatting them is not)."""
    media = set()
    for ops in document["paths"].values():
        for op in ops.values():
            if not isinstance(op, dict):
                continue
            for resp in op.get("responses", {}).values():
                media.update(resp.get("content", {}))
            media.update(op.get("requestBody", {}).get("content", {}))
    downloads = sorted(m for m in media if m not in JSON_MEDIA)
    return {
        "post_hooks": ["ruff check . --fix-only --extend-select=I"],
        "content_type_overrides": dict.fromkeys(downloads, "application/octet-stream"),
    }


@pytest.fixture(scope="module")
def client_package(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[types.ModuleType]:
    """The package openapi-python-client generates from the served document, imported."""
    generator = _generator()
    work = tmp_path_factory.mktemp("generated")
    (work / "openapi.json").write_text(json.dumps(demo.document), encoding="utf-8")
    (work / "config.json").write_text(json.dumps(_config(demo.document)), encoding="utf-8")
    run = subprocess.run(
        [str(generator), "generate", "--path", "openapi.json", "--config", "config.json", "--meta", "none"],
        cwd=work,
        env={**os.environ, "PATH": f"{generator.parent}{os.pathsep}{os.environ.get('PATH', '')}"},  # ruff
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "Warning" not in out and "WARNING" not in out, out  # nothing of the document left out
    made = [p.name for p in work.iterdir() if p.is_dir()]
    assert made == [PACKAGE], (
        f"the generated package is {made}, from the title {demo.document['info']['title']!r}"
    )
    sys.path.insert(0, str(work))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(work))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _operations(document: dict[str, Any], method: str) -> dict[str, str]:
    """operationId -> path of every ``method`` operation."""
    return {
        op["operationId"]: path
        for path, ops in document["paths"].items()
        for m, op in ops.items()
        if m == method
    }


def _calls(demo: Demo) -> dict[str, list[dict[str, Any]]]:
    """Every GET operation, with the parameters (as the document names them) of each call."""
    u = demo.uscc
    return {
        "listEnterprises": [{"page_size": 100}, {"region": "330802", "industry": "31", "q": "柯城"}],
        "getEnterprise": [{"uscc": u}],
        "getAccount": [
            {"uscc": u, "year": YEAR},
            {"uscc": u, "year": YEAR, "month": f"{YEAR}-07"},
            {"uscc": u, "year": PROVISIONAL_YEAR},
        ],
        "listRatingHistory": [{"uscc": u, "all_revisions": True}, {"uscc": demo.unrated}],
        "getRating": [
            {"uscc": u, "year": YEAR},
            {"uscc": u, "year": YEAR - 1},
            {"uscc": u, "year": PROVISIONAL_YEAR},
            {"uscc": demo.unrated, "year": YEAR},
        ],
        "getChart": [
            {"uscc": u, "kind": "monthly-emissions", "year": YEAR},
            {"uscc": u, "kind": "intensity", "format": "svg", "lang": "en"},
            {"uscc": u, "kind": "grade-history", "format": "pdf"},
        ],
        "listSupplierContracts": [{"uscc": u}],
        "listEnterpriseImports": [{"uscc": u}],
        "listAccesses": [{"uscc": u}],
        "getIdentityHistory": [{"uscc": u}],
        "listRatings": [
            {"year": YEAR, "page_size": 100},
            {"year": YEAR - 1, "page_size": 100},
            {"year": PROVISIONAL_YEAR},
            {"region": "330800", "colour": "red", "class": "high", "grade": 5, "industry": "26"},
        ],
        "getImport": [{"import_id": demo.import_id}, {"import_id": demo.rejected_import_id}],
        "getImportErrorWorkbook": [{"import_id": demo.rejected_import_id}],
        "getJob": [{"job_id": demo.job_id}],
        "getEnergyTemplate": [{}, {"lang": "en"}],
        "getSummary": [{}],
        "listFactorSets": [{}],
        "getFactorSet": [{"ref": ref} for ref in demo.refs["factor_set"]],
        "listMethodologies": [{}],
        "getMethodology": [{"ref": ref} for ref in demo.refs["methodology"]],
        "listAuditEntries": [{"limit": 10000}, {"action": "import"}],
        "exportAuditLog": [{}, {"action": "read", "since": "2020-01-01T00:00:00+08:00"}],
        "listBenchmarks": [
            {"year": YEAR, "all_revisions": True},
            {"year": PROVISIONAL_YEAR},
            {"year": YEAR, "level": "county", "key": "330802"},
        ],
        "getMe": [{}],
        "listTokens": [{}],
        "listConsents": [{}],
        "listInstitutions": [{}],
        "getMonthlyReport": [
            {"region": "330800", "month": f"{YEAR}-06", "format": "xlsx"},
            {"region": "330802", "month": f"{YEAR}-12"},
        ],
        "getOpenDataStatistics": [{"year": YEAR}, {"year": YEAR - 1, "format": "json"}],
        "listIdentityChanges": [{}, {"status": "pending"}],
    }


def _endpoint_modules(package: types.ModuleType) -> dict[str, str]:
    """Generated endpoint modules (``list_ratings``: the operation id in snake case) and their
    full names. Each is imported when called: the generator writes modules that do not import
    for a required request body with several media types (publishing a reference document,
    pushing readings; openapi-python-client issue #1451), and GET operations have no body."""
    api = importlib.import_module(f"{package.__name__}.api")
    return {
        info.name.rsplit(".", 1)[1]: info.name
        for info in pkgutil.walk_packages(api.__path__, f"{api.__name__}.")
        if not info.ispkg
    }


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _arguments(function: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters as the generated function takes them: Python names (``class_``,
    ``format_``) and its enum and datetime types."""
    hints = typing.get_type_hints(function)
    out = {}
    for name, value in params.items():
        python = next((p for p in (name, f"{name}_", _snake(name)) if p in hints), None)
        assert python is not None, f"{function.__module__} takes no {name!r}: {sorted(hints)}"
        for option in typing.get_args(hints[python]) or (hints[python],):
            if isinstance(option, type) and issubclass(option, enum.Enum):
                value = option(value)
                break
            if option is dt.datetime and isinstance(value, str):
                value = dt.datetime.fromisoformat(value)
                break
        out[python] = value
    return out


def _models(package: types.ModuleType) -> tuple[type, type]:
    models = importlib.import_module(f"{package.__name__}.models")
    types_ = importlib.import_module(f"{package.__name__}.types")
    return models.Error, types_.File


def test_every_get_operation_parses_into_the_generated_models(demo: Demo, client_package: types.ModuleType):
    import httpx
    import schemathesis

    schema = schemathesis.openapi.from_dict(demo.document)
    error_model, file_type = _models(client_package)
    raw: list[httpx.Response] = []
    client = client_package.AuthenticatedClient(
        base_url=demo.base_url,
        token=demo.token,
        raise_on_unexpected_status=True,
        timeout=httpx.Timeout(120.0),
        httpx_args={"event_hooks": {"response": [raw.append]}},
    )
    modules = _endpoint_modules(client_package)
    operations = _operations(demo.document, "get")
    calls = _calls(demo)
    assert set(calls) - set(operations) == set(), "calls of operations the document does not have"
    assert set(operations) - set(calls) == set(), "GET operations this test does not call"
    problems = []
    listed: dict[str, int] = {}  # list operations: the longest list answered
    with client:
        for operation_id, path in sorted(operations.items()):
            assert _snake(operation_id) in modules, f"no generated module for {operation_id}"
            module = importlib.import_module(modules[_snake(operation_id)])
            for params in calls[operation_id]:
                raw.clear()
                where = f"{operation_id} {path} {params}"
                try:
                    answer = module.sync_detailed(client=client, **_arguments(module.sync_detailed, params))
                except Exception as exc:  # noqa: BLE001 - every failure is listed at the end
                    body = raw[-1].content[:300] if raw else b""
                    problems.append(f"{where}: {type(exc).__name__}: {exc} {body!r}")
                    continue
                if answer.status_code != 200:
                    problems.append(f"{where}: {answer.status_code} {answer.content[:300]!r}")
                    continue
                parsed = answer.parsed
                media = raw[-1].headers.get("content-type", "").split(";")[0]
                if media == "application/json":
                    if isinstance(parsed, list):
                        listed[operation_id] = max(listed.get(operation_id, 0), len(parsed))
                    items = parsed if isinstance(parsed, list) else [parsed]
                    if parsed is None or any(
                        isinstance(i, error_model) or not hasattr(i, "to_dict") for i in items
                    ):
                        problems.append(f"{where}: parsed as {parsed!r}")
                    try:
                        schema[path]["GET"].validate_response(raw[-1])
                    except Exception as exc:  # noqa: BLE001
                        problems.append(f"{where}: the body does not match the document: {exc}")
                elif not (isinstance(parsed, file_type) and parsed.payload.read()):
                    problems.append(f"{where}: a {media} download parsed as {parsed!r}")
    assert not problems, "\n".join(problems)
    # an empty list parses whatever its items' schema says: every list had items at least once
    assert [op for op, n in listed.items() if n == 0] == []


def test_the_downloads_are_what_they_say(demo: Demo, client_package: types.ModuleType):
    """A few downloads opened, not just received: the PDF report, the xlsx template."""
    from openpyxl import load_workbook

    modules = {
        k: importlib.import_module(v)
        for k, v in _endpoint_modules(client_package).items()
        if k in ("get_energy_template", "get_monthly_report", "export_audit_log")
    }
    client = client_package.AuthenticatedClient(base_url=demo.base_url, token=demo.token)
    with client:
        template = modules["get_energy_template"].sync(client=client)
        report = modules["get_monthly_report"].sync(client=client, region="330800", month=f"{YEAR}-06")
        csv = modules["export_audit_log"].sync(client=client)
    assert load_workbook(io.BytesIO(template.payload.read())).sheetnames
    assert report.payload.read().startswith(b"%PDF")
    assert csv.payload.read().decode("utf-8-sig").startswith("id,")
