"""The mutual-aid banks' tables. The banks, donors, items and stock history
arrive with the bank issue; the outbox and inbox are here from the start so
the service runs like every other."""

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from eventing.database import add_eventing_tables


class Base(DeclarativeBase):
    metadata = MetaData()


add_eventing_tables(Base.metadata)


class Bank(Base):
    __tablename__ = "banks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    community: Mapped[str] = mapped_column(String(100), index=True)
    opened_at = mapped_column(DateTime(timezone=True), nullable=False)
