"""Supplier contracts (market-based scope 2) of an enterprise."""

from __future__ import annotations

from typing import Any

from carbon.domain.vocabulary import Role, Scope
from carbon.services import access, audit, auth, jobs
from carbon.services.jobs import InProcessRunner
from carbon.services.usecases._reads import enterprise_read
from carbon.services.views import ContractView
from carbon.store.db import Database
from carbon.store.models import Job


def record_supplier_contract(
    db: Database,
    uscc: str,
    body: dict[str, Any],
    runner: InProcessRunner | None = None,
    *,
    by: auth.Principal | None,
    origin: str | None = None,
) -> dict[str, Any]:
    """Record a supplier contract (the enterprise itself, or an administrator) and run the
    recomputation of its year it queues."""
    from carbon.services import contracts

    p = access.require_role(by, Role.ENTERPRISE, Role.ADMIN, scope=Scope.WRITE)
    with db.unit_of_work() as session:
        access.enterprise_for(session, p, uscc, access.FULL, scope=Scope.WRITE)
        contract, job_id = contracts.record(session, uscc, body, requested_by=p.user_id or None)
        details = {"contract_id": contract["id"], "year": contract["year"], "supplier": contract["supplier"]}
        audit.record(session, p.username, "contract.record", uscc.strip().upper(), details, origin)
    runner = runner or InProcessRunner(db, "eager")
    done = runner.submit(job_id)
    out: dict[str, Any] = {"contract": contract, "job": {"id": job_id, "status": "queued"}}
    if isinstance(done, Job):
        out["job"] = access.job_view_for(p, jobs.job_dict(done, db.settings.jobs))
    return out


def supplier_contracts(
    db: Database, uscc: str, *, by: auth.Principal | None, origin: str | None = None
) -> list[ContractView]:
    """An enterprise's supplier contracts; they need the account (a bank: that consent)."""
    from carbon.services import contracts

    return enterprise_read(
        db, by, uscc, access.ACCOUNT, "supplier_contracts", lambda s: contracts.history(s, uscc), origin
    )
