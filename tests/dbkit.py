"""Databases for tests: a PostgreSQL schema per test (or per module), and a database the
migrations built once per process, copied for each test that wants one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

PG_URL = os.environ.get("CARBON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


_admin: Engine | None = None


def _pg_admin() -> Engine:
    """One engine per test process for creating and dropping the tests' schemas."""
    global _admin
    if _admin is None:
        try:
            engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("select 1"))
        except Exception as exc:  # noqa: BLE001 - any connection failure means "unreachable"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"PostgreSQL at {PG_URL} is unreachable in CI: {exc}")
            pytest.skip(f"PostgreSQL unreachable: {exc}")
        _admin = engine
    return _admin


def _schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def _pg_schema_url() -> Iterator[str]:
    admin = _pg_admin()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    try:
        yield _schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))


# A migrated database, made once per test process by the migrations themselves and then
# copied for each test that wants one: the SQLite file, or PostgreSQL's dump of the schema
# (tables, indexes, sequences and rows, alembic_version included) replayed under a new
# name. The migrations themselves are tested on empty databases (test_db_upgrade.py) and
# against the models (`alembic check` in ./dev.sh test).
_migrated: dict[str, str] = {}
_TEMPLATE_SCHEMA = f"t_template_{uuid.uuid4().hex[:12]}"


def _sqlite_template() -> str:
    from carbon.store.db import Database

    if "sqlite" not in _migrated:
        path = Path(tempfile.mkdtemp(prefix="carbon-migrated-")) / "template.db"
        Database(f"sqlite:///{path}", migrate=True).dispose()
        _migrated["sqlite"] = str(path)
    return _migrated["sqlite"]


def _pg_template() -> str:
    """The dump of a freshly migrated schema, as SQL naming the schema ``_TEMPLATE_SCHEMA``."""
    from carbon.store.db import Database

    if "postgresql" not in _migrated:
        admin = _pg_admin()
        with admin.begin() as conn:
            conn.execute(text(f'create schema "{_TEMPLATE_SCHEMA}"'))
        try:
            Database(_schema_url(_TEMPLATE_SCHEMA), migrate=True).dispose()
            libpq = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
            dump = subprocess.run(
                ["pg_dump", "--schema", _TEMPLATE_SCHEMA, "--no-owner", "--no-privileges", "--inserts",
                 "--dbname", libpq],
                check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'drop schema "{_TEMPLATE_SCHEMA}" cascade'))
        # left out: psql meta-commands, the schema (it exists) and the dump's search_path
        skip = re.compile(r"\\|CREATE SCHEMA |SELECT pg_catalog.set_config")
        lines = [line for line in dump.splitlines() if not skip.match(line)]
        _migrated["postgresql"] = "\n".join(lines)
    return _migrated["postgresql"]


def _migrate(empty_url: str) -> None:
    """``empty_url``'s database as the migrations leave it (a copy of the process's template)."""
    if empty_url.startswith("sqlite:///"):
        shutil.copyfile(_sqlite_template(), empty_url.removeprefix("sqlite:///"))
        return
    schema = empty_url.rpartition("%3D")[2]
    script = _pg_template().replace(_TEMPLATE_SCHEMA, schema)
    raw = _pg_admin().raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute(script)
        raw.commit()
    finally:
        raw.close()
