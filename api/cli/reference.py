"""``carbon factor-sets …`` and ``carbon methodologies …``: the published versions of the
reference documents; list, show, publish a new version, retire one."""

from __future__ import annotations

import json
from pathlib import Path

import click

from api.cli.common import Ctx, cli_actor, db_option, emit, json_option, run
from api.cli.params import REFERENCE
from carbon.services import usecases as services


def reference_group(kind: str, name: str, label: str) -> click.Group:
    """The group of one kind of document (``factor_set`` or ``methodology``)."""

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
    @click.argument("ref", type=REFERENCE)
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
    @click.argument("ref", type=REFERENCE)
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


COMMANDS = (
    reference_group("factor_set", "factor-sets", "factor set"),
    reference_group("methodology", "methodologies", "methodology"),
)
