"""Recomputation as an in-process job: queued with the import, run on a worker thread."""

from __future__ import annotations

import io
import time

from conftest import configure, make_user
from sqlalchemy import select

from carbon.services import jobs as jobs_service
from carbon.services.imports import import_file as ingest_only
from carbon.store.models import Job


def test_import_queues_a_job_that_the_worker_thread_runs(db_url, sample_files):
    from api.app import create_app

    app = create_app({"DATABASE_URL": db_url, "JOBS": "thread"})
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_user(app, 'ops', 'admin')}"
    f = sample_files[1]
    r = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(f.read_bytes()), f.name)},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201
    job_id = r.json["job"]["id"]
    deadline = time.monotonic() + 60
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}").json
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert job["status"] == "done", job
    assert job["result"]["years"] == [2022, 2023] and job["result"]["ratings_written"] > 0
    uscc = r.json["enterprises"][0]
    assert client.get(f"/api/v1/enterprises/{uscc}/ratings/2023").status_code == 200
    assert client.get("/api/v1/jobs/999999").status_code == 404
    app.extensions["carbon_jobs"].shutdown()
    app.extensions["carbon_db"].dispose()


def test_a_job_left_queued_runs_when_the_next_runner_starts(db, sample_files):
    f = sample_files[2]
    result = ingest_only(db, f.read_bytes(), f.name)  # commits inputs and a queued job only
    assert result.job_id is not None
    with db.read() as s:
        assert s.get(Job, result.job_id).status == "queued"
    runner = jobs_service.InProcessRunner(db, "eager")
    runner.run_pending()
    with db.read() as s:
        job = s.get(Job, result.job_id)
        assert job.status == "done" and job.result["ratings_written"] > 0
        assert not s.scalars(select(Job).where(Job.status == "queued")).all()
    # Running it again is a no-op: a job is claimed once.
    assert jobs_service.run_job(db, result.job_id).status == "done"


def test_a_job_that_collides_with_another_recomputation_runs_again(db, sample_files, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    f = sample_files[3]
    result = ingest_only(db, f.read_bytes(), f.name)
    real = jobs_service.HANDLERS["recompute"]
    calls = []

    def flaky(session, job):
        calls.append(job.id)
        if len(calls) == 1:
            raise IntegrityError("insert", {}, Exception("uq_ratings_current"))
        return real(session, job)

    monkeypatch.setitem(jobs_service.HANDLERS, "recompute", flaky)
    job = jobs_service.run_job(db, result.job_id)
    assert job.status == "done" and len(calls) == 2


def test_a_job_that_keeps_failing_is_marked_failed_with_a_message(db, sample_files, monkeypatch):
    f = sample_files[4]
    result = ingest_only(db, f.read_bytes(), f.name)

    def broken(session, job):
        raise RuntimeError("boom")

    monkeypatch.setitem(jobs_service.HANDLERS, "recompute", broken)
    configure(monkeypatch, db, "jobs", backoff_s=(0.05, 0.05))
    job = jobs_service.run_job(db, result.job_id)  # one attempt: queued again after a backoff
    assert job.status == "queued" and job.attempts == 1 and job.run_after is not None
    assert job.error.startswith("internal error (RuntimeError) / 内部错误 (attempt 1 of 3"), job.error
    job = jobs_service.run_to_end(db, result.job_id)
    assert job.status == "failed" and job.attempts == 3
    assert job.error == "internal error (RuntimeError) / 内部错误 (attempt 3 of 3, the last / 已尝试3次)"
