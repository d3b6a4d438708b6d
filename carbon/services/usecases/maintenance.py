"""Operating the database: migrations on command, the application role's grants, backups
and restores, and verifying the audit log's hash chain (docs/deployment.md).

These open the database without requiring the newest schema (``check=False``): upgrading
and restoring are how it gets there. Each takes the ``settings`` the caller loaded (read
from the environment when not given).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from carbon.domain.errors import CarbonError
from carbon.services import audit, auth, reference
from carbon.settings import Settings
from carbon.store import backup, roles
from carbon.store.db import Database, current_revision, head_revision, safe_url, upgrade
from carbon.store.models import AuditEntry, ImportRow


class Refused(CarbonError):
    """An operation on the database that is not allowed as asked."""

    status = 409
    code = "refused"


def upgrade_database(url: str | None, settings: Settings | None = None) -> dict[str, Any]:
    """Run the migrations up to the newest, then register the shipped reference data."""
    db = Database(url, check=False, settings=settings)
    try:
        before, after = upgrade(db.engine)
        with db.unit_of_work() as session:
            reference.register(session)
        return {"database": safe_url(db.url), "from": before, "to": after, "changed": before != after}
    finally:
        db.dispose()


def grant_app_role(url: str | None, role: str, settings: Settings | None = None) -> dict[str, Any]:
    """Give ``role`` the application's grants in the URL's schema (run as its owner); refused
    for a role that could bypass the audit log's triggers."""
    db = Database(url, settings=settings)
    try:
        if db.dialect != "postgresql":
            raise Refused("roles exist on PostgreSQL only / 仅 PostgreSQL 支持数据库角色")
        schema = backup.target_schema(db.engine)
        found = roles.problems(db.engine, role, schema)
        if found:
            raise Refused("; ".join(found))
        statements = roles.grant(db.engine, role, schema)
        return {"role": role, "schema": schema, "statements": statements}
    finally:
        db.dispose()


def _tables(db: Database) -> list[str]:
    if db.dialect == "sqlite":
        return backup.sqlite_tables(db.engine)
    return backup.pg_tables(db.engine, backup.target_schema(db.engine))


def _contents(db: Database) -> dict[str, Any]:
    """What a backup holds, to say so: imported files (their bytes) and audit entries."""
    if current_revision(db.engine) is None:
        return {"imports": 0, "import_bytes": 0, "audit_entries": 0}
    with db.read() as session:
        n, size = session.execute(select(func.count(), func.coalesce(func.sum(ImportRow.size), 0))).one()
        entries = session.scalar(select(func.count()).select_from(AuditEntry))
    return {"imports": n, "import_bytes": int(size), "audit_entries": entries}


def backup_database(url: str | None, file: Path, settings: Settings | None = None) -> dict[str, Any]:
    """The whole database to ``file`` (written beside it, then renamed): a SQLite file, or a
    PostgreSQL custom-format dump. The archived workbooks are in it."""
    db = Database(url, check=False, settings=settings)
    part = file.with_name(file.name + ".part")
    try:
        if db.dialect == "sqlite":
            backup.sqlite_backup(db.engine, part)
        else:
            backup.pg_backup(db.engine, db.url, part)
        part.replace(file)
        return {
            "database": safe_url(db.url), "file": str(file), "bytes": file.stat().st_size,
            "sha256": _sha256(file), "revision": current_revision(db.engine), **_contents(db),
        }  # fmt: skip
    finally:
        part.unlink(missing_ok=True)
        db.dispose()


def _sha256(file: Path) -> str:
    h = hashlib.sha256()
    with file.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _check_format(db: Database, file: Path) -> None:
    head = file.read_bytes()[:16] if file.is_file() else b""
    want = backup.SQLITE_MAGIC if db.dialect == "sqlite" else backup.PGDUMP_MAGIC
    if not head.startswith(want):
        kind = "an SQLite file" if db.dialect == "sqlite" else "a pg_dump -Fc file"
        raise backup.BackupError(f"{file} is not {kind}: not a backup for this database / 备份文件格式不符")


def restore_database(
    url: str | None, file: Path, *, force: bool = False, settings: Settings | None = None
) -> dict[str, Any]:
    """Restore ``file`` into the database, which must be empty unless ``force``; then check
    the audit log's hash chain (when the restored schema is the newest)."""
    db = Database(url, check=False, settings=settings)
    try:
        _check_format(db, file)
        tables = _tables(db)
        if tables and not force:
            raise Refused(
                f"the database {safe_url(db.url)} is not empty ({len(tables)} tables): restore into an "
                "empty one, or pass --force to replace it / 目标数据库非空，如需覆盖请使用 --force"
            )
        if db.dialect == "sqlite":
            backup.sqlite_restore(db.engine, file)
        else:
            backup.pg_restore(db.engine, db.url, file)
        return {"database": safe_url(db.url), "file": str(file), **_after_restore(db)}
    finally:
        db.dispose()


def _after_restore(db: Database) -> dict[str, Any]:
    revision = current_revision(db.engine)
    out: dict[str, Any] = {"revision": revision, **_contents(db)}
    if revision != head_revision():
        out["audit"] = None
        out["note"] = (
            f"restored at migration {revision}: run `carbon db upgrade`, then `carbon audit verify` "
            "/ 请先运行 carbon db upgrade，再运行 carbon audit verify"
        )
        return out
    with db.read() as session:
        out["audit"] = audit.verify(session)
    return out


def verify_audit(db: Database, *, by: auth.Principal | None) -> dict[str, Any]:
    """Walk the audit log's hash chain (administrators): intact, or the first broken entry."""
    auth.require_admin(by)
    with db.read() as session:
        return audit.verify(session)
