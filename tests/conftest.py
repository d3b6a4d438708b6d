"""Fixtures: a database per test on SQLite, and on the local PostgreSQL.

With CI=true an unreachable PostgreSQL fails the run instead of skipping it. Passwords are
hashed at argon2's cheapest cost (one pass, 8 KiB, one lane): the variables are set here,
before any app, CLI or worker process loads its settings (carbon.settings); a hash made at
any cost still verifies.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbkit import PG_URL, _migrate, _pg_schema_url

# The browser tests' fixtures (tests/browser/browser_fixtures.py), as a plugin: a conftest.py
# there would be imported as a second module named ``conftest``.
sys.path.insert(0, str(Path(__file__).parent / "browser"))
pytest_plugins = ["browser_fixtures"]

__all__ = ["PG_URL"]
TEST_PASSWORD_COST = {
    "CARBON_ARGON2_TIME_COST": "1",
    "CARBON_ARGON2_MEMORY_KIB": "8",
    "CARBON_ARGON2_PARALLELISM": "1",
}
for _name, _value in TEST_PASSWORD_COST.items():
    os.environ.setdefault(_name, _value)  # a developer's own setting wins


@pytest.fixture(autouse=True, scope="session")
def _hash_each_test_password_once() -> Iterator[None]:
    """Services called without an app hash at the test cost too; the suite creates users in
    most API tests with the same few passwords, so each is hashed once (the hash is real:
    logins verify it)."""
    from carbon.services import auth
    from carbon.settings import Settings

    auth.configure_hashing(Settings.from_env().passwords)
    real = auth.hash_password
    cache: dict[str, str] = {}

    def cached(password: str) -> str:
        if password not in cache:
            cache[password] = real(password)  # a refused password raises every time
        return cache[password]

    auth.hash_password = cached  # type: ignore[assignment]
    yield
    auth.hash_password = real  # type: ignore[assignment]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A database without a schema (no migration run)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'carbon.db'}"
    else:
        yield from _pg_schema_url()


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    """A database migrated to the newest schema, as `carbon db upgrade` leaves it: opening
    a database no longer migrates it. A copy of one migrated by this process (``_migrate``)."""
    _migrate(empty_db_url)
    return empty_db_url


@pytest.fixture
def db(db_url: str):
    from carbon.services.usecases import open_database

    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def app(db_url: str):
    """The API on that database; recomputation jobs run inside the request."""
    from api.app import create_app

    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "JOBS": "eager"})
    yield app
    app.extensions["carbon_jobs"].shutdown()
    app.extensions["carbon_db"].dispose()


@pytest.fixture
def client(app):
    """A client of the operator: an administrator's bearer token on every request (what
    others may see is tested with their own clients, tests/integration/test_access*.py)."""
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM

    db = app.extensions["carbon_db"]
    usecases.create_user(db, SYSTEM, username="operator", password="correct horse battery", role="admin")
    token = usecases.create_token(db, SYSTEM, "operator", "tests", ["read", "write", "feeds", "admin"], 30)
    c = app.test_client()
    c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token['token']}"
    return c


@pytest.fixture
def anon(app):
    """A client without credentials."""
    return app.test_client()
