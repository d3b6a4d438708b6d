"""The use cases, one function each, shared by the CLI and the HTTP API.

Each opens one unit of work (one commit, or none for reads) and returns plain data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carbon.domain.errors import CarbonError, InvalidValue
from carbon.services import jobs, queries, reference
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
    db: Database, years: list[int], factor_set: str | None, methodology: str | None, dry_run: bool
) -> dict[str, Any]:
    for ref in (factor_set, methodology):
        if ref is not None:
            reference.split_ref(ref)
    if factor_set:
        reference.factor_set(factor_set)
    if methodology:
        reference.methodology(methodology)
    with db.unit_of_work() as session:
        s = recompute(
            session,
            years,
            reason="recalc",
            factor_set_ref=factor_set,
            methodology_ref=methodology,
            dry_run=dry_run,
        )
        if dry_run:
            session.rollback()
    return {
        "status": "dry_run" if dry_run else "done",
        **s.as_dict(),
        "changes": [{"uscc": c.uscc, "year": c.year, "old": c.old or {}, "new": c.new} for c in s.changes],
    }


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
