"""Fast bulk inserts: one driver-level ``executemany`` per chunk of tuples.

SQLAlchemy's ORM and Core executemany build a parameter dict per row, which dominates
an import of hundreds of thousands of rows. Here the statement is rendered once and each
row is a plain tuple; only columns whose type has a bind processor for this dialect
(JSON, or DateTime on SQLite) are converted, by that same processor, so what is stored is
exactly what SQLAlchemy would have stored. Floats, integers, strings and booleans go to
the driver as Python values, which both sqlite3 and psycopg take natively.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import JSON, DateTime, FromClause, Table
from sqlalchemy.orm import Session

from carbon.store.db import json_dumps

CHUNK = 20_000


def _json_text(value: Any) -> str | None:
    return None if value is None else json_dumps(value)


def _remember_last(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``proc`` that converts a value equal to the previous one only once."""
    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value != last[0]:
            last[0], last[1] = value, proc(value)
        return last[1]

    return convert


def insert_many(
    session: Session, table: FromClause, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table`` (a model's
    ``__table__``); how many were written."""
    if not isinstance(table, Table):
        raise TypeError(f"insert_many writes to a table, not {type(table).__name__}")
    conn = session.connection()
    dialect = conn.dialect
    quote = dialect.identifier_preparer
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    marks = []
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for i, c in enumerate(columns):
        col_type = table.c[c].type
        proc = col_type.bind_processor(dialect) if isinstance(col_type, JSON | DateTime) else None
        if isinstance(col_type, JSON) and proc is None:
            # psycopg binds JSON through its own adapter, not a processor: send text, cast it.
            proc = _json_text
            marks.append(f"CAST({mark} AS JSON)")
        else:
            marks.append(mark)
        if proc is not None:
            if isinstance(col_type, DateTime):
                proc = _remember_last(proc)  # rows of one write share their timestamp
            processors.append((i, proc))
    sql = (
        f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) "
        f"VALUES ({', '.join(marks)})"
    )
    it = iter(rows)
    written = 0
    while chunk := list(islice(it, CHUNK)):
        if processors:
            converted: list[Sequence[Any]] = []
            for row in chunk:
                values = list(row)
                for i, proc in processors:
                    if values[i] is not None:  # NULL stays NULL (JSON columns store SQL NULL)
                        values[i] = proc(values[i])
                converted.append(tuple(values))
            chunk = converted
        conn.exec_driver_sql(sql, chunk)
        written += len(chunk)
    return written
