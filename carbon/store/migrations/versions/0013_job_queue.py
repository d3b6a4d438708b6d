"""job attempts, heartbeats and de-duplication

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


QUEUED = sa.text("status = 'queued'")


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("run_after", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=200), nullable=True))
        batch_op.create_index(
            "ux_jobs_queued_dedupe_key", ["dedupe_key"], unique=True,
            sqlite_where=QUEUED, postgresql_where=QUEUED,
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ux_jobs_queued_dedupe_key", sqlite_where=QUEUED, postgresql_where=QUEUED)
        batch_op.drop_column("dedupe_key")
        batch_op.drop_column("run_after")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("attempts")
