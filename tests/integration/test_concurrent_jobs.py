"""Eight uploads at once on one database (PostgreSQL, and SQLite), their recomputations on worker threads:
every job ends done (each read one snapshot; a collision is run again) and every
enterprise has its accounts and ratings (issue 12, item 8)."""

from __future__ import annotations

import threading
import time

from conftest import configure
from sqlalchemy import func, select

from carbon.domain.identifiers import make_uscc
from carbon.services import usecases
from carbon.services.auth import cli_principal
from carbon.services.jobs import InProcessRunner
from carbon.store.models import AccountRow, Job, RatingRow
from importers.template import write_template

UPLOADS = 8
PER_FILE = 12


def workbook(n: int) -> bytes:
    rows = [
        {"uscc": make_uscc(f"91330802CJ{n:02d}{i:05d}"), "name": f"并发任务{n}-{i}", "industry_code": "3011",
         "region_code": "330802", "month": f"{y}-{m:02d}", "electricity": 1.0 + n + i / 10,
         "value_added": 10.0 + i}
        for i in range(PER_FILE) for y in (2022, 2023) for m in range(1, 13)
    ]  # fmt: skip
    return write_template(rows)


def wait_for_jobs(db, timeout: float) -> list:
    deadline = time.monotonic() + timeout
    while True:
        with db.read() as s:
            jobs = s.execute(select(Job.id, Job.status, Job.error, Job.attempts)).all()
        if all(j.status in ("done", "failed") for j in jobs) or time.monotonic() > deadline:
            return jobs
        time.sleep(0.2)


def test_eight_concurrent_uploads_all_recomputed(db, monkeypatch):
    configure(monkeypatch, db, "jobs", backoff_s=(0.2, 0.5, 1.0))
    files = [workbook(n) for n in range(UPLOADS)]
    runner = InProcessRunner(db, "thread", threads=4)
    barrier = threading.Barrier(UPLOADS)
    errors: list[BaseException] = []

    def upload(n: int) -> None:
        barrier.wait()
        try:
            res = usecases.import_file(db, files[n], f"f{n}.xlsx", by=cli_principal("test"), runner=runner)
            assert res.status == "imported", res.as_dict()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(UPLOADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert not errors, errors
        jobs = wait_for_jobs(db, timeout=180)
    finally:
        runner.shutdown()
    assert jobs and all(j.status == "done" for j in jobs), jobs
    with db.read() as s:
        for model in (AccountRow, RatingRow):
            counts = dict(
                s.execute(
                    select(model.year, func.count()).where(model.is_current.is_(True)).group_by(model.year)
                ).all()
            )
            assert counts == {2022: UPLOADS * PER_FILE, 2023: UPLOADS * PER_FILE}, (model.__name__, counts)
