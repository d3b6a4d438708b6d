"""Monthly inputs written by COPY (PostgreSQL) are exactly those the executemany writes.

``carbon.store.bulk.insert_many(method="copy")`` streams rows with ``COPY ... FROM STDIN``
on PostgreSQL (psycopg 3) and falls back to the executemany of INSERTs elsewhere; an
import uses it for its monthly inputs (``method="auto"``). Both paths must store the same
rows: the same floats to the bit, NULLs as NULL (JSON columns too), the same JSON, text
with tabs, newlines, backslashes and quotes as it was.
"""

from __future__ import annotations

from typing import Any, cast

import pytest
from sqlalchemy import Table, delete, select

from carbon.services import imports
from carbon.services.imports import INPUT_COLUMNS, import_file
from carbon.store import bulk
from carbon.store.models import MonthlyInput

TABLE = cast(Table, MonthlyInput.__table__)


def _stored(db: Any) -> list[tuple[Any, ...]]:
    columns = [TABLE.c[c] for c in INPUT_COLUMNS]
    with db.read() as s:
        return [tuple(r) for r in s.execute(select(*columns).order_by(MonthlyInput.id))]


def _tricky(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows with the text and JSON a user can send: tabs, newlines, backslashes, quotes,
    non-ASCII, nested and empty values, and numbers that do not round-trip through short text."""
    out = []
    originals = (
        {"electricity": "1,234.5\t(含税)\n\\N"},
        {"natural_gas": '"１２３４．５"', "heat": "\\\\x00 \\. end"},
        None,
        {},
    )
    for i, row in enumerate(rows):
        values = list(row)
        values[INPUT_COLUMNS.index("originals")] = originals[i % len(originals)]
        values[INPUT_COLUMNS.index("feedstock")] = (
            {"raw_coal": 0.1 + 0.2, "coke": 1e-300} if i % 3 == 0 else None
        )
        values[INPUT_COLUMNS.index("tce_coefficients")] = {"raw_coal": [0.7143, None]} if i % 5 == 0 else None
        values[INPUT_COLUMNS.index("sheet")] = "能耗\\月报\t" if i % 2 else "Sheet 1"
        values[INPUT_COLUMNS.index("electricity")] = (i + 1) / 3.0 if i % 4 else None
        out.append(tuple(values))
    return out


def _write(db: Any, rows: list[tuple[Any, ...]], method: bulk.Method) -> list[tuple[Any, ...]]:
    with db.unit_of_work() as s:
        s.execute(delete(MonthlyInput))
        assert bulk.insert_many(s, TABLE, INPUT_COLUMNS, rows, method=method) == len(rows)
    return _stored(db)


def test_copy_stores_exactly_what_executemany_stores(db, sample_files, monkeypatch):
    monkeypatch.setattr(imports._ChunkWriter, "method", "insert")  # noqa: SLF001
    f = sample_files[0]
    assert import_file(db, f.read_bytes(), f.name).status == "imported"
    rows = _tricky(_stored(db))
    assert len(rows) > 100

    copied: list[int] = []
    real_copy = bulk._copy  # noqa: SLF001

    def spy(conn: Any, sql: str, chunk: list[Any]) -> None:
        copied.append(len(chunk))
        real_copy(conn, sql, chunk)

    monkeypatch.setattr(bulk, "_copy", spy)
    by_insert = _write(db, rows, "insert")
    assert not copied
    by_copy = _write(db, rows, "copy")
    assert by_copy == by_insert == rows
    if db.engine.dialect.name == "postgresql":
        assert sum(copied) == len(rows)  # COPY was used
    else:
        assert not copied  # SQLite has no COPY: the executemany


@pytest.mark.parametrize("method", ["insert", "auto"])
def test_an_import_stores_the_same_rows_either_way(db_url, sample_files, monkeypatch, method):
    """A whole import with the executemany, and with COPY where the database has it: the
    same monthly inputs (the database is new for each method)."""
    from carbon.services.usecases import open_database

    monkeypatch.setattr(imports._ChunkWriter, "method", method)  # noqa: SLF001
    db = open_database(db_url)
    try:
        f = sample_files[1]
        result = import_file(db, f.read_bytes(), f.name)
        assert result.status == "imported" and result.rows_added == result.rows_accepted > 0
        stored = _stored(db)
    finally:
        db.dispose()
    key = INPUT_COLUMNS.index("row")
    assert len(stored) == result.rows_added
    assert len({(r[0], r[1], r[2]) for r in stored}) == len(stored)  # one row per enterprise-month
    _SAME[(db.engine.dialect.name, method)] = sorted(stored, key=lambda r: (r[6], r[key]))
    other = _SAME.get((db.engine.dialect.name, "insert" if method == "auto" else "auto"))
    if other is not None:
        assert other == _SAME[(db.engine.dialect.name, method)]


_SAME: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
