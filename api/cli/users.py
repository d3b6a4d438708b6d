"""``carbon users``, ``carbon tokens`` and ``carbon worker``: people, their tokens, and
the processes that run jobs from the queue."""

from __future__ import annotations

import sys

import click

from api.cli.common import Ctx, cli_actor, db_option, emit, json_option, run
from carbon.domain.vocabulary import ROLES, SCOPES
from carbon.services import usecases as services
from carbon.store.db import safe_url


@click.group("users")
def users_group() -> None:
    """People who use the service, and their roles."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--uscc", "usccs", multiple=True, help="enterprise users: an enterprise they act for (repeat)")
@click.option("--region", help="officials: their region code, e.g. 330800 (sees every 3308xx)")
@click.option("--institution", help="bank users: their institution")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@json_option
@db_option
@click.pass_obj
def users_create(
    obj: Ctx, username: str, role: str, usccs: tuple[str, ...], region: str | None, institution: str | None,
    password_stdin: bool, as_json: bool,
) -> None:  # fmt: skip
    """Create a user (the password is asked for, or read from standard input)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True, err=True)
    actor, origin = cli_actor()
    res = run(
        as_json,
        lambda: services.create_user(
            obj.db, actor, username=username, password=password, role=role, region_code=region,
            institution=institution, usccs=usccs, origin=origin,
        ),
    )  # fmt: skip
    emit(as_json, res, lambda: click.echo(f"{res['username']}: {res['role']}"))


@users_group.command("list")
@json_option
@db_option
@click.pass_obj
def users_list(obj: Ctx, as_json: bool) -> None:
    """Every user and role."""
    actor, _ = cli_actor()
    rows = run(as_json, lambda: services.list_users(obj.db, actor))

    def human() -> None:
        for u in rows:
            scope = u["region_code"] or u["institution"] or ", ".join(u["usccs"])
            click.echo(f"{u['username']:<24} {u['role']:<10} {scope}")

    emit(as_json, rows, human)


@users_group.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="read the new password from standard input")
@json_option
@db_option
@click.pass_obj
def users_password(obj: Ctx, username: str, password_stdin: bool, as_json: bool) -> None:
    """Set USERNAME's password; every login session of theirs ends."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("new password", hide_input=True, confirmation_prompt=True, err=True)
    actor, origin = cli_actor()
    run(as_json, lambda: services.set_password(obj.db, actor, username, password, origin))
    emit(as_json, {"username": username}, lambda: click.echo(f"{username}: password set, sessions ended"))


@users_group.command("disable")
@click.argument("username")
@json_option
@db_option
@click.pass_obj
def users_disable(obj: Ctx, username: str, as_json: bool) -> None:
    """Disable USERNAME: no more logins; their sessions end and their tokens stop working."""
    actor, origin = cli_actor()
    run(as_json, lambda: services.disable_user(obj.db, actor, username, origin))
    emit(as_json, {"username": username}, lambda: click.echo(f"{username}: disabled, sessions ended"))


@click.group("tokens")
def tokens_group() -> None:
    """Bearer tokens for API clients and utility feeds."""


@tokens_group.command("create")
@click.argument("username")
@click.option("--name", required=True, help="what the token is for, e.g. state-grid-feed")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    default=("read",),
    show_default=True,
    type=click.Choice(SCOPES),
)
@click.option("--days", type=int, default=90, show_default=True)
@json_option
@db_option
@click.pass_obj
def tokens_create(
    obj: Ctx, username: str, name: str, scopes: tuple[str, ...], days: int, as_json: bool
) -> None:
    """Create a token for USERNAME; it is printed once and never stored."""
    actor, origin = cli_actor()
    res = run(
        as_json, lambda: services.create_token(obj.db, actor, username, name, list(scopes), days, origin)
    )
    emit(as_json, res, lambda: click.echo(f"token {res['id']} ({' '.join(res['scopes'])}, until "
                                          f"{res['expires_at'][:10]}): {res['token']}"))  # fmt: skip


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@json_option
@db_option
@click.pass_obj
def tokens_revoke(obj: Ctx, token_id: int, as_json: bool) -> None:
    """Revoke a token at once."""
    actor, origin = cli_actor()
    res = run(as_json, lambda: services.revoke_token(obj.db, actor, token_id, origin))
    emit(as_json, res, lambda: click.echo(f"token {res['id']}: revoked {res['revoked_at']}"))


@click.command("worker")
@click.option("--concurrency", default=1, show_default=True, type=int, help="Jobs at once in this process.")
@click.option(
    "--pool", default="threads", show_default=True, type=click.Choice(["threads", "solo", "prefork"])
)
@click.option("--loglevel", default="INFO", show_default=True)
@db_option
@click.pass_obj
def worker_cmd(obj: Ctx, concurrency: int, pool: str, loglevel: str) -> None:
    """Run recomputation jobs from the Celery queue (CARBON_BROKER_URL, e.g.
    redis://127.0.0.1:6379/0); the API sends them there with CARBON_JOBS=celery."""
    from dataclasses import replace

    from carbon.services import queue

    settings = obj.settings
    settings = replace(settings, database=replace(settings.database, url=obj.database_url))
    click.echo(
        f"worker: queue {queue.queue_name(settings.celery)} "
        f"on {safe_url(queue.broker_url(settings.celery))}, "
        f"database {safe_url(obj.database_url)}",
        err=True,
    )
    queue.start_worker(concurrency=concurrency, pool=pool, loglevel=loglevel, settings=settings)


COMMANDS = (users_group, tokens_group, worker_cmd)
