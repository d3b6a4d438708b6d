"""Leases on running jobs: heartbeats, stale jobs queued again, retry backoff.

A runner that claims a job refreshes its ``heartbeat_at`` every few seconds from a
background thread. A job ``running`` whose heartbeat is older than the lease belongs to a
runner that is gone (kill -9, a lost machine): any runner queues it again, or fails it with
the reason once it has had every attempt. A job that raised is queued again after a
backoff. The settings are the database's ``JobSettings`` (``carbon.settings``):

- ``lease_s`` (CARBON_JOB_LEASE_S, 60): a heartbeat older than this means the runner is gone;
- ``heartbeat_interval`` (CARBON_JOB_HEARTBEAT_S, 5, at most a third of the lease);
- ``backoff_s`` (CARBON_JOB_BACKOFF, "5,30,120"): seconds before each retry; one more
  attempt than there are numbers (so 4 by default: the first run and three retries).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, func, select, update
from sqlalchemy.orm import Session

from carbon.settings import JobSettings
from carbon.store.db import Database
from carbon.store.models import Job, as_utc, utcnow

log = logging.getLogger(__name__)


def rows_changed(session: Session, statement: Any) -> int:
    """Run an UPDATE; how many rows it changed."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def beat(db: Database, job_id: int, attempt: int) -> bool:
    """Refresh a running job's heartbeat; False if this runner no longer holds it."""
    with db.unit_of_work() as session:
        return bool(
            rows_changed(
                session,
                update(Job)
                .where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
                .values(heartbeat_at=utcnow()),
            )
        )


class Heartbeat:
    """``with Heartbeat(db, job_id, attempt):`` refreshes the heartbeat until the block ends,
    every ``interval`` seconds (the database's ``jobs.heartbeat_interval`` by default)."""

    def __init__(self, db: Database, job_id: int, attempt: int, interval: float | None = None) -> None:
        self.db, self.job_id, self.attempt = db, job_id, attempt
        self.interval = interval if interval is not None else db.settings.jobs.heartbeat_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"carbon-job-{job_id}-heartbeat", daemon=True)

    def _run(self) -> None:
        interval = self.interval
        while not self._stop.wait(interval):
            try:
                if not beat(self.db, self.job_id, self.attempt):
                    log.warning("job %s: lease lost (queued again elsewhere)", self.job_id)
                    return
            except Exception:  # noqa: BLE001 - a missed beat is retried at the next tick
                log.warning("job %s: heartbeat failed", self.job_id, exc_info=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def _last_sign_of_life() -> ColumnElement[datetime]:
    return func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)


def heartbeat_age(job: Job, now: datetime | None = None) -> float:
    seen = job.heartbeat_at or job.started_at or job.created_at
    return ((now or utcnow()) - as_utc(seen)).total_seconds()


def requeue_stale(
    db: Database, *, exclude: set[int] | frozenset[int] = frozenset(), settings: JobSettings | None = None
) -> list[int]:
    """Queue again (or fail, after the last attempt) every running job whose heartbeat is
    older than the lease, except ``exclude`` (this process's own). The ids queued again.
    ``settings``: the lease and attempts (the database's ``jobs`` settings by default)."""
    settings = settings if settings is not None else db.settings.jobs
    lease = settings.lease_s
    now = utcnow()
    cutoff = now - timedelta(seconds=lease)
    requeued: list[int] = []
    with db.unit_of_work() as session:
        stale = session.execute(
            select(Job.id, Job.attempts).where(Job.status == "running", _last_sign_of_life() < cutoff)
        ).all()
        for job_id, attempts in stale:
            if job_id in exclude:
                continue
            gone = f"the runner stopped (no heartbeat for {lease:g} s) in attempt {attempts}"
            zh = f"执行任务的进程已中断（{lease:g}秒无心跳，第{attempts}次尝试）"
            values: dict[str, Any]
            if attempts >= settings.max_attempts:
                values = {
                    "status": "failed",
                    "finished_at": now,
                    "error": f"{gone}, the last / {zh}，已达上限",
                }
            else:
                values = {
                    "status": "queued",
                    "run_after": None,
                    "error": f"{gone}; queued again / {zh}，已重新排队",
                }
            done = rows_changed(
                session,
                update(Job)
                .where(Job.id == job_id, Job.status == "running", Job.attempts == attempts)
                .where(_last_sign_of_life() < cutoff)
                .values(**values),
            )
            if done and values["status"] == "queued":
                requeued.append(job_id)
            if done:
                log.warning("job %s: %s -> %s", job_id, gone, values["status"])
    return requeued
