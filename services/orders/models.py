"""The orders service's tables, and its own copy of the teams directory."""

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from eventing.database import add_eventing_tables


class Base(DeclarativeBase):
    metadata = MetaData()


add_eventing_tables(Base.metadata)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    resident_id: Mapped[str] = mapped_column(String(64), index=True)
    entered_by: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    community: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), index=True)
    team_id: Mapped[str | None] = mapped_column(String(64), index=True)
    priority: Mapped[str] = mapped_column(String(10), server_default="normal")
    wanted_from = mapped_column(DateTime(timezone=True))
    wanted_until = mapped_column(DateTime(timezone=True))
    placed_at = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    updated_at = mapped_column(DateTime(timezone=True), nullable=False)
    # the one timer an order has at a time (expiry, or auto-completion after
    # the quiet period); replicas claim due rows with SKIP LOCKED
    timer_due_at = mapped_column(DateTime(timezone=True), index=True)
    rating_stars: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)

    assignments: Mapped[list["Assignment"]] = relationship(
        order_by="Assignment.volunteer_id", cascade="all, delete-orphan"
    )
    history: Mapped[list["HistoryEntry"]] = relationship(
        order_by="HistoryEntry.seq", cascade="all, delete-orphan"
    )
    declines: Mapped[list["Decline"]] = relationship(
        order_by="Decline.seq", cascade="all, delete-orphan"
    )


class Assignment(Base):
    """A volunteer assigned to an order, with the minutes reported for them."""

    __tablename__ = "assignments"

    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    volunteer_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    minutes: Mapped[int | None] = mapped_column(Integer)


class HistoryEntry(Base):
    """One transition of an order: to which status, by whom, when, why."""

    __tablename__ = "order_history"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(64))
    at = mapped_column(DateTime(timezone=True), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    reason_code: Mapped[str | None] = mapped_column(String(30))


class Decline(Base):
    """A team that turned the order down; it is not suggested for it again."""

    __tablename__ = "order_declines"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    team_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    at = mapped_column(DateTime(timezone=True), nullable=False)


# ---- the teams directory as the orders service knows it, fed by teams events


# Each copy keeps the version of the last event it applied: events of
# different types travel on different queues and retries delay some, so an
# older event may arrive after a newer one and must then change nothing.


class KnownTeam(Base):
    __tablename__ = "known_teams"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    community: Mapped[str] = mapped_column(String(100))
    street: Mapped[str | None] = mapped_column(String(100))
    categories: Mapped[list] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(20), server_default="general")
    status: Mapped[str] = mapped_column(String(20), server_default="active")
    version: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class KnownVolunteer(Base):
    __tablename__ = "known_volunteers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    community: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), server_default="active")
    version: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class KnownMembership(Base):
    """A membership as last heard of; one that ended is kept with its version."""

    __tablename__ = "known_memberships"

    team_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    volunteer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    version: Mapped[int] = mapped_column(Integer, server_default=text("0"))
