"""What every service's invariant checker shares: the violation it reports
and a read-only session on a database given by URL or engine."""

from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Violation:
    """One broken invariant: which rule, and the rows that break it."""

    rule: str
    detail: str

    def __str__(self):
        return f"{self.rule}: {self.detail}"


@contextmanager
def session_for(db):
    """A session on a URL or an engine; an engine made here is disposed of
    afterwards. The checkers only read through it."""
    engine = db if isinstance(db, Engine) else create_engine(db)
    try:
        with Session(engine) as session:
            yield session
    finally:
        if engine is not db:
            engine.dispose()
