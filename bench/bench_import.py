"""Import benchmark: end-to-end import of a 240,000-row template workbook into SQLite,
against the bare python-calamine parse of the same file, in one run.

    .venv/bin/python bench/bench_import.py [--enterprises 20000]

Targets (issue 3): import time ≤ 2.0 × bare parse time; peak RSS of the import ≤ 600 MB.
Target (issue 4): the same 240,000 enterprise-months in the messy register layout
(bench/make_messy_workbook.py: title rows, a two-row header with merged group cells,
shuffled columns and units, 5 % of numbers as text, a 小计 row per enterprise, a sheet
per county) import end to end within 1.5 × the template layout's time, in the same run.
Each phase runs in a fresh process, so each peak RSS is its own.

The import (read, validate, store every enterprise-month, archive the file, queue the
recomputation) commits before the recomputation job runs, as in the service; the job
is timed on its own and the sum is printed too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import measure, messy_workbook, workbook  # noqa: E402


def bare_parse(path: str) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    rows = 0
    for name in wb.sheet_names:
        rows += len(wb.get_sheet_by_name(name).to_python())
    return rows


def full_import(path: str, db_url: str) -> dict[str, object]:
    import time

    from carbon.services.imports import import_file
    from carbon.services.jobs import run_job
    from carbon.services.usecases import open_database

    db = open_database(db_url, migrate=True)  # a fresh file each run
    t = time.perf_counter()
    result = import_file(db, Path(path).read_bytes(), Path(path).name)
    imported = time.perf_counter() - t
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
        "job_s": recomputed,
        "job": job.status,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3, help="alternating runs of each phase")
    args = parser.parse_args()
    path = workbook(args.enterprises, (2023,))
    size_mb = path.stat().st_size / 1e6
    parse, imp, job, rss_parse, rss_import = [], [], [], [], []
    result: dict[str, object] = {}
    messy = messy_workbook(args.enterprises, (2023,))
    messy_imp: list[float] = []
    messy_result: dict[str, object] = {}
    for _ in range(args.runs):
        parse_s, rss, rows = measure(bare_parse, str(path))
        parse.append(parse_s)
        rss_parse.append(rss)
        with tempfile.TemporaryDirectory() as tmp:
            _, rss, result = measure(full_import, str(path), f"sqlite:///{tmp}/bench.db")
        imp.append(float(result["import_s"]))  # type: ignore[arg-type]
        job.append(float(result["job_s"]))  # type: ignore[arg-type]
        rss_import.append(rss)
        with tempfile.TemporaryDirectory() as tmp:
            _, rss, messy_result = measure(full_import, str(messy), f"sqlite:///{tmp}/bench.db")
        messy_imp.append(float(messy_result["import_s"]))  # type: ignore[arg-type]
        rss_import.append(rss)
    if messy_result["rows"] != result["rows"]:
        print(f"messy workbook: {messy_result['rows']} rows imported, template {result['rows']}")
        return 1
    messy_ratios = [m / i for m, i in zip(messy_imp, imp, strict=True)]
    ratios = [i / p for i, p in zip(imp, parse, strict=True)]
    totals = [(i + j) / p for i, j, p in zip(imp, job, parse, strict=True)]

    def stats(xs: list[float], unit: str = "s") -> str:
        return f"min {min(xs):6.2f} {unit}  median {median(xs):6.2f} {unit}"

    print(f"workbook            {path.name} ({size_mb:.1f} MB, {rows - 1} data rows), {args.runs} runs each")
    print(f"bare calamine parse {stats(parse)}   peak RSS {max(rss_parse):.0f} MB")
    print(f"end-to-end import   {stats(imp)}   (read, validate, store, archive, queue the job)")
    print(f"recompute job       {stats(job)}   (accounts + both ratings of the year, {result['job']})")
    print(f"ratio import/parse  {stats(ratios, '×')}   (per run; target ≤ 2.0)")
    print(f"ratio (import+job)/parse {stats(totals, '×')}")
    print(f"messy layout import {stats(messy_imp)}   ({messy.name}, {messy.stat().st_size / 1e6:.1f} MB)")
    print(f"ratio messy/template {stats(messy_ratios, '×')}   (per run; target ≤ 1.5)")
    print(f"peak RSS import+job {max(rss_import):6.0f} MB   (target ≤ 600 MB)")
    return 0 if result["status"] == messy_result["status"] == "imported" else 1


if __name__ == "__main__":
    sys.exit(main())
