"""Files for officials and the public: ``carbon report monthly`` (a region's monthly report,
xlsx and PDF) and ``carbon open-data`` (a year's desensitised statistics)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from api.cli.common import Ctx, cli_actor, db_option, emit, json_option, run
from api.cli.figures import figures
from api.cli.params import MONTH
from carbon.domain.errors import CarbonError
from carbon.services import usecases as services
from reports import provisional


@click.group("report")
def report_group() -> None:
    """Reports for officials."""


@report_group.command("monthly")
@click.option("--region", required=True, metavar="CODE")
@click.option("--month", required=True, type=MONTH, metavar="YYYY-MM")
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

    emit(as_json, figures(res), human)


@click.command("open-data")
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
    data = (
        body if isinstance(body, bytes) else json.dumps(figures(body), ensure_ascii=False, indent=2).encode()
    )
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


COMMANDS = (report_group, open_data_cmd)
