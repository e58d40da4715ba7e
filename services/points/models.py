"""The points ledger: accounts and the transfers between them.

Every movement is one transfer row from one account to another, so the ledger
sums to zero by construction and is never updated or deleted. An account's
balance is kept beside it in the same transaction as a projection of its
transfers; the database refuses a volunteer balance below zero.
"""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from eventing.database import add_eventing_tables

VOLUNTEER = "volunteer"
ISSUING = "issuing"
ISSUING_ACCOUNT = "district:issuing"


class Base(DeclarativeBase):
    metadata = MetaData()


add_eventing_tables(Base.metadata)


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(
            f"kind <> '{VOLUNTEER}' OR balance >= 0",
            name="volunteer_balance_not_negative",
        ),
    )

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    volunteer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    # certified service minutes are kept apart: spending points never lowers them
    certified_minutes: Mapped[int] = mapped_column(BigInteger, default=0)
    opened_at = mapped_column(DateTime(timezone=True), nullable=False)


class Transfer(Base):
    __tablename__ = "transfers"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    from_account: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    to_account: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[str | None] = mapped_column(String(64), index=True)
    minutes: Mapped[int | None] = mapped_column(Integer)
    rate_per_hour: Mapped[int | None] = mapped_column(Integer)
    # one credit per volunteer per order, whatever event carries it
    credit_key: Mapped[str | None] = mapped_column(String(140), unique=True)
    event_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(DateTime(timezone=True), nullable=False)
