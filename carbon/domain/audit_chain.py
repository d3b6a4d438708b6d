"""The hash chain over audit entries: each entry's ``hash`` is the sha256 of its fields and
the previous entry's hash, so a removed, edited or reordered entry breaks the chain.

The serialisation is frozen: every stored chain was computed with it, so changing it
makes every existing log fail verification. The fields are the ones as the database gives
them back (``at`` in UTC to the microsecond, ``details`` as parsed JSON).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64  # the ``prev_hash`` of the first entry


@dataclass(frozen=True)
class ChainFields:
    """What the hash covers, besides the previous hash."""

    at: datetime
    actor: str
    origin: str | None
    action: str
    subject: str
    details: Any


def _utc_text(at: datetime) -> str:
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite gives UTC back naive
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(prev_hash: str, f: ChainFields) -> bytes:
    """One JSON array, keys sorted, no whitespace, UTF-8: the bytes that are hashed."""
    doc = [prev_hash, _utc_text(f.at), f.actor, f.origin, f.action, f.subject, f.details]
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


def entry_hash(prev_hash: str, f: ChainFields) -> str:
    return hashlib.sha256(canonical(prev_hash, f)).hexdigest()


@dataclass(frozen=True)
class Link:
    """One stored entry as the verifier sees it."""

    id: int
    prev_hash: str | None
    hash: str | None
    fields: ChainFields


@dataclass(frozen=True)
class Break:
    """The first entry whose link does not hold, and why."""

    id: int
    reason: str


def check_link(prev: str, link: Link) -> Break | None:
    """Whether ``link`` follows an entry whose hash is ``prev`` and matches its own content."""
    if link.prev_hash != prev:
        return Break(
            link.id,
            "does not follow the entry before it: an entry was removed or reordered here "
            "/ 与前一条记录不相连：此处有记录被删除或调换顺序",
        )
    if link.hash != entry_hash(prev, link.fields):
        return Break(
            link.id, "its content does not match its hash: it was edited / 内容与哈希不符：记录被修改"
        )
    return None
