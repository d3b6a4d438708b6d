"""The use cases, one function each, shared by the CLI and the HTTP API.

Each opens one unit of work (one commit, or none for reads) and returns plain data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.domain.errors import CarbonError, Forbidden, InvalidValue, NotFound
from carbon.domain.identifiers import region_problem
from carbon.services import access, audit, auth, jobs, queries, reference, sessions
from carbon.services.compute import recompute
from carbon.services.imports import ImportResult, Progress, Uploader
from carbon.services.imports import import_file as _import_file
from carbon.services.jobs import InProcessRunner
from carbon.store.db import Database
from carbon.store.models import Enterprise, ImportRow, Job

T = TypeVar("T")


def open_database(url: str | None = None, *, migrate: bool = False) -> Database:
    """Connect and register the shipped reference data. The schema must be the newest
    (``SchemaNotCurrent`` otherwise) unless ``migrate`` brings it there first."""
    db = Database(url, migrate=migrate)
    with db.unit_of_work() as session:
        reference.register(session)
    return db


def import_file(
    db: Database,
    data: bytes,
    filename: str,
    *,
    by: auth.Principal | None,
    dry_run: bool = False,
    progress: Progress | None = None,
    runner: InProcessRunner | None = None,
    origin: str | None = None,
) -> ImportResult:
    """Import a workbook; the recomputation it queues runs on ``runner`` (at once if eager).

    An enterprise user may import files of its own USCCs only; an administrator (and the
    operator's CLI) any file."""
    p = access.require_role(by, "enterprise", "admin", scope="write")
    allowed = p.usccs if p.role == "enterprise" else None
    uploader = Uploader(p.user_id or None, p.username, origin, allowed)
    result = _import_file(db, data, filename, dry_run=dry_run, progress=progress, uploader=uploader)
    if result.job_id is not None:
        runner = runner or InProcessRunner(db, "eager")
        done = runner.submit(result.job_id)
        if isinstance(done, Job):
            result.job = _job_for(p, jobs.job_dict(done))
    return result


def _job_for(p: auth.Principal, job: dict[str, Any]) -> dict[str, Any]:
    """A job as ``p`` may see it: a recomputation rates every enterprise of the year, so
    below an administrator its counts of grade and colour changes (other enterprises'
    ratings, however few) are left out."""
    out = {k: v for k, v in job.items() if k != "requested_by"}
    if p.role == "admin":
        return out
    if isinstance(job.get("result"), dict):
        out["result"] = {
            k: v for k, v in job["result"].items() if k not in ("grade_changes", "colour_changes")
        }
    params = job.get("params") or {}
    merged = params.get("merged") or []
    if merged or job.get("import_id") is not None:
        # requests that joined the job are other people's uploads: only one's own are shown
        mine = [m for m in merged if m.get("requested_by") == p.user_id]
        out["params"] = {k: v for k, v in params.items() if k != "merged"} | (
            {"merged": mine} if mine else {}
        )
        if job.get("requested_by") != p.user_id:
            out["import_id"] = None
    return out


def job(db: Database, job_id: int, *, by: auth.Principal | None) -> dict[str, Any]:
    """A job: its requester and administrators may see it (anyone else: not found)."""
    p = access.require_login(by)
    j = jobs.job_view(db, job_id)
    if p.role != "admin" and p.user_id not in jobs.requesters(j):  # or a request that joined it
        raise NotFound(f"no job {job_id} / 任务{job_id}不存在")  # as for one that does not exist
    return _job_for(p, jobs.job_dict(j))


def _own_import(db: Database, import_id: int, by: auth.Principal | None) -> None:
    """An import is its uploader's and administrators' to see; to anyone else it does not exist."""
    p = access.require_login(by)
    with db.read() as session:
        row = session.execute(select(ImportRow.uploaded_by).where(ImportRow.id == import_id)).first()
    if row is None or (p.role != "admin" and row.uploaded_by != p.user_id):
        raise NotFound(f"no import {import_id} / 导入记录{import_id}不存在")


def import_record(db: Database, import_id: int, *, by: auth.Principal | None) -> dict[str, Any]:
    from carbon.services import error_report

    _own_import(db, import_id, by)
    return error_report.import_view(db, import_id)


def import_error_workbook(db: Database, import_id: int, *, by: auth.Principal | None) -> tuple[bytes, str]:
    from carbon.services import error_report

    _own_import(db, import_id, by)
    return error_report.error_workbook(db, import_id)


def _enterprise_read(
    db: Database,
    by: auth.Principal | None,
    uscc: str,
    need: str,
    what: str,
    read: Callable[[Session], T],
    origin: str | None,
) -> T:
    """Read one enterprise's data if ``by`` may, then record the read (docs/access.md).

    The audit entry is written in a short transaction of its own after the read, so a read
    never holds SQLite's write lock; a refusal to a bank or an official is recorded too."""
    try:
        with db.read() as session:
            access.enterprise_for(session, by, uscc, need)
            out = read(session)
    except Forbidden:
        if by is not None and access.audited(by):
            with db.unit_of_work() as session:
                access.record_reads(session, by, [uscc.strip().upper()], "denied", origin, {"what": what})
        raise
    assert by is not None
    if access.audited(by):
        with db.unit_of_work() as session:
            access.record_reads(session, by, [uscc.strip().upper()], what, origin)
    return out


def enterprise(
    db: Database, uscc: str, *, by: auth.Principal | None, origin: str | None = None
) -> dict[str, Any]:
    return _enterprise_read(
        db, by, uscc, access.RATING, "enterprise",
        lambda s: queries.enterprise_dict(queries.enterprise(s, uscc)), origin,
    )  # fmt: skip


def account(
    db: Database,
    uscc: str,
    year: int,
    month: str | None = None,
    *,
    by: auth.Principal | None,
    origin: str | None = None,
) -> dict[str, Any]:
    return _enterprise_read(
        db, by, uscc, access.ACCOUNT, "account", lambda s: queries.account_view(s, uscc, year, month), origin
    )


def _rating_only(d: dict[str, Any]) -> dict[str, Any]:
    """A rating as a bank with a rating-only consent sees it: grades, classes, colours and
    scores, without emissions, carriers or the account behind them."""
    out = {k: v for k, v in d.items() if k not in ("explanation", "emissions_tco2")}
    return {**out, "emissions_tco2": None, "scope": access.RATING}


def _scoped_rating(session: Session, by: auth.Principal | None, d: dict[str, Any]) -> dict[str, Any]:
    assert by is not None
    return _rating_only(d) if access.rating_only(session, by, [d["uscc"]]) else d


def rating(
    db: Database, uscc: str, year: int, *, by: auth.Principal | None, origin: str | None = None
) -> dict[str, Any]:
    return _enterprise_read(
        db, by, uscc, access.RATING, "rating",
        lambda s: _scoped_rating(s, by, queries.rating_view(s, uscc, year)), origin,
    )  # fmt: skip


def rating_history(
    db: Database,
    uscc: str,
    all_revisions: bool = False,
    *,
    by: auth.Principal | None,
    origin: str | None = None,
) -> list[dict[str, Any]]:
    def read(session: Session) -> list[dict[str, Any]]:
        history = queries.rating_history(session, uscc, all_revisions=all_revisions)
        return [_scoped_rating(session, by, h) for h in history]

    return _enterprise_read(db, by, uscc, access.RATING, "rating_history", read, origin)


def _listed(
    db: Database,
    by: auth.Principal | None,
    what: str,
    read: Callable[[Session, Any], tuple[list[dict[str, Any]], int]],
    origin: str | None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of a list, restricted to what ``by`` may see; each enterprise on it is a read."""
    with db.read() as session:
        items, total = read(session, access.visible(session, by))
        assert by is not None
        hidden = access.rating_only(session, by, [i["uscc"] for i in items])
        items = [_rating_only(i) if i["uscc"] in hidden and "emissions_tco2" in i else i for i in items]
    if access.audited(by) and items:
        with db.unit_of_work() as session:
            access.record_reads(session, by, [i["uscc"] for i in items], what, origin)
    return items, total


def enterprises_page(
    db: Database, filters: dict[str, Any], number: int, size: int, *, by: auth.Principal | None,
    origin: str | None = None,
) -> tuple[list[dict[str, Any]], int]:  # fmt: skip
    def read(session: Session, seen: Any) -> tuple[list[dict[str, Any]], int]:
        stmt = queries.list_enterprises(session, **filters).where(seen)
        rows, total = queries.page(session, stmt, number, size)
        return [queries.enterprise_dict(e) for (e,) in rows], total

    return _listed(db, by, "list.enterprises", read, origin)


def ratings_page(
    db: Database, filters: dict[str, Any], number: int, size: int, *, by: auth.Principal | None,
    origin: str | None = None,
) -> tuple[list[dict[str, Any]], int]:  # fmt: skip
    def read(session: Session, seen: Any) -> tuple[list[dict[str, Any]], int]:
        rows, total = queries.page(session, queries.ratings_query(**filters).where(seen), number, size)
        return [queries.rating_dict(r, e) for r, e in rows], total

    return _listed(db, by, "list.ratings", read, origin)


def summary(db: Database, *, by: auth.Principal | None) -> dict[str, Any]:
    """The service's summary: an official's of their region, an administrator's of all."""
    p = access.require_role(by, "official", "admin")
    with db.read() as session:
        return queries.summary(session, region=p.region_code if p.role == "official" else None)


def recalc(
    db: Database,
    years: list[int],
    factor_set: str | None,
    methodology: str | None,
    dry_run: bool,
    *,
    by: auth.Principal | None = auth.SYSTEM,
    origin: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Recompute the given years with the chosen versions (default: each year's current
    ones). A dry run shows the diff and stores nothing; a run stores new results beside
    the old ones, moves each enterprise's current pointer, and is written to the audit log."""
    actor = auth.require_admin(by).username
    if not years:
        raise InvalidValue("give at least one year / 请指定年份")
    with db.unit_of_work() as session:
        for ref, load in ((factor_set, reference.factor_set), (methodology, reference.methodology)):
            if ref is not None:
                load(ref, session, for_new_results=True)
        s = recompute(
            session,
            years,
            reason="recalc",
            factor_set_ref=factor_set,
            methodology_ref=methodology,
            dry_run=dry_run,
            note=note,
        )
        if dry_run:
            session.rollback()
        else:
            details = {**s.as_dict(), "note": note}
            subject = f"years {', '.join(map(str, sorted(years)))}"
            audit_id = audit.record(session, actor, "recalc.run", subject, details, origin).id
    result = {
        "status": "dry_run" if dry_run else "done",
        **s.as_dict(),
        "changes": [{"uscc": c.uscc, "year": c.year, "old": c.old or {}, "new": c.new} for c in s.changes],
    }
    if not dry_run:
        result["audit_id"] = audit_id
    return result


def reference_list(db: Database, kind: str) -> list[dict[str, Any]]:
    with db.read() as session:
        return reference.list_documents(session, reference.KINDS[kind])


def reference_document(db: Database, kind: str, ref: str) -> dict[str, Any]:
    with db.read() as session:
        return reference.document(session, reference.KINDS[kind], ref)


def reference_publish(
    db: Database, kind: str, data: bytes, *, by: auth.Principal | None, origin: str | None
) -> dict[str, Any]:
    """Publish a factor set or methodology document (JSON bytes) as a new version."""
    actor = auth.require_admin(by).username
    doc = reference.read_document(data)
    with db.unit_of_work() as session:
        return reference.publish(session, reference.KINDS[kind], doc, actor=actor, origin=origin)


def reference_retire(
    db: Database, kind: str, ref: str, reason: str, *, by: auth.Principal | None, origin: str | None
) -> dict[str, Any]:
    actor = auth.require_admin(by).username
    with db.unit_of_work() as session:
        return reference.retire(session, reference.KINDS[kind], ref, reason, actor=actor, origin=origin)


def audit_log(
    db: Database, *, by: auth.Principal | None, action: str | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    auth.require_admin(by)
    with db.read() as session:
        return audit.entries(session, action=action, limit=limit)


def audit_export(
    db: Database,
    *,
    by: auth.Principal | None,
    action: str | None = None,
    since: dt.datetime | None = None,
    origin: str | None = None,
) -> bytes:
    """The audit log as CSV (UTF-8 with a byte-order mark, so spreadsheets show Chinese),
    for administrators; the export itself is recorded."""
    p = auth.require_admin(by)
    with db.read() as session:
        data = audit.to_csv(audit.iter_entries(session, action=action, since=since))
    with db.unit_of_work() as session:
        audit.record(
            session,
            p.username,
            "audit.export",
            action or "all",
            {"since": since and since.isoformat()},
            origin,
        )
    return data


CHART_KINDS = ("monthly-emissions", "intensity", "grade-history")
CHART_FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def chart(
    db: Database,
    uscc: str,
    kind: str,
    *,
    year: int | None,
    fmt: str,
    lang: str,
    by: auth.Principal | None,
    origin: str | None = None,
) -> bytes:
    """A chart of one enterprise, drawn only for whom may see what it shows: the monthly
    emissions need the account, intensity and grade history the rating."""
    if fmt not in CHART_FORMATS:
        raise InvalidValue(f"format must be one of {', '.join(CHART_FORMATS)} / 格式不支持")
    if lang not in ("zh", "en"):
        raise InvalidValue("lang must be zh or en / 语言应为zh或en")
    if kind not in CHART_KINDS:
        raise InvalidValue(f"chart must be one of {', '.join(CHART_KINDS)} / 图表类型不支持")
    need = access.ACCOUNT if kind == "monthly-emissions" else access.RATING
    return _enterprise_read(
        db, by, uscc, need, f"chart.{kind}",
        lambda session: _draw_chart(session, uscc, kind, year=year, fmt=fmt, lang=lang), origin,
    )  # fmt: skip


def _draw_chart(session: Session, uscc: str, kind: str, *, year: int | None, fmt: str, lang: str) -> bytes:
    from reports import charts

    e = queries.enterprise(session, uscc)
    name = e.name or e.uscc
    if kind == "monthly-emissions":
        if year is None:
            raise InvalidValue("year is required for this chart / 该图表需要年份参数")
        months, series = queries.chart_monthly(session, uscc, year)
        title = (
            f"{name} {year} 月度碳排放（按能源品种）"
            if lang == "zh"
            else f"{name}: monthly emissions by carrier, {year}"
        )
        return charts.monthly_emissions_chart(months, series, title=title, lang=lang, fmt=fmt)
    hist = queries.rating_history(session, uscc)
    # per year: the months of a provisional (暂评, year-to-date) rating, None for a whole year
    partial = {h["year"]: h["months"] for h in hist if h["provisional"]}
    if kind == "intensity":
        years, own, industry, region = queries.chart_intensity(session, uscc)
        title = f"{name} 碳排放强度对比" if lang == "zh" else f"{name}: carbon intensity vs peers"
        return charts.intensity_chart(
            years, own, industry, region, provisional=[partial.get(y) for y in years],
            title=title, lang=lang, fmt=fmt,
        )  # fmt: skip
    if not hist:  # grade-history (chart() checked the kind)
        raise CarbonError(f"{uscc} has no ratings yet / 暂无评价结果")
    return charts.grade_history_chart(
        [h["year"] for h in hist],
        [h["carbon_efficiency"]["grade"] for h in hist],
        [h["three_dimensional"]["colour"] for h in hist],
        provisional=[partial.get(h["year"]) for h in hist],
        lang=lang,
        fmt=fmt,
    )


def template(lang: str = "zh") -> bytes:
    from importers.template import write_template

    if lang not in ("zh", "en"):
        raise InvalidValue("lang must be zh or en / 语言应为zh或en")
    return write_template(None, lang=lang)


def monthly_report(
    db: Database,
    region: str,
    month: str,
    out_dir: Path,
    *,
    by: auth.Principal | None,
    origin: str | None = None,
) -> dict[str, Any]:
    """The monthly report of a region (xlsx and PDF): an official's own region or a part
    of it, or any region for an administrator. It names enterprises, so it is a read of
    each enterprise it lists."""
    from carbon.services.monthly import monthly_report as build

    p = access.require_role(by, "official", "admin")
    problem = region_problem((region or "").strip())
    if problem:
        raise InvalidValue(problem)
    if p.role == "official" and not access.region_inside(region.strip(), p.region_code):
        raise Forbidden(f"your region is {p.region_code}; {region} is outside it / 该地区不在您的管辖范围内")
    out = build(db, region, month, out_dir)
    if access.audited(p):
        with db.unit_of_work() as session:
            seen = list(session.scalars(select(Enterprise.uscc).where(access.in_region(region))))
            access.record_reads(
                session, p, seen, "report.monthly", origin, {"region": region, "month": month}
            )
    return out


def push_readings(
    db: Database,
    body: bytes,
    *,
    content_type: str,
    source: str | None = None,
    runner: InProcessRunner | None = None,
    by: auth.Principal | None,
) -> dict[str, Any]:
    """Store a batch of meter readings (JSON or CSV) and run the recomputation it queues.
    It needs the ``feeds`` scope: an administrator's feed may send any enterprise's
    readings, an enterprise's its own USCCs' only."""
    from carbon.services import feeds

    p = access.require_role(by, "enterprise", "admin", scope="feeds")
    if content_type == "text/csv":
        raw = feeds.parse_csv(body)
        source = feeds.check_source(source)
    elif content_type == "application/json":
        source, raw = feeds.parse_json(body, source)
    else:
        raise InvalidValue("send application/json or text/csv / 请以JSON或CSV格式提交")
    result = feeds.push(
        db,
        source,
        raw,
        body,
        allowed=p.usccs if p.role == "enterprise" else None,
        requested_by=p.user_id or None,
    )
    if result.job_id is not None:
        runner = runner or InProcessRunner(db, "eager")
        done = runner.submit(result.job_id)
        if isinstance(done, Job):
            result.job = _job_for(p, jobs.job_dict(done))
    out = result.as_dict()
    out["status"] = "accepted" if result.changed else "unchanged"
    return out


def benchmarks(
    db: Database,
    year: int,
    *,
    level: str | None = None,
    key: str | None = None,
    all_revisions: bool = False,
    by: auth.Principal | None,
) -> list[dict[str, Any]]:
    """A year's benchmarks: every peer group's count, intensity, advanced value, quartiles.
    Anyone logged in sees them; below an administrator, a group of fewer than 3
    enterprises shows no figures (they would be one or two enterprises' own)."""
    from carbon.services import benchmarks as bench
    from carbon.services.disclosure import suppress_small

    p = access.require_login(by)
    with db.read() as session:
        rows = bench.list_benchmarks(session, year, level=level, key=key, all_revisions=all_revisions)
    if p.role == "admin":
        return [{**r, "suppressed": False} for r in rows]
    return suppress_small(rows, "peer_count", bench.FIGURES)


def record_supplier_contract(
    db: Database,
    uscc: str,
    body: dict[str, Any],
    runner: InProcessRunner | None = None,
    *,
    by: auth.Principal | None,
    origin: str | None = None,
) -> dict[str, Any]:
    """Record a supplier contract (the enterprise itself, or an administrator) and run the
    recomputation of its year it queues."""
    from carbon.services import contracts

    p = access.require_role(by, "enterprise", "admin", scope="write")
    with db.unit_of_work() as session:
        access.enterprise_for(session, p, uscc, access.FULL, scope="write")
        contract, job_id = contracts.record(session, uscc, body, requested_by=p.user_id or None)
        details = {"contract_id": contract["id"], "year": contract["year"], "supplier": contract["supplier"]}
        audit.record(session, p.username, "contract.record", uscc.strip().upper(), details, origin)
    runner = runner or InProcessRunner(db, "eager")
    done = runner.submit(job_id)
    out: dict[str, Any] = {"contract": contract, "job": {"id": job_id, "status": "queued"}}
    if isinstance(done, Job):
        out["job"] = _job_for(p, jobs.job_dict(done))
    return out


def supplier_contracts(
    db: Database, uscc: str, *, by: auth.Principal | None, origin: str | None = None
) -> list[dict[str, Any]]:
    from carbon.services import contracts

    return _enterprise_read(
        db, by, uscc, access.ACCOUNT, "supplier_contracts", lambda s: contracts.history(s, uscc), origin
    )


# -- consent ------------------------------------------------------------------------------


def grant_consent(
    db: Database,
    by: auth.Principal | None,
    uscc: str,
    institution: str,
    scope: str,
    expires_on: dt.date,
    origin: str | None = None,
) -> dict[str, Any]:
    from carbon.services import consents

    with db.unit_of_work() as session:
        return consents.grant(session, by, uscc, institution, scope, expires_on, origin)


def list_consents(db: Database, by: auth.Principal | None) -> list[dict[str, Any]]:
    from carbon.services import consents

    with db.read() as session:
        return consents.list_for(session, by)


def revoke_consent(
    db: Database, by: auth.Principal | None, consent_id: int, origin: str | None = None
) -> dict[str, Any]:
    from carbon.services import consents

    with db.unit_of_work() as session:
        return consents.revoke(session, by, consent_id, origin)


def consent_institutions(db: Database, by: auth.Principal | None) -> list[str]:
    from carbon.services import consents

    access.require_login(by)
    with db.read() as session:
        return consents.institutions(session)


def accesses(
    db: Database, uscc: str, *, by: auth.Principal | None, limit: int = 1000
) -> list[dict[str, Any]]:
    from carbon.services import consents

    with db.read() as session:
        return consents.accesses(session, by, uscc, limit)


# -- users, sessions, tokens ---------------------------------------------------------------


def login(db: Database, username: str, password: str, *, origin: str | None) -> auth.Principal:
    from carbon.domain.errors import TooManyRequests

    error = None
    try:
        with db.unit_of_work() as session:  # holds the username's login lock to the end
            principal = auth.login(session, username, password, origin=origin)
            if principal is None:
                error = auth.login_failed(session, username, origin)
    except TooManyRequests as throttled:  # rolled back: record the refusal on its own
        with db.unit_of_work() as session:
            auth.login_throttled(session, username, origin, throttled)
        raise
    if principal is None:
        assert error is not None  # recorded with the failure
        raise error
    return principal


def principal_from_token(db: Database, token: str) -> auth.Principal:
    with db.unit_of_work() as session:
        return auth.authenticate_token(session, token)


def principal_from_session(db: Database, sid: str, life: sessions.Lifetimes) -> auth.Principal | None:
    """The user of a live server-side session (docs/access.md), or None."""
    with db.unit_of_work() as session:
        user_id = sessions.resume(session, sid, life)
        return None if user_id is None else auth.principal_of_user(session, user_id)


def set_password(db: Database, by: auth.Principal, username: str, password: str, origin: str | None) -> None:
    """An administrator sets a user's password; the user's sessions end."""
    auth.require_admin(by)
    with db.unit_of_work() as session:
        auth.set_password(session, username, password, actor=by.username, origin=origin)


def disable_user(db: Database, by: auth.Principal, username: str, origin: str | None) -> None:
    """An administrator disables a user: no more logins, sessions or tokens."""
    auth.require_admin(by)
    with db.unit_of_work() as session:
        auth.disable_user(session, username, actor=by.username, origin=origin)


def create_user(db: Database, by: auth.Principal, **fields: Any) -> dict[str, Any]:
    auth.require_admin(by)
    with db.unit_of_work() as session:
        return auth.create_user(session, actor=by.username, **fields)


def list_users(db: Database, by: auth.Principal) -> list[dict[str, Any]]:
    auth.require_admin(by)
    with db.read() as session:
        return auth.list_users(session)


def create_token(
    db: Database, by: auth.Principal, username: str, name: str, scopes: list[str], days: int | None,
    origin: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A user makes tokens for themself; an administrator (with the admin scope) for anyone.
    What a token or session may mint: ``auth.check_mint``; a refusal is audited."""
    try:
        if username != by.username and (by.role != "admin" or "admin" not in by.scopes):
            raise Forbidden("you may create tokens for yourself only / 只能为本人创建令牌")
        with db.unit_of_work() as session:
            return auth.create_token(
                session, username, name, scopes, days, actor=by.username, origin=origin, by=by
            )
    except Forbidden as refused:  # rolled back: record the refusal on its own
        with db.unit_of_work() as session:
            auth.token_denied(session, by, username, scopes, days, refused, origin)
        raise


def revoke_token(
    db: Database, by: auth.Principal, token_id: int, origin: str | None = None
) -> dict[str, Any]:
    with db.unit_of_work() as session:
        return auth.revoke_token(session, token_id, by=by, origin=origin)


def my_tokens(db: Database, by: auth.Principal) -> list[dict[str, Any]]:
    with db.read() as session:
        return auth.tokens_of(session, by.user_id)


def demo_users(db: Database) -> list[dict[str, str]]:
    """One user per role for trying the service, each with a new random password (printed
    by ``carbon demo``; nothing secret is kept in the repository)."""
    import secrets

    from carbon.services import consents
    from carbon.store.models import User

    with db.unit_of_work() as session:
        first = session.scalar(select(Enterprise.uscc).order_by(Enterprise.uscc).limit(1))
        specs: list[tuple[str, str, dict[str, Any]]] = [
            ("demo-admin", "admin", {}),
            ("demo-official", "official", {"region_code": "330800"}),
            ("demo-bank", "bank", {"institution": "衢州示范银行 (demo bank)"}),
        ]
        if first:
            specs.append(("demo-enterprise", "enterprise", {"usccs": [first]}))
        out = []
        for username, role, fields in specs:
            password = secrets.token_urlsafe(12)
            if session.scalar(select(User.id).where(User.username == username)) is None:
                auth.create_user(session, username, password, role, actor="demo", origin="cli", **fields)
            else:
                auth.set_password(session, username, password, actor="demo", origin="cli")
            out.append({"username": username, "role": role, "password": password, **{
                k: (", ".join(v) if isinstance(v, list) else v) for k, v in fields.items()
            }})  # fmt: skip
        if first:  # the demo enterprise lets the demo bank see its whole account
            bank = next(u for u in out if u["role"] == "bank")
            if access.consent_scope(session, bank["institution"], first) != access.ACCOUNT:
                ent = auth.principal_of_user(
                    session, session.scalar(select(User.id).where(User.username == "demo-enterprise")) or 0
                )
                until = dt.date.today() + dt.timedelta(days=365)
                consents.grant(session, ent, first, bank["institution"], access.ACCOUNT, until, "cli")
            bank["consent"] = f"{first} (account)"
        return out


# -- open data --------------------------------------------------------------------------------

OPEN_DATA_FORMATS = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv-regions": "text/csv; charset=utf-8",
    "csv-industries": "text/csv; charset=utf-8",
    "csv-enterprises": "text/csv; charset=utf-8",
}


def open_data(db: Database, year: int, fmt: str) -> tuple[bytes | dict[str, Any], str]:
    """The open-data statistics of a year (public: no principal), suppressed and masked
    (``carbon.services.disclosure``): a dict for ``json``, else the file's bytes; and the
    mime type. ``fmt``: json, xlsx, csv-regions, csv-industries, csv-enterprises."""
    from carbon.services import disclosure

    if fmt not in OPEN_DATA_FORMATS:
        raise InvalidValue(f"format must be one of {', '.join(OPEN_DATA_FORMATS)} / 格式不支持")
    with db.read() as session:
        stats = disclosure.statistics(session, year)
    if fmt == "json":
        return stats, OPEN_DATA_FORMATS[fmt]
    if fmt == "xlsx":
        return disclosure.statistics_xlsx(stats), OPEN_DATA_FORMATS[fmt]
    return disclosure.statistics_csv(stats, fmt.removeprefix("csv-")), OPEN_DATA_FORMATS[fmt]
