"""``carbon serve`` (the HTTP API) and ``carbon demo`` (the bundled sample workbooks
imported, accounted and rated, a summary printed, then the API served)."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import click

from api.cli.common import Ctx, cli_actor, db_option, fmt, run
from carbon.services import usecases as services
from carbon.store.db import safe_url

SAMPLE_INPUTS = Path(__file__).resolve().parents[2] / "sample_inputs"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@db_option
@click.pass_obj
def serve_cmd(obj: Ctx, host: str, port: int) -> None:
    """Serve the HTTP API (with interactive docs at /docs)."""
    serve(obj, host, port)


def serve(obj: Ctx, host: str, port: int) -> None:
    from waitress import serve as waitress_serve  # type: ignore[import-untyped]

    from api.app import create_app

    url = obj.database_url
    app = create_app({"DATABASE_URL": url}, settings=obj.settings)
    click.echo(
        f"serving {safe_url(url)} on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)", err=True
    )
    from api.limits import waitress_options  # idle and body-size limits (api/limits.py)

    waitress_serve(app, host=host, port=port, threads=8, **waitress_options(app))


@click.command("demo")
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
    from carbon.services.usecases.maintenance import upgrade_database  # the demo migrates first

    run(False, lambda: upgrade_database(obj.database_url, settings=obj.settings))
    click.echo(f"database: {safe_url(obj.db.url)}")
    for path in files:
        res = run(
            False, partial(services.import_file, obj.db, path.read_bytes(), path.name, by=cli_actor()[0])
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
            f"{y['year']}: total {fmt(y['total_tco2'])} tCO2; grades 等级 {grades}; "
            f"colours 颜色 {colours}; not rated {y['not_rated']}"
        )
    click.echo("\ndemo users 演示用户 (new passwords on every run):")
    for u in services.demo_users(obj.db):
        extra = " ".join(f"{k}={v}" for k, v in u.items() if k not in ("username", "role", "password"))
        click.echo(f"  {u['role']:<10} {u['username']:<16} password {u['password']}  {extra}".rstrip())
    click.echo(f"\nlog in 登录: http://{host}:{port}/login  (API docs 接口文档: http://{host}:{port}/docs)")
    if do_serve:
        serve(obj, host, port)


COMMANDS = (serve_cmd, demo_cmd)
