"""Migrations run on command (`carbon db upgrade`), never when the service opens the
database: an unmigrated or older database is refused in one line."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from api.cli import cli, main
from carbon.store.db import SchemaNotCurrent, head_revision


def carbon(url: str, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["--db", url, *args])
    return res.exit_code, res.output + (str(res.exception) if res.exception else "")


def test_empty_database_is_refused_until_upgraded(empty_db_url, monkeypatch, capsys):
    from api.app import create_app

    code, out = carbon(empty_db_url, "audit")
    assert code == 1 and "carbon db upgrade" in out and "数据库尚未建表" in out
    with pytest.raises(SchemaNotCurrent, match="carbon db upgrade"):
        create_app({"DATABASE_URL": empty_db_url, "TESTING": True, "JOBS": "eager"})
    monkeypatch.setattr(sys, "argv", ["carbon", "--db", empty_db_url, "serve", "--port", "1"])
    with pytest.raises(SystemExit) as done:
        main()  # as the installed command runs: one line, exit 1
    err = capsys.readouterr().err
    assert done.value.code == 1 and err.count("\n") == 1 and "carbon db upgrade" in err

    code, out = carbon(empty_db_url, "db", "upgrade")
    assert code == 0 and f"(empty 空) → {head_revision()}" in out
    code, out = carbon(empty_db_url, "db", "upgrade", "--json")
    assert code == 0 and '"changed": false' in out and "already at" not in out
    code, out = carbon(empty_db_url, "db", "upgrade")
    assert code == 0 and "nothing to do" in out

    code, out = carbon(empty_db_url, "audit", "--json")
    assert code == 0, out
    app = create_app({"DATABASE_URL": empty_db_url, "TESTING": True, "JOBS": "eager"})
    try:
        assert app.test_client().get("/healthz").status_code == 200
    finally:
        app.extensions["carbon_jobs"].shutdown()
        app.extensions["carbon_db"].dispose()


def test_an_older_schema_is_refused_with_both_revisions(empty_db_url):
    from alembic import command

    from carbon.store.db import Database, _alembic_config

    db = Database(empty_db_url, check=False)
    try:
        cfg = _alembic_config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0011")
    finally:
        db.dispose()
    code, out = carbon(empty_db_url, "users", "list")
    assert code == 1 and "at migration 0011" in out and head_revision() in out
    code, out = carbon(empty_db_url, "db", "upgrade")
    assert code == 0 and f"0011 → {head_revision()}" in out


def test_demo_upgrades_first(empty_db_url):
    code, out = carbon(empty_db_url, "demo", "--no-serve")
    assert code == 0 and "enterprises 企业" in out, out
