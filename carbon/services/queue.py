"""Jobs on Celery with Redis, for a deployment (``CARBON_JOBS=celery``, ``carbon worker``).

The jobs table stays the source of truth: a Celery message carries only the job id, and
the worker runs it like the in-process runner does (claim, heartbeat, one snapshot,
retries with backoff). The message is acknowledged late (``task_acks_late``) and given
back if its worker is lost, and Redis hands an unacknowledged message to another worker
after the visibility timeout: a job whose worker died is run again (its heartbeat has
stopped, so the job is queued again first). Settings (``CelerySettings``, carbon.settings):

- ``broker_url`` (CARBON_BROKER_URL): broker and result backend, e.g. ``redis://127.0.0.1:6379/0``;
- ``queue`` (CARBON_CELERY_QUEUE, "carbon"); ``key_prefix`` (CARBON_CELERY_KEY_PREFIX, Redis keys, "");
- ``visibility_s`` (CARBON_CELERY_VISIBILITY_S, 3600): how long a message may stay unacknowledged
  before Redis gives it to another worker. Longer than any job's run and its retries'
  backoff, or a long job is started a second time (the second run waits for the first:
  the job row says it is running).
"""

from __future__ import annotations

import logging
import threading
from functools import cache
from typing import Any

from celery import Celery, Task, signals

from carbon.domain.errors import CarbonError
from carbon.services import job_lease, jobs, reference
from carbon.settings import CelerySettings, Settings
from carbon.store.db import Database, default_url
from carbon.store.models import Job

log = logging.getLogger(__name__)
TASK = "carbon.run_job"


class QueueUnavailable(CarbonError):
    status = 503
    code = "queue_unavailable"


def _celery_settings(settings: CelerySettings | None) -> CelerySettings:
    """The settings given, else the environment's (for callers that pass none yet)."""
    return settings if settings is not None else Settings.from_env().celery


def broker_url(settings: CelerySettings | None = None) -> str:
    url = _celery_settings(settings).broker_url
    if not url:
        raise QueueUnavailable(
            "CARBON_JOBS=celery needs CARBON_BROKER_URL / 请设置 CARBON_BROKER_URL（如 redis://…）"
        )
    return url


def queue_name(settings: CelerySettings | None = None) -> str:
    return _celery_settings(settings).queue


def celery_app(settings: CelerySettings) -> Celery:
    """The Celery app for ``settings`` (one per distinct settings; no broker URL: refused)."""
    return _celery_app(broker_url(settings), settings.queue, settings.key_prefix, settings.visibility_s)


@cache
def _celery_app(url: str, queue: str, prefix: str, visibility: float) -> Celery:
    app = Celery("carbon", broker=url, backend=url, set_as_current=False)
    transport: dict[str, Any] = {"visibility_timeout": visibility}
    if prefix:
        transport["global_keyprefix"] = prefix
    app.conf.update(
        task_default_queue=queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,  # the outcome is on the job row
        worker_prefetch_multiplier=1,
        broker_transport_options=transport,
        result_backend_transport_options=transport,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        task_serializer="json",
        accept_content=["json"],
    )
    app.task(name=TASK, bind=True, max_retries=None, acks_late=True)(_run_job_task)
    return app


_db: Database | None = None
_db_settings: Settings | None = None  # the worker's (start_worker)
_db_lock = threading.Lock()


def _database() -> Database:
    """The worker's database, opened once with the worker's settings; the shipped reference
    data registered as ``usecases.open_database`` does."""
    global _db
    with _db_lock:
        if _db is None:
            settings = _db_settings if _db_settings is not None else Settings.from_env()
            db = Database(default_url(settings), settings=settings)
            with db.unit_of_work() as session:
                reference.register(session)
            _db = db
        return _db


def _run_job_task(task: Task, job_id: int) -> str:
    """A Celery task: one attempt at the job; sent again for a retry's backoff, or to look
    again at a job that another worker is running (it may die: its lease then runs out)."""
    out = jobs.attempt(_database(), job_id)
    if out.retry_in is not None:
        raise task.retry(countdown=out.retry_in)
    return out.job.status


def publish(job_id: int, settings: CelerySettings, countdown: float | None = None) -> None:
    celery_app(settings).send_task(TASK, args=[job_id], queue=settings.queue, countdown=countdown)


class CeleryRunner:
    """The app's side: a queued job is sent to the workers (after its transaction commits)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.settings = db.settings.celery
        celery_app(self.settings)  # fails at start-up, not at the first upload, without a broker URL

    def submit(self, job_id: int) -> Job | None:
        try:
            publish(job_id, self.settings)
        except Exception:  # noqa: BLE001 - the job stays queued; a worker finds it when it starts
            log.exception("job %s: could not send it to the queue", job_id)
        return None

    def run_pending(self) -> None:
        """Nothing: workers pick up what was left queued or running when they start."""

    def shutdown(self) -> None:
        """Nothing: the workers own the jobs."""


def recover(db: Database) -> list[int]:
    """When a worker starts: queue again the jobs of runners that died, and send every
    queued job (one sent before is claimed once: the extra message finds it taken)."""
    job_lease.requeue_stale(db)
    ids = jobs.pending(db)
    for job_id in ids:
        publish(job_id, db.settings.celery)
    return ids


def _sweep_forever(db: Database, stop: threading.Event) -> None:
    interval = max(1.0, min(30.0, db.settings.jobs.lease_s / 2))
    while not stop.wait(interval):
        try:
            for job_id in job_lease.requeue_stale(db):
                publish(job_id, db.settings.celery)
        except Exception:  # noqa: BLE001 - the database or broker is away for a moment
            log.warning("job sweep failed", exc_info=True)


def start_worker(
    concurrency: int = 1, pool: str = "threads", loglevel: str = "INFO", settings: Settings | None = None
) -> None:
    """Run a Celery worker in this process until it is stopped (``carbon worker``), with
    ``settings`` (read from the environment when not given)."""
    global _db_settings
    settings = settings if settings is not None else Settings.from_env()
    with _db_lock:
        _db_settings = settings
    app = celery_app(settings.celery)
    stop = threading.Event()

    def _ready(**_: Any) -> None:
        db = _database()
        sent = recover(db)
        log.info("worker ready; %s queued job(s) sent", len(sent))
        threading.Thread(
            target=_sweep_forever, args=(db, stop), name="carbon-jobs-sweeper", daemon=True
        ).start()

    def _shutdown(**_: Any) -> None:
        stop.set()

    signals.worker_ready.connect(_ready, weak=False)
    signals.worker_shutdown.connect(_shutdown, weak=False)

    app.worker_main(
        [
            "worker", f"--loglevel={loglevel}", "-Q", settings.celery.queue, f"--concurrency={concurrency}",
            f"--pool={pool}", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
    )  # fmt: skip
