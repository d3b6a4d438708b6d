"""How answers are written and documented, on SQLite and PostgreSQL: UTF-8 JSON (Chinese as
characters, in successes and errors), figures rounded where they leave the service
(carbon/domain/rounding.py), unknown GB/T 2260 region codes refused, and an OpenAPI document
a client generator can use (tests/api/test_generated_client.py generates one from it)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_inputs").glob("*.xlsx"))[:2]  # 330802, 330803
YEAR = 2023

# The operation ids clients are generated with: renaming one breaks every client.
OPERATION_IDS = {
    ("get", "/api/v1/enterprises"): "listEnterprises",
    ("get", "/api/v1/enterprises/{uscc}"): "getEnterprise",
    ("get", "/api/v1/enterprises/{uscc}/accounts/{year}"): "getAccount",
    ("get", "/api/v1/enterprises/{uscc}/imports"): "listEnterpriseImports",
    ("get", "/api/v1/enterprises/{uscc}/ratings"): "listRatingHistory",
    ("get", "/api/v1/enterprises/{uscc}/ratings/{year}"): "getRating",
    ("get", "/api/v1/enterprises/{uscc}/charts/{kind}"): "getChart",
    ("get", "/api/v1/enterprises/{uscc}/supplier-contracts"): "listSupplierContracts",
    ("post", "/api/v1/enterprises/{uscc}/supplier-contracts"): "recordSupplierContract",
    ("get", "/api/v1/enterprises/{uscc}/accesses"): "listAccesses",
    ("get", "/api/v1/enterprises/{uscc}/identity-history"): "getIdentityHistory",
    ("get", "/api/v1/ratings"): "listRatings",
    ("post", "/api/v1/imports"): "uploadImport",
    ("get", "/api/v1/imports/{import_id}"): "getImport",
    ("get", "/api/v1/imports/{import_id}/errors.xlsx"): "getImportErrorWorkbook",
    ("post", "/api/v1/feeds/readings"): "pushReadings",
    ("get", "/api/v1/jobs/{job_id}"): "getJob",
    ("get", "/templates/energy.xlsx"): "getEnergyTemplate",
    ("get", "/api/v1/summary"): "getSummary",
    ("get", "/api/v1/factor-sets"): "listFactorSets",
    ("post", "/api/v1/factor-sets"): "publishFactorSet",
    ("get", "/api/v1/factor-sets/{ref}"): "getFactorSet",
    ("post", "/api/v1/factor-sets/{ref}/retire"): "retireFactorSet",
    ("get", "/api/v1/methodologies"): "listMethodologies",
    ("post", "/api/v1/methodologies"): "publishMethodology",
    ("get", "/api/v1/methodologies/{ref}"): "getMethodology",
    ("post", "/api/v1/methodologies/{ref}/retire"): "retireMethodology",
    ("post", "/api/v1/recalculations"): "recalculate",
    ("get", "/api/v1/audit"): "listAuditEntries",
    ("get", "/api/v1/audit/export.csv"): "exportAuditLog",
    ("get", "/api/v1/benchmarks"): "listBenchmarks",
    ("post", "/api/v1/auth/login"): "login",
    ("post", "/api/v1/auth/logout"): "logout",
    ("get", "/api/v1/auth/me"): "getMe",
    ("get", "/api/v1/auth/tokens"): "listTokens",
    ("post", "/api/v1/auth/tokens"): "createToken",
    ("post", "/api/v1/auth/tokens/{token_id}/revoke"): "revokeToken",
    ("get", "/api/v1/consents"): "listConsents",
    ("post", "/api/v1/consents"): "grantConsent",
    ("get", "/api/v1/consents/institutions"): "listInstitutions",
    ("post", "/api/v1/consents/{consent_id}/revoke"): "revokeConsent",
    ("get", "/api/v1/reports/monthly"): "getMonthlyReport",
    ("get", "/api/v1/open-data/statistics"): "getOpenDataStatistics",
    ("get", "/api/v1/identity-changes"): "listIdentityChanges",
    ("post", "/api/v1/identity-changes/{change_id}/approve"): "approveIdentityChange",
    ("post", "/api/v1/identity-changes/{change_id}/reject"): "rejectIdentityChange",
}
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture
def loaded(client):
    """The operator's client, with two counties' sample workbooks imported."""
    for f in SAMPLES:
        data = {"file": (io.BytesIO(f.read_bytes()), f.name)}
        r = client.post("/api/v1/imports", data=data, content_type="multipart/form-data")
        assert r.status_code == 201, r.json
    return client


# -- UTF-8 ------------------------------------------------------------------------------------


def test_json_answers_are_utf8_with_chinese_as_characters(loaded):
    ok = loaded.get("/api/v1/enterprises?region=330802&page_size=3")
    assert ok.status_code == 200
    assert ok.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "柯城区".encode() in ok.data and b"\\u" not in ok.data
    assert json.loads(ok.data.decode("utf-8"))[0]["region_name"]["zh"] == "柯城区"

    refused = loaded.get("/api/v1/ratings?region=999999")  # a request validation error (422)
    assert refused.status_code == 422 and refused.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "请求参数校验失败".encode() in refused.data and "未知的行政区划代码".encode() in refused.data
    missing = loaded.get(f"/api/v1/enterprises/{'9' * 18}/accounts/{YEAR}")  # a service error
    assert missing.status_code in (403, 404) and missing.json["message"]
    chinese = re.search(r"[\u4e00-\u9fff]+", missing.json["message"])
    assert chinese and chinese.group().encode() in missing.data and b"\\u" not in missing.data
    document = loaded.get("/openapi.json")  # written by flask-smorest, not the provider
    assert document.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "碳账户服务".encode() in document.data


# -- figures ----------------------------------------------------------------------------------


def _decimals(text: str) -> int:
    mantissa, _, exponent = text.lower().partition("e")
    return max(0, len(mantissa.partition(".")[2]) - int(exponent or 0))


def _significant(text: str) -> int:
    mantissa = text.lower().partition("e")[0].lstrip("-").removesuffix(".0")
    return len(mantissa.replace(".", "").lstrip("0"))


def _numbers(data: bytes) -> Any:
    """The answer with every float as the text it was sent as."""
    return json.loads(data, parse_float=lambda s: s)


def test_figures_are_rounded_where_they_leave_the_service(loaded):
    uscc = loaded.get("/api/v1/enterprises?page_size=1").json[0]["uscc"]
    account = _numbers(loaded.get(f"/api/v1/enterprises/{uscc}/accounts/{YEAR}").data)
    emissions = [v for v in account["emissions_tco2"].values() if isinstance(v, str)]
    emissions += [v for v in account["emissions_by_carrier"].values() if isinstance(v, str)]
    assert emissions and all(_decimals(v) <= 3 for v in emissions), emissions
    assert _decimals(account["energy_tce"]) <= 3
    intensities = [account["intensity"], account["energy_intensity"], *account["intensities"].values()]
    intensities = [v for v in intensities if isinstance(v, str)]
    assert intensities and all(_significant(v) <= 6 for v in intensities), intensities
    # not truncated either: the figure is the stored one rounded
    stored = loaded.application.extensions["carbon_db"]
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM

    full = usecases.account(stored, uscc, YEAR, None, by=SYSTEM)
    assert float(account["emissions_tco2"]["total"]) == pytest.approx(
        full["emissions_tco2"]["total"], abs=5e-4
    )
    assert float(account["intensity"]) == pytest.approx(full["intensity"], rel=1e-6)

    rating = _numbers(loaded.get(f"/api/v1/enterprises/{uscc}/ratings/{YEAR}").data)
    assert _decimals(rating["emissions_tco2"]) <= 3
    ce = rating["carbon_efficiency"]
    assert all(_significant(ce[k]) <= 6 for k in ("intensity", "industry_intensity", "ratio") if ce[k])
    td = rating["three_dimensional"]
    assert all(_decimals(d["score"]) <= 2 for d in td.values() if isinstance(d, dict))
    assert all(_significant(d["value"]) <= 6 for d in td.values() if isinstance(d, dict) and d["value"])

    # the explanation (a free-form document) carries no float noise: 12 significant digits
    def floats(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [f for v in node.values() for f in floats(v)]
        if isinstance(node, list):
            return [f for v in node for f in floats(v)]
        return [node] if isinstance(node, str) and node[:1].isdigit() and "." in node else []

    explained = floats(rating["explanation"])
    assert explained and all(_significant(v) <= 12 for v in explained), explained

    for b in _numbers(loaded.get(f"/api/v1/benchmarks?year={YEAR}").data):
        assert b["emissions_tco2"] is None or _decimals(b["emissions_tco2"]) <= 3, b
        for k in ("intensity", "advanced", "q1", "median", "q3"):
            assert b[k] is None or _significant(b[k]) <= 6, b


def test_the_rounding_helpers_of_this_test():
    assert _decimals("2856.379") == 3 and _decimals("2856.3789799999995") == 13 and _decimals("1e-05") == 5
    assert _significant("0.908158") == 6 and _significant("0.9081580024417011") == 16
    assert _significant("1.5e-07") == 2 and _significant("-12.5") == 3 and _significant("60.0") == 2


# -- region codes -----------------------------------------------------------------------------

UNKNOWN_REGION = [
    ("/api/v1/enterprises?region=999999", "region"),
    ("/api/v1/ratings?region=999999", "region"),
    (f"/api/v1/ratings?year={YEAR}&region=330899", "region"),  # the form of a code, none of Zhejiang's
    ("/api/v1/reports/monthly?region=999999&month=2023-06", "region"),
    (f"/api/v1/benchmarks?year={YEAR}&key=999999", "key"),
    (f"/api/v1/benchmarks?year={YEAR}&level=county&key=330899", "key"),
]


@pytest.mark.parametrize(("url", "parameter"), UNKNOWN_REGION)
def test_an_unknown_region_code_is_a_422_naming_the_parameter(client, url, parameter):
    r = client.get(url)
    assert r.status_code == 422, r.json
    assert r.json["code"] == "unprocessable_entity" and r.json["status"] == 422
    message = " ".join(r.json["errors"]["query"][parameter])
    assert f"{parameter}=" in message and "GB/T 2260" in message, message
    assert "未知的行政区划代码" in message and f"参数{parameter}" in message, message


def test_a_city_or_county_code_covers_the_codes_under_it(loaded):
    everyone = loaded.get("/api/v1/enterprises?page_size=100").json
    city = loaded.get("/api/v1/enterprises?region=330800&page_size=100")
    assert city.status_code == 200 and len(city.json) == len(everyone) > 0
    county = loaded.get("/api/v1/enterprises?region=330802&page_size=100").json
    assert county and all(e["region_code"] == "330802" for e in county) and len(county) < len(everyone)
    ratings = loaded.get(f"/api/v1/ratings?year={YEAR}&region=330800&page_size=100")
    assert ratings.status_code == 200 and ratings.json
    assert loaded.get("/api/v1/ratings?region=330000").status_code == 200  # the province
    assert loaded.get(f"/api/v1/ratings?year={YEAR}&region=330881").json == []  # a county without data
    assert loaded.get(f"/api/v1/benchmarks?year={YEAR}&level=county&key=330802").json


# -- the document -----------------------------------------------------------------------------


def _walk(node: Any, where: str = "") -> Any:
    if isinstance(node, dict):
        yield where, node
        for k, v in node.items():
            yield from _walk(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{where}/{i}")


def test_the_document_names_every_operation_and_types_every_answer(anon):
    doc = anon.get("/openapi.json").json
    assert doc["info"]["title"].isascii() and doc["info"]["x-title-zh"] == "碳账户服务"
    operations = {
        (m, path): op for path, ops in doc["paths"].items() for m, op in ops.items() if m in METHODS
    }
    assert {k: op.get("operationId") for k, op in operations.items()} == OPERATION_IDS
    missing = []
    for (method, path), op in operations.items():
        for status, answer in op["responses"].items():
            answer = (
                doc["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
                if "$ref" in answer
                else answer
            )
            if status == "204":
                assert "content" not in answer
                continue
            content = answer.get("content") or {}
            if not content or not all("schema" in media for media in content.values()):
                missing.append(f"{method.upper()} {path} {status}")
            elif status == "default" or status.startswith(("4", "5")):
                assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (
                    method,
                    path,
                    status,
                )
    assert not missing, f"answers without a schema: {missing}"
    # a download is a file: binary, by its media type
    chart = doc["paths"]["/api/v1/enterprises/{uscc}/charts/{kind}"]["get"]["responses"]["200"]["content"]
    assert set(chart) == {"image/png", "image/svg+xml", "application/pdf"}
    assert all(media["schema"] == {"type": "string", "format": "binary"} for media in chart.values())
    audit = doc["paths"]["/api/v1/audit/export.csv"]["get"]["responses"]["200"]["content"]
    assert audit == {"text/csv": {"schema": {"type": "string", "format": "binary"}}}


def test_nullable_is_written_as_openapi_3_0_3_reads_it(anon):
    """An enum that allows null lists it (a generated client refuses anything else), and a
    nested schema that allows null is ``anyOf`` of its reference alone."""
    doc = anon.get("/openapi.json").json
    wrong = []
    for where, node in _walk(doc):
        if node.get("nullable") and isinstance(node.get("enum"), list) and None not in node["enum"]:
            wrong.append(f"{where}: enum without null")
        if any(s == {"type": "object", "nullable": True} for s in node.get("anyOf", [])):
            wrong.append(f"{where}: an untyped nullable object beside the reference")
    assert not wrong, wrong
    three = doc["components"]["schemas"]["ThreeDimensional"]["properties"]
    assert three["colour"]["enum"][-1] is None and three["colour"]["nullable"]
    assert three["industry_advanced"] == {
        "anyOf": [{"$ref": "#/components/schemas/Dimension"}],
        "nullable": True,
    }
