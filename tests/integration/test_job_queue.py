"""Jobs that outlive their runner (issue 12, item 7) and jobs on Celery with Redis.

The Celery tests run real `carbon worker` processes against the Redis at
CARBON_TEST_REDIS_URL (db 13 by default), each test with its own queue and key prefix, and
delete only their own keys. With CI=true an unreachable Redis fails them, else they skip.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import configure, make_user
from sqlalchemy import func, select, update

from carbon.domain.identifiers import make_uscc
from carbon.services import jobs
from carbon.services.imports import import_file as ingest_only
from carbon.store.models import Job, utcnow
from importers.template import write_template

REDIS_URL = os.environ.get("CARBON_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
ROOT = Path(__file__).resolve().parents[2]
# Code run in a worker process before the CLI starts: its recomputation handler replaced
# (carbon.services.jobs.HANDLERS) by a slow one (to kill the worker while it runs) or by one
# that raises.
SLOW_HANDLER = """
import time
from carbon.services import jobs
real = jobs.HANDLERS["recompute"]
def slow(session, job):
    time.sleep({seconds})
    return real(session, job)
jobs.HANDLERS["recompute"] = slow
"""
FAILING_HANDLER = """
from carbon.services import jobs
def failing(session, job):
    raise RuntimeError("the test's handler fails")
jobs.HANDLERS["recompute"] = failing
"""


def slow_handler(seconds: float):
    """The recomputation handler, ``seconds`` slower (in this process)."""
    real = jobs.HANDLERS["recompute"]

    def slow(session, job):
        time.sleep(seconds)
        return real(session, job)

    return slow


def workbook(tag: str, n: int = 4, year: int = 2023) -> bytes:
    rows = [
        {"uscc": make_uscc(f"91330802{tag}{i:07d}"), "name": f"队列{tag}{i}", "industry_code": "3011",
         "region_code": "330802", "month": f"{year}-{m:02d}", "electricity": 2.0 + i, "value_added": 10.0}
        for i in range(n) for m in range(1, 13)
    ]  # fmt: skip
    return write_template(rows)


def job_row(db, job_id: int) -> dict:
    return jobs.job_dict(jobs.job_view(db, job_id), db.settings.jobs)


def wait_until(db, job_id: int, statuses: tuple[str, ...], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = job_row(db, job_id)
        if job["status"] in statuses or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


# -- item 7: the in-process runner and stale jobs (no Redis needed) -------------------------


def _left_running(db, job_id: int, attempts: int) -> None:
    """As a runner killed mid-job leaves it: running, its heartbeat an hour old."""
    old = utcnow() - timedelta(hours=1)
    with db.unit_of_work() as s:
        s.execute(
            update(Job).where(Job.id == job_id)
            .values(status="running", attempts=attempts, started_at=old, heartbeat_at=old, dedupe_key=None)
        )  # fmt: skip


def test_in_process_runner_requeues_a_stale_running_job_on_start(db):
    job_id = ingest_only(db, workbook("QA"), "a.xlsx").job_id
    _left_running(db, job_id, attempts=1)
    jobs.InProcessRunner(db, "eager").run_pending()
    job = job_row(db, job_id)
    assert job["status"] == "done" and job["attempts"] == 2, job
    assert job["result"]["ratings_written"] == 4


def test_a_stale_job_after_its_last_attempt_is_failed_with_the_reason(db, monkeypatch):
    configure(monkeypatch, db, "jobs", backoff_s=(1.0, 1.0))
    job_id = ingest_only(db, workbook("QB"), "b.xlsx").job_id
    _left_running(db, job_id, attempts=3)
    jobs.InProcessRunner(db, "eager").run_pending()
    job = job_row(db, job_id)
    assert job["status"] == "failed" and job["finished_at"], job
    assert "no heartbeat" in job["error"] and "心跳" in job["error"], job["error"]


def test_a_job_longer_than_its_heartbeat_interval_ends_done(db, monkeypatch):
    """The job's own heartbeat commits while the job reads: on SQLite a deferred snapshot
    could then never write, and every attempt ended "database is locked"."""
    configure(monkeypatch, db, "jobs", heartbeat_s=0.2)
    monkeypatch.setitem(jobs.HANDLERS, "recompute", slow_handler(1))
    job_id = ingest_only(db, workbook("QJ"), "j.xlsx").job_id
    jobs.InProcessRunner(db, "eager").run_pending()
    job = job_row(db, job_id)
    assert job["status"] == "done" and job["attempts"] == 1, job


def test_a_running_job_with_a_fresh_heartbeat_is_left_alone(db):
    job_id = ingest_only(db, workbook("QC"), "c.xlsx").job_id
    with db.unit_of_work() as s:
        now = utcnow()
        s.execute(update(Job).where(Job.id == job_id).values(status="running", attempts=1, heartbeat_at=now))
    assert jobs.job_lease.requeue_stale(db) == []
    assert job_row(db, job_id)["status"] == "running"


def test_the_same_recomputation_queued_twice_is_one_job(db):
    first = ingest_only(db, workbook("QD"), "d.xlsx")
    second = ingest_only(db, workbook("QE"), "e.xlsx")
    assert first.job_id == second.job_id
    job = job_row(db, first.job_id)
    assert job["status"] == "queued" and len(job["params"]["merged"]) == 1
    assert jobs.run_to_end(db, first.job_id).status == "done"
    # Once it has started, a new request is a new job (the running one may not see its data).
    third = ingest_only(db, workbook("QF"), "f.xlsx")
    assert third.job_id != first.job_id
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 2


# -- Celery with Redis ----------------------------------------------------------------------


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis at {REDIS_URL} is unreachable in CI: {exc}")
        pytest.skip(f"Redis unreachable: {exc}")
    yield client
    client.close()


@pytest.fixture
def queue_env(redis_client, monkeypatch) -> Iterator[dict[str, str]]:
    """A queue and Redis key prefix of this test's own, short leases and backoff."""
    tag = f"carbon-test-{uuid.uuid4().hex[:12]}"
    env = {
        "CARBON_BROKER_URL": REDIS_URL,
        "CARBON_CELERY_QUEUE": tag,
        "CARBON_CELERY_KEY_PREFIX": f"{tag}:",
        "CARBON_CELERY_VISIBILITY_S": "6",
        "CARBON_JOB_LEASE_S": "3",
        "CARBON_JOB_HEARTBEAT_S": "0.5",
        "CARBON_JOB_BACKOFF": "0.5,0.5",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    yield env
    for key in redis_client.scan_iter(match=f"{tag}*", count=500):
        redis_client.delete(key)


class Workers:
    """`carbon worker` processes started by a test; all killed at the end."""

    def __init__(self, url: str, env: dict[str, str], logs: Path) -> None:
        self.url, self.env, self.logs = url, env, logs
        self.procs: list[subprocess.Popen[bytes]] = []
        self.files: list[io.BufferedWriter] = []

    def start(self, before: str = "") -> subprocess.Popen[bytes]:
        """A worker process; ``before``: code it runs first (SLOW_HANDLER, FAILING_HANDLER)."""
        env = {**os.environ, **self.env, "PYTHONPATH": str(ROOT)}
        log = (self.logs / f"worker-{len(self.procs)}.log").open("wb")
        self.files.append(log)
        code = before + "\nfrom api.cli import main; main()"
        cmd = [sys.executable, "-c", code, "--db", self.url, "worker"]
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.procs.append(proc)
        return proc

    def output(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")[-3000:] for p in sorted(self.logs.glob("worker-*.log"))
        )

    def kill_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=10)
        for f in self.files:
            f.close()


@pytest.fixture
def workers(queue_env, tmp_path) -> Iterator[tuple[str, Workers]]:
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    w = Workers(url, queue_env, tmp_path)
    yield url, w
    w.kill_all()


@pytest.fixture
def qdb(workers):
    from carbon.services.usecases import open_database

    database = open_database(workers[0], migrate=True)  # as `carbon db upgrade` leaves it
    yield database
    database.dispose()


def test_a_job_sent_to_celery_runs_on_a_worker_and_ends_done(workers, qdb):
    from api.app import create_app

    url, w = workers
    app = create_app({"DATABASE_URL": url, "TESTING": True, "JOBS": "celery"})
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_user(app, 'ops', 'admin')}"
    r = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(workbook("QG")), "g.xlsx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201 and r.json["job"]["status"] == "queued", r.json
    job_id = r.json["job"]["id"]
    w.start()
    deadline = time.monotonic() + 60
    while (job := client.get(f"/api/v1/jobs/{job_id}").json)["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, (job, w.output())
        time.sleep(0.2)
    assert job["status"] == "done" and job["attempts"] == 1, (job, w.output())
    assert job["result"]["ratings_written"] == 4
    app.extensions["carbon_jobs"].shutdown()
    app.extensions["carbon_db"].dispose()


def test_a_job_whose_worker_is_killed_runs_again_on_another_worker(workers, qdb):
    from carbon.services.queue import CeleryRunner

    _, w = workers
    job_id = ingest_only(qdb, workbook("QH"), "h.xlsx").job_id
    first = w.start(SLOW_HANDLER.format(seconds=120))  # slow: still running when it is killed
    CeleryRunner(qdb).submit(job_id)
    job = wait_until(qdb, job_id, ("running",), timeout=60)
    assert job["status"] == "running", (job, w.output())
    time.sleep(1)
    # (no heartbeat lands meanwhile: on SQLite a recomputation holds the write lock from its
    # start, so the beat waits for it; the lease runs from the claim)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed = time.monotonic()
    w.start()
    job = wait_until(qdb, job_id, ("done", "failed"), timeout=60)
    took = time.monotonic() - killed
    assert job["status"] == "done" and job["attempts"] == 2, (job, w.output())
    assert job["result"]["ratings_written"] == 4
    print(f"kill -9 -> done on a new worker in {took:.1f} s")
    assert took < 30, took


def test_the_same_recomputation_sent_twice_to_celery_runs_once(workers, qdb):
    from carbon.services.queue import CeleryRunner

    _, w = workers
    runner = CeleryRunner(qdb)
    a = ingest_only(qdb, workbook("QP"), "i.xlsx")
    runner.submit(a.job_id)
    b = ingest_only(qdb, workbook("QR"), "j.xlsx")
    runner.submit(b.job_id)
    assert a.job_id == b.job_id
    w.start()
    job = wait_until(qdb, a.job_id, ("done", "failed"), timeout=60)
    assert job["status"] == "done" and job["attempts"] == 1, (job, w.output())
    assert job["result"]["ratings_written"] == 8  # both files' enterprises, in one run
    with qdb.read() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 1


def test_a_job_that_raises_is_retried_then_failed_with_the_reason(workers, qdb):
    from carbon.services.queue import CeleryRunner

    _, w = workers
    job_id = ingest_only(qdb, workbook("QT"), "k.xlsx").job_id
    w.start(FAILING_HANDLER)
    CeleryRunner(qdb).submit(job_id)
    job = wait_until(qdb, job_id, ("done", "failed"), timeout=60)
    assert job["status"] == "failed" and job["attempts"] == 3, (job, w.output())
    assert job["error"] == "internal error (RuntimeError) / 内部错误 (attempt 3 of 3, the last / 已尝试3次)"


def test_a_merged_job_shows_each_requester_only_their_own_request(app, client):
    """Two enterprises' uploads merged into one queued job: each may read the job, but the
    requests that joined it (other people's uploads) are shown only to their own requester."""
    from conftest import make_user

    from carbon.domain.identifiers import make_uscc
    from carbon.services import jobs as job_service
    from carbon.store.models import User

    tokens = {u: make_user(app, u, "enterprise", usccs=[make_uscc(f"9133080200MERGE{i:02d}")])
              for i, u in enumerate(("firm-a", "firm-b"))}  # fmt: skip
    db = app.extensions["carbon_db"]
    with db.unit_of_work() as s:
        ids = {u.username: u.id for u in s.scalars(select(User))}
        job = job_service.enqueue_recompute(
            s, [2031], reason="import", import_id=None, requested_by=ids["firm-a"]
        )
        job_service.enqueue_recompute(s, [2031], reason="import", import_id=None, requested_by=ids["firm-b"])
        job_id = job.id

    def seen_by(user: str) -> dict:
        c = app.test_client()
        c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user]}"
        r = c.get(f"/api/v1/jobs/{job_id}")
        assert r.status_code == 200, r.json
        return r.json

    assert "merged" not in seen_by("firm-a")["params"]  # firm-b's request is not firm-a's to see
    assert [m["requested_by"] for m in seen_by("firm-b")["params"]["merged"]] == [ids["firm-b"]]
    assert [m["requested_by"] for m in client.get(f"/api/v1/jobs/{job_id}").json["params"]["merged"]] == [
        ids["firm-b"]
    ]
