"""`volunteer-platform import-registry` and `generate-registry`: the district's
registry from CSV files into the teams service's database."""

import os
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from eventing.database import make_engine
from eventing.migrations import upgrade
from ops import settings
from services.teams import idcard, importer

SECRET_VARIABLE = "ID_CARD_HMAC_SECRET"


class ImportFailed(Exception):
    """The registry was not imported; the message says why."""


def id_card_secret(local_secret):
    """The ID-card key the teams service uses: from the environment, or the
    local run's own when the teams database is the local SQLite file."""
    secret = os.environ.get(SECRET_VARIABLE)
    if secret:
        return secret
    if os.environ.get("TEAMS_DATABASE_URL"):
        raise ImportFailed(
            f"set {SECRET_VARIABLE} to the teams service's key: ID cards are kept "
            "as hashes with it"
        )
    return local_secret


def import_folder(folder, url, secret, encoding=None):
    """Check and import the folder's files in one transaction; the Outcome."""
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            outcome = importer.import_registry(
                session, Path(folder), idcard.Hasher(secret), encoding
            )
        if engine.dialect.name == "postgresql" and outcome.added:
            analyse(engine)
        return outcome
    finally:
        engine.dispose()


def analyse(engine):
    """Fresh planner statistics, so that searches use the indexes at once
    instead of after autovacuum's next visit."""
    with engine.begin() as conn:
        conn.execute(text(f"ANALYZE {', '.join(importer.TABLES)}"))


def run_import(folder, secret, encoding=None, out=print):
    """Migrate the teams database, import the folder and tell what happened."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImportFailed(f"{folder} is not a folder")
    settings.VAR.mkdir(exist_ok=True)
    url = settings.database_url("teams")
    upgrade("teams", url)
    started = time.monotonic()
    try:
        outcome = import_folder(folder, url, secret, encoding)
    except IntegrityError as exc:
        raise ImportFailed(
            "nothing imported: the directory changed during the import "
            f"({exc.orig}); run it again"
        ) from exc
    if not outcome.files:
        raise ImportFailed(f"{folder} holds none of the registry's CSV files")
    for problem in outcome.problems:
        out(str(problem))
    if outcome.problems:
        raise ImportFailed(
            f"nothing imported: {len(outcome.problems)} rows have problems"
        )
    out(report(outcome, time.monotonic() - started))
    return outcome


def report(outcome, seconds):
    parts = [
        f"{what} {outcome.read[what]} read, {outcome.added.get(what, 0)} added, "
        f"{outcome.changed.get(what, 0)} changed"
        for what in outcome.read
    ]
    return "; ".join(parts) + f"; {outcome.events} events in {seconds:.1f} s"
