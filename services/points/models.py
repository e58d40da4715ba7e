"""The points ledger: accounts and the transfers between them.

Every movement is one transfer row from one account to another, so the ledger
sums to zero by construction and is never updated or deleted; a correction is
a new transfer the other way. An account's balance is kept beside it in the
same transaction as a projection of its transfers; the database refuses a
volunteer balance (or certified minutes) below zero.
"""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from eventing.database import add_eventing_tables

# kinds of account
VOLUNTEER = "volunteer"
ISSUING = "issuing"
REDEMPTION = "redemption"
ADJUSTMENT = "adjustment"
ISSUING_ACCOUNT = "district:issuing"
ADJUSTMENT_ACCOUNT = "district:adjustment"

# kinds of transfer
ORDER_CREDIT = "order_credit"
REDEMPTION_DEBIT = "redemption_debit"
REDEMPTION_REFUND = "redemption_refund"
MANUAL_ADJUSTMENT = "adjustment"
REVERSAL = "reversal"

# what a redemption's debit came to
DEBITED = "debited"
REJECTED = "rejected"
CANCELLED = "cancelled"

# the rate that applies to every category without one of its own
ANY_CATEGORY = "*"


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
        CheckConstraint(
            f"kind <> '{VOLUNTEER}' OR certified_minutes >= 0",
            name="volunteer_minutes_not_negative",
        ),
    )

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    volunteer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    bank_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # the volunteer's community, from VolunteerRegistered: staff see their own
    community: Mapped[str | None] = mapped_column(String(100))
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    # certified service minutes are kept apart: spending points never lowers them
    certified_minutes: Mapped[int] = mapped_column(BigInteger, default=0)
    opened_at = mapped_column(DateTime(timezone=True), nullable=False)


class Transfer(Base):
    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes_not_negative"),
        Index("ix_transfers_volunteer_at", "volunteer_id", "created_at", "id"),
        Index("ix_transfers_earned_on", "earned_on"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    from_account: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    to_account: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    # the volunteer on either side, so a statement reads one index
    volunteer_id: Mapped[str | None] = mapped_column(String(64))
    order_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # the order's service category: which rate row applied is checkable
    category: Mapped[str | None] = mapped_column(String(100))
    minutes: Mapped[int | None] = mapped_column(Integer)
    rate_per_hour: Mapped[int | None] = mapped_column(Integer)
    # the rate row that applied: its category and the day it took effect
    rate_category: Mapped[str | None] = mapped_column(String(100))
    rate_since = mapped_column(Date)
    # what the minutes earned before a cap, and which cap took the rest
    uncapped_points: Mapped[int | None] = mapped_column(BigInteger)
    cap_rule: Mapped[str | None] = mapped_column(String(20))
    # the order's community, team and local completion day, for leaderboards
    community: Mapped[str | None] = mapped_column(String(100))
    team_id: Mapped[str | None] = mapped_column(String(64))
    earned_on = mapped_column(Date)
    redemption_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # one movement per key: a credit per order and volunteer, a debit or a
    # refund per redemption, whatever event carries it
    dedupe_key: Mapped[str | None] = mapped_column(String(140), unique=True)
    # a transfer is reversed at most once
    reverses: Mapped[str | None] = mapped_column(
        ForeignKey("transfers.id"), unique=True
    )
    author: Mapped[str | None] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(DateTime(timezone=True), nullable=False)


class Rate(Base):
    """Points an hour for a category, from the day it takes effect."""

    __tablename__ = "rates"
    __table_args__ = (
        CheckConstraint("points_per_hour >= 0", name="rate_not_negative"),
    )

    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    effective_from = mapped_column(Date, primary_key=True)
    points_per_hour: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at = mapped_column(DateTime(timezone=True), nullable=False)


class RedemptionDebit(Base):
    """The one answer the ledger gives a redemption: debited, rejected or
    cancelled before any debit. Its primary key makes that answer unique."""

    __tablename__ = "redemption_debits"

    redemption_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    volunteer_id: Mapped[str] = mapped_column(String(64))
    bank_id: Mapped[str] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    transfer_id: Mapped[str | None] = mapped_column(ForeignKey("transfers.id"))
    refund_id: Mapped[str | None] = mapped_column(ForeignKey("transfers.id"))
    balance: Mapped[int | None] = mapped_column(BigInteger)
    decided_at = mapped_column(DateTime(timezone=True), nullable=False)
