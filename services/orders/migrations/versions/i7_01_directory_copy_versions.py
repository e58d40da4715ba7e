"""the copy of the directory keeps team kind and status, volunteer status,
memberships that ended, and the version of the last event applied to each

Revision ID: i7_01
Revises: i3_01
Create Date: 2026-12-03 18:58:51.139232

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i7_01"
down_revision: str | Sequence[str] | None = "i3_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _version():
    return sa.Column(
        "version", sa.Integer(), server_default=sa.text("0"), nullable=False
    )


def _status():
    return sa.Column("status", sa.String(20), server_default="active", nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("known_memberships") as batch:
        batch.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.add_column(_version())
    with op.batch_alter_table("known_teams") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(20), server_default="general", nullable=False)
        )
        batch.add_column(_status())
        batch.add_column(_version())
    with op.batch_alter_table("known_volunteers") as batch:
        batch.add_column(_status())
        batch.add_column(_version())


def downgrade() -> None:
    with op.batch_alter_table("known_volunteers") as batch:
        batch.drop_column("version")
        batch.drop_column("status")
    with op.batch_alter_table("known_teams") as batch:
        batch.drop_column("version")
        batch.drop_column("status")
        batch.drop_column("kind")
    with op.batch_alter_table("known_memberships") as batch:
        batch.drop_column("version")
        batch.drop_column("active")
