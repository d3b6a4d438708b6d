"""Import benchmark: end-to-end import of a 240,000-row template workbook, against the bare
python-calamine parse of the same file, in one run; into SQLite (a fresh file each run) or,
with ``--db``, PostgreSQL (a fresh database each run, created beside the URL's and dropped).

    .venv/bin/python bench/bench_import.py [--enterprises 20000] [--runs 3]
    .venv/bin/python bench/bench_import.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test \
        [--method copy|insert]

Targets (issue 15): import time ≤ 1.5 × bare parse time; peak RSS of the import ≤ 500 MB.
(Issue 3 had 2.0 × and 600 MB.) ``--method`` chooses how monthly inputs are written on
PostgreSQL: COPY (the default, "auto") or the executemany of INSERTs ("insert").
Target (issue 4): the same 240,000 enterprise-months in the messy register layout
(bench/make_messy_workbook.py: title rows, a two-row header with merged group cells,
shuffled columns and units, 5 % of numbers as text, a 小计 row per enterprise, a sheet
per county) import end to end within 1.5 × the template layout's time, in the same run.
Each phase runs in a fresh process, so each peak RSS is its own; CPU seconds (all threads
of the process) are printed beside the wall time, which other work on the machine skews.

The import (read, validate, store every enterprise-month, archive the file, queue the
recomputation) commits before the recomputation job runs, as in the service; the job
is timed on its own and the sum is printed too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import measure, messy_workbook, workbook  # noqa: E402


def bare_parse(path: str) -> dict[str, float]:
    import time

    from python_calamine import CalamineWorkbook

    cpu = time.process_time()
    wb = CalamineWorkbook.from_path(path)
    rows = 0
    for name in wb.sheet_names:
        rows += len(wb.get_sheet_by_name(name).to_python())
    return {"rows": rows, "cpu_s": time.process_time() - cpu}


def full_import(path: str, db_url: str, method: str = "auto") -> dict[str, object]:
    import resource
    import time

    from carbon.services import imports
    from carbon.services.imports import import_file
    from carbon.services.jobs import run_job
    from carbon.services.usecases import open_database

    imports._ChunkWriter.method = method  # type: ignore[assignment]  # noqa: SLF001 - the bench's choice
    db = open_database(db_url, migrate=True)  # a fresh database each run
    data = Path(path).read_bytes()
    t, cpu = time.perf_counter(), time.process_time()
    result = import_file(db, data, Path(path).name)
    imported, imported_cpu = time.perf_counter() - t, time.process_time() - cpu
    import_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the job
    assert result.job_id is not None
    t = time.perf_counter()
    job = run_job(db, result.job_id)
    recomputed = time.perf_counter() - t
    db.dispose()
    return {
        "status": result.status,
        "rows": result.rows_accepted,
        "errors": len(result.errors),
        "import_s": imported,
        "import_cpu_s": imported_cpu,
        "import_rss_mb": import_rss,
        "job_s": recomputed,
        "job": job.status,
    }


@contextmanager
def fresh_database(db: str | None, n: int) -> Iterator[str]:
    """A URL of an empty database: a new SQLite file, or a new PostgreSQL database on the
    server of ``db`` (dropped afterwards)."""
    if db is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    import os

    from sqlalchemy import create_engine, make_url, text

    url = make_url(db)
    name = f"bench_import_{os.getpid()}_{n}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3, help="alternating runs of each phase")
    parser.add_argument("--db", help="a PostgreSQL URL (a database is created beside it); default SQLite")
    parser.add_argument("--method", choices=("auto", "copy", "insert"), default="auto",
                        help="how monthly inputs are written on PostgreSQL (auto: COPY)")  # fmt: skip
    args = parser.parse_args()
    path = workbook(args.enterprises, (2023,))
    size_mb = path.stat().st_size / 1e6
    parse, parse_cpu, imp, imp_cpu, job, rss_parse, rss_import, rss_alone = [], [], [], [], [], [], [], []
    result: dict[str, object] = {}
    messy = messy_workbook(args.enterprises, (2023,))
    messy_imp: list[float] = []
    messy_result: dict[str, object] = {}
    n = 0
    for _ in range(args.runs):
        # the bare parse and the import back to back, so that each ratio compares like with like
        parse_s, rss, parsed = measure(bare_parse, str(path))
        rows = int(parsed["rows"])
        parse.append(parse_s)
        parse_cpu.append(parsed["cpu_s"])
        rss_parse.append(rss)
        with fresh_database(args.db, n := n + 1) as url:
            _, rss, result = measure(full_import, str(path), url, args.method)
        imp.append(float(result["import_s"]))  # type: ignore[arg-type]
        imp_cpu.append(float(result["import_cpu_s"]))  # type: ignore[arg-type]
        job.append(float(result["job_s"]))  # type: ignore[arg-type]
        rss_import.append(rss)
        rss_alone.append(float(result["import_rss_mb"]))  # type: ignore[arg-type]
        with fresh_database(args.db, n := n + 1) as url:
            _, rss, messy_result = measure(full_import, str(messy), url, args.method)
        messy_imp.append(float(messy_result["import_s"]))  # type: ignore[arg-type]
        rss_import.append(rss)
        rss_alone.append(float(messy_result["import_rss_mb"]))  # type: ignore[arg-type]
    if messy_result["rows"] != result["rows"]:
        print(f"messy workbook: {messy_result['rows']} rows imported, template {result['rows']}")
        return 1
    messy_ratios = [m / i for m, i in zip(messy_imp, imp, strict=True)]
    ratios = [i / p for i, p in zip(imp, parse, strict=True)]
    cpu_ratios = [i / p for i, p in zip(imp_cpu, parse_cpu, strict=True)]
    totals = [(i + j) / p for i, j, p in zip(imp, job, parse, strict=True)]

    def stats(xs: list[float], unit: str = "s") -> str:
        return f"min {min(xs):6.2f} {unit}  median {median(xs):6.2f} {unit}"

    where = "SQLite" if args.db is None else f"PostgreSQL ({args.method})"
    print(f"workbook            {path.name} ({size_mb:.1f} MB, {rows - 1} data rows), {args.runs} runs each")
    print(f"database            {where}")
    print(f"bare calamine parse {stats(parse)}   CPU {stats(parse_cpu)}   peak RSS {max(rss_parse):.0f} MB")
    print(f"end-to-end import   {stats(imp)}   CPU {stats(imp_cpu)}")
    print("                    (read, validate, store, archive, queue the job)")
    print(f"recompute job       {stats(job)}   (accounts + both ratings of the year, {result['job']})")
    print(f"ratio import/parse  {stats(ratios, '×')}   (per run, wall; target ≤ 1.5)")
    print(f"ratio import/parse  {stats(cpu_ratios, '×')}   (per run, CPU of all threads)")
    print(f"ratio (import+job)/parse {stats(totals, '×')}")
    print(f"messy layout import {stats(messy_imp)}   ({messy.name}, {messy.stat().st_size / 1e6:.1f} MB)")
    print(f"ratio messy/template {stats(messy_ratios, '×')}   (per run; target ≤ 1.5)")
    print(f"peak RSS import     {max(rss_alone):6.0f} MB   (either layout, before the job; target ≤ 500 MB)")
    print(f"peak RSS import+job {max(rss_import):6.0f} MB   (the job runs in the same process)")
    return 0 if result["status"] == messy_result["status"] == "imported" else 1


if __name__ == "__main__":
    sys.exit(main())
