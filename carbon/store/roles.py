"""Least privilege on PostgreSQL: what the application's role may do (docs/deployment.md).

The schema belongs to a migration role that runs ``carbon db upgrade``; the service
connects as an application role that may read and write the tables it uses but only
SELECT and INSERT on ``audit_log``. Not owning the table, it cannot ALTER or DISABLE
its triggers; not a superuser, it cannot ``SET session_replication_role``. The grants
are idempotent: apply them again after every upgrade (new tables).
"""

from __future__ import annotations

from sqlalchemy import Engine, text

APPEND_ONLY = ("audit_log",)  # SELECT and INSERT only
READ_ONLY = ("alembic_version",)  # the service checks the revision, never migrates


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grant_statements(role: str, schema: str, tables: list[str]) -> list[str]:
    """The SQL that gives ``role`` exactly what the service needs in ``schema``."""
    r, s = _q(role), _q(schema)
    out = [
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"REVOKE CREATE ON SCHEMA {s} FROM {r}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
    ]
    for t in sorted(tables):
        allowed = (
            "SELECT, INSERT"
            if t in APPEND_ONLY
            else "SELECT"
            if t in READ_ONLY
            else "SELECT, INSERT, UPDATE, DELETE"
        )
        out.append(f"GRANT {allowed} ON TABLE {s}.{_q(t)} TO {r}")
    return out


def problems(engine: Engine, role: str, schema: str) -> list[str]:
    """What makes ``role`` more than an application role: superuser, owner, replication."""
    with engine.connect() as conn:
        q = "SELECT rolsuper, rolbypassrls, rolreplication FROM pg_roles WHERE rolname = :r"
        row = conn.execute(text(q), {"r": role}).first()
        if row is None:
            return [f"role {role} does not exist: create it first (docs/deployment.md) / 角色 {role} 不存在"]
        owned = conn.scalar(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = :s AND tableowner = :r"),
            {"s": schema, "r": role},
        )
    found = []
    if row.rolsuper:
        found.append(f"role {role} is a superuser: it can bypass every trigger / 角色 {role} 是超级用户")
    if row.rolbypassrls or row.rolreplication:
        found.append(f"role {role} has BYPASSRLS or REPLICATION / 角色 {role} 权限过大")
    if owned:
        found.append(
            f"role {role} owns {owned} tables of {schema}: it could drop their triggers "
            f"/ 角色 {role} 拥有数据表"
        )
    return found


def grant(engine: Engine, role: str, schema: str) -> list[str]:
    """Apply the grants (as the schema's owner); the statements run."""
    with engine.begin() as conn:
        q = "SELECT tablename FROM pg_tables WHERE schemaname = :s"
        tables = list(conn.scalars(text(q), {"s": schema}))
        statements = grant_statements(role, schema, tables)
        for stmt in statements:
            conn.execute(text(stmt))
    return statements
