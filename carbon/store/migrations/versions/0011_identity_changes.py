"""identity change requests; history of industry and region

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

RATING_CODES = (("industry_code", 8), ("division", 2), ("section", 1), ("region_code", 6))


def upgrade() -> None:
    op.create_table(
        "identity_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("old_name", sa.String(length=200), nullable=True),
        sa.Column("old_industry_code", sa.String(length=8), nullable=False),
        sa.Column("old_region_code", sa.String(length=6), nullable=False),
        sa.Column("new_name", sa.String(length=200), nullable=True),
        sa.Column("new_industry_code", sa.String(length=8), nullable=True),
        sa.Column("new_region_code", sa.String(length=6), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("sheet", sa.String(length=100), nullable=True),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_by_name", sa.String(length=100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"]),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("identity_changes", schema=None) as batch_op:
        batch_op.create_index("ix_identity_changes_status", ["status", "enterprise_id"], unique=False)
        batch_op.create_index("ix_identity_changes_new_region_code", ["new_region_code"], unique=False)
    op.create_table(
        "enterprise_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("industry_code", sa.String(length=8), nullable=False),
        sa.Column("division", sa.String(length=2), nullable=False),
        sa.Column("section", sa.String(length=1), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"]),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["identity_changes.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("enterprise_identities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enterprise_identities_enterprise", ["enterprise_id", "valid_from"], unique=False
        )
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        for name, length in RATING_CODES:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    # What is known of the past: every enterprise's identity as it stands now is its first
    # version, and the ratings already stored were computed with these codes.
    op.execute(
        "INSERT INTO enterprise_identities (enterprise_id, name, industry_code, division, section, "
        "region_code, valid_from, changed_by, reason) SELECT id, name, industry_code, division, "
        "section, region_code, created_at, 'migration', 'as recorded before identity history' "
        "FROM enterprises"
    )
    for name, _ in RATING_CODES:
        op.execute(
            f"UPDATE ratings SET {name} = "
            f"(SELECT enterprises.{name} FROM enterprises WHERE enterprises.id = ratings.enterprise_id)"
        )


def downgrade() -> None:
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        for name, _ in reversed(RATING_CODES):
            batch_op.drop_column(name)
    with op.batch_alter_table("enterprise_identities", schema=None) as batch_op:
        batch_op.drop_index("ix_enterprise_identities_enterprise")
    op.drop_table("enterprise_identities")
    with op.batch_alter_table("identity_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_changes_new_region_code")
        batch_op.drop_index("ix_identity_changes_status")
    op.drop_table("identity_changes")
