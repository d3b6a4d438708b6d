"""What every page shares: the blueprint, who is logged in, the language, rendering, and
where a redirect may go."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, redirect, render_template, request, url_for

from api.auth import csrf_token, current, origin
from api.resources.common import db, jobs
from api.security import is_page
from api.web.i18n import DEFAULT_LANG, LANGS, translate
from carbon.domain import rounding
from carbon.domain.errors import Forbidden, NotAuthenticated
from carbon.services.auth import Principal

__all__ = ["blp", "db", "jobs", "lang", "origin", "page_principal", "render", "requires_role", "safe_next"]

blp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)

LANG_COOKIE = "lang"
F = TypeVar("F", bound=Callable[..., Any])


def lang() -> str:
    """The page language: the ``lang`` cookie, else Chinese."""
    chosen = request.cookies.get(LANG_COOKIE, DEFAULT_LANG)
    return chosen if chosen in LANGS else DEFAULT_LANG


def page_principal() -> Principal:
    """Who is logged in with a session; else NotAuthenticated (the login page follows)."""
    p = current()
    if p is None or p.via != "session":
        raise NotAuthenticated("log in / 请先登录")
    return p


def requires_role(*roles: str) -> Callable[[F], F]:
    """A page for these roles: anyone else gets the 403 page (the use case checks again)."""

    def wrap(view: F) -> F:
        @wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            p = page_principal()
            if p.role not in roles:
                raise Forbidden("this page is for another role / 该页面不属于您的角色")
            return view(*args, **kwargs)

        return inner  # type: ignore[return-value]

    return wrap


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target on this site only (a path, never another host or scheme)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:  # a browser reads /\\host as //host
        return default
    return target


def show_amount(value: float | None) -> str:
    """tCO2, tce, MWh: to 0.001 (``rounding.amount``), with thousands separators."""
    v = rounding.amount(value)
    return "—" if v is None else f"{v:,.3f}"


def show_sig(value: float | None) -> str:
    """Intensities and ratios: 6 significant digits (``rounding.significant``)."""
    v = rounding.significant(value)
    return "—" if v is None else f"{v:g}"


def show_score(value: float | None) -> str:
    """Scores (0–100): to 0.01 (``rounding.score``)."""
    v = rounding.score(value)
    return "—" if v is None else f"{v:g}"


# One way to show a figure on every page (each role's templates use their own names).
FIGURE_FILTERS = {
    "amount": show_amount, "sig": show_sig, "score": show_score,
    "ent_amount": show_amount, "ent_sig": show_sig,
    "bank_amount": show_amount, "bank_sig": show_sig, "bank_score": show_score,
    "off_amount": show_amount, "off_sig": show_sig,
}  # fmt: skip


def render(template: str, **context: Any) -> str:
    return render_template(template, **context)


def install_context(app: Flask) -> None:
    app.jinja_env.filters.update(FIGURE_FILTERS)

    @app.context_processor
    def page_context() -> dict[str, Any]:
        if not is_page(request.path):
            return {}
        language = lang()
        p = current()
        return {
            "lang": language,
            "t": lambda key: translate(key, language),
            "me": p if p is not None and p.via == "session" else None,
            "csrf_token": csrf_token if p is not None and p.via == "session" else (lambda: ""),
            "other_lang": "en" if language == "zh" else "zh",
        }


def redirect_to(endpoint: str, **values: Any) -> Response:
    return redirect(url_for(endpoint, **values), code=303)
