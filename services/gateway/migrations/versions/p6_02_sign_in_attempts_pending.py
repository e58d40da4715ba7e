"""a sign-in attempt is written down before its password is checked

`pending` marks an attempt whose password is still being checked: counted
apart from failures, so sign-ins running at once neither slip past the limit
nor refuse one another.

Revision ID: p6_02
Revises: p6_01
Create Date: 2026-12-04 19:15:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "p6_02"
down_revision: str | Sequence[str] | None = "p6_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_failures") as batch:
        batch.add_column(
            sa.Column(
                "pending", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("login_failures") as batch:
        batch.drop_column("pending")
