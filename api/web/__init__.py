"""The service's web pages: server-rendered (Flask + Jinja), Chinese by default with an
English switch, on the same use cases and access rules as the API (no rule lives here).

- ``common``: who is logged in (``page_principal``), rendering with the language, form
  CSRF, safe redirects; ``i18n``: the pages' words in Chinese and English;
- ``pages_auth``: login, logout, the language switch, the home page of each role, how the
  numbers are made (docs/methodology.md), error pages;
- ``pages_enterprise``, ``pages_bank``, ``pages_official``, ``pages_admin``: each role's pages.

Pages use the login session (``api.auth``): a form that changes something carries the
session's CSRF token in its ``csrf_token`` field. Their Content-Security-Policy allows
scripts, styles and images from this origin only (``api.security``).
"""

from __future__ import annotations

from flask import Flask

from api.web.common import blp, install_context

__all__ = ["install"]


def install(app: Flask) -> None:
    """Register the pages (their modules add their routes to ``blp`` on import)."""
    from api.web import (  # noqa: F401  (each adds its routes)
        pages_admin,
        pages_auth,
        pages_bank,
        pages_enterprise,
        pages_official,
    )

    install_context(app)
    app.register_blueprint(blp)
