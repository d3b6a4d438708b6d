"""supplier contracts (market-based scope 2)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supplier_contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("mwh", sa.Float(), nullable=False),
        sa.Column("factor", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supplier_contracts", schema=None) as batch_op:
        batch_op.create_index("ix_supplier_contracts_enterprise_id", ["enterprise_id"], unique=False)
        batch_op.create_index(
            "uq_supplier_contracts_current",
            ["enterprise_id", "year", "supplier"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )


def downgrade() -> None:
    with op.batch_alter_table("supplier_contracts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_supplier_contracts_current",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.drop_index("ix_supplier_contracts_enterprise_id")
    op.drop_table("supplier_contracts")
