"""Inserting rows that may exist already, safely under concurrent writers."""

from sqlalchemy.dialects import postgresql, sqlite


def insert_missing(session, model, rows):
    """Insert the rows whose key is new; rows another transaction added stay."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(model).values(rows).on_conflict_do_nothing())
