"""Meter feeds: readings pushed by utilities, without a person in the loop.

A batch is all or nothing, like a workbook: any bad reading rejects the whole batch with
every problem listed (``ImportRejected``, row = 1-based index in the batch or CSV line).
Each reading carries a client-chosen ``key``; ``(source, key)`` makes a push idempotent:
the same key with the same content again changes nothing, with different content it is a
conflict. A new key for an enterprise-month-carrier the source has reported before
replaces that source's earlier value.

Accepted readings are stored as they came (``feed_readings``) and applied to the
enterprise-month inputs as new revisions, under an ``imports`` row that archives the
request body, so the audit trail of an account (its ``sources``) works as for workbooks.
The recomputation is queued as an import's is.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carbon.domain.errors import CarbonError, CellError, Forbidden, ImportRejected, InvalidValue
from carbon.domain.identifiers import Period, uscc_problem
from carbon.domain.quantities import (
    ENERGY_KEYS,
    FIELD_BY_KEY,
    FIELD_BY_NAME,
    FIELD_KEYS,
    MAX_QUANTITY,
    normalise_name,
    unit_factor,
)
from carbon.services.import_checks import FactorCheck
from carbon.services.jobs import enqueue_recompute
from carbon.store.db import Database
from carbon.store.models import Enterprise, FeedReading, ImportRow, MonthlyInput, YearPolicy, utcnow

SHEET = "readings"
COLUMNS = ("key", "uscc", "carrier", "period", "value", "unit")
MAX_SOURCE = 100
MAX_KEY = 200


class ReadingConflict(CarbonError):
    """A key already used by the source for a different reading."""

    status = 409
    code = "reading_conflict"


@dataclass(frozen=True)
class RawReading:
    """One reading as received; ``row`` is its 1-based index in the batch or its CSV line."""

    row: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class Reading:
    row: int
    key: str
    uscc: str
    enterprise_id: int
    carrier: str
    period: Period
    value: float  # canonical unit of the carrier
    original_value: float
    original_unit: str


@dataclass
class FeedResult:
    source: str
    accepted: int = 0
    unchanged: int = 0
    replaced: int = 0
    enterprise_months: int = 0
    import_id: int | None = None
    job_id: int | None = None
    job: dict[str, Any] | None = None

    @property
    def changed(self) -> bool:
        return self.accepted > 0

    def as_dict(self) -> dict[str, Any]:
        job = self.job
        if job is None and self.job_id is not None:
            job = {"id": self.job_id, "status": "queued"}
        return {
            "source": self.source,
            "accepted": self.accepted,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "enterprise_months": self.enterprise_months,
            "import_id": self.import_id,
            "job": job,
        }


# ---------------------------------------------------------------------------- parsing


def parse_json(body: bytes, source: str | None = None) -> tuple[str, list[RawReading]]:
    """``{"source": ..., "readings": [{...}, ...]}``; ``source`` (the query argument) is the
    fallback when the body names none."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidValue(f"body is not valid JSON: {exc} / 请求体不是有效的JSON") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("readings"), list):
        raise InvalidValue('body must be {"source": ..., "readings": [...]} / 请求体应包含source和readings')
    body_source = doc.get("source")
    if body_source is not None and source is not None and body_source != source:
        raise InvalidValue("source in the body and in the query differ / 请求体与查询参数的source不一致")
    readings = []
    for i, item in enumerate(doc["readings"], start=1):
        readings.append(RawReading(i, item if isinstance(item, dict) else {"_": item}))
    return check_source(body_source if body_source is not None else source), readings


def decode_text(body: bytes) -> str:
    """UTF-8 (with or without BOM), else GBK, the other encoding Chinese utilities export."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("gbk")
    except UnicodeDecodeError as exc:
        raise InvalidValue("CSV must be UTF-8 or GBK encoded / CSV文件应为UTF-8或GBK编码") from exc


def parse_csv(body: bytes) -> list[RawReading]:
    """Header ``key,uscc,carrier,period,value,unit``; ``row`` is the CSV line number."""
    reader = csv.reader(io.StringIO(decode_text(body), newline=""))
    header = next(reader, None)
    if header is None:
        raise ImportRejected(
            "empty CSV / CSV为空", [CellError(SHEET, 1, None, "header row missing / 缺少表头")]
        )
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ImportRejected(
            f"CSV header lacks {', '.join(missing)} / CSV表头缺少列",
            [
                CellError(SHEET, 1, c, f"column {c!r} missing from the header / 表头缺少“{c}”列")
                for c in missing
            ],
        )
    readings = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        values = dict(zip(names, (c.strip() for c in cells), strict=False))
        readings.append(RawReading(reader.line_num, {c: values.get(c, "") for c in COLUMNS}))
    return readings


def check_source(source: Any) -> str:
    name = source.strip() if isinstance(source, str) else ""
    if not name:
        raise InvalidValue("source is required (the feed's name) / 缺少数据来源source")
    if len(name) > MAX_SOURCE:
        raise InvalidValue(f"source longer than {MAX_SOURCE} characters / source过长")
    if "\x00" in name:
        raise InvalidValue("source must not contain NUL characters / source不能包含NUL字符")
    return name


# ---------------------------------------------------------------------------- validation


def _carrier(text: Any) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    key = text.strip() if text.strip() in FIELD_BY_KEY else FIELD_BY_NAME.get(normalise_name(text))
    return key if key in ENERGY_KEYS else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def validate(raw: list[RawReading], enterprises: dict[str, int]) -> tuple[list[Reading], list[CellError]]:
    """Typed readings, or every problem of every reading. ``enterprises``: USCC -> id."""
    errors: list[CellError] = []
    readings: list[Reading] = []
    first_key: dict[str, int] = {}
    first_slot: dict[tuple[str, str, Period], int] = {}
    for r in raw:
        f, n = r.fields, len(errors)

        def bad(column: str, message: str, row: int = r.row) -> None:
            errors.append(CellError(SHEET, row, column, message))

        if set(f) == {"_"}:
            bad("reading", "a reading must be an object / 每条读数应为对象")
            continue
        key = f.get("key")
        if isinstance(key, int) and not isinstance(key, bool):
            key = str(key)
        if not isinstance(key, str) or not key.strip():
            bad("key", "key is required / 缺少唯一标识key")
            key = None
        elif len(key.strip()) > MAX_KEY:
            bad("key", f"key longer than {MAX_KEY} characters / key过长")
        elif "\x00" in key:
            bad("key", "key must not contain NUL characters / key不能包含NUL字符")
        else:
            key = key.strip()
            if key in first_key:
                bad("key", f"key {key!r} repeats row {first_key[key]} / key与第{first_key[key]}条重复")
            first_key.setdefault(key, r.row)
        uscc = str(f.get("uscc") or "").strip().upper()
        problem = uscc_problem(uscc) if uscc else "uscc is required / 缺少统一社会信用代码"
        if problem:
            bad("uscc", problem)
        elif uscc not in enterprises:
            bad(
                "uscc",
                f"enterprise {uscc} is not registered; import a workbook for it first "
                f"/ 企业{uscc}未登记，请先导入其能源台账",
            )
        carrier = _carrier(f.get("carrier"))
        if carrier is None:
            bad(
                "carrier",
                f"unknown carrier {f.get('carrier')!r}; one of {', '.join(ENERGY_KEYS)} / 能源品种不支持",
            )
        try:
            period: Period | None = Period.parse(str(f.get("period") or ""))
        except ValueError as exc:
            bad("period", str(exc))
            period = None
        value = _number(f.get("value"))
        if value is None:
            bad("value", f"value {f.get('value')!r} is not a number / 数值无效")
        elif value < 0:
            bad("value", f"value {value:g} is negative / 数值不能为负")
        unit = f.get("unit")
        factor: float | None = None
        if not isinstance(unit, str) or not unit.strip():
            bad("unit", "unit is required / 缺少计量单位")
        elif carrier is not None:
            try:
                factor = unit_factor(unit, FIELD_BY_KEY[carrier].dimension)
            except KeyError as exc:
                bad("unit", str(exc.args[0]))
            else:
                if value is not None and value * factor > MAX_QUANTITY:
                    bad(
                        "value",
                        f"value {value:g} {unit.strip()} is more than {MAX_QUANTITY:g} "
                        f"{FIELD_BY_KEY[carrier].unit} in a month: check the value and its unit "
                        "/ 数值超出合理范围，请检查数值和单位",
                    )
        if carrier is not None and period is not None and not problem:
            slot = (uscc, carrier, period)
            if slot in first_slot:
                bad(
                    "period",
                    f"{uscc} {carrier} {period} repeats row {first_slot[slot]} "
                    f"/ 与第{first_slot[slot]}条的企业、品种、月份重复",
                )
            first_slot.setdefault(slot, r.row)
        if len(errors) == n:
            assert key and carrier and period and value is not None and factor is not None
            assert isinstance(unit, str)
            readings.append(
                Reading(
                    row=r.row,
                    key=key,
                    uscc=uscc,
                    enterprise_id=enterprises[uscc],
                    carrier=carrier,
                    period=period,
                    value=value * factor,
                    original_value=value,
                    original_unit=unit.strip(),
                )
            )
    return readings, errors


# ---------------------------------------------------------------------------- storing


def _without_factor(session: Session, readings: list[Reading]) -> list[CellError]:
    """A non-zero reading of a carrier the factor set of its year has no factor for is
    refused, as in a workbook: it would otherwise stop the year's recomputation."""
    check = FactorCheck(session)
    errors: list[CellError] = []
    for r in readings:
        ref = check.lacks(r.period.year, r.carrier) if r.value else None
        if ref is not None:
            name = FIELD_BY_KEY[r.carrier].name_zh
            errors.append(
                CellError(
                    SHEET,
                    r.row,
                    "carrier",
                    f"no emission factor for {name} ({r.carrier}) in {ref}, the factor set of "
                    f"{r.period.year} / 因子集{ref}缺少{name}的排放因子",
                )
            )
    return errors


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def _same_reading(old: FeedReading, new: Reading) -> bool:
    return (
        old.enterprise_id == new.enterprise_id
        and old.carrier == new.carrier
        and (old.year, old.month) == (new.period.year, new.period.month)
        and _same(old.value, new.value)
    )


def push(
    db: Database,
    source: str,
    raw: list[RawReading],
    body: bytes,
    *,
    allowed: frozenset[str] | None = None,
    requested_by: int | None = None,
) -> FeedResult:
    """Validate and store one batch in one transaction; the job it queues is not yet run.
    ``allowed``: the only USCCs the sender may send readings of (None: any)."""
    source = check_source(source)
    if not raw:
        raise InvalidValue("no readings in the batch / 批次中没有读数")
    try:
        with db.unit_of_work() as session:
            return _push(session, source, raw, body, allowed, requested_by)
    except IntegrityError as exc:  # a concurrent push of the same key or enterprise-month
        raise ReadingConflict(
            "another push changed the same readings at the same time; send the batch again "
            "/ 并发推送冲突，请重新发送"
        ) from exc


def _push(
    session: Session,
    source: str,
    raw: list[RawReading],
    body: bytes,
    allowed: frozenset[str] | None,
    requested_by: int | None,
) -> FeedResult:
    usccs = {str(r.fields.get("uscc") or "").strip().upper() for r in raw}
    usccs = {u for u in usccs if not uscc_problem(u)}  # validate() reports the others
    if allowed is not None and usccs - allowed:
        rows = [str(r.row) for r in raw if str(r.fields.get("uscc") or "").strip().upper() in usccs - allowed]
        raise Forbidden(
            f"reading(s) {', '.join(rows[:20])} are of enterprises you do not act for; nothing was stored "
            f"/ 第{', '.join(rows[:20])}条读数不属于本企业，整批未写入"
        )
    enterprises: dict[str, int] = {
        u: eid
        for u, eid in session.execute(
            select(Enterprise.uscc, Enterprise.id).where(Enterprise.uscc.in_(usccs))
        )
    }
    readings, errors = validate(raw, enterprises)
    errors += _without_factor(session, readings)
    if errors:
        bad = len({e.row for e in errors})
        raise ImportRejected(
            f"{bad} of {len(raw)} reading(s) rejected, nothing was stored / {bad}条读数有误，整批未写入",
            errors,
        )
    result = FeedResult(source=source)
    known = {
        r.key: r
        for r in session.scalars(
            select(FeedReading).where(
                FeedReading.source == source, FeedReading.key.in_([r.key for r in readings])
            )
        )
    }
    conflicts = [r.key for r in readings if r.key in known and not _same_reading(known[r.key], r)]
    if conflicts:
        shown = ", ".join(repr(k) for k in conflicts[:20])
        raise ReadingConflict(
            f"key(s) {shown} were already used by {source} for a different reading "
            f"/ key已用于内容不同的读数: {shown}"
        )
    new = [r for r in readings if r.key not in known]
    result.unchanged = len(readings) - len(new)
    if not new:
        return result

    imp = ImportRow(
        filename=f"feed:{source}"[:300],
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
        content=body,
        status="imported",
        rows_accepted=len(new),
        rows_unchanged=result.unchanged,
        enterprises=sorted({r.uscc for r in new}),
        columns=[],
        created_at=utcnow(),
        uploaded_by=requested_by,
    )
    session.add(imp)
    session.flush()
    result.import_id = imp.id

    # Readings this source sent earlier for the same enterprise-month-carrier.
    eids = sorted({r.enterprise_id for r in new})
    earlier = {
        (e.enterprise_id, e.carrier, e.year, e.month)
        for e in session.execute(
            select(FeedReading.enterprise_id, FeedReading.carrier, FeedReading.year, FeedReading.month).where(
                FeedReading.source == source, FeedReading.enterprise_id.in_(eids)
            )
        )
    }
    now = utcnow()
    for r in new:
        if (r.enterprise_id, r.carrier, r.period.year, r.period.month) in earlier:
            result.replaced += 1
        session.add(
            FeedReading(
                source=source,
                key=r.key,
                enterprise_id=r.enterprise_id,
                carrier=r.carrier,
                year=r.period.year,
                month=r.period.month,
                value=r.value,
                original_value=r.original_value,
                original_unit=r.original_unit,
                import_id=imp.id,
                received_at=now,
            )
        )
    result.accepted = len(new)

    years = _apply(session, new, imp, result)
    if years:
        later = set(
            session.scalars(select(YearPolicy.year).where(YearPolicy.year.in_([y + 1 for y in years])))
        )
        job = enqueue_recompute(
            session, sorted(years | later), reason="feed", import_id=imp.id, requested_by=requested_by
        )
        result.job_id = job.id
    return result


def _apply(session: Session, readings: list[Reading], imp: ImportRow, result: FeedResult) -> set[int]:
    """A new revision of every enterprise-month whose value changes; the years touched."""
    by_month: dict[tuple[int, int, int], dict[str, float]] = defaultdict(dict)
    last_row: dict[tuple[int, int, int], int] = {}
    for r in readings:
        slot = (r.enterprise_id, r.period.year, r.period.month)
        by_month[slot][r.carrier] = r.value
        last_row[slot] = r.row
    eids = sorted({s[0] for s in by_month})
    years = sorted({s[1] for s in by_month})
    current = {
        (m.enterprise_id, m.year, m.month): m
        for m in session.scalars(
            select(MonthlyInput).where(
                MonthlyInput.is_current.is_(True),
                MonthlyInput.enterprise_id.in_(eids),
                MonthlyInput.year.in_(years),
            )
        )
        if (m.enterprise_id, m.year, m.month) in by_month
    }
    retire: list[int] = []
    revisions: list[MonthlyInput] = []
    touched: set[int] = set()
    added = changed = 0
    for slot, values in by_month.items():
        old = current.get(slot)
        quantities: dict[str, float | None] = {k: None for k in FIELD_KEYS}
        originals: dict[str, Any] | None = None
        revision = 1
        if old is not None:
            if all(_same(getattr(old, k), v) for k, v in values.items()):
                continue
            quantities = {k: getattr(old, k) for k in FIELD_KEYS}
            # Raw cell text no longer describes a value the feed has replaced.
            originals = {k: v for k, v in (old.originals or {}).items() if k not in values} or None
            revision = old.revision + 1
            retire.append(old.id)
            changed += 1
        else:
            added += 1
        quantities.update(values)
        revisions.append(
            MonthlyInput(
                enterprise_id=slot[0],
                year=slot[1],
                month=slot[2],
                revision=revision,
                is_current=True,
                import_id=imp.id,
                sheet=SHEET,
                row=last_row[slot],
                originals=originals,
                **quantities,
            )
        )
        touched.add(slot[1])
    if retire:
        # Retire first: one current row per enterprise-month is a unique index.
        session.execute(update(MonthlyInput).where(MonthlyInput.id.in_(retire)).values(is_current=False))
    session.add_all(revisions)
    session.flush()
    imp.rows_added, imp.rows_changed = added, changed
    result.enterprise_months = added + changed
    return touched
