"""The directory: places, stations, teams, volunteers, memberships, and the
service record each volunteer earns."""

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from eventing.database import add_eventing_tables

ACTIVE = "active"
SUSPENDED = "suspended"
PENDING = "pending"
INACTIVE = "inactive"
REJECTED = "rejected"
PROFESSIONAL = "professional"
GENERAL = "general"
MEMBER = "member"
LEADER = "leader"


class Base(DeclarativeBase):
    metadata = MetaData()


add_eventing_tables(Base.metadata)


def _trigram_index(name, column):
    # ILIKE '%…%' over Chinese names and descriptions: a trigram GIN index on
    # PostgreSQL; SQLite gets a plain index it will not use for LIKE
    return Index(
        name,
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
    )


class Street(Base):
    __tablename__ = "streets"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)


class Community(Base):
    __tablename__ = "communities"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    street: Mapped[str] = mapped_column(ForeignKey("streets.name"), index=True)


class Station(Base):
    __tablename__ = "stations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    community: Mapped[str] = mapped_column(ForeignKey("communities.name"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    opening_hours: Mapped[list] = mapped_column(JSON)


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (
        Index("ix_teams_name_id", "name", "id"),
        _trigram_index("ix_teams_search_trgm", "search_text"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), server_default=GENERAL)
    community: Mapped[str] = mapped_column(String(100), index=True)
    station_id: Mapped[str | None] = mapped_column(
        ForeignKey("stations.id", name="fk_teams_station_id")
    )
    contact_phone: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    founded_on = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), server_default=ACTIVE)
    status_reason: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, server_default="")
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    registered_at = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at = mapped_column(DateTime(timezone=True))

    category_rows: Mapped[list["TeamCategory"]] = relationship(
        order_by="TeamCategory.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def categories(self):
        return [row.category for row in self.category_rows]


class TeamCategory(Base):
    """One service category of a team, in the order the team lists them."""

    __tablename__ = "team_categories"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)


class Volunteer(Base):
    __tablename__ = "volunteers"
    __table_args__ = (
        Index("ix_volunteers_name_id", "name", "id"),
        _trigram_index("ix_volunteers_search_trgm", "search_text"),
        # one live application or record per account; a rejected one may be
        # followed by a new application
        Index(
            "ix_volunteers_user_id",
            "user_id",
            unique=True,
            postgresql_where=text("status <> 'rejected'"),
            sqlite_where=text("status <> 'rejected'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40))
    # HMAC-SHA256 of the normalised ID-card number; the number itself is
    # never stored, so it can be matched but never read back
    id_card_hash: Mapped[str | None] = mapped_column(
        String(64), unique=True, index=True
    )
    community: Mapped[str] = mapped_column(String(100), index=True)
    skills: Mapped[list] = mapped_column(JSON)
    availability: Mapped[list] = mapped_column(JSON, server_default="[]")
    joined_on = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), server_default=ACTIVE)
    status_reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[str | None] = mapped_column(String(64))
    search_text: Mapped[str] = mapped_column(Text, server_default="")
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    registered_at = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at = mapped_column(DateTime(timezone=True))


class Membership(Base):
    """A volunteer in a team; kept when they leave, so a later join counts on."""

    __tablename__ = "memberships"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    volunteer_id: Mapped[str] = mapped_column(
        ForeignKey("volunteers.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20), server_default=MEMBER)
    joined_at = mapped_column(DateTime(timezone=True), nullable=False)
    left_at = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))


class ServiceEntry(Base):
    """One completed order one volunteer served, with its confirmed minutes."""

    __tablename__ = "service_entries"

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    volunteer_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    team_id: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(100))
    community: Mapped[str] = mapped_column(String(100))
    minutes: Mapped[int] = mapped_column(Integer)
    completed_at = mapped_column(DateTime(timezone=True), nullable=False)
