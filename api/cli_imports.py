"""``carbon imports purge``: drop the bytes of rejected files kept too long.

Registered by api/cli.py. See carbon.services.import_retention.
"""

from __future__ import annotations

import click

from api.cli import Ctx, cli, db_option, emit, json_option, run


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
    from carbon.services.import_retention import Retention, purge_rejected, retention_from_env

    keep = retention_from_env()
    keep = Retention(
        days=keep.days if days is None else days,
        max_bytes=keep.max_bytes if max_mb is None else int(max_mb * 1_000_000),
    )

    def purge() -> dict[str, object]:
        with obj.db.unit_of_work() as session:
            return {**purge_rejected(session, keep).as_dict(), "days": keep.days, "max_bytes": keep.max_bytes}

    res = run(as_json, purge)
    emit(
        as_json,
        res,
        lambda: click.echo(
            f"purged 已清理 {res['files']} rejected file(s), {int(res['bytes']) / 1e6:,.1f} MB "
            f"(kept: {keep.days:g} days, {keep.max_bytes / 1e6:,.0f} MB)"
        ),
    )


cli.add_command(imports_group)
