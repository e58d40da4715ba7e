"""Importing the district's registry into the directory, in one transaction.

Rows are written with bulk statements and their events go to the teams
service's outbox in the same transaction, so the orders and points services'
copies follow exactly what was imported, once the service's relay publishes
them. Nothing is written if any row of any file has a problem. Only what
differs from the directory is written and announced: importing the same
files twice changes nothing and emits nothing.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from eventing.database import UnitOfWork
from services.teams import registry as files
from services.teams.import_writer import VOLUNTEER_FIELDS, Writer
from services.teams.models import (
    Base,
    Community,
    Membership,
    Station,
    Street,
    Team,
    Volunteer,
)

# the tables an import writes
TABLES = ("streets", "communities", "stations", "teams", "team_categories")
TABLES += ("volunteers", "memberships", "outbox")


@dataclass
class Outcome:
    problems: list = field(default_factory=list)
    files: list = field(default_factory=list)
    read: dict = field(default_factory=dict)
    added: dict = field(default_factory=dict)
    changed: dict = field(default_factory=dict)
    events: int = 0


def _rows(session, *columns):
    names = [c.key for c in columns]
    return [
        dict(zip(names, row, strict=True)) for row in session.execute(select(*columns))
    ]


class Existing:
    """What the directory holds before the import."""

    def __init__(self, session):
        self.places = dict(
            session.execute(select(Community.name, Community.street)).all()
        )
        self.streets = set(session.scalars(select(Street.name)))
        self.stations = {s.id: s for s in session.scalars(select(Station))}
        # the import counts each team's versions on from these: hold the rows
        # so that no command changes a team meanwhile
        self.teams = {t.id: t for t in session.scalars(select(Team).with_for_update())}
        # the rows above follow the import's own UPDATEs; what each team's
        # status was decides whether it is suspended or reactivated
        self.team_statuses = {key: team.status for key, team in self.teams.items()}
        columns = [getattr(Volunteer, c) for c in ("id", "id_card_hash", "version")]
        columns += [getattr(Volunteer, c) for c in VOLUNTEER_FIELDS]
        self.volunteers = {r["id"]: r for r in _rows(session, *columns)}
        columns = [getattr(Membership, c) for c in Membership.__table__.c.keys()]
        self.memberships = {
            (r["team_id"], r["volunteer_id"]): r for r in _rows(session, *columns)
        }

    def known(self):
        return files.Known(
            communities=self.places,
            stations={key: s.community for key, s in self.stations.items()},
            teams=set(self.teams),
            volunteers={key: v["status"] for key, v in self.volunteers.items()},
            id_cards={
                v["id_card_hash"]: key
                for key, v in self.volunteers.items()
                if v["id_card_hash"]
            },
        )


def import_registry(session, folder, hasher, encoding=None):
    """Check every file of `folder`, then write what differs, in the
    caller's transaction; the Outcome lists problems if nothing was written."""
    existing = Existing(session)
    registry = files.read(folder, existing.known(), hasher, encoding)
    outcome = Outcome(registry.problems, registry.files, registry.counts())
    if registry.problems:
        return outcome
    outbox, inbox = Base.metadata.tables["outbox"], Base.metadata.tables["inbox"]
    uow = UnitOfWork(session, "teams", outbox, inbox)
    Writer(uow, existing, registry, outcome).write()
    outcome.events = len(uow.emitted)
    return outcome
