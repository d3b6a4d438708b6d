"""Recompute benchmark: accounts and both ratings for 20,000 enterprises × 2 years.

    .venv/bin/python bench/bench_recompute.py [--enterprises 20000] [--db URL]

Loads a two-year template workbook (480,000 enterprise-months) once, removes the stored
results, then times the recalculation that computes and stores every account and rating
of 2022 and 2023 again (the same service call as ``carbon recalc``). Target: ≤ 5 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import measure, workbook  # noqa: E402


def prepare(path: str, db_url: str) -> int:
    from carbon.services.auth import SYSTEM
    from carbon.services.usecases import import_file, open_database

    db = open_database(db_url, migrate=True)  # a fresh file, or an older --db
    result = import_file(db, Path(path).read_bytes(), Path(path).name, by=SYSTEM)
    db.dispose()
    return result.rows_accepted


def recompute(db_url: str) -> dict[str, int]:
    """Remove every stored result, then time computing and storing all of them again."""
    from sqlalchemy import delete, update

    from carbon.services.auth import SYSTEM
    from carbon.services.usecases import open_database, recalc
    from carbon.store.models import AccountRow, BenchmarkRow, CalcRun, Job, RatingRow, YearPolicy

    db = open_database(db_url)
    with db.unit_of_work() as s:
        for model in (RatingRow, AccountRow, BenchmarkRow, YearPolicy):
            s.execute(delete(model))
        s.execute(update(Job).values(status="done"))
        s.execute(delete(CalcRun))
    t = time.perf_counter()
    res = recalc(db, [2022, 2023], None, None, dry_run=False, by=SYSTEM)
    elapsed = time.perf_counter() - t
    db.dispose()
    return {"accounts": res["accounts_written"], "ratings": res["ratings_written"], "ms": int(elapsed * 1000)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = workbook(args.enterprises, (2022, 2023))
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        t = time.perf_counter()
        rows = measure(prepare, str(path), url)[2]
        print(f"loaded {rows} enterprise-months in {time.perf_counter() - t:.1f} s (not timed)")
        runs = [measure(recompute, url) for _ in range(args.runs)]
    seconds = sorted(r[2]["ms"] / 1000 for r in runs)
    res, rss = runs[-1][2], max(r[1] for r in runs)
    print(
        f"recompute 2022+2023: min {seconds[0]:.2f} s, median {seconds[len(seconds) // 2]:.2f} s over "
        f"{args.runs} runs; {res['accounts']} accounts, {res['ratings']} ratings; peak RSS {rss:.0f} MB"
    )
    print(f"target ≤ 5 s: {'OK' if seconds[len(seconds) // 2] <= 5 else 'OVER'} (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
