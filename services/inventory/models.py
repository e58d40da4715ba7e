"""The mutual-aid banks' tables.

Stock is a projection of an append-only history: every change is a row of
`stock_movements`, and `stock` (one row per bank and item, CHECK quantity >=
0) is updated in the same transaction by `quantity = quantity + delta`, so the
database refuses any change that would take it below zero. `lots` keep which
donor's goods are on the shelf and `lot_draws` which movement took them, so a
report can say where each donor's goods went.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from eventing.database import add_eventing_tables

# kinds of stock movement
DONATION = "donation"
RESERVATION = "reservation"
RELEASE = "release"
DISTRIBUTION = "distribution"
STOCKTAKE = "stocktake"

# states of a redemption
PENDING = "pending"
COMPLETED = "completed"
CANCELLED = "cancelled"

DONOR_KINDS = ("company", "public_body", "individual")
SERIAL = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData()


add_eventing_tables(Base.metadata)


class Bank(Base):
    __tablename__ = "banks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # one bank per community that has one
    community: Mapped[str] = mapped_column(String(100), unique=True)
    opened_at = mapped_column(DateTime(timezone=True), nullable=False)


class Donor(Base):
    __tablename__ = "donors"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(DateTime(timezone=True), nullable=False)


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("points_price >= 0", name="price_not_negative"),
        CheckConstraint("low_stock_threshold >= 0", name="threshold_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(100))
    points_price: Mapped[int] = mapped_column(Integer)
    # given free to families, never redeemed for points
    free_only: Mapped[bool] = mapped_column(Boolean, default=False)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=0)
    created_at = mapped_column(DateTime(timezone=True), nullable=False)


class Stock(Base):
    __tablename__ = "stock"
    __table_args__ = (CheckConstraint("quantity >= 0", name="stock_not_negative"),)

    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(BigInteger)


class StockMovement(Base):
    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("delta <> 0", name="movement_not_empty"),
        Index("ix_stock_movements_bank_item", "bank_id", "item_id"),
        Index("ix_stock_movements_ref", "ref_id"),
    )

    seq: Mapped[int] = mapped_column(SERIAL, primary_key=True, autoincrement=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"))
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"))
    delta: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    # the donation, redemption, distribution or stock-take that caused it
    ref_id: Mapped[str] = mapped_column(String(64))
    quantity_after: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(64))
    at = mapped_column(DateTime(timezone=True), nullable=False)


class Lot(Base):
    """Units of one item that arrived together: a donation line, or a surplus
    found at a stock-take (no donor)."""

    __tablename__ = "lots"
    __table_args__ = (
        CheckConstraint("remaining >= 0", name="lot_not_negative"),
        CheckConstraint("remaining <= quantity", name="lot_not_overfull"),
        Index("ix_lots_bank_item", "bank_id", "item_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(SERIAL, primary_key=True, autoincrement=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"))
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"))
    donor_id: Mapped[str | None] = mapped_column(ForeignKey("donors.id"))
    donation_id: Mapped[str | None] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(BigInteger)


class LotDraw(Base):
    """Units a movement took from (positive) or gave back to (negative) a lot."""

    __tablename__ = "lot_draws"

    seq: Mapped[int] = mapped_column(SERIAL, primary_key=True, autoincrement=True)
    movement_seq: Mapped[int] = mapped_column(
        ForeignKey("stock_movements.seq"), index=True
    )
    lot_seq: Mapped[int] = mapped_column(ForeignKey("lots.seq"), index=True)
    quantity: Mapped[int] = mapped_column(BigInteger)


class ReceiptCounter(Base):
    """The last receipt number given in a year, district-wide."""

    __tablename__ = "receipt_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Donation(Base):
    __tablename__ = "donations"
    __table_args__ = (Index("ix_donations_donor_on", "donor_id", "donated_on"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"), index=True)
    donor_id: Mapped[str] = mapped_column(ForeignKey("donors.id"))
    donated_on = mapped_column(Date, nullable=False)
    estimated_value = mapped_column(Numeric(12, 2))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at = mapped_column(DateTime(timezone=True), nullable=False)

    lines: Mapped[list["DonationLine"]] = relationship(order_by="DonationLine.item_id")


class DonationLine(Base):
    __tablename__ = "donation_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="donation_line_positive"),)

    donation_id: Mapped[str] = mapped_column(
        ForeignKey("donations.id"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(BigInteger)


class Redemption(Base):
    """A volunteer's redemption: pending until the ledger answers, then
    completed or cancelled. The timer columns live here, so a restart or a
    second replica finds every redemption still waiting."""

    __tablename__ = "redemptions"
    __table_args__ = (
        Index("ix_redemptions_waiting", "status", "next_check_at"),
        CheckConstraint("points >= 0", name="redemption_points_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"), index=True)
    volunteer_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    points: Mapped[int] = mapped_column(BigInteger)
    transfer_id: Mapped[str | None] = mapped_column(String(64))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at = mapped_column(DateTime(timezone=True), nullable=False)
    settled_at = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    next_check_at = mapped_column(DateTime(timezone=True))
    deadline_at = mapped_column(DateTime(timezone=True), nullable=False)

    lines: Mapped[list["RedemptionLine"]] = relationship(
        order_by="RedemptionLine.item_id"
    )


class RedemptionLine(Base):
    __tablename__ = "redemption_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="redemption_line_positive"),)

    redemption_id: Mapped[str] = mapped_column(
        ForeignKey("redemptions.id"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(BigInteger)
    points_price: Mapped[int] = mapped_column(Integer)


class Distribution(Base):
    __tablename__ = "distributions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"), index=True)
    family_name: Mapped[str] = mapped_column(String(100))
    family_community: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[str] = mapped_column(String(64))
    distributed_at = mapped_column(DateTime(timezone=True), nullable=False)
    month: Mapped[str] = mapped_column(String(7))

    lines: Mapped[list["DistributionLine"]] = relationship(
        order_by="DistributionLine.item_id"
    )


class DistributionLine(Base):
    __tablename__ = "distribution_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="distribution_line_positive"),
    )

    distribution_id: Mapped[str] = mapped_column(
        ForeignKey("distributions.id"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(BigInteger)


class FamilyMonth(Base):
    """How many distributions a family had in a month: the limit's counter."""

    __tablename__ = "family_months"
    __table_args__ = (CheckConstraint("count >= 0", name="family_count_not_negative"),)

    family_key: Mapped[str] = mapped_column(String(210), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class Stocktake(Base):
    __tablename__ = "stocktakes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    counted_by: Mapped[str] = mapped_column(String(64))
    counted_at = mapped_column(DateTime(timezone=True), nullable=False)
