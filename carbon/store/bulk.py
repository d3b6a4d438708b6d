"""Fast bulk inserts: one driver-level ``executemany`` per chunk of tuples.

SQLAlchemy's ORM and Core executemany build a parameter dict per row, which dominates
an import of hundreds of thousands of rows. Here the statement is rendered once and each
row is a plain tuple; only columns whose type has a bind processor for this dialect
(JSON, or DateTime on SQLite) are converted, by that same processor, so what is stored is
exactly what SQLAlchemy would have stored. Floats, integers, strings and booleans go to
the driver as Python values, which both sqlite3 and psycopg take natively.

On PostgreSQL (psycopg 3), ``method="copy"`` (or ``"auto"``, for a write of at least
``COPY_FROM`` rows) streams the rows with ``COPY ... FROM STDIN`` instead: the same values,
JSON as the same text, several times faster for hundreds of thousands of rows
(bench/bench_import.py --db postgresql+psycopg://...). Elsewhere it is the executemany.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from operator import itemgetter
from typing import Any, Literal

from sqlalchemy import JSON, Connection, DateTime, FromClause, Table
from sqlalchemy.orm import Session

from carbon.store.db import json_dumps

CHUNK = 20_000
COPY_FROM = 1000  # rows from which "auto" uses COPY on PostgreSQL
Method = Literal["insert", "copy", "auto"]


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
    session: Session,
    table: FromClause,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    method: Method = "insert",
) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table`` (a model's
    ``__table__``); how many were written. ``method``: see the module's docstring."""
    if not isinstance(table, Table):
        raise TypeError(f"insert_many writes to a table, not {type(table).__name__}")
    conn = session.connection()
    dialect = conn.dialect
    copy = (
        method != "insert"
        and dialect.name == "postgresql"
        and dialect.driver == "psycopg"
        and (method == "copy" or not isinstance(rows, Sequence) or len(rows) >= COPY_FROM)
    )
    quote = dialect.identifier_preparer
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    marks = []
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for i, c in enumerate(columns):
        col_type = table.c[c].type
        proc = col_type.bind_processor(dialect) if isinstance(col_type, JSON | DateTime) else None
        if isinstance(col_type, JSON) and proc is None:
            # psycopg binds JSON through its own adapter, not a processor: send text, cast it
            # (COPY reads the same text into the column).
            proc = _json_text
            marks.append(f"CAST({mark} AS JSON)")
        else:
            marks.append(mark)
        if proc is not None:
            if isinstance(col_type, DateTime):
                proc = _remember_last(proc)  # rows of one write share their timestamp
            processors.append((i, proc))
    names = ", ".join(quote.quote(c) for c in columns)
    if copy:
        sql = f"COPY {quote.format_table(table)} ({names}) FROM STDIN"
    else:
        sql = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({', '.join(marks)})"
    convert = _converter(processors, len(columns))
    it = iter(rows)
    written = 0
    while chunk := list(islice(it, CHUNK)):
        if convert is not None:
            chunk = convert(chunk)
        if copy:
            _copy(conn, sql, chunk)
        else:
            conn.exec_driver_sql(sql, chunk)
        written += len(chunk)
    return written


def _converter(
    processors: list[tuple[int, Callable[[Any], Any]]], width: int
) -> Callable[[list[Sequence[Any]]], list[Sequence[Any]]] | None:
    """What converts a chunk's values by the columns' processors; a row whose values to
    convert are all None (NULL stays NULL: JSON columns store SQL NULL) is kept as it is."""
    if not processors:
        return None
    indices = [i for i, _ in processors]
    if len(indices) > 1:
        values_of: Callable[[Sequence[Any]], Any] = itemgetter(*indices)
        nothing: Any = (None,) * len(indices)
    else:
        values_of, nothing = itemgetter(indices[0]), None

    def convert(chunk: list[Sequence[Any]]) -> list[Sequence[Any]]:
        out: list[Sequence[Any]] = []
        append = out.append
        for row in chunk:
            if values_of(row) == nothing:
                append(row)
                continue
            values = list(row)
            for i, proc in processors:
                if values[i] is not None:
                    values[i] = proc(values[i])
            append(tuple(values))
        return out

    return convert


def _copy(conn: Connection, sql: str, rows: list[Sequence[Any]]) -> None:
    """``rows`` written by ``COPY ... FROM STDIN`` on the connection's psycopg cursor."""
    dbapi: Any = conn.connection.dbapi_connection  # a psycopg.Connection
    with dbapi.cursor() as cur, cur.copy(sql) as copy:
        write = copy.write_row
        for row in rows:
            write(row)


class Behind:
    """``insert_many`` on a worker thread while the caller goes on (reading the next rows of
    a file: sqlite3 and psycopg leave the GIL while the database works). One insert at a
    time, in order; the caller waits (``wait``) before it uses the session again, so the
    connection is never used by both threads at once. An insert's error is raised by the
    next ``wait`` or ``close``."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future[int] | None = None

    def insert_many(
        self, session: Session, table: FromClause, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
        method: Method = "insert",
    ) -> None:  # fmt: skip
        self.wait()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-insert")
        self._pending = self._pool.submit(insert_many, session, table, columns, rows, method=method)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Wait for the last insert and end the thread."""
        try:
            self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None
