"""How every answer is written and documented.

- JSON is UTF-8 as it is: Chinese names and messages are sent as characters, not as
  ``\\u8861\\u5dde`` escapes, and the Content-Type says ``charset=utf-8``.
- Nullability is written as OpenAPI 3.0.3 reads it, so that a client generated from the
  document (openapi-python-client, tests/api/test_generated_client.py) parses every answer:
  an enum that allows null lists null among its values, and a nested schema that allows
  null is ``{"anyOf": [{"$ref": …}], "nullable": true}`` rather than apispec's
  ``anyOf`` of the reference and a second, untyped ``{"type": "object", "nullable": true}``
  (which a generated client parses every answer into, whatever its shape).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api
from marshmallow import fields

UNTYPED_NULL = {"type": "object", "nullable": True}


class JSONProvider(DefaultJSONProvider):
    ensure_ascii = False
    mimetype = "application/json; charset=utf-8"


def nullable_as_openapi_303(
    self: Any, field: fields.Field[Any], ret: dict[str, Any], **_: Any
) -> dict[str, Any]:
    """An attribute function of apispec's field converter, run after its own ones."""
    if not field.allow_none:
        return {}
    any_of = ret.get("anyOf")
    if isinstance(any_of, list) and UNTYPED_NULL in any_of:
        ret["anyOf"] = [s for s in any_of if s != UNTYPED_NULL]
        ret["nullable"] = True
    if isinstance(ret.get("enum"), list) and None not in ret["enum"]:
        ret["enum"] = [*ret["enum"], None]
    return {}


def utf8_json(response: Response) -> Response:
    """JSON written elsewhere than through the provider (flask-smorest's /openapi.json) says
    its charset too."""
    if response.mimetype == "application/json" and "charset" not in response.content_type:
        response.content_type = JSONProvider.mimetype
    return response


def install(app: Flask, api: Api) -> None:
    """Before the blueprints are registered (their schemas are converted as they are)."""
    app.json = JSONProvider(app)
    app.after_request(utf8_json)
    api.ma_plugin.converter.add_attribute_function(nullable_as_openapi_303)
