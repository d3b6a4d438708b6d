"""Recalculation: an administrator recomputes years with chosen reference versions."""

from __future__ import annotations

from typing import Any

from carbon.domain.errors import InvalidValue
from carbon.services import access, audit, auth, reference
from carbon.services.compute import recompute
from carbon.store.db import Database


def recalc(
    db: Database,
    years: list[int],
    factor_set: str | None,
    methodology: str | None,
    dry_run: bool,
    *,
    by: auth.Principal | None,
    origin: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Recompute the given years with the chosen versions (default: each year's current
    ones). A dry run shows the diff and stores nothing; a run stores new results beside
    the old ones, moves each enterprise's current pointer, and is written to the audit log.

    ``by`` must be given (an administrator; the service's own work passes ``auth.SYSTEM``,
    the operator's CLI its ``cli_principal``): there is no default."""
    actor = access.require_admin(by).username
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
