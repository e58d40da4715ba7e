"""order lifecycle: priority, wanted window, timers, ratings, declines, street

Revision ID: i3_01
Revises: 0001
Create Date: 2026-12-03 18:42:55.578954

"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "i3_01"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# orders already waiting get the default periods of services/orders/timing.py
WAITING = {"placed": 48, "dispatched": 24, "reported": 72}


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "order_declines",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(
        op.f("ix_order_declines_order_id"), "order_declines", ["order_id"], unique=False
    )
    op.add_column(
        "known_teams", sa.Column("street", sa.String(length=100), nullable=True)
    )
    op.add_column(
        "order_history", sa.Column("reason_code", sa.String(length=30), nullable=True)
    )
    with op.batch_alter_table("orders") as batch:
        batch.add_column(
            sa.Column(
                "priority",
                sa.String(length=10),
                server_default="normal",
                nullable=False,
            )
        )
        batch.add_column(sa.Column("wanted_from", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("wanted_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("timer_due_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("rating_stars", sa.Integer()))
        batch.add_column(sa.Column("rating_comment", sa.Text()))
        batch.create_index(op.f("ix_orders_placed_at"), ["placed_at"], unique=False)
        batch.create_index(
            op.f("ix_orders_timer_due_at"), ["timer_due_at"], unique=False
        )
    arm_waiting_orders()


def arm_waiting_orders():
    orders = sa.table(
        "orders",
        sa.column("id", sa.String),
        sa.column("status", sa.String),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("timer_due_at", sa.DateTime(timezone=True)),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(orders.c.id, orders.c.status, orders.c.updated_at).where(
            orders.c.status.in_(list(WAITING))
        )
    ).all()
    for order_id, status, updated_at in rows:
        due = updated_at + timedelta(hours=WAITING[status])
        conn.execute(
            orders.update().where(orders.c.id == order_id).values(timer_due_at=due)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("orders") as batch:
        batch.drop_index(op.f("ix_orders_timer_due_at"))
        batch.drop_index(op.f("ix_orders_placed_at"))
        batch.drop_column("rating_comment")
        batch.drop_column("rating_stars")
        batch.drop_column("timer_due_at")
        batch.drop_column("wanted_until")
        batch.drop_column("wanted_from")
        batch.drop_column("priority")
    op.drop_column("order_history", "reason_code")
    op.drop_column("known_teams", "street")
    op.drop_index(op.f("ix_order_declines_order_id"), table_name="order_declines")
    op.drop_table("order_declines")
