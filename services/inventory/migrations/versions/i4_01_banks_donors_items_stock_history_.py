"""banks, donors, items, stock history, redemptions, distributions

Revision ID: i4_01
Revises: 0001
Create Date: 2026-12-03 18:48:48.482060

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "i4_01"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "donors",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "family_months",
        sa.Column("family_key", sa.String(length=210), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint("count >= 0", name="family_count_not_negative"),
        sa.PrimaryKeyConstraint("family_key", "month"),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("points_price", sa.Integer(), nullable=False),
        sa.Column("free_only", sa.Boolean(), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("low_stock_threshold >= 0", name="threshold_not_negative"),
        sa.CheckConstraint("points_price >= 0", name="price_not_negative"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "receipt_counters",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "distributions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("family_community", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("distributed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["banks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_distributions_bank_id"), "distributions", ["bank_id"], unique=False
    )
    op.create_table(
        "donations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("donor_id", sa.String(length=64), nullable=False),
        sa.Column("donated_on", sa.Date(), nullable=False),
        sa.Column("estimated_value", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["banks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["donor_id"],
            ["donors.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt_no"),
    )
    op.create_index(
        op.f("ix_donations_bank_id"), "donations", ["bank_id"], unique=False
    )
    op.create_index(
        "ix_donations_donor_on", "donations", ["donor_id", "donated_on"], unique=False
    )
    op.create_table(
        "lots",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("donor_id", sa.String(length=64), nullable=True),
        sa.Column("donation_id", sa.String(length=64), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("remaining <= quantity", name="lot_not_overfull"),
        sa.CheckConstraint("remaining >= 0", name="lot_not_negative"),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["banks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["donor_id"],
            ["donors.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(
        "ix_lots_bank_item", "lots", ["bank_id", "item_id", "seq"], unique=False
    )
    op.create_table(
        "redemptions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("volunteer_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("transfer_id", sa.String(length=64), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("points >= 0", name="redemption_points_not_negative"),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["banks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_redemptions_bank_id"), "redemptions", ["bank_id"], unique=False
    )
    op.create_index(
        op.f("ix_redemptions_volunteer_id"),
        "redemptions",
        ["volunteer_id"],
        unique=False,
    )
    op.create_index(
        "ix_redemptions_waiting",
        "redemptions",
        ["status", "next_check_at"],
        unique=False,
    )
    op.create_table(
        "stock",
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name="stock_not_negative"),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["banks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.PrimaryKeyConstraint("bank_id", "item_id"),
    )
    op.create_table(
        "stock_movements",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.String(length=64), nullable=False),
        sa.Column("quantity_after", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("delta <> 0", name="movement_not_empty"),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["banks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(
        "ix_stock_movements_bank_item",
        "stock_movements",
        ["bank_id", "item_id"],
        unique=False,
    )
    op.create_index(
        "ix_stock_movements_ref", "stock_movements", ["ref_id"], unique=False
    )
    op.create_table(
        "stocktakes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("counted_by", sa.String(length=64), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["banks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_stocktakes_bank_id"), "stocktakes", ["bank_id"], unique=False
    )
    op.create_table(
        "distribution_lines",
        sa.Column("distribution_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name="distribution_line_positive"),
        sa.ForeignKeyConstraint(
            ["distribution_id"],
            ["distributions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.PrimaryKeyConstraint("distribution_id", "item_id"),
    )
    op.create_table(
        "donation_lines",
        sa.Column("donation_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name="donation_line_positive"),
        sa.ForeignKeyConstraint(
            ["donation_id"],
            ["donations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.PrimaryKeyConstraint("donation_id", "item_id"),
    )
    op.create_table(
        "lot_draws",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "movement_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "lot_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lot_seq"],
            ["lots.seq"],
        ),
        sa.ForeignKeyConstraint(
            ["movement_seq"],
            ["stock_movements.seq"],
        ),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(
        op.f("ix_lot_draws_lot_seq"), "lot_draws", ["lot_seq"], unique=False
    )
    op.create_index(
        op.f("ix_lot_draws_movement_seq"), "lot_draws", ["movement_seq"], unique=False
    )
    op.create_table(
        "redemption_lines",
        sa.Column("redemption_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("points_price", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name="redemption_line_positive"),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.ForeignKeyConstraint(
            ["redemption_id"],
            ["redemptions.id"],
        ),
        sa.PrimaryKeyConstraint("redemption_id", "item_id"),
    )
    # one bank per community that has one
    with op.batch_alter_table("banks") as batch:
        batch.drop_index("ix_banks_community")
        batch.create_unique_constraint("uq_banks_community", ["community"])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("banks") as batch:
        batch.drop_constraint("uq_banks_community", type_="unique")
        batch.create_index("ix_banks_community", ["community"])
    op.drop_table("redemption_lines")
    op.drop_index(op.f("ix_lot_draws_movement_seq"), table_name="lot_draws")
    op.drop_index(op.f("ix_lot_draws_lot_seq"), table_name="lot_draws")
    op.drop_table("lot_draws")
    op.drop_table("donation_lines")
    op.drop_table("distribution_lines")
    op.drop_index(op.f("ix_stocktakes_bank_id"), table_name="stocktakes")
    op.drop_table("stocktakes")
    op.drop_index("ix_stock_movements_ref", table_name="stock_movements")
    op.drop_index("ix_stock_movements_bank_item", table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_table("stock")
    op.drop_index("ix_redemptions_waiting", table_name="redemptions")
    op.drop_index(op.f("ix_redemptions_volunteer_id"), table_name="redemptions")
    op.drop_index(op.f("ix_redemptions_bank_id"), table_name="redemptions")
    op.drop_table("redemptions")
    op.drop_index("ix_lots_bank_item", table_name="lots")
    op.drop_table("lots")
    op.drop_index("ix_donations_donor_on", table_name="donations")
    op.drop_index(op.f("ix_donations_bank_id"), table_name="donations")
    op.drop_table("donations")
    op.drop_index(op.f("ix_distributions_bank_id"), table_name="distributions")
    op.drop_table("distributions")
    op.drop_table("receipt_counters")
    op.drop_table("items")
    op.drop_table("family_months")
    op.drop_table("donors")
