"""consents; who uploaded an import and asked for a job; audit entries by subject

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 20:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("institution", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("granted_by", sa.String(length=80), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index("ix_consents_institution", ["institution"], unique=False)
        batch_op.create_index("ix_consents_uscc_institution", ["uscc", "institution"], unique=False)
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uploaded_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_imports_uploaded_by_users", "users", ["uploaded_by"], ["id"])
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requested_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_jobs_requested_by_users", "users", ["requested_by"], ["id"])
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_subject_at", ["subject", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_subject_at")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_constraint("fk_jobs_requested_by_users", type_="foreignkey")
        batch_op.drop_column("requested_by")
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_constraint("fk_imports_uploaded_by_users", type_="foreignkey")
        batch_op.drop_column("uploaded_by")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index("ix_consents_uscc_institution")
        batch_op.drop_index("ix_consents_institution")
    op.drop_table("consents")
