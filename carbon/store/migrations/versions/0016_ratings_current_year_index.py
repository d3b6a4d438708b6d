"""a year's current ratings from an index alone

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 20:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


# The ratings list counts a year's current ratings and joins them to their enterprises;
# with 200,000 enterprises PostgreSQL read the whole ratings table (explanations and all)
# for it. This partial index holds exactly those rows' year and enterprise, so the count
# and the join read it alone (an index-only scan).


def upgrade() -> None:
    op.create_index(
        "ix_ratings_current_year_enterprise",
        "ratings",
        ["year", "enterprise_id"],
        unique=False,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )


def downgrade() -> None:
    op.drop_index("ix_ratings_current_year_enterprise", table_name="ratings")
