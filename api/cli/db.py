"""``carbon db …``: migrations, the application role, backups.

These commands open the database themselves: upgrading and restoring are how a database
reaches the newest schema, which every other command needs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from api.cli.audit import verdict
from api.cli.common import Ctx, db_option, emit, json_option, run
from carbon.services.usecases import maintenance


def _url(obj: Ctx) -> str:
    return obj.database_url


@click.group("db")
def db_group() -> None:
    """The database: migrations, the application role's grants, backups (docs/deployment.md)."""


@db_group.command("upgrade")
@json_option
@db_option
@click.pass_obj
def db_upgrade(obj: Ctx, as_json: bool) -> None:
    """Run the migrations up to the newest (nothing to do when already there)."""
    res = run(as_json, lambda: maintenance.upgrade_database(_url(obj), settings=obj.settings))

    def human() -> None:
        if res["changed"]:
            click.echo(f"{res['database']}: migrated 已迁移 {res['from'] or '(empty 空)'} → {res['to']}")
        else:
            click.echo(f"{res['database']}: already at 已是最新 {res['to']}, nothing to do")

    emit(as_json, res, human)


@db_group.command("grant-app-role")
@click.argument("role")
@json_option
@db_option
@click.pass_obj
def db_grant_app_role(obj: Ctx, role: str, as_json: bool) -> None:
    """Grant ROLE what the service needs and no more (PostgreSQL; run as the schema's owner,
    again after every upgrade): SELECT and INSERT only on audit_log."""
    res = run(as_json, lambda: maintenance.grant_app_role(_url(obj), role, settings=obj.settings))

    def human() -> None:
        for stmt in res["statements"]:
            click.echo(f"{stmt};")
        click.echo(f"granted to {role} in schema {res['schema']} / 已授权", err=True)

    emit(as_json, res, human)


def _contents(res: dict[str, Any]) -> str:
    return (
        f"{res['imports']} imported files ({res['import_bytes']:,} bytes, the workbooks themselves), "
        f"{res['audit_entries']} audit entries / 含导入文件及审计日志"
    )


@db_group.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@db_option
@click.pass_obj
def db_backup(obj: Ctx, file: Path, as_json: bool) -> None:
    """Back the whole database up to FILE (pg_dump -Fc, or an SQLite copy), the archived
    workbooks included."""
    res = run(as_json, lambda: maintenance.backup_database(_url(obj), file, settings=obj.settings))

    def human() -> None:
        click.echo(f"wrote {res['file']} ({res['bytes']:,} bytes, sha256 {res['sha256']})")
        click.echo(f"  from {res['database']}")
        click.echo(f"  migration {res['revision']}; {_contents(res)}")

    emit(as_json, res, human)


@db_group.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that is not empty.")
@json_option
@db_option
@click.pass_obj
def db_restore(obj: Ctx, file: Path, force: bool, as_json: bool) -> None:
    """Restore FILE (from `carbon db backup`) into an empty database, then verify the audit
    log's hash chain; exit 1 if it is broken."""
    res = run(
        as_json, lambda: maintenance.restore_database(_url(obj), file, force=force, settings=obj.settings)
    )
    chain = res.get("audit")

    def human() -> None:
        click.echo(f"restored {res['file']} into {res['database']}")
        click.echo(f"  migration {res['revision']}; {_contents(res)}")
        if chain is None:
            click.echo(res["note"])
        else:
            click.echo(verdict(chain), err=not chain["ok"])

    emit(as_json, res, human)
    if chain is not None and not chain["ok"]:
        sys.exit(1)


COMMANDS = (db_group,)
