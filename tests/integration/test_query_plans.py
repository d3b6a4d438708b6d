"""The indexes the reads people wait for use, checked with EXPLAIN on both databases.

Each check runs the service's own call with every statement it sends captured, then asks
the database for the plan of each with the same parameters. No plan may read a whole
large table (enterprises, ratings, accounts, monthly inputs, the audit log, tokens,
consents): on PostgreSQL with sequential scans switched off (so a table this small is
still read through an index whenever one can serve the query, and a ``Seq Scan`` is left
only where none can), on SQLite by ``EXPLAIN QUERY PLAN`` (``SCAN`` a table rather than
``SEARCH`` it; the newest row by rowid, which SQLite reads backwards from the end and
which its plan shows as ``SCAN``, excepted). The plans are printed when a check fails."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from carbon.services import usecases
from carbon.services.auth import SYSTEM

BIG = {"enterprises", "ratings", "accounts", "monthly_inputs", "audit_log", "api_tokens", "consents"}


@contextmanager
def captured(db) -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT ``db`` sends meanwhile, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)


def _pg_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _pg_nodes(child)


def full_scans(db, statement: str, parameters: Any) -> tuple[list[str], str]:
    """The large tables the plan reads whole, and the plan as text."""
    with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar_one()
            plan = plan if isinstance(plan, list) else json.loads(plan)
            nodes = list(_pg_nodes(plan[0]["Plan"]))
            scans = [n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"]
            text = json.dumps(plan, indent=1)
        else:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            details = [r[3] for r in rows]
            scans = [m.group(1) for d in details if (m := re.match(r"SCAN (\w+)", d))]
            text = "\n".join(details)
            # the newest row by its rowid: SQLite walks the table backwards and stops at
            # the first (its plan says SCAN either way); no sort may be needed for it
            newest = re.search(r"ORDER BY (\w+)\.id DESC\s+LIMIT", statement)
            if newest and not any("TEMP B-TREE" in d for d in details):
                scans = [t for t in scans if t != newest.group(1)]
        conn.rollback()
    return [t for t in scans if t in BIG], text


def assert_indexed(db, call: Callable[[], Any]) -> int:
    """Run ``call``; no statement it sent reads a large table whole. The statements checked."""
    with captured(db) as seen:
        call()
    assert seen, "nothing was read"
    for statement, parameters in seen:
        scans, plan = full_scans(db, statement, parameters)
        assert not scans, f"{scans} read whole by:\n{statement}\n{parameters}\n{plan}"
    return len(seen)


@pytest.fixture
def world(db, sample_files):
    """Two counties' sample workbooks, a bank with consent on one enterprise, an official
    of one county, and a token of each."""
    for f in sample_files[:2]:
        assert usecases.import_file(db, f.read_bytes(), f.name, by=SYSTEM).status == "imported"
    users = {u["role"]: u for u in usecases.demo_users(db)}
    usecases.create_user(db, SYSTEM, username="county", password="correct horse battery", role="official",
                         region_code="330802")  # fmt: skip
    tokens = {
        role: usecases.create_token(db, SYSTEM, name, "plans", ["read"], 30)["token"]
        for role, name in (
            ("bank", users["bank"]["username"]),
            ("official", "county"),
            ("admin", users["admin"]["username"]),
        )  # fmt: skip
    }
    uscc = users["bank"]["consent"].split()[0]
    year = usecases.summary(db, by=SYSTEM)["years"][-1]["year"]
    return {"tokens": tokens, "uscc": uscc, "year": year}


def test_a_rating_read_by_a_bank_uses_indexes(db, world):
    def read() -> None:
        bank = usecases.principal_from_token(db, world["tokens"]["bank"])
        usecases.rating(db, world["uscc"], world["year"], by=bank)

    assert assert_indexed(db, read) >= 4  # the token, the enterprise, the consent, the rating


@pytest.mark.parametrize("role", ["admin", "official", "bank"])
def test_pages_of_ratings_use_indexes(db, world, role):
    who = usecases.principal_from_token(db, world["tokens"][role])
    year = world["year"]
    first, _ = usecases.ratings_page(db, {"year": year}, 1, 5, by=who)
    assert first
    cursor = f"{first[-1]['year']}:{first[-1]['uscc']}"

    def pages() -> None:
        usecases.ratings_after(db, {"year": year}, cursor, 5, by=who)
        usecases.ratings_after(db, {"year": year, "region": "330800"}, cursor, 5, by=who)
        usecases.ratings_after(db, {}, cursor, 5, by=who)

    assert_indexed(db, pages)


def test_an_account_and_the_rating_history_use_indexes(db, world):
    def read() -> None:
        usecases.account(db, world["uscc"], world["year"], by=SYSTEM)
        usecases.rating_history(db, world["uscc"], by=SYSTEM)

    assert_indexed(db, read)
