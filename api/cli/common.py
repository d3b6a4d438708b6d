"""What every ``carbon`` command shares: the root group, the database option, the operator
(``cli_actor``), and how a result is printed (``emit``) or an expected error reported
(``run``, ``fail``).

Exit codes: 0 done, 1 input rejected (the errors are printed), 2 usage error (click's, and
the parameter types of ``api.cli.params``). With ``--json`` exactly one JSON document goes
to stdout, Chinese as characters and figures rounded as they leave the service
(``api.cli.figures``); progress and logs go to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from carbon.domain.errors import CarbonError
from carbon.services import usecases as services
from carbon.services.auth import Principal, cli_principal, configure_hashing
from carbon.settings import Settings
from carbon.store.db import Database, default_url

T = TypeVar("T")


class Ctx:
    """The click context object: the database URL given, the settings (read from the
    environment once, when a command first needs them) and the database once opened."""

    def __init__(self) -> None:
        self.url: str | None = None
        self._db: Database | None = None
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env()
            configure_hashing(self._settings.passwords)
        return self._settings

    @property
    def database_url(self) -> str:
        """``--db``, else CARBON_DATABASE_URL, else ``instance/carbon.db``."""
        return self.url or default_url(self.settings)

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = services.open_database(self.database_url, settings=self.settings)
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


def dumps(payload: Any) -> str:
    """The JSON document of a result: UTF-8 text as it is (never ``\\uXXXX``), no NaN."""
    return json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False)


def emit(as_json: bool, payload: Any, human: Callable[[], None]) -> None:
    if as_json:
        click.echo(dumps(payload))
    else:
        human()


def fail(as_json: bool, err: CarbonError) -> NoReturn:
    payload = {"error": {"code": err.code, "message": err.message}}
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(f"error: {err.message}", err=True)
    sys.exit(1)


def run(as_json: bool, fn: Callable[[], T]) -> T:
    """``fn()``; an expected error (``CarbonError``) is reported and exits 1."""
    try:
        return fn()
    except CarbonError as err:
        fail(as_json, err)


def fmt(x: float | None, digits: int = 2) -> str:
    """A figure in a human line: ``12,345.68``, ``—`` for none."""
    return "—" if x is None else f"{x:,.{digits}f}"


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Industrial carbon accounts (工业碳账户): import energy workbooks, account, rate, report."""
    ctx.call_on_close(ctx.ensure_object(Ctx).close)
