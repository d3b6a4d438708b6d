"""Reference data: factor sets and methodologies, listed, read, published and retired."""

from __future__ import annotations

from typing import Any

from carbon.services import access, auth, reference
from carbon.store.db import Database


def reference_list(db: Database, kind: str) -> list[dict[str, Any]]:
    """Every version of a kind of document (public)."""
    with db.read() as session:
        return reference.list_documents(session, reference.KINDS[kind])


def reference_document(db: Database, kind: str, ref: str) -> dict[str, Any]:
    """One version of a document (public)."""
    with db.read() as session:
        return reference.document(session, reference.KINDS[kind], ref)


def reference_publish(
    db: Database, kind: str, data: bytes, *, by: auth.Principal | None, origin: str | None
) -> dict[str, Any]:
    """Publish a factor set or methodology document (JSON bytes) as a new version
    (administrators)."""
    actor = access.require_admin(by).username
    doc = reference.read_document(data)
    with db.unit_of_work() as session:
        return reference.publish(session, reference.KINDS[kind], doc, actor=actor, origin=origin)


def reference_retire(
    db: Database, kind: str, ref: str, reason: str, *, by: auth.Principal | None, origin: str | None
) -> dict[str, Any]:
    """Retire a version: no new results use it (administrators)."""
    actor = access.require_admin(by).username
    with db.unit_of_work() as session:
        return reference.retire(session, reference.KINDS[kind], ref, reason, actor=actor, origin=origin)
