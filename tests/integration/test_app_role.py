"""Least privilege on the real PostgreSQL (docs/deployment.md): a migration role owns the
schema, the service's role works normally but cannot touch the audit log's past."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from api.cli import cli
from tests.conftest import PG_URL

pytestmark = pytest.mark.postgres
SAMPLE = sorted((Path(__file__).resolve().parents[2] / "sample_inputs").glob("*.xlsx"))[0]


def _url(role: str, schema: str) -> str:
    base = PG_URL.split("://", 1)[1].split("@", 1)[1].split("?", 1)[0]  # host:port/database
    return f"postgresql+psycopg://{role}@{base}?options=-csearch_path%3D{schema}"


@pytest.fixture
def roles() -> Iterator[tuple[str, str, str]]:
    """An owner role with its schema and an application role, dropped afterwards."""
    try:
        admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        admin.connect().close()
    except Exception as exc:  # noqa: BLE001 - unreachable: skipped like the other PostgreSQL tests
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    tag = uuid.uuid4().hex[:10]
    owner, app, schema = f"carbon_owner_{tag}", f"carbon_app_{tag}", f"carbon_{tag}"
    with admin.begin() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN NOSUPERUSER"))
        conn.execute(text(f"CREATE ROLE {app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"))
        conn.execute(text(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}"))
    try:
        yield owner, app, schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            for role in (app, owner):
                conn.execute(text(f"DROP OWNED BY {role} CASCADE"))
                conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


def test_the_app_role_works_but_cannot_rewrite_the_audit_log(roles):
    from carbon.services import audit, usecases
    from carbon.services.auth import SYSTEM

    owner, app, schema = roles
    owner_url, app_url = _url(owner, schema), _url(app, schema)
    runner = CliRunner()
    res = runner.invoke(cli, ["--db", owner_url, "db", "upgrade"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["--db", owner_url, "db", "grant-app-role", app])
    assert res.exit_code == 0, res.output
    assert f'GRANT SELECT, INSERT ON TABLE "{schema}"."audit_log" TO "{app}"' in res.output

    db = usecases.open_database(app_url)  # the service, as the application role
    try:
        result = usecases.import_file(db, SAMPLE.read_bytes(), SAMPLE.name, by=SYSTEM)
        assert result.status == "imported" and result.rows_accepted > 0
        usecases.create_user(db, SYSTEM, username="ops", password="correct horse battery", role="admin")
        with db.unit_of_work() as s:
            audit.record(s, "ops", "test.entry", "as the app role", {})
        with db.read() as s:
            assert audit.verify(s)["ok"]
        refused = {
            "UPDATE audit_log SET subject = 'x'": "permission denied",
            "DELETE FROM audit_log": "permission denied",
            "TRUNCATE audit_log": "permission denied",
            "ALTER TABLE audit_log DISABLE TRIGGER ALL": "must be owner",
            "SET session_replication_role = replica": "permission denied",
            "DROP TABLE audit_log": "must be owner",
        }
        for stmt, said in refused.items():
            with pytest.raises(Exception, match=said), db.engine.begin() as conn:
                conn.execute(text(stmt))
    finally:
        db.dispose()


def test_grant_app_role_refuses_a_superuser(roles):
    owner, _app, schema = roles
    owner_url = _url(owner, schema)
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", owner_url, "db", "upgrade"]).exit_code == 0
    res = runner.invoke(cli, ["--db", owner_url, "db", "grant-app-role", "postgres"])
    assert res.exit_code == 1 and "superuser" in res.output
    res = runner.invoke(cli, ["--db", owner_url, "db", "grant-app-role", owner])
    assert res.exit_code == 1 and "owns" in res.output
