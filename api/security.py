"""Security headers on every answer.

Every response forbids MIME sniffing, framing, referrers and the powerful browser features,
and carries a Content-Security-Policy: nothing at all may load for the API's own answers
(JSON, CSV, images, workbooks), while the Swagger UI page (``/docs``, its assets under
``/_swagger-ui/``) may load its scripts and styles from this origin and run the one inline
script of flask-smorest's page, allowed by its sha256 (never ``'unsafe-inline'`` scripts).
``/api/`` answers carry enterprise data, so no cache keeps them. HSTS is sent only behind
HTTPS (``WebSettings.secure_cookies``, CARBON_SECURE_COOKIES=true, as for the session cookie).

The ``Server`` header is the WSGI server's: waitress (``carbon serve``) sends ``waitress``
with no version, and would add ``Via: waitress`` if the application set its own; only
Werkzeug's development server names its version, and an application cannot change that.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, request

from carbon.settings import WebSettings

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI: its bundle, preset and stylesheet from here, the spec fetched from here, data:
# images (icons in the stylesheet), inline styles (the React components set some).
DOCS_CSP = (
    "default-src 'none'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The web pages (api/web): scripts, styles and images from this origin only; forms post here.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000"

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def is_docs(path: str) -> bool:
    return path == "/docs" or path.startswith(("/docs/", "/_swagger-ui/"))


def is_api(path: str) -> bool:
    """The API's own answers (JSON, downloads); every other path but the docs is a page."""
    return path.startswith(("/api/", "/templates/")) or path in ("/openapi.json", "/healthz")


def is_page(path: str) -> bool:
    return not is_api(path) and not is_docs(path)


def inline_script_hashes(html: str) -> list[str]:
    """CSP sources allowing exactly the inline scripts of ``html``."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def docs_policy(response: Response) -> str:
    hashes = ""
    if response.mimetype == "text/html" and not response.direct_passthrough and not response.is_streamed:
        hashes = "".join(" " + h for h in inline_script_hashes(response.get_data(as_text=True)))
    return DOCS_CSP.format(hashes=hashes)


def install(app: Flask, settings: WebSettings) -> None:
    secure = settings.secure_cookies

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.update(HEADERS)
        path = request.path
        if is_docs(path):
            response.headers["Content-Security-Policy"] = docs_policy(response)
        else:
            response.headers["Content-Security-Policy"] = PAGE_CSP if is_page(path) else API_CSP
        if path.startswith("/api/") or (is_page(path) and not path.startswith("/assets/")):
            response.headers["Cache-Control"] = "no-store"
        if secure:
            response.headers["Strict-Transport-Security"] = HSTS
        return response
