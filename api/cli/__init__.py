"""The ``carbon`` command (console script ``api.cli:main``): parse arguments, call a
service, format the result. One module per command group:

- ``imports``: ``import``, ``imports purge``;
- ``ratings``: ``account``, ``rate``, ``benchmarks``, ``recalc``;
- ``reports``: ``report monthly``, ``open-data``;
- ``reference``: ``factor-sets``, ``methodologies``;
- ``audit``: ``audit``, ``audit verify``; ``db``: ``db upgrade|backup|restore|grant-app-role``;
- ``identity``: ``identity-changes``; ``users``: ``users``, ``tokens``, ``worker``;
- ``demo``: ``demo``, ``serve``;

and what they share: ``common`` (the root group, ``--db``, printing and exit codes),
``params`` (parameter types whose malformed values are usage errors), ``figures`` (how
``--json`` rounds figures).

Exit codes: 0 done, 1 input rejected (the errors are printed), 2 usage error. With
``--json`` exactly one JSON document goes to stdout; progress and logs go to stderr.
"""

from __future__ import annotations

import sys

import click

from api.cli import audit, db, demo, identity, imports, ratings, reference, reports, users
from api.cli.common import Ctx, cli, cli_actor
from carbon.domain.errors import CarbonError
from carbon.store.db import CONNECTION_ERRORS, describe_error, safe_url

__all__ = ["Ctx", "cli", "cli_actor", "main"]

for _module in (imports, ratings, reports, reference, audit, db, identity, users, demo):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    ctx = Ctx()
    try:
        cli(obj=ctx, auto_envvar_prefix=None)
    except CarbonError as err:  # e.g. the database cannot be used, met outside a command's `run`
        click.echo(f"error: {err.message}", err=True)
        sys.exit(1)
    except CONNECTION_ERRORS as err:  # the database went away later: never a traceback with the URL
        url = ctx.database_url
        click.echo(f"error: database {safe_url(url)}: {describe_error(err, url)}", err=True)
        sys.exit(1)
