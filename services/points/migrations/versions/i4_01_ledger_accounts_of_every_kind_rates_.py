"""ledger accounts of every kind, rates, redemption debits

Revision ID: i4_01
Revises: 0001
Create Date: 2026-12-03 18:48:47.458227

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
        "rates",
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("points_per_hour", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("points_per_hour >= 0", name="rate_not_negative"),
        sa.PrimaryKeyConstraint("category", "effective_from"),
    )
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("bank_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("community", sa.String(length=100), nullable=True))
        batch.create_unique_constraint("uq_accounts_bank_id", ["bank_id"])
        batch.create_check_constraint(
            "volunteer_minutes_not_negative",
            "kind <> 'volunteer' OR certified_minutes >= 0",
        )
    with op.batch_alter_table("transfers") as batch:
        # the one-movement-per-key column now also keys debits and refunds
        batch.alter_column("credit_key", new_column_name="dedupe_key")
        for name, kind in [
            ("volunteer_id", sa.String(length=64)),
            ("category", sa.String(length=100)),
            ("rate_category", sa.String(length=100)),
            ("rate_since", sa.Date()),
            ("uncapped_points", sa.BigInteger()),
            ("cap_rule", sa.String(length=20)),
            ("community", sa.String(length=100)),
            ("team_id", sa.String(length=64)),
            ("earned_on", sa.Date()),
            ("redemption_id", sa.String(length=64)),
            ("reverses", sa.String(length=64)),
            ("author", sa.String(length=64)),
        ]:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.create_unique_constraint("uq_transfers_reverses", ["reverses"])
        batch.create_foreign_key(
            "fk_transfers_reverses", "transfers", ["reverses"], ["id"]
        )
        batch.create_check_constraint(
            "minutes_not_negative", "minutes IS NULL OR minutes >= 0"
        )
        batch.create_index("ix_transfers_earned_on", ["earned_on"])
        batch.create_index("ix_transfers_redemption_id", ["redemption_id"])
        batch.create_index(
            "ix_transfers_volunteer_at", ["volunteer_id", "created_at", "id"]
        )
    # every transfer so far was a credit to a volunteer's account
    op.execute(
        "UPDATE transfers SET volunteer_id = substr(to_account, 11)"
        " WHERE to_account LIKE 'volunteer:%'"
    )
    op.create_table(
        "redemption_debits",
        sa.Column("redemption_id", sa.String(length=64), nullable=False),
        sa.Column("volunteer_id", sa.String(length=64), nullable=False),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("transfer_id", sa.String(length=64), nullable=True),
        sa.Column("refund_id", sa.String(length=64), nullable=True),
        sa.Column("balance", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["refund_id"], ["transfers.id"]),
        sa.ForeignKeyConstraint(["transfer_id"], ["transfers.id"]),
        sa.PrimaryKeyConstraint("redemption_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("redemption_debits")
    with op.batch_alter_table("transfers") as batch:
        batch.drop_index("ix_transfers_volunteer_at")
        batch.drop_index("ix_transfers_redemption_id")
        batch.drop_index("ix_transfers_earned_on")
        batch.drop_constraint("minutes_not_negative", type_="check")
        batch.drop_constraint("fk_transfers_reverses", type_="foreignkey")
        batch.drop_constraint("uq_transfers_reverses", type_="unique")
        for name in [
            "author",
            "reverses",
            "redemption_id",
            "earned_on",
            "team_id",
            "community",
            "cap_rule",
            "uncapped_points",
            "rate_since",
            "rate_category",
            "category",
            "volunteer_id",
        ]:
            batch.drop_column(name)
        batch.alter_column("dedupe_key", new_column_name="credit_key")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_constraint("volunteer_minutes_not_negative", type_="check")
        batch.drop_constraint("uq_accounts_bank_id", type_="unique")
        batch.drop_column("community")
        batch.drop_column("bank_id")
    op.drop_table("rates")
