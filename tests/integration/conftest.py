from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "sample_inputs"


@pytest.fixture(scope="session")
def sample_files() -> list[Path]:
    files = sorted(SAMPLES.glob("*.xlsx"))
    assert len(files) >= 6, "sample_inputs/ must hold the generated workbooks"
    return files


@pytest.fixture
def loaded(client, sample_files):
    """The API with two counties' sample workbooks imported."""
    for f in sample_files[:2]:
        r = client.post(
            "/api/v1/imports", data={"file": (f.open("rb"), f.name)}, content_type="multipart/form-data"
        )
        assert r.status_code == 201, r.json
    return client


def configure(monkeypatch, db, section: str, **changes: Any) -> None:
    """For this test, ``db`` (and what runs on it: imports, jobs, runners) has its settings
    with ``changes`` in ``section`` (e.g. ``configure(monkeypatch, db, "jobs", backoff_s=(1.0,))``).
    The settings are read once, when the database or app is opened: a variable set later
    changes nothing."""
    settings = db.settings
    changed = replace(getattr(settings, section), **changes)
    monkeypatch.setattr(db, "settings", replace(settings, **{section: changed}))


def make_user(app, username: str, role: str, **fields) -> str:
    """A user of ``role`` with a bearer token of every scope the role may have; the token."""
    from carbon.services import usecases
    from carbon.services.auth import SYSTEM

    db = app.extensions["carbon_db"]
    usecases.create_user(db, SYSTEM, username=username, password="correct horse battery", role=role, **fields)
    scopes = ["read", "write", "feeds", "admin"] if role == "admin" else ["read", "write", "feeds"]
    return usecases.create_token(db, SYSTEM, username, "tests", scopes, 30)["token"]


@pytest.fixture
def admin(client):
    """The client, sending an administrator's bearer token with every request."""
    return client
