"""the directory at real size: places, stations, team kinds and status,
categories as rows, volunteers' ID-card hashes and applications, memberships
that remember leaving, service records, and trigram search on PostgreSQL

Revision ID: i7_01
Revises: 0001
Create Date: 2026-12-03 18:47:05.324193

"""

import json
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i7_01"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEXES = {
    "teams": "ix_teams_search_trgm",
    "volunteers": "ix_volunteers_search_trgm",
}


def _spaced(text):
    # as services/teams/keywords.py spells search text, as of this revision
    spaced = "".join(
        f" {c} " if not c.isascii() and c.isalnum() else c for c in text.lower()
    )
    return re.sub(r"\s+", " ", spaced)


def _backfill_search_text(name, more):
    """Search text for the rows written before this revision: a team's name
    and description, a volunteer's name and skills."""
    table = sa.table(
        name,
        sa.column("id"),
        sa.column("name"),
        sa.column(more),
        sa.column("search_text"),
    )
    bind = op.get_bind()
    query = sa.select(table.c.id, table.c.name, table.c[more])
    for row_id, title, extra in bind.execute(query).all():
        if more == "skills":
            parts = [title, *(json.loads(extra) if isinstance(extra, str) else extra)]
        else:
            parts = [title, extra]
        text = _spaced(" " + " ".join(p for p in parts if p) + " ")
        bind.execute(
            table.update().where(table.c.id == row_id).values(search_text=text)
        )


def _postgresql():
    return op.get_bind().dialect.name == "postgresql"


def _places():
    op.create_table(
        "streets",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "communities",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("street", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["street"], ["streets.name"]),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_index("ix_communities_street", "communities", ["street"])
    op.create_table(
        "stations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("community", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("opening_hours", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["community"], ["communities.name"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stations_community", "stations", ["community"])


def _service_entries():
    op.create_table(
        "service_entries",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("volunteer_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("community", sa.String(length=100), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "volunteer_id"),
    )
    op.create_index(
        "ix_service_entries_volunteer_id", "service_entries", ["volunteer_id"]
    )


def _team_categories():
    """Categories become rows, so that browsing by category is one indexed
    lookup; the lists teams hold already move over in their order."""
    table = op.create_table(
        "team_categories",
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"]),
        sa.PrimaryKeyConstraint("team_id", "category"),
    )
    op.create_index("ix_team_categories_category", "team_categories", ["category"])
    teams = sa.table("teams", sa.column("id"), sa.column("categories", sa.JSON()))
    rows = []
    for team_id, categories in op.get_bind().execute(sa.select(teams)):
        if isinstance(categories, str):
            categories = json.loads(categories)
        for position, category in enumerate(dict.fromkeys(categories or [])):
            rows.append(
                {"team_id": team_id, "category": category, "position": position}
            )
    if rows:
        op.bulk_insert(table, rows)


def _teams():
    with op.batch_alter_table("teams") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(20), server_default="general", nullable=False)
        )
        batch.add_column(sa.Column("station_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("founded_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("status", sa.String(20), server_default="active", nullable=False)
        )
        batch.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("search_text", sa.Text(), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column(
                "version", sa.Integer(), server_default=sa.text("1"), nullable=False
            )
        )
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True)))
        batch.drop_index("ix_teams_name")
        batch.create_index("ix_teams_name_id", ["name", "id"])
        batch.create_foreign_key(
            "fk_teams_station_id", "stations", ["station_id"], ["id"]
        )
        batch.drop_column("categories")
    _backfill_search_text("teams", "description")


def _volunteers():
    with op.batch_alter_table("volunteers") as batch:
        batch.add_column(sa.Column("id_card_hash", sa.String(64), nullable=True))
        batch.add_column(
            sa.Column("availability", sa.JSON(), server_default="[]", nullable=False)
        )
        batch.add_column(sa.Column("joined_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("status", sa.String(20), server_default="active", nullable=False)
        )
        batch.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("user_id", sa.String(64), nullable=True))
        batch.add_column(
            sa.Column("search_text", sa.Text(), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column(
                "version", sa.Integer(), server_default=sa.text("1"), nullable=False
            )
        )
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True)))
        batch.drop_index("ix_volunteers_name")
        batch.create_index("ix_volunteers_name_id", ["name", "id"])
        batch.create_index("ix_volunteers_id_card_hash", ["id_card_hash"], unique=True)
        batch.create_index(
            "ix_volunteers_user_id",
            ["user_id"],
            unique=True,
            postgresql_where=sa.text("status <> 'rejected'"),
            sqlite_where=sa.text("status <> 'rejected'"),
        )
    _backfill_search_text("volunteers", "skills")


def _memberships():
    with op.batch_alter_table("memberships") as batch:
        batch.add_column(
            sa.Column("role", sa.String(20), server_default="member", nullable=False)
        )
        batch.add_column(sa.Column("left_at", sa.DateTime(timezone=True)))
        batch.add_column(
            sa.Column(
                "version", sa.Integer(), server_default=sa.text("1"), nullable=False
            )
        )


def _trigram_indexes():
    # a GIN trigram index answers ILIKE '%…%' without reading every row;
    # pg_trgm is a trusted extension, so the database's owner may create it
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, name in TRIGRAM_INDEXES.items():
        op.create_index(
            name,
            table,
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )


def upgrade() -> None:
    _places()
    _service_entries()
    _team_categories()
    _teams()
    _volunteers()
    _memberships()
    if _postgresql():
        _trigram_indexes()


def downgrade() -> None:
    if _postgresql():
        for table, name in TRIGRAM_INDEXES.items():
            op.drop_index(name, table_name=table)
    with op.batch_alter_table("memberships") as batch:
        for column in ("version", "left_at", "role"):
            batch.drop_column(column)
    with op.batch_alter_table("volunteers") as batch:
        batch.drop_index("ix_volunteers_user_id")
        batch.drop_index("ix_volunteers_id_card_hash")
        batch.drop_index("ix_volunteers_name_id")
        batch.create_index("ix_volunteers_name", ["name"])
        for column in ("updated_at", "version", "search_text", "user_id"):
            batch.drop_column(column)
        for column in ("status_reason", "status", "joined_on", "availability"):
            batch.drop_column(column)
        batch.drop_column("id_card_hash")
    with op.batch_alter_table("teams") as batch:
        batch.add_column(
            sa.Column("categories", sa.JSON(), server_default="[]", nullable=False)
        )
        batch.drop_constraint("fk_teams_station_id", type_="foreignkey")
        batch.drop_index("ix_teams_name_id")
        batch.create_index("ix_teams_name", ["name"])
        for column in ("updated_at", "version", "search_text", "status_reason"):
            batch.drop_column(column)
        for column in ("status", "founded_on", "station_id", "kind"):
            batch.drop_column(column)
    categories = {}
    rows = op.get_bind().execute(
        sa.text("SELECT team_id, category FROM team_categories ORDER BY position")
    )
    for team_id, category in rows:
        categories.setdefault(team_id, []).append(category)
    teams = sa.table("teams", sa.column("id"), sa.column("categories", sa.JSON()))
    for team_id, names in categories.items():
        op.execute(teams.update().where(teams.c.id == team_id).values(categories=names))
    op.drop_table("team_categories")
    op.drop_table("service_entries")
    op.drop_table("stations")
    op.drop_table("communities")
    op.drop_table("streets")
