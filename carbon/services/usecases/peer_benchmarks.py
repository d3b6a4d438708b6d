"""Benchmarks: every peer group's figures of a year."""

from __future__ import annotations

from typing import Any

from carbon.services import access, auth
from carbon.store.db import Database


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
    enterprises shows no figures (``access.sees_small_groups``)."""
    from carbon.services import benchmarks as bench
    from carbon.services.disclosure import suppress_small

    p = access.require_login(by)
    with db.read() as session:
        rows = bench.list_benchmarks(session, year, level=level, key=key, all_revisions=all_revisions)
    if access.sees_small_groups(p):
        return [{**r, "suppressed": False} for r in rows]
    return suppress_small(rows, "peer_count", bench.FIGURES)
