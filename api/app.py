"""Flask application factory: the settings (``carbon.settings``, read from the environment
once unless given), one database, the API."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, send_from_directory
from flask_smorest import Api

from api import auth, security
from api.errors import ErrorSchema, register_error_handlers
from api.resources import conventions
from carbon.services import auth as passwords
from carbon.services import usecases
from carbon.services.jobs import make_runner
from carbon.settings import Settings

DEFAULTS: dict[str, Any] = {
    "API_TITLE": "Carbon account service",  # ASCII: a generated client's package is named after it
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    "OPENAPI_SWAGGER_UI_URL": "/_swagger-ui/",
    "API_SPEC_OPTIONS": {
        "security": [{"bearer": []}, {"session": []}],
        "info": {
            "x-title-zh": "碳账户服务",
            "description": (
                "碳账户服务 (carbon account service). Industrial carbon accounts: import energy workbooks, "
                "read accounts, 碳效码 (carbon-efficiency code) and 三维四色 (Quzhou three-dimensional) "
                "ratings, charts. Errors share one envelope: {code, status, message, errors}."
            ),
        },
    },
}


class CarbonApi(Api):  # type: ignore[misc]  # flask-smorest ships no type information
    """flask-smorest's Api, documenting the service's own error envelope (api/errors.py)."""

    ERROR_SCHEMA = ErrorSchema


def create_app(config: dict[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """The app with ``settings`` (``Settings.from_env()`` when not given, read here once,
    kept in ``app.extensions["carbon_settings"]``); ``config`` overrides Flask settings
    (``DATABASE_URL``, ``JOBS``, ``MAX_CONTENT_LENGTH``, ``TESTING``, …)."""
    settings = settings if settings is not None else Settings.from_env()
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config["DATABASE_URL"] = settings.database.url
    app.config["MAX_CONTENT_LENGTH"] = settings.web.max_upload_bytes
    app.config["JOBS"] = settings.jobs.mode
    app.config.update(config or {})
    app.extensions["carbon_settings"] = settings
    passwords.configure_hashing(settings.passwords)
    database = usecases.open_database(app.config["DATABASE_URL"], settings=settings)
    app.extensions["carbon_db"] = database
    # In-process jobs (the embedded default): recomputations queued by imports run on a
    # worker thread ("thread") or at once in the request ("eager"); leftovers run now.
    # CARBON_JOBS=celery: they are sent to Celery workers (`carbon worker`) instead.
    runner = make_runner(database, app.config["JOBS"])
    app.extensions["carbon_jobs"] = runner
    runner.run_pending()
    auth.install(app, settings.web)
    security.install(app, settings.web)
    from api import limits as request_limits  # statement timeout and its 503 (api/limits.py)

    request_limits.install(app, settings)

    api = CarbonApi(app)
    conventions.install(app, api)  # UTF-8 JSON; nullability as generated clients read it
    # Every operation needs a bearer token or a login session unless it says otherwise
    # (PUBLIC in api/resources/common.py); Swagger UI's Authorize button takes a token.
    api.spec.components.security_scheme(
        "bearer",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "a token from POST /api/v1/auth/tokens or `carbon tokens create`",
        },
    )
    api.spec.components.security_scheme(
        "session",
        {"type": "apiKey", "in": "cookie", "name": "session", "description": "after POST /api/v1/auth/login"},
    )
    from api.resources.admin.routes import audit, recalculations
    from api.resources.auth.routes import blp as auth_blp
    from api.resources.benchmarks.routes import blp as benchmarks
    from api.resources.enterprises.routes import blp as enterprises
    from api.resources.feeds.routes import blp as feeds
    from api.resources.imports.routes import blp as imports
    from api.resources.jobs.routes import blp as jobs
    from api.resources.ratings.routes import blp as ratings
    from api.resources.reference.routes import factor_sets, methodologies
    from api.resources.summary.routes import blp as summary
    from api.resources.templates.routes import blp as templates

    for blp in (
        enterprises, ratings, imports, feeds, jobs, templates, summary,
        factor_sets, methodologies, recalculations, audit,
    ):  # fmt: skip
        api.register_blueprint(blp)
    api.register_blueprint(benchmarks)
    api.register_blueprint(auth_blp)
    from api.resources.consents.routes import blp as consents
    from api.resources.opendata.routes import blp as open_data
    from api.resources.reports.routes import blp as reports

    api.register_blueprint(consents)
    api.register_blueprint(reports)
    api.register_blueprint(open_data)
    from api.resources.identity.routes import blp as identity

    api.register_blueprint(identity)
    register_error_handlers(app)
    _swagger_assets(app)

    from api import web  # the pages: login, each role's work (api/web)

    web.install(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _swagger_assets(app: Flask) -> None:
    """Serve Swagger UI from the installed package, so the docs work without internet."""
    import swagger_ui_bundle

    folder = swagger_ui_bundle.swagger_ui_path

    @app.get("/_swagger-ui/<path:filename>")
    def swagger_asset(filename: str) -> Response:
        return send_from_directory(folder, filename)
