"""Import benchmark: end-to-end import of a 240,000-row template workbook into SQLite,
against the bare python-calamine parse of the same file, in one run.

    .venv/bin/python bench/bench_import.py [--enterprises 20000]

Targets (issue 3): import time ≤ 2.0 × bare parse time; peak RSS of the import ≤ 600 MB.
Each phase runs in a fresh process, so each peak RSS is its own.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import measure, workbook  # noqa: E402


def bare_parse(path: str) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    rows = 0
    for name in wb.sheet_names:
        rows += len(wb.get_sheet_by_name(name).to_python())
    return rows


def full_import(path: str, db_url: str) -> dict[str, object]:
    from carbon.services.usecases import import_file, open_database

    db = open_database(db_url)
    result = import_file(db, Path(path).read_bytes(), Path(path).name)
    db.dispose()
    return {"status": result.status, "rows": result.rows_accepted, "errors": len(result.errors)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=20000)
    args = parser.parse_args()
    path = workbook(args.enterprises, (2023,))
    size_mb = path.stat().st_size / 1e6
    parse_s, parse_rss, rows = measure(bare_parse, str(path))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        import_s, import_rss, result = measure(full_import, str(path), url)
    ratio = import_s / parse_s
    print(f"workbook            {path.name} ({size_mb:.1f} MB, {rows - 1} data rows)")
    print(f"bare calamine parse {parse_s:7.2f} s   peak RSS {parse_rss:6.0f} MB")
    print(f"end-to-end import   {import_s:7.2f} s   peak RSS {import_rss:6.0f} MB   {result}")
    print(f"ratio import/parse  {ratio:7.2f}     (target ≤ 2.0)  {'OK' if ratio <= 2.0 else 'OVER'}")
    print(f"peak RSS import     {import_rss:7.0f} MB  (target ≤ 600) {'OK' if import_rss <= 600 else 'OVER'}")
    return 0 if result["status"] == "imported" else 1


if __name__ == "__main__":
    sys.exit(main())
