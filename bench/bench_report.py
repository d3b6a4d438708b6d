"""Monthly report benchmark: the xlsx and the PDF (with every chart) of a city's month.

    .venv/bin/python bench/bench_report.py [--enterprises 2000] [--runs 3] [--rebuild]

Two databases, built once and not timed:

- the demo city: what ``carbon demo`` builds (the bundled sample_inputs/, 55 enterprises,
  imported into a fresh SQLite file by the same command, run in-process);
- a large city: the template workbook of ``bench.make_workbook`` (``--enterprises``,
  2022 and 2023) imported through ``import_file`` and computed, kept under bench/out/.

Each run renders one format in a fresh process through ``usecases.monthly_report_file``
(what ``GET /api/v1/reports/monthly`` calls), for 衢州市 (330800) 2023-12. The first call
in the process is timed (cold: it includes the renderer's lazy imports, as a server's first
request does), then a second one (warm). Wall and CPU seconds of both are printed; the
target applies to the cold xlsx + cold PDF: ≤ 2 s for the demo city, ≤ 5 s for the large one.
The verdict is given on both: on a machine shared with other work, wall time includes the
time spent waiting for a CPU (the load average is printed beside it).

``--profile`` prints where the time of each cold render goes (pyinstrument: ``pip install
-e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT, measure, workbook  # noqa: E402

REGION = "330800"  # 衢州市: all six counties of the sample and generated data
MONTH = "2023-12"
YEARS = (2022, 2023)
FORMATS = ("xlsx", "pdf")
TARGETS = {"demo": 2.0, "large": 5.0}


def build_demo(db_url: str) -> str:
    """``carbon demo --no-serve --db URL``, in this process: the demo's own code path."""
    from click.testing import CliRunner

    from api.cli import cli

    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--db", db_url], catch_exceptions=False)
    if result.exit_code != 0:
        raise RuntimeError(f"carbon demo failed ({result.exit_code}): {result.output[-2000:]}")
    return result.output.splitlines()[0] if result.output else ""


def build_large(path: str, db_url: str) -> int:
    """Import the generated workbook through the service (its recompute job runs eagerly)."""
    from carbon.services.auth import SYSTEM
    from carbon.services.usecases import import_file, open_database, recalc

    db = open_database(db_url, migrate=True)
    result = import_file(db, Path(path).read_bytes(), Path(path).name, by=SYSTEM)
    if result.status == "rejected":
        raise RuntimeError(f"import rejected: {result}")
    recalc(db, list(YEARS), None, None, dry_run=False, by=SYSTEM)  # the accounts and ratings, surely
    db.dispose()
    return int(result.rows_accepted)


def render(db_url: str, fmt: str, out: str | None, profile: bool = False) -> dict[str, Any]:
    """Render ``fmt`` twice in this (fresh) process: cold, then warm. Seconds, CPU seconds, size
    (and with ``profile`` the pyinstrument profile of the cold render, as text)."""
    from carbon.services.auth import SYSTEM
    from carbon.services.usecases import monthly_report_file, open_database

    db = open_database(db_url, migrate=True)  # a cached file from an older schema, too
    times: list[tuple[float, float]] = []
    data, text = b"", ""
    for i in range(2):
        profiler = None
        if profile and i == 0:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
        wall, cpu = time.perf_counter(), time.process_time()
        data, name = monthly_report_file(db, REGION, MONTH, fmt, by=SYSTEM)  # type: ignore[arg-type]
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
        if profiler is not None:
            profiler.stop()
            text = profiler.output_text(unicode=True)
    db.dispose()
    if out:
        Path(out, name).write_bytes(data)
    return {"cold": times[0], "warm": times[1], "bytes": len(data), "profile": text}


def _median(values: list[float]) -> float:
    s = sorted(values)
    return s[len(s) // 2]


def bench(label: str, db_url: str, runs: int, out: str | None, profile: bool = False) -> bool:
    cold: dict[str, list[tuple[float, float]]] = {f: [] for f in FORMATS}
    warm: dict[str, list[tuple[float, float]]] = {f: [] for f in FORMATS}
    size: dict[str, int] = {}
    for fmt in FORMATS if profile else ():  # an extra run each, not timed
        text = measure(render, db_url, fmt, None, True)[2]["profile"]
        print(f"--- {label} {fmt}: profile of a cold render (an extra run, not counted)\n{text}")
    for i in range(runs):
        for fmt in FORMATS:
            res = measure(render, db_url, fmt, out if i == 0 else None)[2]
            cold[fmt].append(res["cold"])
            warm[fmt].append(res["warm"])
            size[fmt] = res["bytes"]
    total_wall = total_cpu = 0.0
    for fmt in FORMATS:
        cw, cc = _median([t[0] for t in cold[fmt]]), _median([t[1] for t in cold[fmt]])
        ww, wc = _median([t[0] for t in warm[fmt]]), _median([t[1] for t in warm[fmt]])
        total_wall += cw
        total_cpu += cc
        print(
            f"  {label} {fmt:<4}: cold {cw:5.2f} s wall, {cc:5.2f} s CPU; "
            f"warm {ww:5.2f} s wall, {wc:5.2f} s CPU; {size[fmt] / 1024:,.0f} KiB"
        )
    target = TARGETS[label]
    print(f"  {label} xlsx + pdf (cold, median of {runs}): {total_wall:.2f} s wall, {total_cpu:.2f} s CPU")
    ok = total_wall <= target
    verdict = "OK" if ok else "OVER"
    print(
        f"target ≤ {target:g} s ({label}): {verdict} on wall time {total_wall:.2f} s; "
        f"{'OK' if total_cpu <= target else 'OVER'} on CPU time {total_cpu:.2f} s "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: wall time waits for a CPU)"
    )
    return ok


def _large_db(enterprises: int, rebuild: bool) -> Path:
    """The large city's SQLite file, built once under bench/out/."""
    path = OUT / f"report-{enterprises}-{'-'.join(map(str, YEARS))}.db"
    if rebuild:
        path.unlink(missing_ok=True)
    if not path.exists():
        source = workbook(enterprises, YEARS)
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        t = time.perf_counter()
        rows = measure(build_large, str(source), f"sqlite:///{tmp}")[2]
        tmp.rename(path)
        print(f"built {path.name}: {rows} enterprise-months in {time.perf_counter() - t:.1f} s (not timed)")
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=2000, help="the large city (default 2000)")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per format (median)")
    parser.add_argument("--rebuild", action="store_true", help="build the large database again")
    parser.add_argument("--only", choices=("demo", "large"), help="one city only")
    parser.add_argument("--out", help="folder to keep the reports of the first run in")
    parser.add_argument("--profile", action="store_true", help="print a profile of each cold render")
    args = parser.parse_args()
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        if args.only != "large":
            url = f"sqlite:///{tmp}/demo.db"
            t = time.perf_counter()
            measure(build_demo, url)
            print(f"built the demo city (carbon demo) in {time.perf_counter() - t:.1f} s (not timed)")
            out = str(Path(args.out, "demo")) if args.out else None
            if out:
                Path(out).mkdir(exist_ok=True)
            ok &= bench("demo", url, args.runs, out, args.profile)
        if args.only != "demo":
            # A copy: the report records reads (audit), so the cached file stays as built.
            db = shutil.copy(_large_db(args.enterprises, args.rebuild), Path(tmp, "large.db"))
            print(f"large city: {args.enterprises:,} enterprises, {'+'.join(map(str, YEARS))}")
            out = str(Path(args.out, "large")) if args.out else None
            if out:
                Path(out).mkdir(exist_ok=True)
            ok &= bench("large", f"sqlite:///{db}", args.runs, out, args.profile)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
