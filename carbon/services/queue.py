"""Jobs on Celery with Redis, for a deployment (``CARBON_JOBS=celery``, ``carbon worker``).

The jobs table stays the source of truth: a Celery message carries only the job id, and
the worker runs it like the in-process runner does (claim, heartbeat, one snapshot,
retries with backoff). The message is acknowledged late (``task_acks_late``) and given
back if its worker is lost, and Redis hands an unacknowledged message to another worker
after the visibility timeout: a job whose worker died is run again (its heartbeat has
stopped, so the job is queued again first). Settings, from the environment:

- ``CARBON_BROKER_URL``: broker and result backend, e.g. ``redis://127.0.0.1:6379/0``;
- ``CARBON_CELERY_QUEUE`` ("carbon"); ``CARBON_CELERY_KEY_PREFIX`` (Redis keys, "");
- ``CARBON_CELERY_VISIBILITY_S`` (3600): how long a message may stay unacknowledged
  before Redis gives it to another worker. Longer than any job's run and its retries'
  backoff, or a long job is started a second time (the second run waits for the first:
  the job row says it is running).
"""

from __future__ import annotations

import logging
import os
import threading
from functools import cache
from typing import Any

from celery import Celery, Task, signals

from carbon.domain.errors import CarbonError
from carbon.services import job_lease, jobs
from carbon.store.db import Database, default_url
from carbon.store.models import Job

log = logging.getLogger(__name__)
TASK = "carbon.run_job"


class QueueUnavailable(CarbonError):
    status = 503
    code = "queue_unavailable"


def broker_url() -> str:
    url = os.environ.get("CARBON_BROKER_URL")
    if not url:
        raise QueueUnavailable(
            "CARBON_JOBS=celery needs CARBON_BROKER_URL / 请设置 CARBON_BROKER_URL（如 redis://…）"
        )
    return url


def queue_name() -> str:
    return os.environ.get("CARBON_CELERY_QUEUE", "carbon")


def _settings() -> tuple[str, str, str, float]:
    return (
        broker_url(),
        queue_name(),
        os.environ.get("CARBON_CELERY_KEY_PREFIX", ""),
        float(os.environ.get("CARBON_CELERY_VISIBILITY_S", "3600")),
    )


def celery_app() -> Celery:
    return _celery_app(*_settings())


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
_db_lock = threading.Lock()


def _database() -> Database:
    global _db
    with _db_lock:
        if _db is None:
            from carbon.services.usecases import open_database

            _db = open_database(os.environ.get("CARBON_DATABASE_URL") or default_url())
        return _db


def _run_job_task(task: Task, job_id: int) -> str:
    """A Celery task: one attempt at the job; sent again for a retry's backoff, or to look
    again at a job that another worker is running (it may die: its lease then runs out)."""
    out = jobs.attempt(_database(), job_id)
    if out.retry_in is not None:
        raise task.retry(countdown=out.retry_in)
    return out.job.status


def publish(job_id: int, countdown: float | None = None) -> None:
    celery_app().send_task(TASK, args=[job_id], queue=queue_name(), countdown=countdown)


class CeleryRunner:
    """The app's side: a queued job is sent to the workers (after its transaction commits)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        celery_app()  # fails at start-up, not at the first upload, without a broker URL

    def submit(self, job_id: int) -> Job | None:
        try:
            publish(job_id)
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
        publish(job_id)
    return ids


def _sweep_forever(db: Database, stop: threading.Event) -> None:
    interval = max(1.0, min(30.0, job_lease.lease_s() / 2))
    while not stop.wait(interval):
        try:
            for job_id in job_lease.requeue_stale(db):
                publish(job_id)
        except Exception:  # noqa: BLE001 - the database or broker is away for a moment
            log.warning("job sweep failed", exc_info=True)


def start_worker(concurrency: int = 1, pool: str = "threads", loglevel: str = "INFO") -> None:
    """Run a Celery worker in this process until it is stopped (``carbon worker``)."""
    app = celery_app()
    stop = threading.Event()

    @signals.worker_ready.connect(weak=False)
    def _ready(**_: Any) -> None:
        db = _database()
        sent = recover(db)
        log.info("worker ready; %s queued job(s) sent", len(sent))
        threading.Thread(
            target=_sweep_forever, args=(db, stop), name="carbon-jobs-sweeper", daemon=True
        ).start()

    @signals.worker_shutdown.connect(weak=False)
    def _shutdown(**_: Any) -> None:
        stop.set()

    app.worker_main(
        [
            "worker", f"--loglevel={loglevel}", "-Q", queue_name(), f"--concurrency={concurrency}",
            f"--pool={pool}", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
    )  # fmt: skip
