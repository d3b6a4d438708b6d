"""The service's configuration: every setting, its type and default, read once.

``Settings.from_env()`` is the one place that reads the environment for configuration.
It parses and checks every ``CARBON_*`` variable at once, so a bad value stops the program
at start-up with the variable's name and what was expected, instead of at the first upload
that needs it. The HTTP app loads it in its factory (``api.app.create_app``, kept in
``app.extensions["carbon_settings"]``), the CLI at its entry point; a ``Database`` carries the
settings it was opened with, and the services take what they need from there or as
parameters. Every setting, with its default and meaning: docs/deployment.md (Settings).

An empty variable counts as unset (``CARBON_JOB_BACKOFF`` excepted: empty means no
retries). This module imports only the standard library and the domain's error type.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from carbon.domain.errors import CarbonError

T = TypeVar("T")

JOB_MODES = ("eager", "thread", "celery")
MIB = 1024 * 1024


class SettingsError(CarbonError):
    """A configuration variable with a value that cannot be used."""

    status = 500
    code = "bad_setting"


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the data lives, and how long its statements may run."""

    # CARBON_DATABASE_URL; None: sqlite:///instance/carbon.db under the working directory
    url: str | None = field(default=None, repr=False)  # may hold a password
    statement_timeout_s: float = 30.0  # an API request's statements (PostgreSQL); 0: none
    background_statement_timeout_s: float = 0.0  # the CLI and jobs; 0: the server's own
    analyze_rows: int = 10_000  # ANALYZE the tables written after more rows than this


@dataclass(frozen=True)
class WebSettings:
    """The HTTP API: cookies, upload size, the server's idle limit, login sessions."""

    secret_key: str | None = field(default=None, repr=False)  # None: one kept in instance/
    secure_cookies: bool = False  # behind HTTPS: Secure cookies and HSTS
    max_upload_bytes: int = 50 * MIB
    channel_timeout_s: int = 60  # waitress: seconds a connection may stay idle
    session_idle_minutes: float = 30.0
    session_absolute_hours: float = 12.0


@dataclass(frozen=True)
class JobSettings:
    """Where recomputation jobs run, and their leases and retries (carbon.services.jobs)."""

    mode: str = "thread"  # eager | thread | celery
    threads: int = 1  # worker threads of the in-process runner
    lease_s: float = 60.0  # a running job without a heartbeat for longer is queued again
    heartbeat_s: float | None = None  # None: min(5, a third of the lease)
    backoff_s: tuple[float, ...] = (5.0, 30.0, 120.0)  # before each retry

    @property
    def heartbeat_interval(self) -> float:
        """Seconds between a running job's heartbeats."""
        return self.heartbeat_s if self.heartbeat_s is not None else min(5.0, self.lease_s / 3)

    @property
    def max_attempts(self) -> int:
        """The first run and one retry per backoff."""
        return len(self.backoff_s) + 1

    def retry_delay(self, attempt: int) -> float | None:
        """Seconds before the run after ``attempt`` (1-based), or None when it was the last."""
        return self.backoff_s[attempt - 1] if attempt <= len(self.backoff_s) else None


@dataclass(frozen=True)
class CelerySettings:
    """Jobs on Celery workers with Redis (``CARBON_JOBS=celery``, ``carbon worker``)."""

    broker_url: str | None = field(default=None, repr=False)  # may hold a password
    queue: str = "carbon"
    key_prefix: str = ""  # of the Redis keys
    visibility_s: float = 3600.0  # an unacknowledged message goes to another worker after


@dataclass(frozen=True)
class ImportSettings:
    """What one uploaded file may hold, and how long rejected files are kept."""

    # the importer's own defaults (importers.template.Limits, importers.limits)
    max_rows: int = 1_000_000
    max_unpacked_bytes: int = 1 << 30
    max_line_bytes: int = 64 * 1024
    max_errors: int = 1000
    rejected_keep_days: float = 7.0
    rejected_keep_bytes: int = 200 * 1_000_000


@dataclass(frozen=True)
class PasswordSettings:
    """argon2id's cost (argon2-cffi's recommended profile, RFC 9106 low memory). A stored
    hash carries the parameters it was made with, so it verifies whatever these are, and is
    made again with these at the user's next login."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4


@dataclass(frozen=True)
class Settings:
    database: DatabaseSettings = DatabaseSettings()
    web: WebSettings = WebSettings()
    jobs: JobSettings = JobSettings()
    celery: CelerySettings = CelerySettings()
    imports: ImportSettings = ImportSettings()
    passwords: PasswordSettings = PasswordSettings()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Every setting from ``environ``: a default where a variable is unset or empty, a
        ``SettingsError`` naming the variable for a value that cannot be used."""
        env = _Reader(environ)
        d = DatabaseSettings()
        database = DatabaseSettings(
            url=env.text("CARBON_DATABASE_URL", d.url),
            statement_timeout_s=env.number("CARBON_STATEMENT_TIMEOUT", d.statement_timeout_s, least=0),
            background_statement_timeout_s=env.number(
                "CARBON_BACKGROUND_STATEMENT_TIMEOUT", d.background_statement_timeout_s, least=0
            ),
            analyze_rows=env.whole("CARBON_ANALYZE_ROWS", d.analyze_rows, least=0),
        )
        w = WebSettings()
        web = WebSettings(
            secret_key=env.text("CARBON_SECRET_KEY", w.secret_key),
            secure_cookies=env.flag("CARBON_SECURE_COOKIES", w.secure_cookies),
            max_upload_bytes=env.scaled("CARBON_MAX_UPLOAD_MB", MIB, w.max_upload_bytes),
            channel_timeout_s=env.whole("CARBON_CHANNEL_TIMEOUT", w.channel_timeout_s, least=1),
            session_idle_minutes=env.number("CARBON_SESSION_IDLE_MINUTES", w.session_idle_minutes, above=0),
            session_absolute_hours=env.number(
                "CARBON_SESSION_ABSOLUTE_HOURS", w.session_absolute_hours, above=0
            ),
        )
        j = JobSettings()
        jobs = JobSettings(
            mode=env.choice("CARBON_JOBS", j.mode, JOB_MODES),
            threads=env.whole("CARBON_JOB_THREADS", j.threads, least=1),
            lease_s=env.number("CARBON_JOB_LEASE_S", j.lease_s, above=0),
            heartbeat_s=env.optional_number("CARBON_JOB_HEARTBEAT_S", above=0),
            backoff_s=env.backoff("CARBON_JOB_BACKOFF", j.backoff_s),
        )
        c = CelerySettings()
        celery = CelerySettings(
            broker_url=env.text("CARBON_BROKER_URL", c.broker_url),
            queue=env.text("CARBON_CELERY_QUEUE", c.queue) or c.queue,
            key_prefix=env.text("CARBON_CELERY_KEY_PREFIX", c.key_prefix) or c.key_prefix,
            visibility_s=env.number("CARBON_CELERY_VISIBILITY_S", c.visibility_s, above=0),
        )
        i = ImportSettings()
        imports = ImportSettings(
            max_rows=env.whole("CARBON_MAX_ROWS", i.max_rows, least=1),
            max_unpacked_bytes=env.scaled("CARBON_MAX_UNPACKED_MB", 1_000_000, i.max_unpacked_bytes),
            max_line_bytes=env.scaled("CARBON_MAX_LINE_KB", 1024, i.max_line_bytes),
            max_errors=env.whole("CARBON_MAX_ERRORS", i.max_errors, least=1),
            rejected_keep_days=env.number("CARBON_REJECTED_KEEP_DAYS", i.rejected_keep_days, least=0),
            rejected_keep_bytes=env.scaled(
                "CARBON_REJECTED_KEEP_MB", 1_000_000, i.rejected_keep_bytes, least=0
            ),
        )
        p = PasswordSettings()
        passwords = PasswordSettings(
            time_cost=env.whole("CARBON_ARGON2_TIME_COST", p.time_cost, least=1),
            memory_kib=env.whole("CARBON_ARGON2_MEMORY_KIB", p.memory_kib, least=8),
            parallelism=env.whole("CARBON_ARGON2_PARALLELISM", p.parallelism, least=1),
        )
        if passwords.memory_kib < 8 * passwords.parallelism:
            raise SettingsError(
                f"CARBON_ARGON2_MEMORY_KIB: expected at least 8 × CARBON_ARGON2_PARALLELISM = "
                f"{8 * passwords.parallelism}, got {passwords.memory_kib} "
                f"/ 环境变量 CARBON_ARGON2_MEMORY_KIB 至少为并行度的8倍"
            )
        return cls(database, web, jobs, celery, imports, passwords)


class _Reader:
    """Typed reads of one environment, each failure naming its variable."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        return value.strip() if value is not None and value.strip() else None

    @staticmethod
    def _bad(name: str, expected: str, value: str) -> SettingsError:
        return SettingsError(
            f"{name}: expected {expected}, got {value!r} / 环境变量 {name} 的值 {value!r} 无效"
        )

    def _parse(self, name: str, expected: str, value: str, parse: Callable[[str], T]) -> T:
        try:
            return parse(value)
        except ValueError:
            raise self._bad(name, expected, value) from None

    def text(self, name: str, default: T) -> str | T:
        value = self.environ.get(name)
        return value if value else default

    def flag(self, name: str, default: bool) -> bool:
        raw = self._raw(name)
        if raw is None:
            return default
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise self._bad(name, "true or false", raw)

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        raw = self._raw(name)
        if raw is None:
            return default
        if raw in choices:
            return raw
        raise self._bad(name, " or ".join(choices), raw)

    def number(
        self, name: str, default: float, *, least: float | None = None, above: float | None = None
    ) -> float:
        value = self.optional_number(name, least=least, above=above)
        return default if value is None else value

    def optional_number(
        self, name: str, *, least: float | None = None, above: float | None = None
    ) -> float | None:
        raw = self._raw(name)
        if raw is None:
            return None
        expected = (
            "a number"
            + (f" ≥ {least:g}" if least is not None else "")
            + (f" > {above:g}" if above is not None else "")
        )
        value = self._parse(name, expected, raw, float)
        if value != value or value in (float("inf"), float("-inf")):  # nan, inf
            raise self._bad(name, expected, raw)
        if (least is not None and value < least) or (above is not None and value <= above):
            raise self._bad(name, expected, raw)
        return value

    def whole(self, name: str, default: int, *, least: int) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        expected = f"a whole number ≥ {least}"
        value = self._parse(name, expected, raw, int)
        if value < least:
            raise self._bad(name, expected, raw)
        return value

    def scaled(self, name: str, unit: int, default: int, *, least: float | None = None) -> int:
        """A size given in ``unit``s (MB, KB; fractions allowed), in bytes; above 0 unless
        ``least`` allows it."""
        value = self.optional_number(name, least=least, above=None if least is not None else 0)
        return default if value is None else int(value * unit)

    def backoff(self, name: str, default: tuple[float, ...]) -> tuple[float, ...]:
        """Comma-separated seconds; set but empty: no retries."""
        raw = self.environ.get(name)
        if raw is None:
            return default
        expected = "seconds separated by commas, e.g. 5,30,120"
        try:
            delays = tuple(float(x) for x in raw.split(",") if x.strip())
        except ValueError:
            raise self._bad(name, expected, raw) from None
        if any(d < 0 or d != d or d == float("inf") for d in delays):
            raise self._bad(name, expected, raw)
        return delays
