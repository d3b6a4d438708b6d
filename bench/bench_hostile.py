"""Hostile uploads (issue 12 #9): each is refused (or, with many bad cells, rejected with a
bounded answer) quickly and in little memory. The files are built here and kept under
bench/out/:

- a 12.3 M-row xlsx (real rows, streamed into the zip; its dimension tells the truth);
- the same rows behind a dimension that lies (A1:B2): the rows are counted from the XML;
- a 46 MB CSV of one line;
- a CSV with 900,000 bad cells (450,000 rows), imported end to end into SQLite;
- three of the 12.3 M-row xlsx at once (three processes; their peak RSS summed).

    .venv/bin/python bench/bench_hostile.py

Targets: time to refusal < 2 s and peak RSS < 300 MB each; the 900 k-cell answer < 1 MB.
Each file is read in a fresh process (``bench._common.measure``): time excludes start-up,
peak RSS is the process's whole (interpreter and imports included, ~80 MB).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT, measure  # noqa: E402

ROWS = 12_300_000
TARGET_S, TARGET_MB, TARGET_ANSWER = 2.0, 300.0, 1_000_000
HEAD = "统一社会信用代码,企业名称,行业代码,行政区划代码,月份,电力(万千瓦时),天然气(万立方米)\n"


def _xlsx(path: Path, dimension: str) -> Path:
    """A one-sheet workbook of ROWS rows, the sheet XML streamed into the zip."""
    if path.exists():
        return path
    import io

    from importers.template import write_template

    src = zipfile.ZipFile(io.BytesIO(write_template([])))
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
                continue
            with dst.open(info.filename, "w", force_zip64=True) as out:
                out.write(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
                    b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="'
                    + dimension.encode() + b'"/><sheetData>'
                )  # fmt: skip
                step = 100_000
                for start in range(1, ROWS + 1, step):
                    out.write(
                        b"".join(
                            b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r)
                            for r in range(start, min(start + step, ROWS + 1))
                        )
                    )
                out.write(b"</sheetData></worksheet>")
    tmp.rename(path)
    return path


def _one_line_csv(path: Path) -> Path:
    if not path.exists():
        path.write_bytes(HEAD.encode() + b"1," * 23_000_000)
    return path


def _bad_cells_csv(path: Path) -> Path:
    if not path.exists():
        from carbon.domain.identifiers import make_uscc

        lines = [HEAD]
        for i in range(450_000):
            uscc = make_uscc(f"91330802{i % 5000:09d}")
            lines.append(
                f"{uscc},企业{i % 5000},3011,330802,{2000 + i // 5000 // 12}-{i // 5000 % 12 + 1:02d},坏,-1\n"
            )
        path.write_text("".join(lines), encoding="utf-8")
    return path


def refuse(path: str) -> str:
    """Read the file as the importer does (no database): its first error."""
    from importers.template import read_template

    data = Path(path).read_bytes()
    parsed = read_template(data, Path(path).name)
    return parsed.errors[0].message if parsed.errors else "accepted"


def import_bad(path: str) -> dict[str, object]:
    """Import the file into a fresh SQLite database: status, errors kept, answer size."""
    from carbon.services.auth import SYSTEM
    from carbon.services.usecases import import_file, open_database

    data = Path(path).read_bytes()
    with tempfile.TemporaryDirectory() as d:
        db = open_database(f"sqlite:///{d}/bench.db", migrate=True)
        res = import_file(db, data, Path(path).name, by=SYSTEM)
        answer = json.dumps(res.as_dict(), ensure_ascii=False).encode()
        db.dispose()
    total = (res.error_counts or {}).get("total")
    return {
        "status": res.status,
        "errors_listed": len(res.errors),
        "errors_total": total,
        "answer_bytes": len(answer),
    }


def _line(name: str, seconds: float, mb: float, note: str) -> None:
    ok = "ok" if seconds < TARGET_S and mb < TARGET_MB else "OVER"
    print(f"{name:<44} {seconds:6.2f} s {mb:6.0f} MB  [{ok}]  {note[:100]}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    honest = _xlsx(OUT / "hostile-12m-rows.xlsx", f"A1:A{ROWS}")
    lying = _xlsx(OUT / "hostile-12m-rows-lying-dimension.xlsx", "A1:B2")
    one_line = _one_line_csv(OUT / "hostile-one-line.csv")
    bad = _bad_cells_csv(OUT / "hostile-900k-bad-cells.csv")
    print(f"files ready in {time.perf_counter() - t:.1f} s (cached under bench/out/)", file=sys.stderr)
    print(f"targets: refusal < {TARGET_S} s, peak RSS < {TARGET_MB:.0f} MB; answer < {TARGET_ANSWER:,} bytes")
    for name, path in (("xlsx 12.3 M rows", honest), ("xlsx 12.3 M rows, lying dimension", lying),
                       ("csv 46 MB one line", one_line)):  # fmt: skip
        size = path.stat().st_size / 1e6
        seconds, mb, message = measure(refuse, str(path))
        _line(f"{name} ({size:.1f} MB)", seconds, mb, str(message))
    seconds, mb, res = measure(import_bad, str(bad))
    ok = res["answer_bytes"] < TARGET_ANSWER and mb < TARGET_MB
    verdict = "ok" if ok else "OVER"
    print(f"{'csv 900k bad cells, imported':<44} {seconds:6.2f} s {mb:6.0f} MB  [{verdict}]  {res}")
    start = time.perf_counter()
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(lambda _: measure(refuse, str(honest)), range(3)))
    wall = time.perf_counter() - start
    worst, total_mb = max(r[0] for r in runs), sum(r[1] for r in runs)
    _line("3 x xlsx 12.3 M rows at once", worst, total_mb / 3, f"slowest {worst:.2f} s, wall {wall:.1f} s "
          f"(with start-up), RSS summed {total_mb:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
