"""benchmarks: a snapshot of each peer population behind the ratings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "benchmarks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calc_run_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("methodology", sa.String(length=80), nullable=False),
        sa.Column("factor_set", sa.String(length=80), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=8), nullable=False),
        sa.Column("denominator", sa.String(length=20), nullable=False),
        sa.Column("peer_count", sa.Integer(), nullable=False),
        sa.Column("emissions", sa.Float(), nullable=False),
        sa.Column("denominator_total", sa.Float(), nullable=False),
        sa.Column("intensity", sa.Float(), nullable=False),
        sa.Column("advanced", sa.Float(), nullable=False),
        sa.Column("advanced_percentile", sa.Float(), nullable=False),
        sa.Column("q1", sa.Float(), nullable=False),
        sa.Column("median", sa.Float(), nullable=False),
        sa.Column("q3", sa.Float(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["calc_run_id"],
            ["calc_runs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("benchmarks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_benchmarks_group", ["year", "level", "key", "denominator", "calc_run_id"], unique=False
        )
        batch_op.create_index(
            "uq_benchmarks_current",
            ["year", "level", "key", "denominator"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )


def downgrade() -> None:
    with op.batch_alter_table("benchmarks", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_benchmarks_current",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.drop_index("ix_benchmarks_group")

    op.drop_table("benchmarks")
