"""One error envelope for every 4xx and 5xx: ``{code, status, message, errors}``.

A server error never shows a traceback; it is logged and answered with a generic message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Flask, redirect, request
from marshmallow import INCLUDE, Schema, fields
from werkzeug.exceptions import HTTPException, NotFound

from api.security import is_page
from carbon.domain.errors import CarbonError, ImportRejected, TooManyRequests


class ErrorSchema(Schema):
    """The envelope as the OpenAPI document shows it (component ``Error``): what
    ``envelope`` writes, not flask-smorest's default (an integer code, a string status).
    A rejected import adds where to find the recorded attempt."""

    class Meta:
        unknown = INCLUDE  # documented as additionalProperties: true

    code = fields.String(
        required=True, metadata={"description": "what went wrong, for programs: not_found, invalid_value, …"}
    )
    status = fields.Integer(required=True, metadata={"description": "the HTTP status code of the answer"})
    message = fields.String(required=True, metadata={"description": "for people, English / 中文"})
    errors = fields.Raw(
        required=True,
        metadata={
            "description": (
                "details: request fields and their messages (an object), or the rejected cells "
                "of an import (a list); empty when there are none"
            ),
            "oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}],
        },
    )
    import_id = fields.Integer(metadata={"description": "a rejected import: the recorded attempt"})
    error_workbook = fields.String(
        metadata={"description": "a rejected import: the URL of the workbook with the errors marked"}
    )


def envelope(status: int, code: str, message: str, errors: Any = None) -> tuple[dict[str, Any], int]:
    return {"code": code, "status": status, "message": message, "errors": errors or {}}, status


def _page_error(status: int, message: str | None) -> Any:
    """On a page (api/web), an HTML error page, and the login page for who is not logged in."""
    from api.web.common import lang
    from api.web.pages_auth import error_page

    if status == 401:
        return redirect("/login?next=" + quote(request.full_path.rstrip("?")), code=303)
    return error_page(status, message, lang())


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CarbonError)
    def carbon_error(err: CarbonError) -> Any:
        if is_page(request.path):
            return _page_error(err.status, err.message)
        if isinstance(err, ImportRejected):
            body, status = envelope(err.status, err.code, err.message, [e.as_dict() for e in err.errors])
            return {**err.extra, **body}, status  # the envelope's own keys always win
        if isinstance(err, TooManyRequests):
            return (*envelope(err.status, err.code, err.message), {"Retry-After": str(err.retry_after)})
        return envelope(err.status, err.code, err.message)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Any:
        status = err.code or 500
        if is_page(request.path):
            return _page_error(status, None)
        data = getattr(err, "data", None) or {}
        messages = data.get("messages") if isinstance(data, dict) else None
        message = err.description or err.name
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH") or 0
            message = (
                f"upload larger than the {limit // (1024 * 1024)} MB limit "
                f"/ 上传文件超过{limit // (1024 * 1024)} MB上限"
            )
        elif status == 422:
            message = "request validation failed / 请求参数校验失败"
        elif status == 404 and message == NotFound.description:  # no route matched the path
            message = "no such resource: check the path / 请求的资源不存在，请检查路径"
        code = err.name.lower().replace(" ", "_")
        return envelope(status, code, message, messages)

    @app.errorhandler(Exception)
    def server_error(err: Exception) -> Any:
        app.logger.exception("unhandled error")
        if is_page(request.path):
            return _page_error(500, None)
        return envelope(500, "internal_error", "internal server error / 服务器内部错误")
