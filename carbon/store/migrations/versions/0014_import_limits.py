"""rejected files kept for a limited time

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


# A rejected file's bytes are purged after a while (carbon.services.import_retention): its
# content becomes NULL and content_purged_at says when. error_counts holds every cell error
# counted (per column, per kind) when only the first ones are kept in errors.


def upgrade() -> None:
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.alter_column("content", existing_type=sa.LargeBinary(), nullable=True)
        batch_op.add_column(sa.Column("content_purged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("error_counts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_column("error_counts")
        batch_op.drop_column("content_purged_at")
    # a purged file has no bytes left: an empty file stands for it
    op.execute(sa.text("UPDATE imports SET content = :empty WHERE content IS NULL").bindparams(empty=b""))
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.alter_column("content", existing_type=sa.LargeBinary(), nullable=False)
