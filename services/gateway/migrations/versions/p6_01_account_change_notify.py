"""every gateway hears at once when an account is disabled, enabled or removed

A trigger NOTIFYs `account_changed` with the account's id when `disabled` is
written or the row is deleted, whoever does it; the gateways LISTEN and
forget what they remembered of that account (services.gateway.active_accounts).
PostgreSQL only: SQLite has no NOTIFY, and a gateway on SQLite remembers
nothing.

Revision ID: p6_01
Revises: i5_01
Create Date: 2026-12-04 16:45:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "p6_01"
down_revision: str | Sequence[str] | None = "i5_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _postgresql():
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgresql():
        return
    op.execute(
        """
        CREATE FUNCTION notify_account_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('account_changed', COALESCE(NEW.id, OLD.id));
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER users_account_changed
        AFTER UPDATE OF disabled OR DELETE ON users
        FOR EACH ROW EXECUTE FUNCTION notify_account_changed()
        """
    )


def downgrade() -> None:
    if not _postgresql():
        return
    op.execute("DROP TRIGGER users_account_changed ON users")
    op.execute("DROP FUNCTION notify_account_changed()")
