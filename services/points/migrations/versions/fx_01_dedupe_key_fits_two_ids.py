"""dedupe keys fit a kind and two ids of 64 characters

`order_credit:<order id>:<volunteer id>` is 142 characters with ids of the
longest length the contracts allow; 140 refused such a credit for ever.

Revision ID: fx_01
Revises: i4_01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "fx_01"
down_revision: str | Sequence[str] | None = "i4_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transfers") as batch:
        batch.alter_column(
            "dedupe_key", type_=sa.String(length=200), existing_type=sa.String(140)
        )


def downgrade() -> None:
    with op.batch_alter_table("transfers") as batch:
        batch.alter_column(
            "dedupe_key", type_=sa.String(length=140), existing_type=sa.String(200)
        )
