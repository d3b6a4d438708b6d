"""``carbon identity-changes list|approve ID|reject ID --reason``: enterprises' requests to
change their name, industry or region (docs/access.md). The operator acts as an
administrator, as in every other command."""

from __future__ import annotations

from typing import Any

import click

from api.cli.common import Ctx, cli_actor, db_option, emit, json_option, run
from carbon.services.usecases import identity_changes


def _line(c: dict[str, Any]) -> str:
    change = ", ".join(f"{k} {c['old'][k]} -> {v}" for k, v in c["new"].items())
    who = f"{c['requested_by']}, {c['requested_at'][:10]}"
    return f"{c['id']:>5}  {c['status']:<10} {c['uscc']}  {change}  ({who})"


@click.group("identity-changes")
def identity_group() -> None:
    """Enterprises' requests to change their name, industry or region: list, approve, reject."""


@identity_group.command("list")
@click.option("--status", type=click.Choice(identity_changes.STATUSES), help="Only these, e.g. pending.")
@json_option
@db_option
@click.pass_obj
def identity_list(obj: Ctx, status: str | None, as_json: bool) -> None:
    """The change requests, oldest first."""
    actor, origin = cli_actor()
    rows = run(as_json, lambda: identity_changes.list_changes(obj.db, by=actor, status=status, origin=origin))

    def human() -> None:
        for c in rows:
            click.echo(_line(c))

    emit(as_json, rows, human)


@identity_group.command("approve")
@click.argument("change_id", type=int)
@json_option
@db_option
@click.pass_obj
def identity_approve(obj: Ctx, change_id: int, as_json: bool) -> None:
    """Apply a pending request and recompute the enterprise's years."""
    actor, origin = cli_actor()
    res = run(as_json, lambda: identity_changes.approve(obj.db, change_id, by=actor, origin=origin))
    job = res.get("job") or {}
    emit(
        as_json,
        res,
        lambda: click.echo(f"{_line(res)}; recomputation job {job.get('id')}: {job.get('status')}"),
    )


@identity_group.command("reject")
@click.argument("change_id", type=int)
@click.option("--reason", required=True, help="Why (the enterprise sees it).")
@json_option
@db_option
@click.pass_obj
def identity_reject(obj: Ctx, change_id: int, reason: str, as_json: bool) -> None:
    """Refuse a pending request; the enterprise's record stays as it is."""
    actor, origin = cli_actor()
    res = run(as_json, lambda: identity_changes.reject(obj.db, change_id, reason, by=actor, origin=origin))
    emit(as_json, res, lambda: click.echo(f"{_line(res)}: {res['reason']}"))


COMMANDS = (identity_group,)
