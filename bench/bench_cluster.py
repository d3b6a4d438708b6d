"""Several API processes and job workers on one PostgreSQL database, measured together.

    ./dev.sh bench cluster [--api-workers 2] [--job-workers 2] [--uploads 6]
                           [--enterprises 1000] [--seconds 30]

Builds the demo in a fresh PostgreSQL database (``bench_cluster`` on 127.0.0.1:5432),
then starts gunicorn (``--api-workers`` processes, 8 threads each) with ``CARBON_JOBS=
celery`` and ``--job-workers`` ``carbon worker`` processes on Redis (a queue of its own).
For ``--seconds`` wrk reads one enterprise's rating as the demo bank (every read
audited) while this script uploads ``--uploads`` workbooks of ``--enterprises`` new
enterprises each (12 months) through the API, one after another, and follows the
recomputation job each queues until the workers have done it. Prints the reads' rate and
p99 during the uploads, each upload's answer time and each job's time from queued to done.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT  # noqa: E402
from bench.bench_api import BIN, ROOT, carbon, free_port  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
BROKER = "redis://127.0.0.1:6379/14"


def fresh_database(name: str) -> str:
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def workbooks(count: int, size: int) -> list[Path]:
    from bench.load_province import _numbered, _write
    from bench.make_workbook import make_rows

    OUT.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = OUT / f"cluster-{i}-{size}.xlsx"
        if not path.exists():  # USCCs numbered past the demo's and each other's
            _write(_numbered(make_rows(size, (2023,), seed=500 + i), 900_000 + i * size), path)
        paths.append(path)
    return paths


def request(method: str, url: str, token: str, body: bytes | None = None, ctype: str | None = None) -> dict:
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if ctype:
        req.add_header("Content-Type", ctype)
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read())


def upload(base: str, token: str, path: Path) -> dict:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return request("POST", base + "/api/v1/imports", token, body, f"multipart/form-data; boundary={boundary}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-workers", type=int, default=2)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--uploads", type=int, default=6)
    parser.add_argument("--enterprises", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()

    db_url = fresh_database("bench_cluster")
    carbon(db_url, "demo", "--no-serve")
    users = json.loads(carbon(db_url, "users", "list", "--json"))
    uscc = next(u["usccs"][0] for u in users if u["role"] == "enterprise")  # the bank's borrower
    year = 2023
    bank = json.loads(carbon(db_url, "tokens", "create", "demo-bank", "--name", "b", "--json"))["token"]
    admin = json.loads(
        carbon(
            db_url,
            "tokens",
            "create",
            "demo-admin",
            "--name",
            "a",
            "--scope",
            "read",
            "--scope",
            "write",
            "--json",
        )  # fmt: skip
    )["token"]
    files = workbooks(args.uploads, args.enterprises)

    queue = f"bench-{os.getpid()}"
    env = {
        **os.environ, "CARBON_DATABASE_URL": db_url, "CARBON_JOBS": "celery", "CARBON_BROKER_URL": BROKER,
        "CARBON_CELERY_QUEUE": queue, "CARBON_CELERY_KEY_PREFIX": queue, "PYTHONPATH": str(ROOT),
    }  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    procs = [
        subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-w",
                str(args.api_workers),
                "-k",
                "gthread",
                "--threads",
                "8",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--timeout",
                "600",
                "wsgi:app",
            ],
            env=env,
            cwd=ROOT,
        )  # fmt: skip
    ]
    procs += [
        subprocess.Popen(
            [str(BIN / "carbon"), "worker", "--loglevel", "WARNING"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(args.job_workers)
    ]
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        wrk = subprocess.Popen(
            ["wrk", "-t2", "-c16", f"-d{args.seconds}s", "--latency", "--timeout", "10s",
             "-H", f"Authorization: Bearer {bank}", f"{base}/api/v1/enterprises/{uscc}/ratings/{year}"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        started, jobs = time.perf_counter(), []
        for path in files:
            t = time.perf_counter()
            res = upload(base, admin, path)
            jobs.append((res["job"]["id"], time.perf_counter() - t, res["rows_accepted"]))
        waits = {}
        while len(waits) < len(jobs) and time.perf_counter() - started < 1800:
            for job_id, _, _ in jobs:
                if job_id not in waits:
                    job = request("GET", f"{base}/api/v1/jobs/{job_id}", admin)
                    if job["status"] in ("done", "failed"):
                        waits[job_id] = (job["status"], job)
            time.sleep(0.5)
        all_done = time.perf_counter() - started
        out, _ = wrk.communicate()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    print(
        f"gunicorn -w {args.api_workers} (8 threads) + {args.job_workers} Celery workers, PostgreSQL, "
        f"{args.uploads} uploads of {args.enterprises} enterprises x 12 months"
    )
    print(
        f"  rating reads during the uploads: {rps:.0f} req/s, p99 {p99}, "
        f"non-200: {bad.group(1) if bad else 0}"
    )
    for (job_id, took, rows), path in zip(jobs, files, strict=True):
        status, job = waits.get(job_id, ("not done", {}))
        span = ""
        if job.get("finished_at") and job.get("created_at"):
            done, queued = (datetime.fromisoformat(job[k]) for k in ("finished_at", "created_at"))
            span = f", queued to done {(done - queued).total_seconds():.1f} s"
        print(f"  {path.name}: {rows} rows, upload answered in {took:.1f} s; job {job_id} {status}{span}")
    print(f"  every upload's job done {all_done:.1f} s after the first upload started")
    return 0 if all(s == "done" for s, _ in waits.values()) and len(waits) == len(jobs) else 1


if __name__ == "__main__":
    sys.exit(main())
