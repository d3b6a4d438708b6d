"""``carbon import FILE…`` (energy workbooks in) and ``carbon imports purge`` (the bytes of
rejected files kept too long, see ``carbon.services.import_retention``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click

from api.cli.common import Ctx, cli_actor, db_option, emit, json_option, run
from carbon.services import error_report
from carbon.services import usecases as services
from carbon.services.imports import ImportResult
from carbon.services.jobs import InProcessRunner
from carbon.store.db import Database

DRY_RUN_LINES = 50
DRY_RUN_ACTIONS = {
    "changed": "would change 将修改",
    "added": "would add 将新增",
    "unchanged": "left alone 不变",
}


@click.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--errors-out",
    "errors_out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="For a rejected file, write its workbook with the bad cells marked here.",
)
@json_option
@db_option
@click.pass_obj
def import_cmd(
    obj: Ctx, files: tuple[Path, ...], dry_run: bool, errors_out: Path | None, as_json: bool
) -> None:
    """Import one or more energy workbooks (template layout)."""
    results: list[ImportResult] = []
    workbooks: dict[int, Path] = {}  # index in results -> its error workbook
    for path in files:
        talk = sys.stderr.isatty() and not as_json
        progress = _progress_bar(path.name) if talk else None
        runner = _AnnouncingRunner(obj.db) if talk else None
        res = run(
            as_json,
            partial(
                services.import_file, obj.db, path.read_bytes(), path.name,
                dry_run=dry_run, progress=progress, runner=runner, by=cli_actor()[0],
            ),
        )  # fmt: skip
        if progress is not None:
            progress(-1, -1)
        if errors_out is not None and res.status == "rejected":
            workbooks[len(results)] = run(
                as_json, partial(_write_error_workbook, obj.db, path, res, errors_out, workbooks)
            )
        results.append(res)
    docs: list[dict[str, Any]] = [{**r.as_dict()} for r in results]
    for i, out in workbooks.items():
        docs[i]["error_workbook"] = str(out)
    payload: Any = (
        docs[0]
        if len(docs) == 1
        else {
            "status": "rejected" if any(r.status == "rejected" for r in results) else "imported",
            "files": docs,
            "rows_accepted": sum(r.rows_accepted for r in results),
            "rows_rejected": sum(r.rows_rejected for r in results),
            "errors": [e for d in docs for e in d["errors"]],
            "enterprises": sorted({u for r in results for u in r.enterprises}),
            "sha256": [r.sha256 for r in results],
        }
    )

    def human() -> None:
        for i, r in enumerate(results):
            click.echo(
                f"{r.filename}: {r.status} (sha256 {r.sha256[:12]}…) rows accepted {r.rows_accepted}, "
                f"rejected {r.rows_rejected}, added {r.rows_added}, changed {r.rows_changed}, "
                f"unchanged {r.rows_unchanged}; enterprises {len(r.enterprises)}"
            )
            for e in r.errors[:200]:
                where = "/".join(str(x) for x in (e.sheet, e.row, e.column) if x not in (None, ""))
                click.echo(f"  ✗ {where}: {e.message}")
            if len(r.errors) > 200:
                click.echo(f"  … and {len(r.errors) - 200} more errors (use --json for all)")
            if i in workbooks:
                click.echo(f"  errors workbook / 错误标注文件: {workbooks[i]}")
            for w in r.warnings[:20]:
                click.echo(f"  ! {w.sheet} {w.row or ''} {w.column or ''}: {w.message}")
            if r.status == "dry_run":
                _dry_run_lines(r)

    emit(as_json, payload, human)
    if any(r.exit_code for r in results):
        sys.exit(1)


def _dry_run_lines(r: ImportResult) -> None:
    """What would change first, then what would be added, then what is left alone."""
    order = {"changed": 0, "added": 1, "unchanged": 2}
    listed = sorted(r.changes, key=lambda c: order.get(c["action"], 3))
    for c in listed[:DRY_RUN_LINES]:
        click.echo(
            f"  {DRY_RUN_ACTIONS.get(c['action'], c['action'])}: {c['uscc']} {c['period'] or ''} "
            f"({c['sheet']} row {c['row']}) "
            + (", ".join(f"{k} {v['old']} → {v['new']}" for k, v in c.get("fields", {}).items()))
        )
    if len(listed) > DRY_RUN_LINES or len(listed) < len(r.renamed) + r.rows_added + r.rows_changed:
        click.echo("  … (use --json for the full list)")


class _AnnouncingRunner(InProcessRunner):
    """Eager, and says on the terminal that the recomputation has started."""

    def submit(self, job_id: int) -> Any:
        click.echo("recomputing accounts and ratings / 正在重新计算碳账户与评价 …", err=True)
        return super().submit(job_id)


def _write_error_workbook(
    db: Database, path: Path, res: ImportResult, out_dir: Path, taken: dict[int, Path]
) -> Path:
    """Write the rejected file's error workbook into ``out_dir``; a name is never reused."""
    if res.import_id is not None:
        data, name = services.import_error_workbook(db, res.import_id, by=cli_actor()[0])
    else:  # a dry run recorded nothing: mark the file as read
        data, name = error_report.annotate(
            path.read_bytes(),
            res.filename,
            [e.as_dict() for e in res.errors],
            max_errors=db.settings.imports.max_errors,
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    target, n = out_dir / name, 1
    while target in taken.values():
        n += 1
        target = out_dir / f"{Path(name).stem}-{n}.xlsx"
    target.write_bytes(data)
    return target


def _progress_bar(name: str) -> Callable[[int, int], None]:
    """A tqdm bar on stderr, closed when the rows are all read (or on ``update(-1, -1)``)."""
    from tqdm import tqdm  # type: ignore[import-untyped]

    bar: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if bar.get("closed"):
            return
        if done >= 0:
            if "bar" not in bar:
                bar["bar"] = tqdm(total=total, desc=name, unit="row", file=sys.stderr)
            bar["bar"].total = max(total, done)
            bar["bar"].update(done - bar["bar"].n)
        if done < 0 or done >= total:
            if "bar" in bar:
                bar["bar"].close()
            bar["closed"] = True

    return update


@click.group("imports")
def imports_group() -> None:
    """Recorded imports (files uploaded, rejected ones with their errors)."""


@imports_group.command("purge")
@click.option(
    "--days", type=float, default=None, help="Keep rejected files N days (CARBON_REJECTED_KEEP_DAYS, 7)."
)
@click.option(
    "--max-mb", type=float, default=None, help="Keep at most this much in all (CARBON_REJECTED_KEEP_MB, 200)."
)
@json_option
@db_option
@click.pass_obj
def imports_purge(obj: Ctx, days: float | None, max_mb: float | None, as_json: bool) -> None:
    """Delete the bytes of rejected files older than --days or beyond --max-mb (newest kept
    first); their sha256, size, name and errors stay. Also done after every rejection."""
    from carbon.services.import_retention import Retention, retention

    keep = retention(obj.settings.imports)
    keep = Retention(
        days=keep.days if days is None else days,
        max_bytes=keep.max_bytes if max_mb is None else int(max_mb * 1_000_000),
    )

    res = run(as_json, lambda: services.purge_rejected_files(obj.db, keep, by=cli_actor()[0]))
    emit(
        as_json,
        res,
        lambda: click.echo(
            f"purged 已清理 {res['files']} rejected file(s), {int(res['bytes']) / 1e6:,.1f} MB "
            f"(kept: {keep.days:g} days, {keep.max_bytes / 1e6:,.0f} MB)"
        ),
    )


COMMANDS = (import_cmd, imports_group)
