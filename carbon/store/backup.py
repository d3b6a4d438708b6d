"""Backups of the whole database, and restoring one.

PostgreSQL: ``pg_dump -Fc`` of the service's schema (the connection's ``current_schema()``)
and ``pg_restore``; the client tools must be installed (``postgresql-client``, the server's
major version or newer). SQLite: the sqlite3 online backup API, which copies a consistent
snapshot while others keep writing. Either way the archived workbooks are inside
(``imports.content``), so a backup holds every imported file.

Restoring refuses a database that already has tables unless ``force``. A PostgreSQL dump
taken from schema A restored where the URL's schema is B is restored as A and renamed to B,
so A must not exist in the target database (restore into a fresh database, or the same
schema name). Owners and grants are not restored (``--no-owner --no-privileges``): the
restoring role owns everything; run ``carbon db grant-app-role`` again afterwards.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from carbon.domain.errors import CarbonError
from carbon.store.db import safe_url, scrub

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(CarbonError):
    """A backup or restore that could not be made."""

    status = 500
    code = "backup_failed"


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up / 内存数据库无法备份")
    return path


def sqlite_backup(engine: Engine, file: Path) -> None:
    src = sqlite3.connect(_sqlite_path(engine))
    dst = sqlite3.connect(file)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def sqlite_restore(engine: Engine, file: Path) -> None:
    """Copy ``file`` over the database, page by page, in one transaction of the target."""
    engine.dispose()  # no pooled connection keeps the old pages
    src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    dst = sqlite3.connect(_sqlite_path(engine))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def sqlite_tables(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        return list(conn.scalars(text(q)))


# --- PostgreSQL ---------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools (postgresql-client, ./dev.sh setup) "
            f"/ 未找到 {name}，请安装 postgresql-client"
        )
    return found


def _libpq_env(url: str) -> dict[str, str]:
    """The connection as libpq environment variables: the password never on a command line."""
    u = make_url(url)
    env = dict(os.environ)
    pairs = {
        "PGHOST": u.host,
        "PGPORT": str(u.port) if u.port else None,
        "PGUSER": u.username,
        "PGPASSWORD": u.password if u.password is None else str(u.password),
        "PGDATABASE": u.database,
        "PGOPTIONS": u.query.get("options"),
        "PGSSLMODE": u.query.get("sslmode"),
    }
    env.update({k: str(v) for k, v in pairs.items() if v})
    return env


def _run(args: list[str], url: str) -> None:
    done = subprocess.run(args, env=_libpq_env(url), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = " ".join(done.stderr.split())[:2000] or f"exit {done.returncode}"
        tool = Path(args[0]).name
        raise BackupError(f"{tool} failed on {safe_url(url)}: {scrub(said, url)} / 备份或恢复失败")


def target_schema(engine: Engine) -> str:
    """The connection's schema: the first of its search_path, existing or not."""
    with engine.connect() as conn:
        found = conn.scalar(text("SELECT current_schema()"))
        if found:
            return str(found)
        path = str(conn.scalar(text("SHOW search_path")))
        user = str(conn.scalar(text("SELECT current_user")))
    first = next(p.strip().strip('"') for p in path.split(",") if p.strip())
    return user if first == "$user" else first


def pg_tables(engine: Engine, schema: str) -> list[str]:
    with engine.connect() as conn:
        q = "SELECT tablename FROM pg_tables WHERE schemaname = :s"
        return list(conn.scalars(text(q), {"s": schema}))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def pg_backup(engine: Engine, url: str, file: Path) -> None:
    schema = target_schema(engine)
    _run([_tool("pg_dump"), "-Fc", "--no-password", "-n", _quoted(schema), "-f", str(file)], url)


def dump_schema(file: Path, url: str) -> str:
    """The schema a custom-format dump holds (its ``SCHEMA`` entry)."""
    args = [_tool("pg_restore"), "-l", str(file)]
    done = subprocess.run(args, env=_libpq_env(url), capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        parts = line.split()
        # "5; 2615 16386 SCHEMA - t_abc postgres"
        if not line.startswith(";") and len(parts) >= 6 and parts[3] == "SCHEMA" and parts[4] == "-":
            return parts[5]
    raise BackupError(f"{file} holds no schema: not a backup of this service / 备份文件中没有数据库结构")


def pg_restore(engine: Engine, url: str, file: Path) -> None:
    """Restore into the URL's schema (renamed from the dump's own schema if they differ),
    which is dropped first: the caller has checked that it is empty or may be replaced."""
    target, source = target_schema(engine), dump_schema(file, url)
    with engine.begin() as conn:
        exists = conn.scalar(text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": source})
        if source != target and exists:
            raise BackupError(
                f"the backup's schema {source} already exists in this database: restore into a fresh "
                f"database or into schema {source} / 目标数据库中已存在备份的结构 {source}"
            )
        # empty, or its tables to be replaced (force): the restore creates the schema itself
        conn.execute(text(f"DROP SCHEMA IF EXISTS {_quoted(target)} CASCADE"))
    args = [_tool("pg_restore"), "--no-password", "--no-owner", "--no-privileges", "--exit-on-error"]
    _run([*args, "-d", make_url(url).database or "", str(file)], url)
    if source != target:
        with engine.begin() as conn:
            conn.execute(text(f"ALTER SCHEMA {_quoted(source)} RENAME TO {_quoted(target)}"))
