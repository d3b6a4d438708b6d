"""Jobs: work that runs after the request that caused it has committed.

An import commits its inputs together with a queued ``recompute`` job; a runner then
claims and runs it in a transaction of its own. The in-process runner is the embedded
default: ``eager`` runs a job at once in the caller's thread (the CLI, tests), ``thread``
runs jobs on worker threads (the server). Jobs left queued by a process that stopped are
picked up by the next runner (``run_pending``), and so are jobs left running by one that
died (their heartbeat is older than the lease: ``carbon.services.job_lease``). A deployment
runs them on Celery workers instead (``carbon.services.queue``); the jobs table stays the
source of truth either way, and a job runs in one consistent snapshot of the database.

Each run is an attempt: ``done``, or on an error queued again after a backoff, and
``failed`` with the reason after the last attempt. A collision with a concurrent
recomputation (a serialization failure, a one-current-row index) is run again at once.
An identical recomputation requested while one is still queued joins it.

Leases, retries and worker threads follow the database's ``JobSettings``
(``db.settings.jobs``, ``carbon.settings``). What a kind of job does is looked up in
``HANDLERS``; tests replace or wrap a handler there (a slow job, one that raises).
"""

from __future__ import annotations

import logging
import random
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from carbon.domain.errors import CarbonError, NotFound
from carbon.services import job_lease
from carbon.services.compute import recompute
from carbon.services.views import JobRecord, job_record
from carbon.settings import JobSettings
from carbon.store.db import Database
from carbon.store.models import Job, as_utc, utcnow

log = logging.getLogger(__name__)
COLLISIONS = 8  # immediate re-runs after a collision with a concurrent recomputation


def enqueue_recompute(
    session: Session, years: list[int], *, reason: str, import_id: int | None, requested_by: int | None = None
) -> Job:
    """Queue the recomputation of ``years`` in the caller's transaction, or join the one
    already queued for the same years (it has not started: it will read this transaction's
    writes). The queued job's row is locked until the caller commits, so it cannot be
    claimed in between (PostgreSQL; SQLite has one writer at a time anyway)."""
    years = sorted(set(years))
    key = "recompute:" + ",".join(str(y) for y in years)
    request = {"reason": reason, "import_id": import_id, "requested_by": requested_by}
    for _ in range(5):
        queued = session.scalars(
            select(Job).where(Job.dedupe_key == key, Job.status == "queued").with_for_update()
        ).first()
        if queued is not None:
            queued.params = {**queued.params, "merged": [*queued.params.get("merged", []), request]}
            session.flush()
            return queued
        job = Job(
            kind="recompute", params={"years": years, "reason": reason}, import_id=import_id,
            requested_by=requested_by, dedupe_key=key,
        )  # fmt: skip
        try:
            with session.begin_nested():
                session.add(job)
                session.flush()
            return job
        except IntegrityError:  # the same recomputation was queued at this moment: join it
            continue
    raise RuntimeError(f"could not queue the recomputation of {years}")


def requesters(job: Job) -> set[int]:
    """Users who asked for the job: its requester and those of the requests that joined it."""
    merged = {m.get("requested_by") for m in (job.params or {}).get("merged", [])}
    return {u for u in (job.requested_by, *merged) if u is not None}


def _recompute(session: Session, job: Job) -> dict[str, Any]:
    p = job.params
    return recompute(session, p["years"], reason=p.get("reason", "import"), import_id=job.import_id).as_dict()


Handler = Callable[[Session, Job], dict[str, Any]]
# What each kind of job does, in the job's snapshot; its result is stored on the job.
HANDLERS: dict[str, Handler] = {"recompute": _recompute}


@dataclass
class Outcome:
    """What an attempt left: the job, and when to look at it again (None: nothing to do)."""

    job: Job
    retry_in: float | None = None


def _claim(db: Database, job_id: int) -> int | None:
    """Take a queued job that is due: the attempt number, or None if it is not ours to run."""
    now = utcnow()
    with db.unit_of_work() as session:
        claimed = job_lease.rows_changed(
            session,
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .where(or_(Job.run_after.is_(None), Job.run_after <= now))
            .values(
                status="running",
                started_at=now,
                heartbeat_at=now,
                attempts=Job.attempts + 1,
                run_after=None,
                dedupe_key=None,
            ),  # fmt: skip
        )
        if not claimed:
            return None
        return int(session.scalar(select(Job.attempts).where(Job.id == job_id)) or 1)


def _work(db: Database, job_id: int) -> tuple[dict[str, Any] | None, Exception | None]:
    """Run the job's handler in one snapshot; run it again at once after a collision."""
    for n in range(1, COLLISIONS + 1):
        try:
            with db.snapshot() as session:
                job = session.get(Job, job_id)
                assert job is not None
                return HANDLERS[job.kind](session, job), None
        except (IntegrityError, OperationalError) as exc:
            # A concurrent recomputation wrote the same rows (a serialization failure, or a
            # one-current-row index refused the second writer): compute again on what is
            # now current.
            if n == COLLISIONS:
                return None, exc
            log.warning("job %s collided with another recomputation; again (%s)", job_id, n + 1)
            time.sleep(random.uniform(0, 0.1 * n))
        except Exception as exc:  # noqa: BLE001 - recorded on the job
            log.exception("job %s failed", job_id)
            return None, exc
    raise AssertionError("unreachable")


def _reason(exc: Exception) -> str:
    if isinstance(exc, CarbonError):
        return exc.message
    return f"internal error ({type(exc).__name__}) / 内部错误"


def _settle(
    db: Database, job_id: int, attempt: int, result: dict[str, Any] | None, exc: Exception | None
) -> float | None:
    """Record the attempt's outcome (only if the job is still this attempt's); the retry delay."""
    now = utcnow()
    mine = (Job.id == job_id, Job.status == "running", Job.attempts == attempt)
    settings = db.settings.jobs
    delay = None if exc is None else settings.retry_delay(attempt)
    if exc is None:
        values: dict[str, Any] = {"status": "done", "result": result, "error": None, "finished_at": now}
    elif delay is None:
        last = f"(attempt {attempt} of {attempt}, the last / 已尝试{attempt}次)"
        values = {"status": "failed", "finished_at": now, "error": f"{_reason(exc)} {last}"}
    else:
        values = {
            "status": "queued", "run_after": now + timedelta(seconds=delay),
            "error": f"{_reason(exc)} (attempt {attempt} of {settings.max_attempts}; again in {delay:g} s "
                     f"/ 第{attempt}次失败，{delay:g}秒后重试)",
        }  # fmt: skip
    with db.unit_of_work() as session:
        if not job_lease.rows_changed(session, update(Job).where(*mine).values(**values)):
            log.warning("job %s: attempt %s lost its lease; its outcome is not recorded", job_id, attempt)
            return None
    return delay


def _look_again(db: Database, job: Job) -> float | None:
    """A job this runner could not claim: when to try again (None: it has ended)."""
    now = utcnow()
    if job.status == "queued":
        return max(0.0, (as_utc(job.run_after) - now).total_seconds()) if job.run_after else 0.0
    if job.status == "running":
        settings = db.settings.jobs
        left = settings.lease_s - job_lease.heartbeat_age(job, now)
        if left < 0 and job.id in job_lease.requeue_stale(db, settings=settings):
            return 0.0
        return max(left, 0.0) + settings.heartbeat_interval
    return None


def attempt(db: Database, job_id: int) -> Outcome:
    """Run the job once if it is queued and due, with a heartbeat while it runs."""
    n = _claim(db, job_id)
    if n is None:
        job = job_view(db, job_id)
        return Outcome(job, _look_again(db, job))
    with job_lease.Heartbeat(db, job_id, n):
        result, exc = _work(db, job_id)
    delay = _settle(db, job_id, n, result, exc)
    return Outcome(job_view(db, job_id), delay)


def run_job(db: Database, job_id: int) -> Job:
    """One attempt at a job (a job someone else claimed is left alone)."""
    return attempt(db, job_id).job


def run_to_end(db: Database, job_id: int, *, patience: float = 3600.0) -> Job:
    """Run a job here, retries included (after their backoff), until it is done or failed;
    a job running elsewhere is waited for. Gives up waiting after ``patience`` seconds."""
    deadline = time.monotonic() + patience
    out = attempt(db, job_id)
    while out.retry_in is not None and time.monotonic() + out.retry_in < deadline:
        time.sleep(out.retry_in)
        out = attempt(db, job_id)
    return out.job


def job_view(db: Database, job_id: int) -> Job:
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job {job_id} / 任务{job_id}不存在")
        session.expunge(job)
        return job


def job_dict(job: Job, settings: JobSettings) -> JobRecord:
    """The job with who asked for it (``carbon.services.views.job_record``); what others may
    see of it: ``carbon.services.access.job_view_for``. ``max_attempts`` comes from
    ``settings``: the database's (``db.settings.jobs``)."""
    return job_record(job, settings.max_attempts)


def pending(db: Database, *, due_only: bool = False) -> list[int]:
    """Queued jobs, oldest first (``due_only``: not waiting for a retry's backoff)."""
    stmt = select(Job.id).where(Job.status == "queued").order_by(Job.id)
    if due_only:
        stmt = stmt.where(or_(Job.run_after.is_(None), Job.run_after <= utcnow()))
    with db.read() as session:
        return list(session.scalars(stmt))


class Runner(Protocol):
    """Where queued jobs run: in this process, or on Celery workers."""

    def submit(self, job_id: int) -> Job | Future[Job] | None: ...

    def run_pending(self) -> None: ...

    def shutdown(self) -> None: ...


def make_runner(db: Database, mode: str | None = None) -> Runner:
    """``eager`` or ``thread`` (in this process), or ``celery`` (CARBON_BROKER_URL); by
    default the database's ``jobs.mode`` (CARBON_JOBS)."""
    mode = mode if mode is not None else db.settings.jobs.mode
    if mode == "celery":
        from carbon.services.queue import CeleryRunner

        return CeleryRunner(db)
    return InProcessRunner(db, mode)


class InProcessRunner:
    """Runs jobs in this process: ``eager`` at once (retries included), or ``thread`` on
    worker threads (``threads``, by default the database's ``jobs.threads``,
    CARBON_JOB_THREADS) with a sweeper that queues again the jobs of runners that died and
    starts retries that are due."""

    def __init__(self, db: Database, mode: str = "eager", threads: int | None = None) -> None:
        if mode not in ("eager", "thread"):
            raise ValueError(f"job mode must be eager or thread, not {mode!r}")
        self.db = db
        self.mode = mode
        self.threads = threads or db.settings.jobs.threads
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._submitted: set[int] = set()  # waiting in the pool or running here
        self._running: set[int] = set()
        self._stop = threading.Event()
        self._timers: list[threading.Timer] = []
        self._sweeper: threading.Thread | None = None

    def submit(self, job_id: int) -> Job | Future[Job]:
        if self.mode == "eager":
            return run_to_end(self.db, job_id)
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="carbon-jobs")
            self._submitted.add(job_id)
            return self._pool.submit(self._run, job_id)

    def _run(self, job_id: int) -> Job:
        self._running.add(job_id)
        try:
            out = attempt(self.db, job_id)
        finally:
            self._running.discard(job_id)
            self._submitted.discard(job_id)
        if out.retry_in is not None and not self._stop.is_set():
            timer = threading.Timer(out.retry_in, self._resubmit, args=(job_id,))
            timer.daemon = True
            with self._lock:
                self._timers = [t for t in self._timers if t.is_alive()] + [timer]
            timer.start()
        return out.job

    def _resubmit(self, job_id: int) -> None:
        if not self._stop.is_set():
            self.submit(job_id)

    def sweep(self) -> None:
        """Queue again the stale jobs of other runners; start the due queued jobs."""
        job_lease.requeue_stale(self.db, exclude=set(self._running))
        for job_id in pending(self.db, due_only=True):
            if job_id not in self._submitted:
                self.submit(job_id)

    @staticmethod
    def _sweep_loop(
        ref: weakref.ReferenceType[InProcessRunner], stop: threading.Event, lease_s: float
    ) -> None:
        """Sweep every few seconds until shut down, or until the runner is gone (an app
        dropped without ``shutdown``: the thread holds it only weakly)."""
        interval = max(1.0, min(30.0, lease_s / 4))
        while not stop.wait(interval):
            runner = ref()
            if runner is None:
                return
            try:
                runner.sweep()
            except Exception:  # noqa: BLE001 - e.g. the database is away for a moment
                log.warning("job sweep failed", exc_info=True)
            del runner

    def run_pending(self) -> None:
        """On start: jobs left running by a runner that died are queued again (or failed
        after the last attempt), and every queued job is run."""
        job_lease.requeue_stale(self.db, exclude=set(self._running))
        for job_id in pending(self.db):
            self.submit(job_id)
        if self.mode == "thread" and self._sweeper is None:
            self._sweeper = threading.Thread(
                target=self._sweep_loop,
                args=(weakref.ref(self), self._stop, self.db.settings.jobs.lease_s),
                name="carbon-jobs-sweeper",
                daemon=True,
            )
            self._sweeper.start()

    def shutdown(self) -> None:
        self._stop.set()
        with self._lock:
            for timer in self._timers:
                timer.cancel()
            self._timers = []
        if self._sweeper is not None:
            self._sweeper.join(timeout=10)
            self._sweeper = None
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
