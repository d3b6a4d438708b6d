"""Pages everyone uses: login, logout, the language switch, the way home, how the numbers
are made, and the error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, make_response, redirect, request, session
from markdown_it import MarkdownIt

from api.auth import current, new_csrf_token, session_id
from api.web.common import LANG_COOKIE, blp, db, origin, render, safe_next
from api.web.i18n import LANGS, translate
from carbon.domain.errors import CarbonError, TooManyRequests
from carbon.services import usecases

ROLE_HOME = {"enterprise": "/enterprise", "bank": "/bank", "official": "/official", "admin": "/admin"}
METHODOLOGY = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"


@blp.get("/")
def home() -> Response:
    p = current()
    if p is None or p.via != "session":
        return redirect("/login", code=303)
    return redirect(ROLE_HOME.get(p.role, "/login"), code=303)


@blp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    username = ""
    status = 200
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()[:100]
        password = request.form.get("password") or ""
        try:
            p = usecases.login(db(), username, password, origin=origin())
        except TooManyRequests as exc:
            error, status = exc.message, 429
        except CarbonError as exc:
            error, status = exc.message, exc.status
        else:
            if isinstance(session.get("sid"), str):
                usecases.close_session(db(), session["sid"])
            session.clear()
            session["sid"] = usecases.open_session(db(), p.user_id)
            new_csrf_token()
            return redirect(safe_next(request.args.get("next"), ROLE_HOME.get(p.role, "/")), code=303)
    return render("login.html", error=error, username=username), status


@blp.post("/logout")
def logout() -> Response:
    sid = session_id()
    if sid is not None:
        usecases.close_session(db(), sid)
    session.clear()
    return redirect("/login", code=303)


@blp.get("/lang/<code>")
def switch_language(code: str) -> Response:
    response = make_response(redirect(safe_next(request.args.get("next")), code=303))
    if code in LANGS:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


@blp.get("/methodology")
def methodology() -> str:
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(METHODOLOGY.read_text("utf-8"))
    return render("methodology.html", body=html)


def error_page(status: int, message: str | None, lang: str) -> tuple[str, int]:
    """The error page: what happened in the user's words (the service's bilingual message)."""
    title = translate(f"error_{status}", lang) if status in (403, 404, 422, 429) else translate("error", lang)
    return render("error.html", status=status, title=title, message=message), status
