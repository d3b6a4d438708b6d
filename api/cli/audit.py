"""``carbon audit`` (the append-only audit log, or its CSV export) and ``carbon audit
verify`` (its hash chain)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from api.cli.common import Ctx, cli_actor, db_option, emit, json_option, run
from carbon.services import usecases as services
from carbon.services.usecases import maintenance


@click.group("audit", invoke_without_command=True)
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


def verdict(res: dict[str, Any]) -> str:
    """The outcome of a check of the hash chain, in both languages."""
    if res["ok"]:
        n, last = res["entries"], res["last_hash"]
        return f"audit chain intact 审计日志哈希链完整: {n} entries, last hash {last}"
    return (
        f"audit chain broken at entry {res['broken_at']} 审计日志哈希链在第 {res['broken_at']} 条断开: "
        f"{res['reason']} ({res['verified']} entries before it are intact)"
    )


@audit_cmd.command("verify")
@json_option
@db_option
@click.pass_obj
def audit_verify(obj: Ctx, as_json: bool) -> None:
    """Walk the audit log's hash chain: exit 0 with the count if intact, exit 1 with the
    first entry that was removed, edited or reordered."""
    res = run(as_json, lambda: maintenance.verify_audit(obj.db, by=cli_actor()[0]))
    emit(as_json, res, lambda: click.echo(verdict(res), err=not res["ok"]))
    if not res["ok"]:
        sys.exit(1)


COMMANDS = (audit_cmd,)
