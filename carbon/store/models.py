"""SQLAlchemy 2 mapping of the store.

Inputs are kept as one wide row per enterprise-month and revision (``monthly_inputs``):
the accounting reads hundreds of thousands of them at once, and a row per cell would
multiply that volume by the number of carriers. Where each number came from is kept all
the same: the row's import, sheet and row number, the import's column mappings (header,
unit, conversion factor) and the raw text of cells that were not plain numbers.

Results (``accounts``, ``ratings``) are never updated in place: a new computation adds
rows and moves the ``current`` flag, so every earlier result stays readable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from carbon.domain.quantities import FIELD_KEYS


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(t: datetime) -> datetime:
    """A stored timestamp with its zone: SQLite gives DateTime(timezone=True) back naive (UTC)."""
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def one_current(name: str, *columns: str) -> Index:
    """At most one current row per key: results and inputs are never overwritten, a new
    row takes the ``is_current`` flag from the old one."""
    where = text("is_current")
    return Index(name, *columns, unique=True, sqlite_where=where, postgresql_where=where)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class _PublishedDocument:
    """A published ``key@version`` document (factor set, methodology), stored once with its
    sha256 so that a changed document under a used version is detected."""

    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    document: Mapped[dict[str, Any]]
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # shipped with the service (package data) or published by an administrator
    origin: Mapped[str] = mapped_column(String(16), default="shipped", server_default="shipped")
    # a retired version stays readable (results name it) but is offered for no new computation
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    retired_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class FactorSetRow(_PublishedDocument, Base):
    __tablename__ = "factor_sets"


class MethodologyRow(_PublishedDocument, Base):
    __tablename__ = "methodologies"


class Enterprise(Base):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    # the name in English, for English charts and answers: a display name an upload sets or
    # updates, not part of the identity (carbon.services.display_names)
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    industry_code: Mapped[str] = mapped_column(String(8))
    division: Mapped[str] = mapped_column(String(2), index=True)
    section: Mapped[str] = mapped_column(String(1))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ImportRow(Base):
    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    # the file as uploaded; None once a rejected file's bytes were purged (see
    # carbon.services.import_retention: sha256, size, filename and errors stay)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_added: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    enterprises: Mapped[list[Any]] = mapped_column(default=list)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    columns: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # who uploaded it (a user's id; None: the operator's CLI or the service itself)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # when a rejected file's bytes were purged (importers.limits, import_retention)
    content_purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # every cell error counted (total, per column, per kind) when only the first N are in errors
    error_counts: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class MonthlyInput(Base):
    """One revision of one enterprise-month, all quantities in canonical units."""

    __tablename__ = "monthly_inputs"
    __table_args__ = (
        one_current("uq_monthly_inputs_current", "enterprise_id", "year", "month"),
        Index("ix_monthly_inputs_year_enterprise", "year", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    sheet: Mapped[str] = mapped_column(String(100))
    row: Mapped[int] = mapped_column(Integer)
    originals: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    # 205-1 returns: fuel used as feedstock (用于原材料, canonical units by field key: not
    # combustion, no emissions by default) and the 采用折标系数 the enterprise filed (tce/unit)
    feedstock: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    tce_coefficients: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)


# One nullable float column per input field, named by its key (canonical unit).
for _key in FIELD_KEYS:
    setattr(MonthlyInput, _key, mapped_column(_key, Float, nullable=True))
del _key


class CalcRun(Base):
    """One computation of accounts and ratings: why, with which versions, for which years."""

    __tablename__ = "calc_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))  # import | recalc
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)
    factor_set: Mapped[str] = mapped_column(String(80))
    methodology: Mapped[str] = mapped_column(String(80))
    years: Mapped[list[Any]]
    accounts_written: Mapped[int] = mapped_column(Integer, default=0)
    ratings_written: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class YearPolicy(Base):
    """Which factor set and methodology the current results of a year use."""

    __tablename__ = "year_policies"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    factor_set: Mapped[str] = mapped_column(String(80))
    methodology: Mapped[str] = mapped_column(String(80))
    calc_run_id: Mapped[int] = mapped_column(ForeignKey("calc_runs.id"))


class AccountRow(Base):
    __tablename__ = "accounts"
    __table_args__ = (one_current("uq_accounts_current", "enterprise_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    calc_run_id: Mapped[int] = mapped_column(ForeignKey("calc_runs.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    factor_set: Mapped[str] = mapped_column(String(80))
    methodology: Mapped[str] = mapped_column(String(80))
    months: Mapped[int] = mapped_column(Integer)
    fuel: Mapped[float] = mapped_column(Float)
    process: Mapped[float] = mapped_column(Float)
    electricity: Mapped[float] = mapped_column(Float)
    heat: Mapped[float] = mapped_column(Float)
    total: Mapped[float] = mapped_column(Float)
    energy_tce: Mapped[float] = mapped_column(Float)
    value_added: Mapped[float | None] = mapped_column(Float, nullable=True)
    gross_output: Mapped[float | None] = mapped_column(Float, nullable=True)
    tax: Mapped[float | None] = mapped_column(Float, nullable=True)
    grid_factor: Mapped[float] = mapped_column(Float)
    grid_factor_year: Mapped[int] = mapped_column(Integer)
    factor_proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    # market-based scope 2, a second figure beside the location-based ``electricity``
    electricity_market: Mapped[float | None] = mapped_column(Float, nullable=True)
    total_market: Mapped[float | None] = mapped_column(Float, nullable=True)
    # location-based scope 2 (green power not deducted), and its total
    electricity_location: Mapped[float | None] = mapped_column(Float, nullable=True)
    total_location: Mapped[float | None] = mapped_column(Float, nullable=True)
    biogenic: Mapped[float | None] = mapped_column(Float, nullable=True)  # memo: biomass CO2
    # coverage: bit m-1 set for each month with energy data / with value added
    month_mask: Mapped[int | None] = mapped_column(Integer, nullable=True)
    value_added_month_mask: Mapped[int | None] = mapped_column(Integer, nullable=True)
    intensity: Mapped[float | None] = mapped_column(Float, nullable=True)  # over value-added months
    energy_intensity: Mapped[float | None] = mapped_column(Float, nullable=True)  # tce / 10^4 CNY
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RatingRow(Base):
    __tablename__ = "ratings"
    __table_args__ = (
        one_current("uq_ratings_current", "enterprise_id", "year"),
        Index("ix_ratings_year_current", "year", "is_current"),
        # a year's current ratings read from the index alone (the list's count, the join)
        Index(
            "ix_ratings_current_year_enterprise", "year", "enterprise_id",
            sqlite_where=text("is_current"), postgresql_where=text("is_current"),
        ),  # fmt: skip
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    calc_run_id: Mapped[int] = mapped_column(ForeignKey("calc_runs.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    factor_set: Mapped[str] = mapped_column(String(80))
    methodology: Mapped[str] = mapped_column(String(80))
    emissions: Mapped[float] = mapped_column(Float)
    intensity: Mapped[float | None] = mapped_column(Float, nullable=True)
    intensity_class: Mapped[str | None] = mapped_column(String(8), nullable=True)
    industry_intensity: Mapped[float | None] = mapped_column(Float, nullable=True)
    ratio: Mapped[float | None] = mapped_column(Float, nullable=True)
    grade: Mapped[int | None] = mapped_column(Integer, nullable=True)
    peer_level: Mapped[str | None] = mapped_column(String(10), nullable=True)
    peer_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    industry_advanced: Mapped[float | None] = mapped_column(Float, nullable=True)
    industry_advanced_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    regional_contribution: Mapped[float | None] = mapped_column(Float, nullable=True)
    regional_contribution_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    historical_decline: Mapped[float | None] = mapped_column(Float, nullable=True)
    historical_decline_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    colour: Mapped[str | None] = mapped_column(String(12), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    explanation: Mapped[dict[str, Any]]
    # a year to date (暂评): compared with its peers over the same calendar months
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    month_mask: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # the enterprise's codes the rating was computed with (its peer groups); None: rated
    # before they were kept (migration 0011 filled in the codes of that moment)
    industry_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    division: Mapped[str | None] = mapped_column(String(2), nullable=True)
    section: Mapped[str | None] = mapped_column(String(1), nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(6), nullable=True)


class Job(Base):
    """Work done after a request commits (recomputing ratings after an import).

    Created in the same transaction as what caused it, so a committed import always has
    its recomputation queued; a runner claims queued jobs one at a time.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status", "status"),
        # One queued job per identical request: a second one joins it (carbon.services.jobs).
        Index(
            "ux_jobs_queued_dedupe_key",
            "dedupe_key",
            unique=True,
            sqlite_where=text("status = 'queued'"),
            postgresql_where=text("status = 'queued'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Runs so far; a running job's runner refreshes heartbeat_at, and one whose heartbeat is
    # older than the lease is queued again (or failed after the last attempt). A retry waits
    # until run_after. dedupe_key: set while queued, so an identical request joins the job.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    run_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), nullable=True)


class FeedReading(Base):
    """One reading pushed by a utility's meter feed, as received and in canonical units.

    ``(source, key)`` is the client's idempotency key: the same key again is the same
    reading. Readings are applied to ``monthly_inputs`` as new revisions; this table keeps
    what each source said, so a later reading of the same enterprise-month-carrier from
    that source supersedes its earlier one.
    """

    __tablename__ = "feed_readings"
    __table_args__ = (
        UniqueConstraint("source", "key", name="uq_feed_readings_source_key"),
        Index("ix_feed_readings_enterprise_period", "enterprise_id", "year", "month", "carrier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    carrier: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)  # canonical unit of the carrier
    original_value: Mapped[float] = mapped_column(Float)
    original_unit: Mapped[str] = mapped_column(String(40))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Append-only record of changes to reference data and of recalculations: who, when,
    what and from where. The database itself refuses UPDATE and DELETE on this table
    (triggers created by the migration)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_action_at", "action", "at"),
        Index("ix_audit_log_subject_at", "subject", "at"),
        # the hash chain (carbon.domain.audit_chain): no two entries follow the same one
        Index("uq_audit_log_prev_hash", "prev_hash", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))  # who: a user, or "cli:<os user>", "system"
    origin: Mapped[str | None] = mapped_column(String(100), nullable=True)  # from where: IP, "cli"
    action: Mapped[str] = mapped_column(String(40))  # e.g. factor_set.publish, recalc.run
    subject: Mapped[str] = mapped_column(String(200))  # e.g. cn-default@2, years 2023
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))  # the previous entry's hash (0…0: the first)
    hash: Mapped[str] = mapped_column(String(64))  # sha256 of the fields above and prev_hash


class BenchmarkRow(Base):
    """A snapshot of one peer population of a year (industry 大类 ``division``, 门类
    ``section``, ``all``, ``county``) for one denominator, written by the calculation run
    that rated the year. Append-only like the results: a changed population adds a row and
    takes the ``is_current`` flag."""

    __tablename__ = "benchmarks"
    __table_args__ = (
        one_current("uq_benchmarks_current", "year", "month_mask", "level", "key", "denominator"),
        Index("ix_benchmarks_group", "year", "level", "key", "denominator", "calc_run_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    calc_run_id: Mapped[int] = mapped_column(ForeignKey("calc_runs.id"))
    year: Mapped[int] = mapped_column(Integer)
    methodology: Mapped[str] = mapped_column(String(80))
    factor_set: Mapped[str] = mapped_column(String(80))
    level: Mapped[str] = mapped_column(String(10))  # division | section | all | county
    key: Mapped[str] = mapped_column(String(8))  # "26", "C", "all", "330802"
    denominator: Mapped[str] = mapped_column(String(20))  # value_added | gross_output | tax
    # the calendar months compared (bit m-1 for month m): 4095 a whole year; fewer for the
    # peers of a year to date (暂评), compared over the same months
    month_mask: Mapped[int] = mapped_column(Integer, default=4095, server_default="4095")
    peer_count: Mapped[int] = mapped_column(Integer)
    emissions: Mapped[float] = mapped_column(Float)  # ΣE, tCO2
    denominator_total: Mapped[float] = mapped_column(Float)  # Σ denominator
    intensity: Mapped[float] = mapped_column(Float)  # ΣE / Σ denominator
    advanced: Mapped[float] = mapped_column(Float)  # the advanced_percentile-th peer intensity
    advanced_percentile: Mapped[float] = mapped_column(Float)
    q1: Mapped[float] = mapped_column(Float)
    median: Mapped[float] = mapped_column(Float)
    q3: Mapped[float] = mapped_column(Float)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SupplierContract(Base):
    """Electricity bought under a contract with a supplier-specific emission factor, for an
    enterprise and year: the market-based scope 2 counts it at that factor. A new record for
    the same enterprise, year and supplier supersedes the old one, which stays readable."""

    __tablename__ = "supplier_contracts"
    __table_args__ = (one_current("uq_supplier_contracts_current", "enterprise_id", "year", "supplier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    supplier: Mapped[str] = mapped_column(String(200))
    mwh: Mapped[float] = mapped_column(Float)  # electricity covered in the year
    factor: Mapped[float] = mapped_column(Float)  # tCO2/MWh, the supplier's
    evidence: Mapped[str] = mapped_column(Text)  # contract number, certificate, document
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """A person: an enterprise's staff (one or more USCCs), a bank's (an institution), an
    official (a region code; 330800 sees every 3308xx) or an administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    role: Mapped[str] = mapped_column(String(16))  # enterprise | bank | official | admin
    region_code: Mapped[str | None] = mapped_column(String(6), nullable=True)  # officials
    institution: Mapped[str | None] = mapped_column(String(200), nullable=True)  # banks
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class UserEnterprise(Base):
    """Which enterprises an enterprise user acts for."""

    __tablename__ = "user_enterprises"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)


class ApiToken(Base):
    """A bearer token for an API client or a utility's feed: only its sha256 is kept; it
    expires, can be revoked, and carries a scope."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(200))  # space-separated: read write feeds admin
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LoginSession(Base):
    """A password login, kept server-side: the cookie holds a random id whose sha256 is
    ``id``. Ended by logout, a password change or disabling the user; it expires after an
    idle and an absolute lifetime (docs/access.md)."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's id
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_why: Mapped[str | None] = mapped_column(String(20), nullable=True)  # logout | password | …


class LoginLock(Base):
    """One row per username tried: a login locks it while it counts recent failures, checks
    the password and records the outcome, so parallel attempts are counted one at a time."""

    __tablename__ = "login_locks"

    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    tried_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Consent(Base):
    """An enterprise's grant to a bank (an institution) to see one USCC's data: scope
    ``rating`` (ratings only) or ``account`` (also accounts, contracts, emission charts),
    until ``expires_at`` or until revoked. Rows are never deleted."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_uscc_institution", "uscc", "institution"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18))
    institution: Mapped[str] = mapped_column(String(200), index=True)
    scope: Mapped[str] = mapped_column(String(16))  # rating | account
    granted_by: Mapped[str] = mapped_column(String(80))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(80), nullable=True)


class IdentityVersion(Base):
    """One version of an enterprise's identity (name, industry, region), valid from
    ``valid_from`` until the next version: the first import, a change by the operator or an
    administrator, or an approved change request. Rows are never updated."""

    __tablename__ = "enterprise_identities"
    __table_args__ = (Index("ix_enterprise_identities_enterprise", "enterprise_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    industry_code: Mapped[str] = mapped_column(String(8))
    division: Mapped[str] = mapped_column(String(2))
    section: Mapped[str] = mapped_column(String(1))
    region_code: Mapped[str] = mapped_column(String(6))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(100))  # a user, "cli:<os user>", "migration"
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("identity_changes.id"), nullable=True)


class IdentityChange(Base):
    """A change of name, industry or region carried by an enterprise's own upload: recorded,
    not applied, until an official of its region (old or new) or an administrator approves
    it. ``new_*`` is None for what the file did not change."""

    __tablename__ = "identity_changes"
    __table_args__ = (Index("ix_identity_changes_status", "status", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|approved|rejected|superseded
    old_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    old_industry_code: Mapped[str] = mapped_column(String(8))
    old_region_code: Mapped[str] = mapped_column(String(6))
    new_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    new_industry_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    new_region_code: Mapped[str | None] = mapped_column(String(6), nullable=True, index=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), nullable=True)
    sheet: Mapped[str | None] = mapped_column(String(100), nullable=True)
    row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    requested_by_name: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), nullable=True)
