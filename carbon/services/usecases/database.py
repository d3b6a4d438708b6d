"""Opening the database."""

from __future__ import annotations

from carbon.services import reference
from carbon.settings import Settings
from carbon.store.db import Database


def open_database(
    url: str | None = None, *, migrate: bool = False, settings: Settings | None = None
) -> Database:
    """Connect and register the shipped reference data. The schema must be the newest
    (``SchemaNotCurrent`` otherwise) unless ``migrate`` brings it there first. ``settings``:
    the service's settings (default: read from the environment)."""
    db = Database(url, migrate=migrate, settings=settings)
    with db.unit_of_work() as session:
        reference.register(session)
    return db
