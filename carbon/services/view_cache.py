"""Views built from rows that never change, kept in this process.

A stored rating is never updated (a recalculation adds a new row and marks the old one
not current), and the factor set and methodology it names are immutable versions, so the
explanation built for it (each factor's derivation, the what-if cuts, the peer groups'
names) is the same on every read. Built once per rating and process, it is kept in a
bounded least-recently-used map, keyed by the row's id, run and creation time (so two
databases in one process, as in the tests, never share an entry).

What is kept is shared by every reader: callers must not change it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from carbon.store.db import READ_MEMO
from carbon.store.models import Enterprise

V = TypeVar("V")


class LRU(Generic[V]):
    """A thread-safe map of at most ``size`` entries, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], tuple[V, bool]]) -> V:
        """The value of ``key``; else ``build()`` gives (value, whether to keep it)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value, keep = build()  # outside the lock: two builders of one key give equal values
        if keep:
            with self._lock:
                self._items[key] = value
                if len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


EXPLANATIONS: LRU[dict[str, object]] = LRU(4096)


_ENTERPRISE = select(Enterprise).where(Enterprise.uscc == bindparam("uscc"))  # built once


def enterprise_by_uscc(session: Session, code: str) -> Enterprise | None:
    """The enterprise with USCC ``code``, asked of the database once per read-only session
    (``Database.read``: the access check and the read that follows need the same row)."""
    memo = session.info.get(READ_MEMO)
    if memo is not None and ("enterprise", code) in memo:
        found: Enterprise | None = memo[("enterprise", code)]
        return found
    e = session.scalar(_ENTERPRISE, {"uscc": code})
    if memo is not None:
        memo[("enterprise", code)] = e
    return e
