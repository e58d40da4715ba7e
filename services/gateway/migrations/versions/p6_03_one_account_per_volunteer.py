"""one account per volunteer record

Two accounts carrying one volunteer's record would let two people spend that
volunteer's points. A partial unique index holds it for accounts made at the
same instant; the gateway refuses a second one with 409 before it gets there.
An existing database that already has such a pair stops the upgrade, naming
the accounts, since which of them is the volunteer's is for a person to say.

Revision ID: p6_03
Revises: p6_02
Create Date: 2026-12-04 22:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "p6_03"
down_revision: str | Sequence[str] | None = "p6_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINKED = sa.text("volunteer_id IS NOT NULL")


def upgrade() -> None:
    shared = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT volunteer_id, username FROM users WHERE volunteer_id IN ("
                " SELECT volunteer_id FROM users WHERE volunteer_id IS NOT NULL"
                " GROUP BY volunteer_id HAVING count(*) > 1)"
                " ORDER BY volunteer_id, username"
            )
        )
        .all()
    )
    if shared:
        pairs = ", ".join(f"{username} ({volunteer})" for volunteer, username in shared)
        raise RuntimeError(
            "these accounts share a volunteer record; unlink all but one of each"
            f" (UPDATE users SET volunteer_id = NULL ...) and upgrade again: {pairs}"
        )
    op.create_index(
        "uq_users_volunteer_id",
        "users",
        ["volunteer_id"],
        unique=True,
        postgresql_where=LINKED,
        sqlite_where=LINKED,
    )


def downgrade() -> None:
    op.drop_index("uq_users_volunteer_id", table_name="users")
