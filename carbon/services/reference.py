"""The factor sets and methodologies the service ships, and their registration in the store.

Documents are package data (``carbon/data``); each published ``id@version`` is stored
once with its sha256, and a changed document under an existing version is refused: a
published version is immutable.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.domain.errors import InvalidReferenceData, NotFound
from carbon.domain.factors import FactorSet, parse_factor_set
from carbon.domain.methodology import Methodology, parse_methodology
from carbon.store.models import FactorSetRow, MethodologyRow

DEFAULT_FACTOR_SET = "cn-default@1"
DEFAULT_METHODOLOGY = "quzhou-3d@1"


def split_ref(ref: str) -> tuple[str, int]:
    key, sep, version = ref.partition("@")
    if not sep or not version.isdigit() or not key:
        raise InvalidReferenceData(f"{ref!r} is not of the form ID@VERSION, e.g. cn-default@1")
    return key, int(version)


def _documents(folder: str) -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for entry in resources.files("carbon.data").joinpath(folder).iterdir():
        if entry.name.endswith(".json"):
            doc = json.loads(entry.read_text(encoding="utf-8"))
            docs[f"{doc['id']}@{doc['version']}"] = doc
    return docs


@cache
def factor_set_documents() -> dict[str, dict[str, Any]]:
    return _documents("factor_sets")


@cache
def methodology_documents() -> dict[str, dict[str, Any]]:
    return _documents("methodologies")


@cache
def factor_set(ref: str) -> FactorSet:
    doc = factor_set_documents().get(ref)
    if doc is None:
        raise NotFound(f"factor set {ref} is not published / 因子集{ref}不存在")
    return parse_factor_set(doc)


@cache
def methodology(ref: str) -> Methodology:
    doc = methodology_documents().get(ref)
    if doc is None:
        raise NotFound(f"methodology {ref} is not published / 评价方法{ref}不存在")
    return parse_methodology(doc)


def _sha(doc: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def register(session: Session) -> None:
    """Store every shipped document once; refuse a changed document under a used version."""
    for model, docs, parse in (
        (FactorSetRow, factor_set_documents(), parse_factor_set),
        (MethodologyRow, methodology_documents(), parse_methodology),
    ):
        existing = {(r.key, r.version): r for r in session.scalars(select(model))}
        for doc in docs.values():
            parse(doc)  # validate before storing
            row = existing.get((doc["id"], doc["version"]))
            sha = _sha(doc)
            if row is None:
                session.add(
                    model(
                        key=doc["id"],
                        version=doc["version"],
                        title=doc.get("title", ""),
                        document=doc,
                        sha256=sha,
                    )
                )
            elif row.sha256 != sha:
                raise InvalidReferenceData(
                    f"{doc['id']}@{doc['version']} differs from the published version in the "
                    "database; publish a new version instead of editing a published one"
                )
    session.flush()
