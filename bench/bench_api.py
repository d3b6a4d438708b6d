"""API benchmark: the service against a Flask hello-world under the same server, one run.

    ./dev.sh bench api [--what rating|page] [--db URL] [--server waitress|gunicorn]
                       [--workers 2] [--threads 8] [--connections 16] [--seconds 10]

Both apps are served by the same server with the same threads (and workers), one after
the other, in child processes of this one, and loaded by ``wrk`` (Debian's package,
``./dev.sh bench`` installs it) from another child with the same connections:

- ``rating``: one enterprise's rating of a year, read by the demo bank under the
  enterprise's consent, so every request also writes its audit entry. Targets: ≥ 25 % of
  the hello-world's requests per second, p99 ≤ 50 ms.
- ``page``: a page of 20 current ratings read by an administrator (each enterprise on the
  page is an audited read), walking pages with the ``after`` cursor the previous answer
  gave, from a Lua script. Target on PostgreSQL with 200,000 enterprises: p99 ≤ 100 ms.

Without ``--db`` the demo (the bundled sample workbooks, as ``carbon demo`` makes them) is
built in a fresh SQLite file. Any answer but 200 fails the run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def carbon(db_url: str, *args: str, stdin: str | None = None) -> str:
    out = subprocess.run(
        [str(BIN / "carbon"), *args, "--db", db_url], check=True, capture_output=True, text=True, cwd=ROOT,
        input=stdin,
    )  # fmt: skip
    return out.stdout


def serve(
    app: str, db_url: str, server: str, workers: int, threads: int
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "CARBON_DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    if server == "waitress":
        cmd = [str(BIN / "waitress-serve"), f"--threads={threads}", f"--port={port}", "--host=127.0.0.1", app]
    else:
        cmd = [
            str(BIN / "gunicorn"), "-w", str(workers), "-k", "gthread", "--threads", str(threads),
            "-b", f"127.0.0.1:{port}", "--log-level", "warning", app,
        ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{app} did not start")


PAGE_LUA = """
local after = nil
request = function()
  local path = "{path}"
  if after then path = path .. "&after=" .. after end
  return wrk.format("GET", path, {{["Authorization"] = "Bearer {token}"}})
end
response = function(status, headers, body)
  local nxt = headers["X-Next-After"]
  if nxt and nxt ~= "" then after = nxt else after = nil end
end
"""


def load(
    url: str, token: str | None, connections: int, seconds: int, lua: str | None = None
) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if token and not lua:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        if lua:
            f.write(lua)
            cmd += ["-s", f.name]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    os.unlink(f.name)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise RuntimeError(f"{bad.group(1)} answers were not 200:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99 is not None, out
    ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return {"rps": rps, "p99_ms": ms}


def prepare(db_url: str | None, tmp: str, what: str) -> tuple[str, str, str]:
    """(database URL, the path to load, a token of the reader)."""
    if db_url is None:
        db_url = f"sqlite:///{tmp}/demo.db"
        t = time.perf_counter()
        carbon(db_url, "demo", "--no-serve")
        print(f"demo built in {time.perf_counter() - t:.1f} s (not timed)", file=sys.stderr)
    elif what == "rating":  # the demo's users and consent, in the database given
        carbon(db_url, "demo", "--no-serve")
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from carbon.store.db import Database
    from carbon.store.models import Consent, RatingRow

    db = Database(db_url)
    with db.read() as s:
        year = s.scalar(select(func.max(RatingRow.year)))
        uscc = s.scalar(select(Consent.uscc).where(Consent.institution.like("%demo bank%")).limit(1))
    db.dispose()
    if what == "rating":
        user, scopes, path = "demo-bank", ["read"], f"/api/v1/enterprises/{uscc}/ratings/{year}"
    else:
        if "demo-admin" not in carbon(db_url, "users", "list"):
            password = secrets.token_urlsafe(16)
            carbon(
                db_url, "users", "create", "demo-admin", "--role", "admin", "--password-stdin", stdin=password
            )
        user, scopes, path = "demo-admin", ["read"], f"/api/v1/ratings?year={year}&page_size=20"
    token = json.loads(
        carbon(
            db_url,
            "tokens",
            "create",
            user,
            "--name",
            "bench",
            *sum((["--scope", s] for s in scopes), []),
            "--json",
        )  # fmt: skip
    )["token"]
    return db_url, path, token


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--what", choices=("rating", "page"), default="rating")
    parser.add_argument("--db", help="database URL (default: the demo in a fresh SQLite file)")
    parser.add_argument("--server", choices=("waitress", "gunicorn"), default="waitress")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: run ./dev.sh bench api (it installs it)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        db_url, path, token = prepare(args.db, tmp, args.what)
        results = {}
        for name, app in (("hello-world", "bench.hello_app:app"), ("service", "wsgi:app")):
            proc, base = serve(app, db_url, args.server, args.workers, args.threads)
            try:
                target = base + ("/" if name == "hello-world" else path)
                lua = None
                if name == "service" and args.what == "page":
                    lua = PAGE_LUA.format(path=path, token=token)
                load(target, token, args.connections, 2, lua)  # warm up
                results[name] = load(target, token, args.connections, args.seconds, lua)
            finally:
                proc.terminate()
                proc.wait()
    hello, svc = results["hello-world"], results["service"]
    ratio = svc["rps"] / hello["rps"]
    where = "SQLite" if db_url.startswith("sqlite") else "PostgreSQL"
    server = (
        args.server
        + (f" -w {args.workers}" if args.server == "gunicorn" else "")
        + f", {args.threads} threads"
    )
    print(f"{args.what} on {where}, {server}, wrk -c{args.connections} for {args.seconds} s: {path}")
    print(f"  hello-world {hello['rps']:8.0f} req/s  p99 {hello['p99_ms']:7.1f} ms")
    print(f"  service     {svc['rps']:8.0f} req/s  p99 {svc['p99_ms']:7.1f} ms  ({ratio:.1%} of hello-world)")
    if args.what == "rating":
        ok = ratio >= 0.25 and svc["p99_ms"] <= 50
        print(f"target ≥ 25 % and p99 ≤ 50 ms: {'OK' if ok else 'OVER'}")
    else:
        print(f"target p99 ≤ 100 ms: {'OK' if svc['p99_ms'] <= 100 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
