"""hash chain over audit entries

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 15:00:00

Each entry gets ``prev_hash`` and ``hash`` (carbon.domain.audit_chain); the existing
entries are chained in id order. The append-only triggers are set aside for the
back-fill (dropped and recreated on SQLite, disabled on PostgreSQL): this runs as the
schema's owner.
"""

import sqlalchemy as sa
from alembic import op

from carbon.domain.audit_chain import GENESIS, ChainFields, entry_hash

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = {  # as 0004 made them
    "audit_log_no_update": "BEFORE UPDATE",
    "audit_log_no_delete": "BEFORE DELETE",
}
_BATCH = 2000

_log = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String),
    sa.column("origin", sa.String),
    sa.column("action", sa.String),
    sa.column("subject", sa.String),
    sa.column("details", sa.JSON),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def _set_triggers_aside(dialect: str) -> None:
    if dialect == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")


def _restore_triggers(dialect: str) -> None:
    if dialect == "sqlite":
        for name, when in _SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} {when} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change")


def _backfill() -> None:
    """Chain the existing entries in id order, a batch at a time."""
    bind = op.get_bind()
    prev, last_id = GENESIS, 0
    update = (
        sa.update(_log)
        .where(_log.c.id == sa.bindparam("b_id"))
        .values(prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash"))
    )
    while True:
        q = sa.select(_log).where(_log.c.id > last_id).order_by(_log.c.id).limit(_BATCH)
        rows = bind.execute(q).mappings().all()
        params = []
        for r in rows:
            fields = ChainFields(r["at"], r["actor"], r["origin"], r["action"], r["subject"], r["details"])
            digest = entry_hash(prev, fields)
            params.append({"b_id": r["id"], "b_prev": prev, "b_hash": digest})
            prev = digest
        if params:
            bind.execute(update, params)
        if len(rows) < _BATCH:
            return
        last_id = rows[-1]["id"]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _set_triggers_aside(dialect)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _backfill()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index("uq_audit_log_prev_hash", ["prev_hash"], unique=True)
    _restore_triggers(dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _set_triggers_aside(dialect)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("uq_audit_log_prev_hash")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    _restore_triggers(dialect)
