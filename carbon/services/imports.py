"""Importing a workbook: parse, validate, store a new revision of what changed, recompute.

All or nothing: a file with any rejected cell writes no data (the attempt itself is
recorded with its errors, for the user to download them later); a file already imported
(same sha256) changes nothing; a corrected file adds revisions and keeps the old ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from carbon.domain.errors import CellError, ImportConflict
from carbon.domain.identifiers import parse_industry
from carbon.domain.quantities import FIELD_KEYS
from carbon.domain.records import ColumnMapping, MonthlyRecord, ParsedFile
from carbon.services import audit, display_names, identity
from carbon.services.import_checks import FactorCheck, same, same_figures
from carbon.services.import_retention import purge_rejected, retention
from carbon.services.jobs import enqueue_recompute
from carbon.services.views import (
    ChangeView,
    ErrorTotalsView,
    ImportResultView,
    JobView,
    QueuedJobView,
    cell_error_view,
)
from carbon.settings import ImportSettings
from carbon.store.analyze import analyze_after_bulk
from carbon.store.bulk import Behind, Method, insert_many
from carbon.store.db import Database
from carbon.store.models import Enterprise, ImportRow, MonthlyInput, YearPolicy, utcnow
from importers.limits import MAX_ERRORS, counts_of
from importers.template import Limits, read_template

Progress = Callable[[int, int], None]
ENTERPRISE_COLUMNS = ("uscc", "name", "industry_code", "division", "section", "region_code")
MAX_LISTED = 2000  # changed rows, and added rows, listed in a result (all are counted)
ALL_FIELDS = itemgetter(*FIELD_KEYS)
N_FIELDS = len(FIELD_KEYS)
INPUT_COLUMNS = (
    "enterprise_id",
    "year",
    "month",
    "revision",
    "is_current",
    "import_id",
    "sheet",
    "row",
    "originals",
    "feedstock",
    "tce_coefficients",
    *FIELD_KEYS,
)
# 205-1 figures stored beside the quantities (JSON by field key), compared on re-import
SIDE_FIGURES = ("feedstock", "tce_coefficients")


@dataclass
class ImportResult:
    status: str  # imported | unchanged | rejected | dry_run
    sha256: str
    filename: str
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_added: int = 0
    rows_changed: int = 0
    rows_unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)
    enterprises: list[str] = field(default_factory=list)
    import_id: int | None = None
    # Real changes, each list capped at MAX_LISTED (all are counted in rows_*): changed
    # enterprise-months (old → new), and in a dry run the added ones too.
    changed_rows: list[ChangeView] = field(default_factory=list)
    added_rows: list[ChangeView] = field(default_factory=list)
    renamed: list[ChangeView] = field(default_factory=list)  # English names changed (display_names)
    touched: set[str] = field(default_factory=set)  # USCCs with a row added or changed, or renamed
    job_id: int | None = None  # the recomputation this import queued
    job: JobView | None = None  # its state, when it has been run
    # a rejected file: every cell error counted (total, per column, per kind); ``errors``
    # holds the first CARBON_MAX_ERRORS of them (importers.limits)
    error_counts: dict[str, Any] | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.status == "rejected" else 0

    @property
    def changes(self) -> list[ChangeView]:
        """The real changes listed: English names, changed rows, then added ones (a dry run)."""
        return [*self.renamed, *self.changed_rows, *self.added_rows]

    def as_dict(self, *, max_changes: int = 200) -> ImportResultView:
        """The answer to the upload (``carbon.services.views.ImportResultView``). A dry run
        lists what would change (changed rows, old → new, then added rows) and counts what
        it leaves alone; ``changes_truncated``: more real changes than listed."""
        dry_run = self.status == "dry_run"
        real = len(self.renamed) + self.rows_changed + (self.rows_added if dry_run else 0)  # not added rows
        listed = self.changes[:max_changes]
        totals = error_totals(self)
        job: JobView | QueuedJobView | None = self.job
        if job is None and self.job_id is not None:
            job = {"id": self.job_id, "status": "queued"}
        d: ImportResultView = {
            "status": self.status,
            "sha256": self.sha256,
            "filename": self.filename,
            "import_id": self.import_id,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "rows_added": self.rows_added,
            "rows_changed": self.rows_changed,
            "rows_unchanged": self.rows_unchanged,
            "errors": [cell_error_view(e) for e in self.errors],
            "warnings": [cell_error_view(w) for w in self.warnings[:MAX_ERRORS]],
            "enterprises": self.enterprises,
            "changes": listed,
            "changes_truncated": real > len(listed),
            "warnings_total": totals["warnings_total"],
            "job": job,
        }
        if "errors_total" in totals and "error_counts" in totals:  # a rejected file
            d["errors_total"], d["error_counts"] = totals["errors_total"], totals["error_counts"]
        if dry_run:
            untouched = len(set(self.enterprises) - self.touched)
            d["unchanged"] = {"rows": self.rows_unchanged, "enterprises": untouched}
        if self.job is not None and self.job["status"] == "done":
            d["recomputed"] = self.job["result"]
        return d


def import_limits(settings: ImportSettings) -> Limits:
    """File limits (``carbon.settings.ImportSettings``): CARBON_MAX_ROWS (default 1,000,000),
    CARBON_MAX_UNPACKED_MB (1 GiB), CARBON_MAX_LINE_KB (a CSV line, 64) and CARBON_MAX_ERRORS
    (cell errors kept, 1,000)."""
    return Limits(
        max_rows=settings.max_rows,
        max_uncompressed_bytes=settings.max_unpacked_bytes,
        max_line_bytes=settings.max_line_bytes,
        max_errors=settings.max_errors,
    )


def error_totals(result: ImportResult) -> ErrorTotalsView:
    """What an answer says beside its (capped) lists: how many errors and warnings in all,
    and the errors counted per column and kind."""
    out: ErrorTotalsView = {"warnings_total": len(result.warnings)}
    if result.error_counts is not None:
        out["errors_total"] = result.error_counts["total"]
        out["error_counts"] = result.error_counts
    return out


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Uploader:
    """Who uploads: their user id (None for the operator's CLI), their name for the audit
    log, from where, and the only USCCs the file may hold (None: any)."""

    user_id: int | None = None
    actor: str = "system"
    origin: str | None = None
    allowed: frozenset[str] | None = None


def import_file(
    db: Database,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    uploader: Uploader = Uploader(),
) -> ImportResult:
    digest = sha256(data)
    with db.read() as session:
        previous = session.scalars(
            select(ImportRow)
            .where(ImportRow.sha256 == digest, ImportRow.status == "imported")
            .order_by(ImportRow.id)
            .limit(1)
        ).first()
        mine = previous is not None and (
            uploader.allowed is None or set(previous.enterprises) <= uploader.allowed
        )
        if previous is not None and mine:
            return ImportResult(
                status="unchanged",
                sha256=digest,
                filename=filename,
                rows_accepted=previous.rows_accepted,
                rows_unchanged=previous.rows_accepted,
                enterprises=list(previous.enterprises),
                import_id=previous.id,
            )
    try:
        result = _import(db, data, filename, digest, dry_run=dry_run, progress=progress, uploader=uploader)
        analyze_after_bulk(db, ("monthly_inputs",), result.rows_added + result.rows_changed)
        return result
    except (IntegrityError, OperationalError) as exc:
        # The one-current-row indexes (or SQLite's single writer) stop two imports of the
        # same enterprise-months from both winning: the later one is rolled back whole.
        if isinstance(exc, OperationalError) and "locked" not in str(exc).lower():
            raise
        raise ImportConflict(
            f"{filename}: another import changed the same enterprises or months at the same time; "
            "nothing from this file was written, upload it again "
            "/ 另一导入同时修改了相同企业或月份的数据，本文件未写入任何数据，请重新上传"
        ) from exc


def _import(
    db: Database,
    data: bytes,
    filename: str,
    digest: str,
    *,
    dry_run: bool,
    progress: Progress | None,
    uploader: Uploader,
) -> ImportResult:
    # One transaction: chunks are written as the importer hands them over, and a rejected
    # cell anywhere rolls all of it back.
    with db.unit_of_work() as session:
        writer = _ChunkWriter(session, data, filename, digest, dry_run=dry_run, uploader=uploader)
        # Each chunk's monthly inputs are inserted on a second thread while the next chunk is
        # read (carbon.store.bulk.Behind); everything else waits for that insert.
        limits = import_limits(db.settings.imports)
        try:
            parsed = read_template(data, filename, progress=progress, sink=writer.write, limits=limits)
        finally:
            writer.behind.close()  # the last chunk's insert, before the session is used again
        parsed.errors.extend(writer.errors)
        parsed.errors.extend(writer.factors.errors(parsed.columns))
        if not parsed.errors:
            return writer.finish(parsed)
        session.rollback()
        counts = counts_of(parsed.errors)  # every error, also those beyond the first N kept
        rows_rejected = counts["rows"]
        result = ImportResult(
            status="rejected",
            sha256=digest,
            filename=filename,
            rows_accepted=0,
            rows_rejected=rows_rejected or 1,
            errors=parsed.errors,
            warnings=parsed.warnings,
            error_counts=counts,
        )
        if not dry_run:  # the attempt is kept, with its errors, for the user to look at
            result.import_id = _import_row(
                session, data, filename, digest, parsed.columns, result, uploader
            ).id
            _audit(session, uploader, result.import_id, filename, result)
            purge_rejected(session, retention(db.settings.imports))  # older rejected files' bytes
        return result


def _import_row(
    session: Session,
    data: bytes,
    filename: str,
    digest: str,
    columns: list[ColumnMapping],
    result: ImportResult,
    uploader: Uploader,
) -> ImportRow:
    row = ImportRow(
        filename=filename[:300], sha256=digest, size=len(data), content=data, status=result.status,
        rows_accepted=result.rows_accepted, rows_rejected=result.rows_rejected,
        rows_added=result.rows_added, rows_changed=result.rows_changed, rows_unchanged=result.rows_unchanged,
        enterprises=result.enterprises,
        errors=[e.as_dict() for e in result.errors],
        warnings=[w.as_dict() for w in result.warnings[:MAX_ERRORS]],
        columns=[c.as_dict() for c in columns], created_at=utcnow(), uploaded_by=uploader.user_id,
        error_counts=result.error_counts,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def _audit(session: Session, uploader: Uploader, row_id: int, filename: str, result: ImportResult) -> None:
    """The import in the audit log, with its final status."""
    details = {"import_id": row_id, "sha256": result.sha256, "status": result.status}
    audit.record(session, uploader.actor, "import", filename[:200], details, uploader.origin)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _change(r: MonthlyRecord, action: str, fields: dict[str, tuple[Any, Any]] | None = None) -> ChangeView:
    """An enterprise-month the file adds or changes (``fields``: old and new values)."""
    out: ChangeView = {
        "uscc": r.uscc,
        "period": str(r.period),
        "action": action,
        "sheet": r.sheet,
        "row": r.row,
    }
    if fields is not None:
        out["fields"] = {k: {"old": o, "new": n} for k, (o, n) in fields.items()}
    return out


# What a file must say of an enterprise the service does not know yet.
_NEW_ENTERPRISE_NEEDS = (
    ("industry_code", "行业代码 industry code"),
    ("region_code", "行政区划代码 region code"),
)


class _ChunkWriter:
    """Stores the records of one file chunk by chunk, inside the caller's transaction."""

    method: Method = "auto"  # how monthly inputs are written (carbon.store.bulk); benchmarks set it

    def __init__(
        self, session: Session, data: bytes, filename: str, digest: str, *, dry_run: bool, uploader: Uploader
    ) -> None:
        self.session = session
        self.dry_run = dry_run
        self.uploader = uploader
        self.refused: set[str] = set()  # USCCs the uploader does not act for, reported once each
        self.result = ImportResult(
            status="dry_run" if dry_run else "imported", sha256=digest, filename=filename
        )
        self.import_id = -1
        if not dry_run:
            self.import_id = _import_row(session, data, filename, digest, [], self.result, uploader).id
        self.ids: dict[str, int] = {}  # USCC -> enterprise id, for every enterprise seen so far
        self.preexisting: set[int] = set()  # enterprises that had data before this file
        self.years: set[int] = set()
        self.errors: list[CellError] = []  # found while storing: the import is then refused
        self.factors = FactorCheck(session)  # carriers the year's factor set has no factor for
        self.named: set[str] = set()  # USCCs whose English name the file gave (display_names)
        self.behind = Behind()  # the monthly inputs' inserts, on a second thread

    def _enterprises(self, records: list[MonthlyRecord]) -> None:
        attrs: dict[str, dict[str, Any]] = {}
        first: dict[str, MonthlyRecord] = {}
        allowed = self.uploader.allowed
        if allowed is not None:
            # Checked before any lookup, so the answer is the same whether the enterprise
            # exists or not.
            for r in records:
                if r.uscc not in allowed and r.uscc not in self.refused:
                    self.refused.add(r.uscc)
                    self.errors.append(
                        CellError(
                            r.sheet, r.row, None,
                            f"{r.uscc} is not an enterprise you act for; you may import your own "
                            "enterprises' data only / 该统一社会信用代码不属于您的企业，只能导入本企业数据",
                        )
                    )  # fmt: skip
            if self.errors:
                return
        for r in records:
            if r.uscc not in self.ids and r.uscc not in attrs:
                first[r.uscc] = r
                ind = parse_industry(r.industry_code) if r.industry_code else None
                attrs[r.uscc] = {
                    "uscc": r.uscc,
                    "name": r.name,
                    "industry_code": ind and ind.code,
                    "division": ind and ind.division,
                    "section": ind and ind.section,
                    "region_code": r.region_code,
                }
        if not attrs:
            return
        session, result = self.session, self.result
        for chunk in _chunks(list(attrs), 5000):
            for e in session.scalars(select(Enterprise).where(Enterprise.uscc.in_(chunk))):
                self.ids[e.uscc] = e.id
                self.preexisting.add(e.id)
                a = attrs.pop(e.uscc)
                diffs = identity.differences(e, a)
                if diffs:
                    result.warnings.append(self._identity(e, a, diffs, first[e.uscc]))
        new = list(attrs.values())
        for a in new:
            missing = [label for key, label in _NEW_ENTERPRISE_NEEDS if not a[key]]
            if missing:
                r = first[a["uscc"]]
                self.errors.append(
                    CellError(
                        r.sheet, r.row, None,
                        f"{a['uscc']} is not yet known to the service, and the file does not give its "
                        f"{' and '.join(missing)}; add them (a column, or 行业代码：… above the table) "
                        "/ 新企业须填写行业代码和行政区划代码",
                    )
                )  # fmt: skip
        if self.errors:
            return
        if self.dry_run:
            self.ids.update((a["uscc"], -1) for a in new)
            return
        now = utcnow()
        insert_many(
            session,
            cast(Table, Enterprise.__table__),
            (*ENTERPRISE_COLUMNS, "created_at", "updated_at"),
            ((*[a[k] for k in ENTERPRISE_COLUMNS], now, now) for a in new),
        )
        for chunk in _chunks([a["uscc"] for a in new], 5000):
            stmt = select(Enterprise.uscc, Enterprise.id).where(Enterprise.uscc.in_(chunk))
            self.ids.update((uscc, eid) for uscc, eid in session.execute(stmt))
        identity.record_first(
            session, ((self.ids[a["uscc"]], a) for a in new), self.uploader.actor, self.import_id
        )

    def _identity(self, e: Enterprise, a: dict[str, Any], diffs: list[str], r: MonthlyRecord) -> CellError:
        """A different name or code in the file: an enterprise user's upload asks for the
        change (a change request), the operator's or an administrator's makes it, with history."""
        up, session = self.uploader, self.session
        if up.allowed is not None:  # only an enterprise user's upload is limited to its USCCs
            change = None
            if not self.dry_run:
                change = identity.request(
                    session, e, a, diffs, user_id=up.user_id, actor=up.actor, import_id=self.import_id,
                    sheet=r.sheet, row=r.row, origin=up.origin,
                )  # fmt: skip
            return identity.requested_warning(e, a, diffs, r.sheet, r.row, change.id if change else None)
        warning = identity.changed_warning(e, a, diffs, r.sheet, r.row)  # names the values it replaces
        if not self.dry_run:
            identity.apply(session, e, a, up.actor, "import", import_id=self.import_id, origin=up.origin)
        return warning

    def _current(self, records: list[MonthlyRecord]) -> dict[tuple[int, int, int], Any]:
        """Current rows of the enterprise-months in ``records`` that existed before this file."""
        ids = sorted({self.ids[r.uscc] for r in records} & self.preexisting)
        years = sorted({r.period.year for r in records})
        current: dict[tuple[int, int, int], Any] = {}
        for chunk in _chunks(ids, 5000):
            stmt = select(
                MonthlyInput.id,
                MonthlyInput.enterprise_id,
                MonthlyInput.year,
                MonthlyInput.month,
                MonthlyInput.revision,
                MonthlyInput.feedstock,
                MonthlyInput.tce_coefficients,
                *[getattr(MonthlyInput, k) for k in FIELD_KEYS],
            ).where(
                MonthlyInput.is_current.is_(True),
                MonthlyInput.enterprise_id.in_(chunk),
                MonthlyInput.year.in_(years),
            )
            for row in self.session.execute(stmt):
                current[(row.enterprise_id, row.year, row.month)] = row
        return current

    def write(self, records: list[MonthlyRecord]) -> None:
        self.behind.wait()  # the chunk before is stored: the session is this thread's again
        result = self.result
        result.rows_accepted += len(records)
        if self.factors.check(records):
            return  # the import will be refused; nothing more is stored
        self._enterprises(records)
        if self.errors:
            return  # the import will be refused; nothing more is stored
        named = display_names.given(records, self.named)
        if named:
            up = self.uploader
            renamed = display_names.store(
                self.session, named, self.ids, self.preexisting, dry_run=self.dry_run, actor=up.actor,
                origin=up.origin, import_id=self.import_id,
            )  # fmt: skip
            result.renamed.extend(renamed)
            result.touched.update(c["uscc"] for c in renamed)
        current = self._current(records) if self.preexisting else {}
        to_retire: list[int] = []
        ids, import_id = self.ids, self.import_id
        if not current:
            # Nothing to compare with (new enterprises, or months they never had): every
            # record is a first revision, built in one pass.
            to_insert = [
                (ids[r.uscc], r.period.year, r.period.month, 1, True, import_id, r.sheet, r.row,
                 r.originals or None, r.feedstock or None, r.tce_coefficients or None,
                 *(ALL_FIELDS(r.values) if len(r.values) == N_FIELDS else map(r.values.get, FIELD_KEYS)))
                for r in records
            ]  # fmt: skip
            result.rows_added += len(records)
            if self.dry_run:
                result.touched.update(r.uscc for r in records)
                result.added_rows.extend(
                    _change(r, "added") for r in records[: max(0, MAX_LISTED - len(result.added_rows))]
                )
            records = []
        else:
            to_insert = []
        for rec in records:
            eid = ids[rec.uscc]
            y, mth = rec.period.year, rec.period.month
            values = rec.values
            revision = 1
            old = current.get((eid, y, mth)) if current else None
            side = {k: getattr(rec, k) for k in SIDE_FIGURES}
            if old is not None:
                changed = {k: (getattr(old, k), v) for k, v in values.items() if not same(getattr(old, k), v)}
                for k, new in side.items():
                    if new is None:
                        side[k] = getattr(old, k)  # a file without the figure keeps the earlier one
                    elif not same_figures(getattr(old, k), new):
                        changed[k] = (getattr(old, k), new or None)
                if not changed:
                    result.rows_unchanged += 1  # counted, not listed
                    continue
                # Columns the new file does not have keep their earlier values.
                values = {**{k: getattr(old, k) for k in FIELD_KEYS}, **values}
                revision = old.revision + 1
                to_retire.append(old.id)
                result.rows_changed += 1
                result.touched.add(rec.uscc)
                if len(result.changed_rows) < MAX_LISTED:
                    result.changed_rows.append(_change(rec, "changed", changed))
            else:
                result.rows_added += 1
                result.touched.add(rec.uscc)
                if self.dry_run and len(result.added_rows) < MAX_LISTED:
                    result.added_rows.append(_change(rec, "added"))
            # A sheet with every column (the template) takes the C fast path.
            quantities = ALL_FIELDS(values) if len(values) == N_FIELDS else tuple(map(values.get, FIELD_KEYS))
            to_insert.append(
                (eid, y, mth, revision, True, import_id, rec.sheet, rec.row, rec.originals or None,
                 side["feedstock"] or None, side["tce_coefficients"] or None, *quantities)
            )  # fmt: skip
        if self.dry_run:
            return
        for chunk in _chunks(to_retire, 5000):
            self.session.execute(
                update(MonthlyInput).where(MonthlyInput.id.in_(chunk)).values(is_current=False)
            )
        if to_insert:
            self.years.update(r[1] for r in to_insert)
            # COPY on PostgreSQL (carbon.store.bulk), the prepared executemany elsewhere
            table = cast(Table, MonthlyInput.__table__)
            self.behind.insert_many(self.session, table, INPUT_COLUMNS, to_insert, method=self.method)

    def finish(self, parsed: ParsedFile) -> ImportResult:
        self.behind.close()
        result, session = self.result, self.session
        result.warnings = [*parsed.warnings, *result.warnings]
        result.enterprises = sorted(self.ids)
        if self.dry_run:
            return result
        if not self.years and not result.renamed:
            result.status = "unchanged"
        imp = session.get(ImportRow, self.import_id)
        assert imp is not None
        imp.status = result.status
        imp.rows_accepted, imp.rows_added = result.rows_accepted, result.rows_added
        imp.rows_changed, imp.rows_unchanged = result.rows_changed, result.rows_unchanged
        imp.enterprises = result.enterprises
        imp.warnings = [w.as_dict() for w in result.warnings[:MAX_ERRORS]]
        imp.columns = [c.as_dict() for c in parsed.columns]
        result.import_id = self.import_id
        _audit(session, self.uploader, self.import_id, imp.filename, result)
        if self.years:
            # The next year's historical decline compares against a changed year.
            later = set(
                session.scalars(
                    select(YearPolicy.year).where(YearPolicy.year.in_([y + 1 for y in self.years]))
                )
            )
            job = enqueue_recompute(
                session, sorted(self.years | later), reason="import", import_id=self.import_id,
                requested_by=self.uploader.user_id,
            )  # fmt: skip
            result.job_id = job.id
        return result
