"""The ``carbon`` command: parse arguments, call a service, format the result.

Exit codes: 0 done, 1 input rejected (the errors are printed), 2 usage error. With
``--json`` exactly one JSON document goes to stdout; progress and logs go to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from carbon.domain.errors import CarbonError
from carbon.services import error_report
from carbon.services import usecases as services
from carbon.services.auth import Principal, cli_principal
from carbon.services.imports import ImportResult
from carbon.services.jobs import InProcessRunner
from carbon.store.db import CONNECTION_ERRORS, Database, default_url, describe_error, safe_url
from reports import provisional

SAMPLE_INPUTS = Path(__file__).resolve().parent.parent / "sample_inputs"


class Ctx:
    def __init__(self) -> None:
        self.url: str | None = None
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = services.open_database(self.url or default_url())
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


def _set_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(Ctx).url = value


db_option = click.option(
    "--db",
    "db_url",
    metavar="URL",
    expose_value=False,
    callback=_set_db,
    help="Database URL (default: $CARBON_DATABASE_URL or sqlite:///instance/carbon.db).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document to stdout.")


def emit(as_json: bool, payload: Any, human: Callable[[], None]) -> None:
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        human()


def fail(as_json: bool, err: CarbonError) -> None:
    payload = {"error": {"code": err.code, "message": err.message}}
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(f"error: {err.message}", err=True)
    sys.exit(1)


def run(as_json: bool, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except CarbonError as err:
        fail(as_json, err)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Industrial carbon accounts (工业碳账户): import energy workbooks, account, rate, report."""
    ctx.call_on_close(ctx.ensure_object(Ctx).close)


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


@cli.command("import")
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
    results = []
    workbooks: dict[int, Path] = {}  # index in results -> its error workbook
    for path in files:
        talk = sys.stderr.isatty() and not as_json
        progress = _progress_bar(path.name) if talk else None
        runner = _AnnouncingRunner(obj.db) if talk else None
        res = run(
            as_json,
            lambda p=path, pr=progress, rn=runner: services.import_file(
                obj.db, p.read_bytes(), p.name, dry_run=dry_run, progress=pr, runner=rn, by=cli_actor()[0]
            ),
        )
        if progress is not None:
            progress(-1, -1)
        if errors_out is not None and res.status == "rejected":
            workbooks[len(results)] = run(
                as_json, lambda p=path, r=res: _write_error_workbook(obj.db, p, r, errors_out, workbooks)
            )
        results.append(res)
    docs = [r.as_dict() for r in results]
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
                # what would change first, then what would be added, then what is left alone
                order = {"changed": 0, "added": 1, "unchanged": 2}
                listed = sorted(r.changes, key=lambda c: order.get(c["action"], 3))
                for c in listed[:DRY_RUN_LINES]:
                    click.echo(
                        f"  {DRY_RUN_ACTIONS.get(c['action'], c['action'])}: {c['uscc']} {c['period']} "
                        f"({c['sheet']} row {c['row']}) "
                        + (", ".join(f"{k} {v['old']} → {v['new']}" for k, v in c.get("fields", {}).items()))
                    )
                if len(listed) > DRY_RUN_LINES or len(listed) < r.rows_accepted:
                    click.echo("  … (use --json for the full list)")

    emit(as_json, payload, human)
    if any(r.exit_code for r in results):
        sys.exit(1)


DRY_RUN_LINES = 50
DRY_RUN_ACTIONS = {
    "changed": "would change 将修改",
    "added": "would add 将新增",
    "unchanged": "left alone 不变",
}


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
        data, name = error_report.error_workbook(db, res.import_id)
    else:  # a dry run recorded nothing: mark the file as read
        data, name = error_report.annotate(path.read_bytes(), res.filename, [e.as_dict() for e in res.errors])
    out_dir.mkdir(parents=True, exist_ok=True)
    target, n = out_dir / name, 1
    while target in taken.values():
        n += 1
        target = out_dir / f"{Path(name).stem}-{n}.xlsx"
    target.write_bytes(data)
    return target


def _progress_bar(name: str) -> Callable[[int, int], None]:
    """A tqdm bar on stderr, closed when the rows are all read (or on ``update(-1, -1)``)."""
    from tqdm import tqdm

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


@cli.command("account")
@click.argument("uscc")
@click.option("--year", type=int, required=True)
@click.option("--month", metavar="YYYY-MM")
@json_option
@db_option
@click.pass_obj
def account_cmd(obj: Ctx, uscc: str, year: int, month: str | None, as_json: bool) -> None:
    """An enterprise's carbon account for a year or a month."""
    acc = run(
        as_json, lambda: services.account(obj.db, uscc, year, month, by=cli_actor()[0], origin=cli_actor()[1])
    )

    def human() -> None:
        e = acc["emissions_tco2"]
        click.echo(f"{acc['uscc']} {acc['name'] or ''}  {acc['period']}")
        if acc.get("provisional"):
            click.echo(f"  {provisional.bilingual(acc['coverage']['months_energy'])}")
        click.echo(
            f"  emissions 排放 (tCO2): total {_fmt(e['total'])} = fuel {_fmt(e['fuel'])} + process "
            f"{_fmt(e['process'])} + electricity {_fmt(e['electricity'])} + heat {_fmt(e['heat'])}"
        )
        click.echo(
            f"  location-based 基于位置: electricity {_fmt(e['electricity_location'])}, total "
            f"{_fmt(e['total_location'])} tCO2 (green power not deducted 不扣除绿电)"
        )
        if e.get("biogenic"):
            click.echo(f"  biogenic 生物质排放 (memo, in no total): {_fmt(e['biogenic'])} tCO2")
        if acc.get("electricity_floored_months"):
            months = ", ".join(acc["electricity_floored_months"])
            click.echo(f"  floored at zero 按零计 (exports above purchases 上网电量超过购入): {months}")
        va_months = provisional.months_span(acc["coverage"]["months_value_added"]) or "none 无"
        click.echo(
            f"  energy 能耗: {_fmt(acc['energy_tce'])} tce; value added 增加值 "
            f"{_fmt(acc['value_added'])} 万元; intensity 强度 {_fmt(acc['intensity'], 4)} tCO2/万元, "
            f"{_fmt(acc['energy_intensity'], 4)} tce/万元 (months 月份 {va_months})"
        )
        click.echo(
            f"  factor set {acc['factor_set']['id']}@{acc['factor_set']['version']}, grid factor "
            f"{acc['grid_factor']['value']} ({acc['grid_factor']['year']})"
            + ("  [proxy]" if acc["factor_proxy"] else "")
        )
        mf = acc["market_factor"]
        click.echo(
            f"  market-based 市场法: electricity {_fmt(e['electricity_market'])}, total "
            f"{_fmt(e['total_market'])} tCO2 ({acc['market_basis']} {mf['value']} ({mf['year']}))"
            + (f"  {acc['market_note']}" if acc["market_note"] else "")
        )

    emit(as_json, acc, human)


@cli.command("rate")
@click.argument("uscc")
@click.option("--year", type=int, required=True)
@json_option
@db_option
@click.pass_obj
def rate_cmd(obj: Ctx, uscc: str, year: int, as_json: bool) -> None:
    """An enterprise's 碳效码 and 三维四色 rating, with explanation."""
    r = run(as_json, lambda: services.rating(obj.db, uscc, year, by=cli_actor()[0], origin=cli_actor()[1]))

    def human() -> None:
        ce, td = r["carbon_efficiency"], r["three_dimensional"]
        click.echo(
            f"{r['uscc']} {r['name'] or ''}  {r['year']}  ({r['methodology']['id']}@"
            f"{r['methodology']['version']})"
        )
        if r.get("provisional"):
            click.echo(
                f"  {provisional.bilingual(r.get('months'))}: rated against its peers over the same "
                "months; final once the year is complete / 按同期月份评价，全年数据齐全后更新"
            )
        if r["reason"]:
            click.echo(f"  not rated 未评价: {r['reason']}")
            return
        click.echo(
            f"  碳效码 grade {ce['grade']}, class {ce['class']}: L {_fmt(ce['intensity'], 4)} / "
            f"L_industry {_fmt(ce['industry_intensity'], 4)} = K {_fmt(ce['ratio'], 3)} "
            f"({ce['peer_level']}, {ce['peer_count']} peers)"
        )
        for k in ("industry_advanced", "regional_contribution", "historical_decline"):
            d = td[k]
            click.echo(
                f"  {k}: " + ("not assessed" if d is None else f"{_fmt(d['value'], 3)} → {d['score']:g}")
            )
        click.echo(f"  三维四色 score {td['score']:.1f}, colour {td['colour']}")
        for c in r["explanation"]["cuts"]:
            click.echo(
                f"  to reach {c['kind']} {c['target']}: cut {_fmt(c['cut_tco2'])} tCO2 ({c['cut_pct']}%)"
            )
            alone = [k["text"] for k in c.get("carriers", []) if k["enough"]]
            if c.get("carriers"):
                click.echo("    one carrier alone 单一能源: " + ("; ".join(alone) or "none suffices 均不足"))

    emit(as_json, r, human)


@cli.command("benchmarks")
@click.option("--year", type=int, required=True)
@click.option("--level", type=click.Choice(["division", "section", "all", "county"]), help="One level only.")
@click.option("--key", metavar="KEY", help="One group: division 26, section C, county 330802 or all.")
@click.option("--all-revisions", is_flag=True, help="Superseded snapshots too.")
@json_option
@db_option
@click.pass_obj
def benchmarks_cmd(
    obj: Ctx, year: int, level: str | None, key: str | None, all_revisions: bool, as_json: bool
) -> None:
    """Benchmarks of a year's peer groups: count, aggregate intensity, advanced value, quartiles."""
    rows = run(
        as_json,
        lambda: services.benchmarks(
            obj.db, year, level=level, key=key, all_revisions=all_revisions, by=cli_actor()[0]
        ),
    )

    def human() -> None:
        percentiles = {r["advanced_percentile"] for r in rows}
        advanced = f"advanced_P{percentiles.pop():g}" if len(percentiles) == 1 else "advanced"
        header = ["level", "key", "denominator", "n", "emissions_tCO2", "denominator_sum", "intensity"]
        header += [advanced, "q1", "median", "q3", "run"] + (["current"] if all_revisions else []) + ["name"]
        table = [header]
        for r in rows:
            line = [r["level"], r["key"], r["denominator"], str(r["peer_count"]), _fmt(r["emissions_tco2"])]
            line += [_fmt(r["denominator_total"])] + [_fmt(r[k], 4) for k in ("intensity", "advanced")]
            line += [_fmt(r[k], 4) for k in ("q1", "median", "q3")] + [str(r["calc_run_id"])]
            line += (["yes" if r["current"] else "no"] if all_revisions else []) + [
                f"{r['name_zh'] or ''} {r['name_en'] or ''}".strip()
            ]
            table.append(line)
        widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
        numeric = set(range(3, len(header) - 1))
        for row in table:
            cells = [
                c.rjust(w) if i in numeric else c.ljust(w)
                for i, (c, w) in enumerate(zip(row[:-1], widths, strict=True))
            ]
            click.echo("  ".join([*cells, row[-1]]).rstrip())

    emit(as_json, rows, human)


@cli.command("recalc")
@click.option("--year", type=int, required=True, multiple=True)
@click.option("--factor-set", metavar="ID@VERSION")
@click.option("--methodology", metavar="ID@VERSION")
@click.option("--dry-run", is_flag=True, help="Print the diff; store nothing.")
@click.option("--note", help="Why (kept with the calculation run and in the audit log).")
@json_option
@db_option
@click.pass_obj
def recalc_cmd(
    obj: Ctx,
    year: tuple[int, ...],
    factor_set: str | None,
    methodology: str | None,
    dry_run: bool,
    note: str | None,
    as_json: bool,
) -> None:
    """Recompute accounts and ratings of a year, keeping the old results.

    Run it with --dry-run first: it prints, per enterprise, the old and new total,
    intensity, grade and colour, and stores nothing. A run is written to the audit log."""
    actor, origin = cli_actor()
    res = run(
        as_json,
        lambda: services.recalc(
            obj.db, list(year), factor_set, methodology, dry_run, by=actor, origin=origin, note=note
        ),
    )

    def human() -> None:
        click.echo(
            f"{'dry run: would write' if dry_run else 'wrote'} {res['accounts_written']} accounts, "
            f"{res['ratings_written']} ratings; unchanged {res['ratings_unchanged']} ratings"
        )
        for year_, fs in res["factor_sets"].items():
            click.echo(f"  {year_}: factor set {fs}, methodology {res['methodologies'][year_]}")
        for k, v in res["grade_changes"].items():
            click.echo(f"  grade {k}: {v} enterprises")
        for k, v in res["colour_changes"].items():
            click.echo(f"  colour {k}: {v} enterprises")
        for c in res["changes"][:50]:
            old, new = c["old"], c["new"]
            click.echo(
                f"  {c['uscc']} {c['year']}: total {_fmt(old.get('total'))} → {_fmt(new['total'])} tCO2, "
                f"intensity {_fmt(old.get('intensity'), 4)} → {_fmt(new['intensity'], 4)}, "
                f"grade {old.get('grade')} → {new['grade']}, colour {old.get('colour')} → {new['colour']}"
            )
        if res["changes_total"] > 50:
            click.echo(f"  … {res['changes_total'] - 50} more (use --json)")

    emit(as_json, res, human)


@cli.group("report")
def report_group() -> None:
    """Reports for officials."""


@report_group.command("monthly")
@click.option("--region", required=True, metavar="CODE")
@click.option("--month", required=True, metavar="YYYY-MM")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@json_option
@db_option
@click.pass_obj
def report_monthly_cmd(obj: Ctx, region: str, month: str, out_dir: Path, as_json: bool) -> None:
    """Monthly region report: xlsx (several sheets) and PDF with charts."""
    res = run(
        as_json,
        lambda: services.monthly_report(
            obj.db, region, month, out_dir, by=cli_actor()[0], origin=cli_actor()[1]
        ),
    )

    def human() -> None:
        for p in res["files"]:
            click.echo(f"wrote {p}")
        if res.get("provisional_ratings"):
            en = provisional.count_note(res["provisional_ratings"], res.get("ratings"))[1]
            click.echo(f"ratings {res['rating_year']} 评价: {en}")

    emit(as_json, res, human)


@cli.command("open-data")
@click.option("--year", type=int, required=True)
@click.option(
    "--out",
    required=True,
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write: .xlsx (four sheets), .json, or .csv (one table, with --table).",
)
@click.option(
    "--table", type=click.Choice(["regions", "industries", "enterprises"]), help="The table of a .csv."
)
@json_option
@db_option
@click.pass_obj
def open_data_cmd(obj: Ctx, year: int, out: Path, table: str | None, as_json: bool) -> None:
    """Open data of a year, desensitised: groups of fewer than 3 enterprises suppressed,
    USCCs and names masked. The format follows the extension of FILE."""
    ext = out.suffix.lower()
    if ext not in (".xlsx", ".json", ".csv"):
        raise click.UsageError(f"--out must end in .xlsx, .json or .csv: {out.name}")
    if (ext == ".csv") != (table is not None):
        raise click.UsageError("a .csv file holds one table: give --table (with .csv only)")
    fmt = f"csv-{table}" if ext == ".csv" else ext[1:]
    body, _ = run(as_json, lambda: services.open_data(obj.db, year, fmt))
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False, indent=2).encode()
    run(as_json, lambda: _write_file(out, data))
    res = {"year": year, "file": str(out), "format": fmt, "bytes": len(data)}
    emit(as_json, res, lambda: click.echo(f"wrote {out}"))


def _write_file(path: Path, data: bytes) -> None:
    """Write next to ``path`` and rename, so no half-written file is left behind."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CarbonError(f"cannot write {path}: {exc} / 无法写入文件") from exc


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@db_option
@click.pass_obj
def serve_cmd(obj: Ctx, host: str, port: int) -> None:
    """Serve the HTTP API (with interactive docs at /docs)."""
    _serve(obj.url or default_url(), host, port)


def _serve(url: str, host: str, port: int) -> None:
    from waitress import serve

    from api.app import create_app

    app = create_app({"DATABASE_URL": url})
    click.echo(
        f"serving {safe_url(url)} on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)", err=True
    )
    from api.limits import waitress_options  # idle and body-size limits (api/limits.py)

    serve(app, host=host, port=port, threads=8, **waitress_options(app))


@cli.command("demo")
@click.option("--serve/--no-serve", "do_serve", default=True, help="Serve the API afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@db_option
@click.pass_obj
def demo_cmd(obj: Ctx, do_serve: bool, host: str, port: int) -> None:
    """Import the bundled sample_inputs/, compute everything, print a summary, serve the API."""
    files = sorted(SAMPLE_INPUTS.glob("*.xlsx"))
    if not files:
        raise click.UsageError(f"no sample workbooks in {SAMPLE_INPUTS}")
    from carbon.services.maintenance import upgrade_database  # the demo migrates first

    run(False, lambda: upgrade_database(obj.url or default_url()))
    click.echo(f"database: {safe_url(obj.db.url)}")
    for path in files:
        res = run(
            False, lambda p=path: services.import_file(obj.db, p.read_bytes(), p.name, by=cli_actor()[0])
        )
        click.echo(
            f"  {path.name}: {res.status}, {res.rows_accepted} rows, {len(res.enterprises)} enterprises"
        )
        if res.status == "rejected":
            sys.exit(1)
    s = services.summary(obj.db, by=cli_actor()[0])
    click.echo(f"\nenterprises 企业: {s['enterprises']}")
    for y in s["years"]:
        grades = "  ".join(f"{g}:{n}" for g, n in y["grades"].items())
        colours = "  ".join(f"{c}:{n}" for c, n in y["colours"].items())
        click.echo(
            f"{y['year']}: total {_fmt(y['total_tco2'])} tCO2; grades 等级 {grades}; "
            f"colours 颜色 {colours}; not rated {y['not_rated']}"
        )
    click.echo("\ndemo users 演示用户 (new passwords on every run):")
    for u in services.demo_users(obj.db):
        extra = " ".join(f"{k}={v}" for k, v in u.items() if k not in ("username", "role", "password"))
        click.echo(f"  {u['role']:<10} {u['username']:<16} password {u['password']}  {extra}".rstrip())
    if do_serve:
        _serve(obj.db.url, host, port)


def cli_actor() -> tuple[Principal, str]:
    """Who runs the command (the operator at the machine, with administrator rights) and
    from where, for the audit log."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return cli_principal(f"cli:{user}"), f"cli@{socket.gethostname()}"


def _reference_group(kind: str, name: str, label: str) -> click.Group:
    """``carbon factor-sets …`` and ``carbon methodologies …``: list, show, publish, retire."""

    @click.group(name, help=f"The published {label}s: list, show, publish a new version, retire one.")
    def group() -> None:
        pass

    @group.command("list")
    @json_option
    @db_option
    @click.pass_obj
    def list_cmd(obj: Ctx, as_json: bool) -> None:
        """Every version, with its origin and whether it is retired."""
        rows = run(as_json, lambda: services.reference_list(obj.db, kind))

        def human() -> None:
            for r in rows:
                state = f"retired {r['retired_at'][:10]}" if r["retired_at"] else "published"
                click.echo(f"{r['ref']:<24} {state:<20} {r['origin']:<8} {r['title']}")

        emit(as_json, rows, human)

    @group.command("show")
    @click.argument("ref")
    @json_option
    @db_option
    @click.pass_obj
    def show_cmd(obj: Ctx, ref: str, as_json: bool) -> None:
        """One version's document (JSON)."""
        doc = run(as_json, lambda: services.reference_document(obj.db, kind, ref))
        emit(as_json, doc, lambda: click.echo(json.dumps(doc["document"], ensure_ascii=False, indent=2)))

    @group.command("publish")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @json_option
    @db_option
    @click.pass_obj
    def publish_cmd(obj: Ctx, file: Path, as_json: bool) -> None:
        """Publish FILE (a JSON document with a new id@version); it is checked first."""
        actor, origin = cli_actor()
        res = run(
            as_json,
            lambda: services.reference_publish(obj.db, kind, file.read_bytes(), by=actor, origin=origin),
        )
        emit(
            as_json, res, lambda: click.echo(f"{res['ref']}: {res['status']} (sha256 {res['sha256'][:12]}…)")
        )

    @group.command("retire")
    @click.argument("ref")
    @click.option("--reason", required=True, help="Why it may no longer be used (kept in the audit log).")
    @json_option
    @db_option
    @click.pass_obj
    def retire_cmd(obj: Ctx, ref: str, reason: str, as_json: bool) -> None:
        """Retire REF: it stays readable, no new result may use it."""
        actor, origin = cli_actor()
        res = run(
            as_json,
            lambda: services.reference_retire(obj.db, kind, ref, reason, by=actor, origin=origin),
        )
        emit(as_json, res, lambda: click.echo(f"{res['ref']}: {res['status']}"))

    return group


cli.add_command(_reference_group("factor_set", "factor-sets", "factor set"))
cli.add_command(_reference_group("methodology", "methodologies", "methodology"))


@cli.group("audit", invoke_without_command=True)
@click.option("--action", help="Only actions starting with this, e.g. factor_set or recalc.")
@click.option("--limit", type=int, default=1000, show_default=True)
@click.option(
    "--export",
    "export_to",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every entry (of --action, if given) to this CSV file instead.",
)
@json_option
@db_option
@click.pass_obj
def audit_cmd(obj: Ctx, action: str | None, limit: int, export_to: Path | None, as_json: bool) -> None:
    """The audit log: logins, reads of enterprise data by banks, officials and
    administrators, imports, consents, publications, retirements and recalculations,
    oldest first. `carbon audit verify` checks its hash chain."""
    if click.get_current_context().invoked_subcommand:  # `carbon audit verify`
        return
    actor, origin = cli_actor()
    if export_to is not None:
        data = run(as_json, lambda: services.audit_export(obj.db, by=actor, action=action, origin=origin))
        tmp = export_to.with_name(export_to.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(export_to)
        lines = data.count(b"\n") - 1
        emit(as_json, {"file": str(export_to), "entries": lines}, lambda: click.echo(f"wrote {export_to}"))
        return
    rows = run(as_json, lambda: services.audit_log(obj.db, by=actor, action=action, limit=limit))

    def human() -> None:
        for r in rows:
            click.echo(f"{r['at'][:19]}  {r['actor']:<20} {r['action']:<22} {r['subject']}")

    emit(as_json, rows, human)


import api.cli_db  # noqa: E402, F401  (registers `carbon db …`, `carbon audit verify`)
import api.cli_identity  # noqa: E402, F401  (registers `carbon identity-changes`)
import api.cli_imports  # noqa: E402, F401  (registers `carbon imports purge`)
import api.cli_users  # noqa: E402, F401  (registers `carbon users`, `carbon tokens`, `carbon worker`)


def main() -> None:
    ctx = Ctx()
    try:
        cli(obj=ctx, auto_envvar_prefix=None)
    except CarbonError as err:  # e.g. the database cannot be used, met outside a command's `run`
        click.echo(f"error: {err.message}", err=True)
        sys.exit(1)
    except CONNECTION_ERRORS as err:  # the database went away later: never a traceback with the URL
        url = ctx.url or default_url()
        click.echo(f"error: database {safe_url(url)}: {describe_error(err, url)}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    from api.cli import main as _main  # the imported module: api/cli_db.py … register their commands on it

    _main()
