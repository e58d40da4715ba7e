"""bulk_insert writes exactly what it is given, by COPY on PostgreSQL."""

from datetime import date

import psycopg2.extensions
import pytest
from sqlalchemy import JSON, Column, Date, Integer, MetaData, Table, Text, select
from sqlalchemy.orm import Session

from eventing.database import bulk_insert, make_engine

pytestmark = pytest.mark.integration

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text),
    Column("tags", JSON),
    Column("day", Date),
)
AWKWARD = ["", None, "\\N", 'say "hi", then\nleave', "铁道家园、五号街坊", "NULL"]


@pytest.fixture
def plain_psycopg2():
    """psycopg2 as a process without eventlet has it: able to COPY."""
    wait = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(None)
    yield
    psycopg2.extensions.set_wait_callback(wait)


@pytest.fixture(params=["postgresql-copy", "postgresql-green", "sqlite"])
def engine(request, make_database, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'things.sqlite'}"
    else:
        url = make_database("teams")
    if request.param == "postgresql-copy":
        request.getfixturevalue("plain_psycopg2")
    engine = make_engine(url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_every_value_comes_back_as_it_went_in(engine):
    rows = [
        {"id": n, "text": text, "tags": [text, "舞蹈"], "day": date(2024, 3, n + 1)}
        for n, text in enumerate(AWKWARD)
    ]
    rows.append({"id": 99, "text": "x", "tags": None, "day": None})

    with Session(engine) as session, session.begin():
        bulk_insert(session, things, rows)

    with engine.connect() as conn:
        stored = [row._asdict() for row in conn.execute(select(things).order_by("id"))]
    assert stored == rows
