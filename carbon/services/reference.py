"""The reference library: factor sets and methodologies as published, versioned documents.

The service ships documents as package data (``carbon/data``); an administrator publishes
further versions from a file (CLI ``carbon factor-sets publish``, API ``POST
/api/v1/factor-sets``) or retires one. Each ``id@version`` is stored once with its sha256
and never changes: publishing other content under a used version is refused, so every
result that names a version can be traced to exactly one document. A retired version
stays readable (results name it) but no new computation may use it. Every publication
and retirement is written to the audit log.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.domain.errors import InvalidReferenceData, InvalidValue, NotFound, ReferenceConflict
from carbon.domain.factors import FactorSet, parse_factor_set
from carbon.domain.methodology import Methodology, parse_methodology
from carbon.services import audit
from carbon.store.models import FactorSetRow, MethodologyRow, YearPolicy, utcnow

# New results use these; a year whose results were computed with earlier versions keeps
# them (its year policy) until an audited recalculation moves it (docs/methodology.md).
DEFAULT_FACTOR_SET = "cn-default@2"
DEFAULT_METHODOLOGY = "quzhou-3d@2"
MAX_DOCUMENT_BYTES = 1 << 20


@dataclass(frozen=True)
class Kind:
    """Factor sets or methodologies: where their documents live and how they are read."""

    name: str  # factor_set | methodology
    label_en: str
    label_zh: str
    folder: str
    model: Any
    parse: Callable[..., Any]  # (document, *, strict) -> parsed

    def validate(self, doc: Any) -> Any:
        """A new publication: every key must be one the parser reads."""
        return self.parse(doc, strict=True)

    def read(self, doc: Any) -> Any:
        """A stored or shipped document, published under the rules of its time."""
        return self.parse(doc, strict=False)


FACTOR_SETS = Kind("factor_set", "factor set", "因子集", "factor_sets", FactorSetRow, parse_factor_set)
METHODOLOGIES = Kind(
    "methodology", "methodology", "评价方法", "methodologies", MethodologyRow, parse_methodology
)
KINDS = {k.name: k for k in (FACTOR_SETS, METHODOLOGIES)}


# ID@VERSION: the form the recalculation API takes; a version of at most 9 ASCII digits fits
# the database's integer column (str.isdigit() also takes "²", which int() refuses).
REF = re.compile(r"([A-Za-z0-9_.-]+)@([0-9]{1,9})")


def split_ref(ref: str) -> tuple[str, int]:
    m = REF.fullmatch(ref)
    if m is None:
        raise InvalidReferenceData(
            f"{ref!r} is not of the form ID@VERSION, e.g. cn-default@1 "
            "/ 应为“标识@版本号”格式，如cn-default@1"
        )
    return m[1], int(m[2])


def _documents(folder: str) -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for entry in resources.files("carbon.data").joinpath(folder).iterdir():
        if entry.name.endswith(".json"):
            doc = json.loads(entry.read_text(encoding="utf-8"))
            docs[f"{doc['id']}@{doc['version']}"] = doc
    return docs


@cache
def shipped(kind_name: str) -> dict[str, dict[str, Any]]:
    return _documents(KINDS[kind_name].folder)


def factor_set_documents() -> dict[str, dict[str, Any]]:
    return shipped("factor_set")


def methodology_documents() -> dict[str, dict[str, Any]]:
    return shipped("methodology")


def sha256(doc: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# Parsed documents by content: a published version never changes, so its sha256 names it.
_parsed: dict[tuple[str, str], Any] = {}


def _parse(kind: Kind, doc: dict[str, Any], digest: str) -> Any:
    key = (kind.name, digest)
    if key not in _parsed:
        _parsed[key] = kind.read(doc)
    return _parsed[key]


def _row(session: Session, kind: Kind, ref: str) -> Any:
    key, version = split_ref(ref)
    model = kind.model
    return session.scalar(select(model).where(model.key == key, model.version == version))


def _load(kind: Kind, ref: str, session: Session | None, for_new_results: bool) -> Any:
    if session is not None:
        # the digest first: the document (tens of kilobytes of JSON) only when not parsed yet
        key, version = split_ref(ref)
        model = kind.model
        found = session.execute(
            select(model.sha256, model.retired_at, model.retired_reason).where(
                model.key == key, model.version == version
            )
        ).first()
        if found is not None:
            digest, retired_at, retired_reason = found
            if for_new_results and retired_at is not None:
                raise InvalidValue(
                    f"{kind.label_en} {ref} was retired ({retired_reason or 'no reason given'}); "
                    f"choose another for new results / {kind.label_zh}{ref}已停用"
                )
            if (kind.name, digest) in _parsed:
                return _parsed[(kind.name, digest)]
            row = _row(session, kind, ref)
            return _parse(kind, row.document, row.sha256)
    doc = shipped(kind.name).get(ref)
    if doc is None:
        raise NotFound(f"{kind.label_en} {ref} is not published / {kind.label_zh}{ref}不存在")
    return _parse(kind, doc, sha256(doc))


def factor_set(ref: str, session: Session | None = None, *, for_new_results: bool = False) -> FactorSet:
    """A published factor set: from the database when given a session (administrators'
    versions are only there), else from the shipped documents."""
    fs: FactorSet = _load(FACTOR_SETS, ref, session, for_new_results)
    return fs


def methodology(ref: str, session: Session | None = None, *, for_new_results: bool = False) -> Methodology:
    m: Methodology = _load(METHODOLOGIES, ref, session, for_new_results)
    return m


def register(session: Session) -> None:
    """Store every shipped document once; refuse a changed document under a used version."""
    for kind in KINDS.values():
        model = kind.model
        existing = {(r.key, r.version): r for r in session.scalars(select(model))}
        for doc in shipped(kind.name).values():
            kind.read(doc)  # validate before storing
            row = existing.get((doc["id"], doc["version"]))
            digest = sha256(doc)
            if row is None:
                session.add(
                    model(
                        key=doc["id"],
                        version=doc["version"],
                        title=doc.get("title", ""),
                        document=doc,
                        sha256=digest,
                        origin="shipped",
                    )
                )
            elif row.sha256 != digest:
                raise InvalidReferenceData(
                    f"{doc['id']}@{doc['version']} differs from the published version in the "
                    "database; publish a new version instead of editing a published one"
                )
    session.flush()


def read_document(data: bytes) -> dict[str, Any]:
    """A document file (JSON, UTF-8) -> dict; a duplicate key anywhere is refused, since
    JSON readers silently keep the last one."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidReferenceData(f"the document is larger than {MAX_DOCUMENT_BYTES // 1024} KiB")

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for k, v in pairs:
            if k in seen:
                raise InvalidReferenceData(f"key {k!r} appears twice in one object / 键{k!r}重复")
            seen[k] = v
        return seen

    try:
        doc = json.loads(data.decode("utf-8-sig"), object_pairs_hook=no_duplicates)
    except UnicodeDecodeError:
        raise InvalidReferenceData("the document is not UTF-8 text / 文件应为UTF-8编码的JSON") from None
    except json.JSONDecodeError as exc:
        raise InvalidReferenceData(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} / JSON格式错误"
        ) from None
    if not isinstance(doc, dict):
        raise InvalidReferenceData("the document must be a JSON object / 文件应为JSON对象")
    if _has_nul(doc):  # its text goes to the database, and PostgreSQL text cannot hold NUL
        raise InvalidReferenceData("the document contains a NUL character (\\u0000) / 文件含有NUL字符")
    return doc


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def describe(row: Any, kind: Kind) -> dict[str, Any]:
    doc = row.document
    d: dict[str, Any] = {
        "ref": f"{row.key}@{row.version}",
        "id": row.key,
        "version": row.version,
        "kind": kind.name,
        "title": row.title,
        "sha256": row.sha256,
        "origin": row.origin,
        "published": doc.get("published"),
        "region": doc.get("region"),
        "years": doc.get("years"),
        "stored_at": row.loaded_at.isoformat() if row.loaded_at else None,
        "retired_at": row.retired_at.isoformat() if row.retired_at else None,
        "retired_reason": row.retired_reason,
    }
    if kind is FACTOR_SETS:
        d["grid"] = {
            year: {"value": f.get("value"), "source": f.get("source")}
            for year, f in (doc.get("grid") or {}).items()
        }
    return d


def list_documents(session: Session, kind: Kind) -> list[dict[str, Any]]:
    model = kind.model
    rows = session.scalars(select(model).order_by(model.key, model.version))
    return [describe(r, kind) for r in rows]


def document(session: Session, kind: Kind, ref: str) -> dict[str, Any]:
    row = _row(session, kind, ref)
    if row is None:
        raise NotFound(f"{kind.label_en} {ref} is not published / {kind.label_zh}{ref}不存在")
    return {**describe(row, kind), "document": row.document}


def publish(
    session: Session, kind: Kind, doc: dict[str, Any], *, actor: str, origin: str | None
) -> dict[str, Any]:
    """Publish a new version. The same document again changes nothing; other content under
    a published ``id@version`` is a conflict (publish the next version instead)."""
    kind.validate(doc)  # every key, unit, range and source is checked before anything is stored
    ref = f"{doc['id']}@{doc['version']}"
    digest = sha256(doc)
    row = _row(session, kind, ref)
    if row is not None:
        if row.sha256 == digest:
            return {**describe(row, kind), "status": "unchanged"}
        raise ReferenceConflict(
            f"{kind.label_en} {ref} is already published with other content; a published version "
            f"never changes: publish it as version {_next_version(session, kind, doc['id'])} "
            f"/ {kind.label_zh}{ref}已发布且内容不同，请以新版本号发布"
        )
    model = kind.model
    row = model(
        key=doc["id"],
        version=doc["version"],
        title=str(doc.get("title", ""))[:300],
        document=doc,
        sha256=digest,
        origin="admin",
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, f"{kind.name}.publish", ref, {"sha256": digest, "title": row.title}, origin)
    return {**describe(row, kind), "status": "published"}


def _next_version(session: Session, kind: Kind, key: str) -> int:
    model = kind.model
    return int(session.scalar(select(func.max(model.version)).where(model.key == key)) or 0) + 1


def retire(
    session: Session, kind: Kind, ref: str, reason: str, *, actor: str, origin: str | None
) -> dict[str, Any]:
    """Retire a version: it stays readable, and no new result may use it. A version that
    a year's current results use cannot be retired until those years are recalculated."""
    if not reason.strip():
        raise InvalidValue("give a reason for retiring a version / 请说明停用原因")
    if "\x00" in reason:
        raise InvalidValue("the reason must not contain NUL characters / 停用原因不能包含NUL字符")
    row = _row(session, kind, ref)
    if row is None:
        raise NotFound(f"{kind.label_en} {ref} is not published / {kind.label_zh}{ref}不存在")
    if row.retired_at is not None:
        return {**describe(row, kind), "status": "unchanged"}
    column = YearPolicy.factor_set if kind is FACTOR_SETS else YearPolicy.methodology
    years = sorted(session.scalars(select(YearPolicy.year).where(column == ref)))
    defaults = {FACTOR_SETS.name: DEFAULT_FACTOR_SET, METHODOLOGIES.name: DEFAULT_METHODOLOGY}
    if years or ref == defaults[kind.name]:
        used = f"the current results of {', '.join(map(str, years))}" if years else "new years by default"
        raise ReferenceConflict(
            f"{kind.label_en} {ref} is used for {used}; recalculate those years with another "
            f"version first / {kind.label_zh}{ref}仍在使用，请先用其他版本重新计算"
        )
    row.retired_at = utcnow()
    row.retired_reason = reason.strip()[:2000]
    session.flush()
    audit.record(session, actor, f"{kind.name}.retire", ref, {"reason": row.retired_reason}, origin)
    return {**describe(row, kind), "status": "retired"}
