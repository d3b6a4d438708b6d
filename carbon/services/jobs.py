"""Jobs: work that runs after the request that caused it has committed.

An import commits its inputs together with a queued ``recompute`` job; a runner then
claims and runs it in a transaction of its own. The in-process runner is the embedded
default: ``eager`` runs a job at once in the caller's thread (the CLI, tests), ``thread``
runs jobs one at a time on a worker thread (the server). Jobs left queued by a process
that stopped are picked up by the next runner (``run_pending``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from carbon.domain.errors import CarbonError, NotFound
from carbon.services.compute import recompute
from carbon.store.db import Database
from carbon.store.models import Job, utcnow

log = logging.getLogger(__name__)
ATTEMPTS = 3


def enqueue_recompute(
    session: Session, years: list[int], *, reason: str, import_id: int | None, requested_by: int | None = None
) -> Job:
    job = Job(
        kind="recompute", params={"years": sorted(years), "reason": reason}, import_id=import_id,
        requested_by=requested_by,
    )  # fmt: skip
    session.add(job)
    session.flush()
    return job


def _recompute(session: Session, job: Job) -> dict[str, Any]:
    p = job.params
    return recompute(session, p["years"], reason=p.get("reason", "import"), import_id=job.import_id).as_dict()


HANDLERS: dict[str, Callable[[Session, Job], dict[str, Any]]] = {"recompute": _recompute}


def run_job(db: Database, job_id: int) -> Job:
    """Claim a queued job and run it; a job someone else claimed is left alone."""
    with db.unit_of_work() as session:
        claimed = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="running", started_at=utcnow())
        ).rowcount
    if not claimed:
        return job_view(db, job_id)
    try:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with db.unit_of_work() as session:
                    job = session.get(Job, job_id)
                    assert job is not None
                    job.result = HANDLERS[job.kind](session, job)
                    job.status, job.finished_at = "done", utcnow()
                break
            except (IntegrityError, OperationalError):
                # Another process recomputed the same year at the same moment (the
                # one-current-row indexes refused the second writer): compute again on
                # what is now current.
                if attempt == ATTEMPTS:
                    raise
                log.warning("job %s collided with another recomputation; attempt %s", job_id, attempt + 1)
    except Exception as exc:  # recorded on the job; the caller sees status "failed"
        log.exception("job %s failed", job_id)
        message = exc.message if isinstance(exc, CarbonError) else "internal error / 内部错误"
        with db.unit_of_work() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(status="failed", error=message, finished_at=utcnow())
            )
    return job_view(db, job_id)


def job_view(db: Database, job_id: int) -> Job:
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job {job_id} / 任务{job_id}不存在")
        session.expunge(job)
        return job


def job_dict(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "params": job.params,
        "import_id": job.import_id,
        "result": job.result,
        "error": job.error,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def pending(db: Database) -> list[int]:
    with db.read() as session:
        return list(session.scalars(select(Job.id).where(Job.status == "queued").order_by(Job.id)))


class InProcessRunner:
    """Runs jobs in this process: ``eager`` at once, or ``thread`` on one worker thread."""

    def __init__(self, db: Database, mode: str = "eager") -> None:
        if mode not in ("eager", "thread"):
            raise ValueError(f"job mode must be eager or thread, not {mode!r}")
        self.db = db
        self.mode = mode
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, job_id: int) -> Job | Future[Job]:
        if self.mode == "eager":
            return run_job(self.db, job_id)
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="carbon-jobs")
            return self._pool.submit(run_job, self.db, job_id)

    def run_pending(self) -> None:
        for job_id in pending(self.db):
            self.submit(job_id)

    def shutdown(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
