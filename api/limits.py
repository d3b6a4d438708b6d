"""Time limits of the HTTP API: statements, and what the server itself allows.

- Every statement an API request runs on PostgreSQL has ``STATEMENT_TIMEOUT`` seconds
  (``CARBON_STATEMENT_TIMEOUT``, default 30; ``carbon.settings``, ``carbon.store.timeouts``). One that runs
  longer is cancelled by the server and answered 503 ``statement_timeout`` with a
  Retry-After, so a slow query costs one thread 30 s at most, never hangs it.
- ``carbon serve`` runs waitress, which has no limit on how long a request may run (it
  cannot stop a running Python thread); what it has is set: ``channel_timeout`` (seconds
  a connection may stay idle, e.g. a client that stops sending its upload: 60,
  ``CARBON_CHANNEL_TIMEOUT``) and ``max_request_body_size`` (the upload limit plus 1 MB,
  so an oversized body is refused while it arrives instead of being buffered to disk).
  Parsing is bounded by the import limits (``importers.limits``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from sqlalchemy.exc import DBAPIError

from carbon.settings import Settings
from carbon.store import timeouts

RETRY_AFTER_S = 30


def install(app: Flask, settings: Settings) -> None:
    """Per-request statement timeout, and the 503 for a statement that ran out of time."""
    from api.errors import envelope

    app.config.setdefault("STATEMENT_TIMEOUT", settings.database.statement_timeout_s)

    @app.before_request
    def _statement_timeout() -> None:
        g.carbon_timeout_token = timeouts.use(float(app.config["STATEMENT_TIMEOUT"]))

    @app.teardown_request
    def _statement_timeout_end(_exc: BaseException | None) -> None:
        token = g.pop("carbon_timeout_token", None)
        if token is not None:
            timeouts.reset(token)

    @app.errorhandler(DBAPIError)
    def _database_error(err: DBAPIError) -> Any:
        if timeouts.is_timeout(err):
            limit = app.config["STATEMENT_TIMEOUT"]
            app.logger.warning("statement cancelled after %ss: %s", limit, str(err.statement)[:200])
            body, status = envelope(
                503,
                "statement_timeout",
                f"the database took longer than {limit:g} s to answer; nothing was changed, try again "
                f"later or ask for less at a time "
                f"/ 数据库查询超过{limit:g}秒未完成，未做任何修改，请稍后重试或缩小查询范围",
            )
            return body, status, {"Retry-After": str(RETRY_AFTER_S)}
        app.logger.exception("unhandled database error")  # as api.errors.server_error does
        return envelope(500, "internal_error", "internal server error / 服务器内部错误")


def waitress_options(app: Flask) -> dict[str, Any]:
    """What ``carbon serve`` hands waitress beside host, port and threads (the app's settings)."""
    settings: Settings = app.extensions["carbon_settings"]
    body = int(app.config.get("MAX_CONTENT_LENGTH") or settings.web.max_upload_bytes)
    return {
        "channel_timeout": settings.web.channel_timeout_s,
        "max_request_body_size": body + (1 << 20),
    }
