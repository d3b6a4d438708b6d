"""methodology v2: more carriers, feedstock, three electricity figures, coverage, provisional

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 14:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The carriers cn-default@2 adds (GB/T 32150-2015 Appendix B) and the biomass fuels: one
# nullable column each in canonical units, as every input field has.
NEW_FIELDS = (
    "other_washed_coal",
    "briquette",
    "other_coking_products",
    "lng",
    "refinery_gas",
    "naphtha",
    "other_petroleum_products",
    "tar",
    "crude_benzene",
    "other_gas",
    "biomass",
    "biogas",
)
ACCOUNT_FLOATS = ("electricity_location", "total_location", "biogenic", "intensity", "energy_intensity")
_WHERE = {"sqlite_where": sa.text("is_current"), "postgresql_where": sa.text("is_current")}


def upgrade() -> None:
    with op.batch_alter_table("monthly_inputs", schema=None) as batch_op:
        for key in NEW_FIELDS:
            batch_op.add_column(sa.Column(key, sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("feedstock", sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column("tce_coefficients", sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        for key in ACCOUNT_FLOATS:
            batch_op.add_column(sa.Column(key, sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("month_mask", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("value_added_month_mask", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("provisional", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provisional", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("month_mask", sa.Integer(), nullable=True))
    with op.batch_alter_table("benchmarks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("month_mask", sa.Integer(), nullable=False, server_default="4095"))
        batch_op.drop_index("uq_benchmarks_current", **_WHERE)
        batch_op.create_index(
            "uq_benchmarks_current",
            ["year", "month_mask", "level", "key", "denominator"],
            unique=True,
            **_WHERE,
        )


def downgrade() -> None:
    with op.batch_alter_table("benchmarks", schema=None) as batch_op:
        batch_op.drop_index("uq_benchmarks_current", **_WHERE)
        batch_op.create_index(
            "uq_benchmarks_current", ["year", "level", "key", "denominator"], unique=True, **_WHERE
        )
        batch_op.drop_column("month_mask")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_column("month_mask")
        batch_op.drop_column("provisional")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        for key in ("provisional", "value_added_month_mask", "month_mask", *ACCOUNT_FLOATS[::-1]):
            batch_op.drop_column(key)
    with op.batch_alter_table("monthly_inputs", schema=None) as batch_op:
        for key in ("tce_coefficients", "feedstock", *NEW_FIELDS[::-1]):
            batch_op.drop_column(key)
