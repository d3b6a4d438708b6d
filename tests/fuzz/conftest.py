"""Fixtures for the fuzz tests: the API on a fresh database (SQLite and PostgreSQL).

Equivalent to tests/integration/conftest.py's ``app`` and ``client``, which are not
visible from this folder.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def app(db_url):
    from api.app import create_app

    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "JOBS": "eager"})
    yield app
    app.extensions["carbon_jobs"].shutdown()
    app.extensions["carbon_db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()
