"""Engine, sessions and migrations.

The database URL comes from ``--db``/``CARBON_DATABASE_URL`` (``carbon.settings``); the
default is an SQLite file in ``instance/`` under the working directory. A ``Database``
carries the ``Settings`` it was opened with (``db.settings``), and each of its sessions has
them in ``session.info`` (``settings_of``). The schema is always created by the
Alembic migrations beside this module, never by ``create_all``, so SQLite and
PostgreSQL are built the same way. Migrations run on command (``carbon db upgrade``,
``Database(url, migrate=True)``), never as a side effect of opening: several workers
opening the database at once would race. Opening a database whose schema is not the
newest is a ``SchemaNotCurrent``.

A URL is only ever shown through ``safe_url`` (password hidden). A database that cannot be
reached, or a URL that cannot be used, is a ``DatabaseUnavailable`` whose message names
the URL without its password and says what the driver said, the password scrubbed from it.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.orm import Session, sessionmaker

from carbon.domain.errors import CarbonError
from carbon.settings import DatabaseSettings, Settings

MIGRATIONS = Path(__file__).with_name("migrations")
SETTINGS_KEY = "carbon_settings"  # in each session's ``info``


READ_MEMO = "read_memo"  # session.info key: a read-only session's answers, kept for its life


def default_url(settings: Settings | None = None) -> str:
    """``settings.database.url`` (CARBON_DATABASE_URL), else ``instance/carbon.db`` here.
    Without ``settings`` they are read from the environment (the CLI passes none yet)."""
    url = (settings if settings is not None else Settings.from_env()).database.url
    if url:
        return url
    path = Path.cwd() / "instance" / "carbon.db"
    return f"sqlite:///{path}"


def settings_of(session: Session) -> Settings:
    """The settings of the ``Database`` that made ``session`` (the defaults for a session
    made some other way)."""
    found = session.info.get(SETTINGS_KEY)
    return found if isinstance(found, Settings) else Settings()


# Errors that mean "this database cannot be used": a bad URL, no driver, no connection.
CONNECTION_ERRORS = (OperationalError, InterfaceError)
# [scheme://]user:password@rest, the password running to the LAST "@": an unencoded "@" in a
# password makes SQLAlchemy take the rest of it for the host, so the last "@" is the safe cut.
_USERINFO = r"(?P<user>[^:@/]*):(?P<password>.*)@(?P<rest>[^@]*)"
_WITH_SCHEME = re.compile(r"(?P<scheme>[^:/?#@]*://)" + _USERINFO, re.DOTALL)
_NO_SCHEME = re.compile(r"(?P<scheme>)" + _USERINFO, re.DOTALL)
_MIN_PIECE = 4  # parts of a password (split at "@") this long are scrubbed on their own too


class DatabaseUnavailable(CarbonError):
    """The database cannot be reached or the URL cannot be used."""

    status = 503
    code = "database_unavailable"


class SchemaNotCurrent(CarbonError):
    """The database's schema is missing or not at the newest migration."""

    status = 503
    code = "schema_not_current"


def _userinfo(url: str) -> re.Match[str] | None:
    return (_WITH_SCHEME if "://" in url else _NO_SCHEME).fullmatch(url)


def safe_url(url: str) -> str:
    """The URL with any password hidden, for logs and messages: everything between ``user:``
    and the last ``@``, whether or not SQLAlchemy can read the URL."""
    m = _userinfo(url)
    if m:
        return f"{m['scheme']}{m['user']}:***@{m['rest']}"
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads, and it holds no password
        return url


def _secrets(url: str) -> set[str]:
    """Every spelling of the URL's password that a message could contain."""
    found = set()
    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads: the raw text below
        password = None
    if password:
        found.add(str(password))
    m = _userinfo(url)
    if m and m["password"]:
        found.add(m["password"])
        found.update(piece for piece in m["password"].split("@") if len(piece) >= _MIN_PIECE)
    return {s for p in found for s in (p, unquote(p)) if s}


def scrub(text: str, url: str) -> str:
    """``text`` with the URL shown safely and its password removed wherever it appears."""
    text = text.replace(url, safe_url(url))
    for secret in sorted(_secrets(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def describe_error(err: BaseException, url: str) -> str:
    """What went wrong with the database at ``url``, for people: the driver's own message
    (not SQLAlchemy's wrapper with its links), the password nowhere."""
    cause = err.orig if isinstance(err, DBAPIError) and err.orig is not None else err
    lines = [line.strip() for line in str(cause).strip().splitlines() if line.strip()]
    said = " ".join(line for line in lines if not line.startswith("(Background on this error"))
    return scrub(said or type(cause).__name__, url)


def unavailable(err: BaseException, url: str) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"cannot use the database {safe_url(url)}: {describe_error(err, url)} / 无法连接或使用数据库"
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def json_dumps(value: Any) -> str:
    """JSON for every JSON column: orjson (Rust) is ~10x the stdlib encoder, and rating
    explanations are written tens of thousands at a time. UTF-8 text, no escaping of CJK."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


IDLE_PING_S = 5.0  # a pooled connection idle this long is checked before it is used


def _postgresql_session(dbapi_conn: Any, _record: Any) -> None:
    """Each new connection: no JIT compilation. The service's queries are short index
    reads, for which compiling costs more than it saves (30 ms on a count of 200,000
    ratings that then took 20)."""
    cur = dbapi_conn.cursor()
    cur.execute("SET jit = off")
    cur.close()
    dbapi_conn.commit()


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling for connections that sat idle in the pool: one that
    was unused for ``IDLE_PING_S`` is asked ``SELECT 1`` when checked out, and replaced if
    the server went away meanwhile (a restart, an idle timeout). One in steady use is not:
    a ping on every checkout is a round trip and about half a millisecond of CPU on each
    of a request's sessions, and a connection lost mid-use fails its request either way."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["carbon_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("carbon_idle_since")
        if since is not None and time.monotonic() - since < IDLE_PING_S:
            return
        try:
            cur = dbapi_conn.cursor()
            cur.execute("SELECT 1")
            cur.close()
            dbapi_conn.rollback()
        except Exception as err:  # the pool retries with a new connection
            raise DisconnectionError(str(err)) from err


def make_engine(url: str, settings: DatabaseSettings | None = None) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, json_serializer=json_dumps, json_deserializer=orjson.loads)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    from carbon.store import timeouts

    engine = create_engine(url, json_serializer=json_dumps, json_deserializer=orjson.loads)
    _ping_when_idle(engine)
    event.listen(engine, "connect", _postgresql_session)
    background = (settings or DatabaseSettings()).background_statement_timeout_s
    timeouts.install(engine, background)  # each checkout gets its caller's statement_timeout
    return engine


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@functools.cache
def head_revision() -> str:
    """The newest migration this program has."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "no migrations"
    return str(head)


def current_revision(engine: Engine) -> str | None:
    """The database's migration (None: no schema yet)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest migration: (revision before, revision after)."""
    from alembic import command

    before = current_revision(engine)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return before, head_revision()


def require_current(engine: Engine, url: str) -> None:
    """Refuse a database that is not at the newest migration, in one line."""
    found, head = current_revision(engine), head_revision()
    if found == head:
        return
    if found is None:
        said = (
            f"the database {safe_url(url)} has no schema yet: run `carbon db upgrade` "
            "/ 数据库尚未建表，请先运行 carbon db upgrade"
        )
    else:
        said = (
            f"the database {safe_url(url)} is at migration {found}, this program needs {head}: "
            f"run `carbon db upgrade` / 数据库结构版本为 {found}，需要 {head}，请先运行 carbon db upgrade"
        )
    raise SchemaNotCurrent(said)


class Database:
    """One engine and its session factory; ``unit_of_work`` commits once or rolls back.

    ``migrate`` brings the schema to the newest migration first (``carbon db upgrade``,
    tests); otherwise, with ``check``, a schema that is not the newest is refused.
    ``settings``: the service's configuration (read from the environment when not given)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        migrate: bool = False,
        check: bool = True,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings if settings is not None else Settings.from_env()
        self.url = url or default_url(self.settings)
        try:
            self.engine = make_engine(self.url, self.settings.database)
            self.engine.connect().close()
        except (ArgumentError, NoSuchModuleError, ValueError, OSError, *CONNECTION_ERRORS) as err:
            # not chained: the original may spell the URL out
            raise unavailable(err, self.url) from None
        try:
            if migrate:
                upgrade(self.engine)
            elif check:
                require_current(self.engine, self.url)
        except BaseException:
            self.engine.dispose()  # refused: no pooled connection outlives the attempt
            raise
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # what the services keep per database in this process (the audit writer)
        self.extensions: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"Database({safe_url(self.url)!r})"

    def _session(self) -> Session:
        return self.sessions(info={SETTINGS_KEY: self.settings})

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        session = self._session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A unit of work whose statements all read one consistent snapshot (what commits
        meanwhile is not seen): REPEATABLE READ on PostgreSQL, where writing a row that
        changed since the snapshot fails (a serialization failure, an ``OperationalError``:
        the caller runs the whole unit again). On SQLite, ``BEGIN IMMEDIATE``: the unit takes
        the single write lock at its start, so nothing commits under its reads. A deferred
        read transaction could never write once anyone else had committed (the job's own
        heartbeat, every few seconds), and would fail every time; other writers, the
        heartbeat included, wait for the unit (the busy timeout) or skip a beat."""
        with self.unit_of_work() as session:
            if self.dialect == "postgresql":
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            elif self.dialect == "sqlite":
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session that only reads (rolled back at the end): what it learns may be kept
        in ``session.info[READ_MEMO]`` for its other statements."""
        session = self._session()
        session.info[READ_MEMO] = {}
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
