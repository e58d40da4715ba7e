"""The directory: teams, volunteers and who belongs to which team."""

from sqlalchemy import JSON, DateTime, ForeignKey, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from eventing.database import add_eventing_tables


class Base(DeclarativeBase):
    metadata = MetaData()


add_eventing_tables(Base.metadata)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    categories: Mapped[list] = mapped_column(JSON)
    community: Mapped[str] = mapped_column(String(100), index=True)
    contact_phone: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    registered_at = mapped_column(DateTime(timezone=True), nullable=False)


class Volunteer(Base):
    __tablename__ = "volunteers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    phone: Mapped[str] = mapped_column(String(40))
    community: Mapped[str] = mapped_column(String(100), index=True)
    skills: Mapped[list] = mapped_column(JSON)
    registered_at = mapped_column(DateTime(timezone=True), nullable=False)


class Membership(Base):
    __tablename__ = "memberships"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    volunteer_id: Mapped[str] = mapped_column(
        ForeignKey("volunteers.id"), primary_key=True, index=True
    )
    joined_at = mapped_column(DateTime(timezone=True), nullable=False)
