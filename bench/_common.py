"""Shared by the benchmarks: cached workbooks and measuring a phase in a child process."""

from __future__ import annotations

import multiprocessing as mp
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _cached(kind: str, enterprises: int, years: tuple[int, ...], make: Callable[..., int]) -> Path:
    """A generated benchmark workbook, made once and kept under bench/out/."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{kind}-{enterprises}-{'-'.join(map(str, years))}.xlsx"
    if not path.exists():
        t = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        rows = make(tmp, enterprises, years=years)
        tmp.rename(path)
        print(f"generated {path.name}: {rows} rows in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return path


def workbook(enterprises: int, years: tuple[int, ...]) -> Path:
    """The benchmark workbook in the template layout."""
    from bench.make_workbook import make_workbook

    return _cached("template", enterprises, years, make_workbook)


def messy_workbook(enterprises: int, years: tuple[int, ...]) -> Path:
    """The same rows as ``workbook`` (same seed) in the messy register layout."""
    from bench.make_messy_workbook import make_messy_workbook

    return _cached("messy", enterprises, years, make_messy_workbook)


def _child(fn: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    try:
        t = time.perf_counter()
        result = fn(*args)
        elapsed = time.perf_counter() - t
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        queue.put(("ok", elapsed, rss_mb, result))
    except BaseException as exc:  # report, do not hang the parent
        queue.put(("error", 0.0, 0.0, repr(exc)))


def measure(fn: Callable[..., Any], *args: Any) -> tuple[float, float, Any]:
    """Run ``fn(*args)`` in a fresh process: (seconds, peak RSS in MB, result)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, queue))
    proc.start()
    status, elapsed, rss, result = queue.get()
    proc.join()
    if status != "ok":
        raise RuntimeError(result)
    return elapsed, rss, result
