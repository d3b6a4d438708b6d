"""The use cases, one function each, shared by the CLI and the HTTP API.

Each opens one unit of work (one commit, or none for reads) and returns plain data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carbon.domain.errors import CarbonError, Forbidden, InvalidValue
from carbon.services import audit, auth, jobs, queries, reference
from carbon.services.compute import recompute
from carbon.services.imports import ImportResult, Progress
from carbon.services.imports import import_file as _import_file
from carbon.services.jobs import InProcessRunner
from carbon.store.db import Database
from carbon.store.models import Job


def open_database(url: str | None = None) -> Database:
    """Connect, migrate to the newest schema and register the shipped reference data."""
    db = Database(url)
    with db.unit_of_work() as session:
        reference.register(session)
    return db


def import_file(
    db: Database,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    runner: InProcessRunner | None = None,
) -> ImportResult:
    """Import a workbook; the recomputation it queues runs on ``runner`` (at once if eager)."""
    result = _import_file(db, data, filename, dry_run=dry_run, progress=progress)
    if result.job_id is not None:
        runner = runner or InProcessRunner(db, "eager")
        done = runner.submit(result.job_id)
        if isinstance(done, Job):
            result.job = jobs.job_dict(done)
    return result


def job(db: Database, job_id: int) -> dict[str, Any]:
    return jobs.job_dict(jobs.job_view(db, job_id))


def account(db: Database, uscc: str, year: int, month: str | None = None) -> dict[str, Any]:
    with db.read() as session:
        return queries.account_view(session, uscc, year, month)


def rating(db: Database, uscc: str, year: int) -> dict[str, Any]:
    with db.read() as session:
        return queries.rating_view(session, uscc, year)


def rating_history(db: Database, uscc: str, all_revisions: bool = False) -> list[dict[str, Any]]:
    with db.read() as session:
        return queries.rating_history(session, uscc, all_revisions=all_revisions)


def summary(db: Database) -> dict[str, Any]:
    with db.read() as session:
        return queries.summary(session)


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


CHART_KINDS = ("monthly-emissions", "intensity", "grade-history")
CHART_FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def chart(db: Database, uscc: str, kind: str, *, year: int | None, fmt: str, lang: str) -> bytes:
    from reports import charts

    if fmt not in CHART_FORMATS:
        raise InvalidValue(f"format must be one of {', '.join(CHART_FORMATS)} / 格式不支持")
    if lang not in ("zh", "en"):
        raise InvalidValue("lang must be zh or en / 语言应为zh或en")
    with db.read() as session:
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
        if kind == "intensity":
            years, own, industry, region = queries.chart_intensity(session, uscc)
            title = f"{name} 碳排放强度对比" if lang == "zh" else f"{name}: carbon intensity vs peers"
            return charts.intensity_chart(years, own, industry, region, title=title, lang=lang, fmt=fmt)
        if kind == "grade-history":
            hist = queries.rating_history(session, uscc)
            if not hist:
                raise CarbonError(f"{uscc} has no ratings yet / 暂无评价结果")
            return charts.grade_history_chart(
                [h["year"] for h in hist],
                [h["carbon_efficiency"]["grade"] for h in hist],
                [h["three_dimensional"]["colour"] for h in hist],
                lang=lang,
                fmt=fmt,
            )
    raise InvalidValue(f"chart must be one of {', '.join(CHART_KINDS)} / 图表类型不支持")


def template(lang: str = "zh") -> bytes:
    from importers.template import write_template

    if lang not in ("zh", "en"):
        raise InvalidValue("lang must be zh or en / 语言应为zh或en")
    return write_template(None, lang=lang)


def monthly_report(db: Database, region: str, month: str, out_dir: Path) -> dict[str, Any]:
    from carbon.services.monthly import monthly_report as build

    return build(db, region, month, out_dir)


def push_readings(
    db: Database,
    body: bytes,
    *,
    content_type: str,
    source: str | None = None,
    runner: InProcessRunner | None = None,
) -> dict[str, Any]:
    """Store a batch of meter readings (JSON or CSV) and run the recomputation it queues."""
    from carbon.services import feeds

    if content_type == "text/csv":
        raw = feeds.parse_csv(body)
        source = feeds.check_source(source)
    elif content_type == "application/json":
        source, raw = feeds.parse_json(body, source)
    else:
        raise InvalidValue("send application/json or text/csv / 请以JSON或CSV格式提交")
    result = feeds.push(db, source, raw, body)
    if result.job_id is not None:
        runner = runner or InProcessRunner(db, "eager")
        done = runner.submit(result.job_id)
        if isinstance(done, Job):
            result.job = jobs.job_dict(done)
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
) -> list[dict[str, Any]]:
    """A year's benchmarks: every peer group's count, intensity, advanced value, quartiles."""
    from carbon.services import benchmarks as bench

    with db.read() as session:
        return bench.list_benchmarks(session, year, level=level, key=key, all_revisions=all_revisions)


def record_supplier_contract(
    db: Database, uscc: str, body: dict[str, Any], runner: InProcessRunner | None = None
) -> dict[str, Any]:
    """Record a supplier contract and run the recomputation of its year it queues."""
    from carbon.services import contracts

    with db.unit_of_work() as session:
        contract, job_id = contracts.record(session, uscc, body)
    runner = runner or InProcessRunner(db, "eager")
    done = runner.submit(job_id)
    out: dict[str, Any] = {"contract": contract, "job": {"id": job_id, "status": "queued"}}
    if isinstance(done, Job):
        out["job"] = jobs.job_dict(done)
    return out


def supplier_contracts(db: Database, uscc: str) -> list[dict[str, Any]]:
    from carbon.services import contracts

    with db.read() as session:
        return contracts.history(session, uscc)


# -- users, sessions, tokens ---------------------------------------------------------------


def login(db: Database, username: str, password: str, *, origin: str | None) -> auth.Principal:
    with db.unit_of_work() as session:
        principal = auth.login(session, username, password, origin=origin)
    if principal is None:
        with db.unit_of_work() as session:
            error = auth.login_failed(session, username, origin)
        raise error
    return principal


def principal_from_token(db: Database, token: str) -> auth.Principal:
    with db.unit_of_work() as session:
        return auth.authenticate_token(session, token)


def principal_from_session(db: Database, user_id: int) -> auth.Principal | None:
    with db.read() as session:
        return auth.principal_of_user(session, user_id)


def create_user(db: Database, by: auth.Principal, **fields: Any) -> dict[str, Any]:
    auth.require_admin(by)
    with db.unit_of_work() as session:
        return auth.create_user(session, actor=by.username, **fields)


def list_users(db: Database, by: auth.Principal) -> list[dict[str, Any]]:
    auth.require_admin(by)
    with db.read() as session:
        return auth.list_users(session)


def create_token(
    db: Database, by: auth.Principal, username: str, name: str, scopes: list[str], days: int,
    origin: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A user makes tokens for themself; an administrator for anyone."""
    if by.role != "admin" and username != by.username:
        raise Forbidden("you may create tokens for yourself only / 只能为本人创建令牌")
    with db.unit_of_work() as session:
        return auth.create_token(session, username, name, scopes, days, actor=by.username, origin=origin)


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

    from sqlalchemy import select

    from carbon.store.models import Enterprise, User

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
        return out
