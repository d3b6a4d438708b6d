"""the enterprise's English name

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


# An enterprise's name in English (企业英文名称), shown in English charts and answers. A
# display name: an upload that gives it sets or updates it, one that leaves it blank keeps
# it (carbon.services.display_names); it is not part of the identity history.


def upgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_en", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_column("name_en")
