"""The enterprise's pages (企业): its accounts, uploads (preview, then confirm) and consents.

Every figure and every refusal comes from the same use cases as the API (``by`` is the
logged-in user): no access rule lives here."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from pathlib import Path
from typing import Any

from flask import abort, current_app, request, session

from api.web.common import (
    blp,
    db,
    jobs,
    lang,
    origin,
    page_principal,
    redirect_to,
    render,
    requires_role,
    show_amount,
)
from api.web.i18n import add, translate
from api.web.pages_enterprise_words import WORDS
from carbon.domain.errors import CarbonError, ImportRejected, NotFound
from carbon.domain.quantities import FIELD_BY_KEY
from carbon.services import usecases
from carbon.services.views import cell_error_view

PENDING = "ent_pending_upload"  # the session key of the uploaded file awaiting confirmation
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
PENDING_MAX_S = 3600  # an unconfirmed upload is kept this long
PARTS = ("fuel", "process", "electricity", "heat")
CHARTS = ("monthly-emissions", "intensity", "grade-history")


def _uploads_dir() -> Path:
    path = Path(current_app.instance_path) / "enterprise_uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep() -> None:
    """Uploads left unconfirmed for longer than ``PENDING_MAX_S`` are deleted."""
    cutoff = time.time() - PENDING_MAX_S
    for f in _uploads_dir().iterdir():
        try:
            if f.is_file() and f.stat().st_mtime < cutoff:
                f.unlink()
        except OSError:  # another request removed it first
            pass


def _years(uscc: str) -> list[int]:
    """The years the enterprise has a rating for, newest first (its history, as the API gives it)."""
    history = usecases.rating_history(db(), uscc, False, by=page_principal(), origin=origin())
    return sorted({int(r["year"]) for r in history}, reverse=True)


@blp.get("/enterprise")
@requires_role("enterprise")
def enterprise_home() -> str:
    p = page_principal()
    rows = []
    for uscc in sorted(p.usccs):
        try:
            e = usecases.enterprise(db(), uscc, by=p, origin=origin())
            years = _years(uscc)
        except NotFound:  # a USCC with no data yet
            e, years = {"uscc": uscc, "name": None, "name_en": None}, []
        rows.append({"enterprise": e, "years": years})
    return render("enterprise/home.html", rows=rows)


def _carrier_name(key: str, language: str) -> str:
    f = FIELD_BY_KEY.get(key)
    if f is None:
        return key
    return f.name_zh if language == "zh" else f.name_en


def _field_label(key: str, language: str) -> str:
    """A changed field of a preview: its name and the canonical unit its figures are in."""
    f = FIELD_BY_KEY.get(key)
    return key if f is None else f"{_carrier_name(key, language)} ({f.unit})"


def _cut_sentences(rating: dict[str, Any] | None, language: str) -> list[dict[str, Any]]:
    """The explanation's cuts, each as a sentence and the carriers that could carry it."""
    if not rating:
        return []
    out = []
    for cut in (rating.get("explanation") or {}).get("cuts") or []:
        tco2 = show_amount(cut.get("cut_tco2"))
        pct = cut.get("cut_pct")
        kind, goal = cut.get("kind"), cut.get("target")
        if kind == "grade":
            target = f"碳效 {goal} 级" if language == "zh" else f"grade {goal}"
        elif kind == "colour":
            colour = translate(f"ent_colour_{goal}", language)
            target = f"三维四色“{colour}”" if language == "zh" else f"the colour {colour}"
        else:
            cls = translate(f"ent_class_{goal}", language)
            target = f"强度等级“{cls}”" if language == "zh" else f"intensity class “{cls}”"
        carriers = []
        for c in cut.get("carriers") or []:
            name = c.get("name_zh") if language == "zh" else c.get("name_en")
            qty = f"{show_amount(c.get('amount'))} {c.get('unit')}"
            if language == "zh":
                text = f"仅削减{name} {qty}" + ("" if c.get("enough") else "（超过全年用量，单靠它不够）")
            else:
                text = f"{name} alone: cut {qty}" + (
                    "" if c.get("enough") else " (more than its whole annual use)"
                )
            carriers.append(text)
        if language == "zh":
            sentence = f"再减排 {tco2} tCO2（{pct}%）即可达到{target}"
        else:
            sentence = f"cut {tco2} tCO2 ({pct}%) to reach {target}"
        out.append({"sentence": sentence, "carriers": carriers})
    return out


@blp.get("/enterprise/<uscc>/<int:year>")
@requires_role("enterprise")
def enterprise_account(uscc: str, year: int) -> str:
    p = page_principal()
    account = usecases.account(db(), uscc, year, by=p, origin=origin())
    months = usecases.monthly_accounts(db(), uscc, year, by=p, origin=origin())
    try:
        rating: dict[str, Any] | None = dict(usecases.rating(db(), uscc, year, by=p, origin=origin()))
    except NotFound:
        rating = None
    years = _years(uscc)
    language = lang()
    charts = {
        kind: f"/api/v1/enterprises/{uscc}/charts/{kind}?format=svg&year={year}&lang={language}"
        for kind in CHARTS
    }
    carriers = [
        (_carrier_name(key, language), value)
        for key, value in sorted(account["emissions_by_carrier"].items(), key=lambda kv: -kv[1])
    ]
    return render(
        "enterprise/account.html",
        a=account,
        months=months,
        e=account["emissions_tco2"],
        parts=PARTS,
        carriers=carriers,
        rating=rating,
        cuts=_cut_sentences(rating, language),
        charts=charts,
        year=year,
        years=years,
        uscc=uscc,
    )


def _discard_pending() -> None:
    token = session.pop(PENDING, None)
    if isinstance(token, dict) and TOKEN.match(str(token.get("token", ""))):
        (_uploads_dir() / token["token"]).unlink(missing_ok=True)


def _errors(exc: ImportRejected) -> list[dict[str, Any]]:
    return [dict(cell_error_view(e)) for e in exc.errors]


@blp.route("/enterprise/upload", methods=["GET", "POST"])
@requires_role("enterprise")
def enterprise_upload() -> Any:
    if request.method == "GET":
        return render("enterprise/upload.html", stage="form")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render("enterprise/upload.html", stage="form", problem="ent_no_file"), 422
    data = upload.read()
    filename = Path(upload.filename).name[:200] or "upload.xlsx"
    try:
        result = usecases.import_file(
            db(), data, filename, dry_run=True, by=page_principal(), origin=origin()
        )
    except ImportRejected as exc:
        view: dict[str, Any] = {"status": "rejected", "errors": _errors(exc), "filename": filename}
        view.update({k: v for k, v in exc.extra.items() if k in ("errors_total", "import_id")})
    else:
        view = dict(result.as_dict())
    _discard_pending()
    _sweep()
    token = secrets.token_urlsafe(24)
    (_uploads_dir() / token).write_bytes(data)
    session[PENDING] = {"token": token, "filename": filename}
    status = 422 if view["status"] == "rejected" else 200
    label = lambda key: _field_label(key, lang())  # noqa: E731
    return render("enterprise/upload.html", stage="preview", r=view, field_label=label), status


@blp.post("/enterprise/upload/confirm")
@requires_role("enterprise")
def enterprise_upload_confirm() -> Any:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not TOKEN.match(str(pending.get("token", ""))):
        return render("enterprise/upload.html", stage="form", problem="ent_nothing_pending"), 422
    path = _uploads_dir() / pending["token"]
    if not path.is_file():
        session.pop(PENDING, None)
        return render("enterprise/upload.html", stage="form", problem="ent_nothing_pending"), 422
    data = path.read_bytes()
    _discard_pending()
    filename = str(pending.get("filename") or "upload.xlsx")
    try:
        result = usecases.import_file(
            db(), data, filename, runner=jobs(), by=page_principal(), origin=origin()
        )
    except ImportRejected as exc:
        view: dict[str, Any] = {"status": "rejected", "errors": _errors(exc), "filename": filename}
        view.update({k: v for k, v in exc.extra.items() if k in ("errors_total", "import_id")})
        return render("enterprise/upload.html", stage="rejected", r=view), 422
    view = dict(result.as_dict())
    if view["status"] == "rejected":
        return render("enterprise/upload.html", stage="rejected", r=view), 422
    years = sorted({str(c["period"])[:4] for c in view.get("changes") or [] if c.get("period")})
    usccs = view.get("enterprises") or []
    if years and usccs:
        return redirect_to("web.enterprise_account", uscc=usccs[0], year=int(years[-1]))
    return redirect_to("web.enterprise_home")


@blp.get("/enterprise/imports")
@requires_role("enterprise")
def enterprise_imports() -> str:
    """Each of the user's enterprises' import history, newest first (``usecases.
    enterprise_imports``): the months each import wrote, its rows still current and those
    revised later, and whether it revised earlier data. Others' (the operator's) uploads
    without their file name."""
    p = page_principal()
    histories = []
    for uscc in sorted(p.usccs):
        try:
            imports = usecases.enterprise_imports(db(), uscc, by=p, origin=origin())
        except NotFound:
            continue
        histories.append({"uscc": uscc, "imports": imports})
    return render("enterprise/imports.html", histories=histories)


@blp.route("/enterprise/consents", methods=["GET", "POST"])
@requires_role("enterprise")
def enterprise_consents() -> Any:
    p = page_principal()
    problem, status = None, 200
    if request.method == "POST":
        try:
            if request.form.get("action") == "revoke":
                consent_id = request.form.get("consent_id", "")
                if not consent_id.isdigit():
                    abort(422)
                usecases.revoke_consent(db(), p, int(consent_id), origin())
            else:
                expires = dt.date.fromisoformat(request.form.get("expires_on", ""))
                usecases.grant_consent(
                    db(), p, request.form.get("uscc", "")[:18], request.form.get("institution", "")[:200],
                    request.form.get("scope", ""), expires, origin(),
                )  # fmt: skip
        except ValueError:
            problem, status = "ent_bad_date", 422
        except CarbonError as exc:
            if exc.status in (403, 404):
                raise
            problem, status = exc.message, exc.status
        else:
            return redirect_to("web.enterprise_consents")
    consents = usecases.list_consents(db(), p)
    logs = {uscc: usecases.accesses(db(), uscc, by=p, limit=200) for uscc in sorted(p.usccs)}
    default_expiry = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    return render(
        "enterprise/consents.html",
        consents=consents,
        institutions=usecases.consent_institutions(db(), p),
        usccs=sorted(p.usccs),
        logs=logs,
        problem=problem,
        default_expiry=default_expiry,
    ), status


add(WORDS)
