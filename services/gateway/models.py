"""The gateway's own tables: accounts, refresh tokens, failed sign-ins and
idempotency keys. Replicas share them, so limits and keys hold across all."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = MetaData()


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30))
    display_name: Mapped[str] = mapped_column(String(100))
    community: Mapped[str | None] = mapped_column(String(100))
    team_id: Mapped[str | None] = mapped_column(String(64))
    volunteer_id: Mapped[str | None] = mapped_column(String(64))
    bank_id: Mapped[str | None] = mapped_column(String(64))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at = mapped_column(DateTime(timezone=True), nullable=False)

    # one account per volunteer record (migration p6_03)
    __table_args__ = (
        Index(
            "uq_users_volunteer_id",
            "volunteer_id",
            unique=True,
            postgresql_where=text("volunteer_id IS NOT NULL"),
            sqlite_where=text("volunteer_id IS NOT NULL"),
        ),
    )


class RefreshToken(Base):
    """A refresh token, kept only as its hash; each is used once."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    # every token rotated from one sign-in shares its family: a reused token
    # ends the whole family
    family_id: Mapped[str] = mapped_column(String(64), index=True)
    issued_at = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at = mapped_column(DateTime(timezone=True), nullable=False)
    used_at = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """One failed sign-in, counted against the account and the address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    # "account:<username>" or "address:<ip>"
    subject: Mapped[str] = mapped_column(String(200))
    failed_at = mapped_column(DateTime(timezone=True), nullable=False)
    # the attempt's password is still being checked (`ratelimit.attempt`)
    pending: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    __table_args__ = (Index("ix_login_failures_subject", "subject", "failed_at"),)


class IdempotencyKey(Base):
    """A command's Idempotency-Key, claimed before the command runs."""

    __tablename__ = "idempotency_keys"

    caller_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    # the method, path and body the key was first used with
    fingerprint: Mapped[str] = mapped_column(String(64))
    # None while the first request runs
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(DateTime(timezone=True), nullable=False, index=True)
