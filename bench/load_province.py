"""A province's worth of data, loaded through the importer: 200,000 enterprises × 3 years.

    ./dev.sh bench province --db postgresql+psycopg://postgres@127.0.0.1:5432/carbon_province
        [--enterprises 200000] [--shard 20000] [--years 2022 2023 2024]

The enterprises are generated in shards of ``--shard`` (bench/make_workbook.py's rows, a
seed per shard, USCCs numbered across the shards so none repeats), each shard one
template workbook of every month of every year (720,000 rows for 20,000 enterprises × 3
years; kept under bench/out/). Each workbook is imported through the service's import
(the same call as an upload, validation and archive included; the recomputation each
queues is left to one run at the end), then every year is recomputed once (accounts,
both ratings, benchmarks) and the tables analysed. Each step prints its time; a shard
already imported is recognised by its digest and skipped, so an interrupted load can be
run again.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT  # noqa: E402


def _numbered(rows: Iterator[dict[str, Any]], first: int) -> Iterator[dict[str, Any]]:
    """The rows with USCCs renumbered from ``first``: region and random tail kept."""
    from carbon.domain.identifiers import USCC_CHARSET, make_uscc

    seen: dict[str, str] = {}
    for row in rows:
        old = row["uscc"]
        new = seen.get(old)
        if new is None:
            n, digits = first, []
            for _ in range(5):
                n, d = divmod(n, len(USCC_CHARSET))
                digits.append(USCC_CHARSET[d])
            new = make_uscc("91" + old[2:8] + "".join(reversed(digits)) + old[13:17])
            seen = {old: new}  # rows come enterprise by enterprise
            first += 1
        yield {**row, "uscc": new}


def _write(rows: Iterator[dict[str, Any]], path: Path) -> None:
    """The template layout, header and data, written by xlsxwriter in constant memory
    (a few times faster than the service's streaming writer, which keeps each column's
    number format; the importer reads the same values from both)."""
    import xlsxwriter  # type: ignore[import-untyped]

    from importers.layout import TEMPLATE_COLUMNS
    from importers.template_writer import SHEET_NAME

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet(SHEET_NAME["zh"])
    ws.write_row(0, 0, [c.header("zh") for c in TEMPLATE_COLUMNS])
    keys = [c.key for c in TEMPLATE_COLUMNS]
    for r, row in enumerate(rows, start=1):
        for j, key in enumerate(keys):
            v = row.get(key)
            if isinstance(v, str):
                ws.write_string(r, j, v)
            elif v is not None:
                ws.write_number(r, j, v)
    wb.close()


def shard_workbook(index: int, size: int, years: tuple[int, ...]) -> Path:
    from bench.make_workbook import make_rows

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"province-{index}-{size}-{'-'.join(map(str, years))}.xlsx"
    if not path.exists():
        t = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        _write(_numbered(make_rows(size, years, seed=1000 + index), index * size), tmp)
        tmp.rename(path)
        print(f"  shard {index}: generated {path.name} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="database URL (PostgreSQL for the province)")
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--shard", type=int, default=20_000)
    parser.add_argument("--years", type=int, nargs="+", default=[2022, 2023, 2024])
    args = parser.parse_args()
    years = tuple(sorted(args.years))

    from sqlalchemy import func, select, text, update

    from carbon.services.auth import SYSTEM
    from carbon.services.imports import import_file  # the job it queues is run once, below
    from carbon.services.usecases import open_database, recalc
    from carbon.store.models import Job, MonthlyInput

    db = open_database(args.db, migrate=True)
    shards = (args.enterprises + args.shard - 1) // args.shard
    started = time.perf_counter()
    imported = 0.0
    for i in range(shards):
        size = min(args.shard, args.enterprises - i * args.shard)
        path = shard_workbook(i, size, years)
        t = time.perf_counter()
        res = import_file(db, path.read_bytes(), path.name)
        took = time.perf_counter() - t
        imported += took
        if res.status not in ("imported", "unchanged"):
            print(f"shard {i} was {res.status}: {res.errors[:3]}", file=sys.stderr)
            return 1
        print(
            f"  shard {i + 1}/{shards}: {res.status}, {res.rows_accepted:,} enterprise-months "
            f"in {took:.1f} s ({res.rows_accepted / max(took, 1e-9):,.0f}/s)",
            flush=True,
        )
    with db.unit_of_work() as s:  # the recomputation below covers every queued one
        s.execute(update(Job).where(Job.status == "queued").values(status="done"))
        months = s.scalar(select(func.count()).select_from(MonthlyInput))
    print(f"imported {months:,} enterprise-months in {imported:.0f} s", flush=True)
    t = time.perf_counter()
    res = recalc(db, list(years), None, None, dry_run=False, by=SYSTEM)
    print(
        f"recomputed {', '.join(map(str, years))}: {res['accounts_written']:,} accounts, "
        f"{res['ratings_written']:,} ratings in {time.perf_counter() - t:.0f} s",
        flush=True,
    )
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    print(f"province loaded in {time.perf_counter() - started:.0f} s")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
