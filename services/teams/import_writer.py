"""Writing a checked registry: bulk statements for what differs, and the events
that tell the other services about it, in the order their versions count."""

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import delete, update

from eventing.database import bulk_insert
from services.teams import import_events
from services.teams.import_events import SUSPENDED_REASON, TEAM_FIELDS
from services.teams.keywords import searchable
from services.teams.models import (
    LEADER,
    SUSPENDED,
    Community,
    Membership,
    Station,
    Street,
    Team,
    TeamCategory,
    Volunteer,
)

VOLUNTEER_FIELDS = ("name", "phone", "community", "skills", "availability")
VOLUNTEER_FIELDS += ("joined_on", "status")
STATION_FIELDS = ("name", "community", "address", "opening_hours")
EVENT_ORDER = ("TeamRegistered", "TeamUpdated", "TeamSuspended", "TeamReactivated")
EVENT_ORDER += ("VolunteerRegistered", "VolunteerUpdated", "VolunteerJoinedTeam")


def changed_fields(before, after, names):
    return [name for name in names if before[name] != after[name]]


class Writer:
    def __init__(self, uow, existing, registry, outcome):
        self.session = uow.session
        self.uow = uow
        self.existing = existing
        self.registry = registry
        self.outcome = outcome
        self.moment = datetime.now(UTC)
        self.events = defaultdict(list)
        self.team_changes = defaultdict(list)  # team id -> changed fields
        self.new_teams = set()
        self.leaders_touched = set()

    def write(self):
        self.places()
        self.teams()
        self.volunteers()
        self.memberships()
        import_events.announce(self)
        for event_type in EVENT_ORDER:
            self.uow.emit_many(event_type, self.events[event_type])

    def count(self, what, added, changed):
        self.outcome.added[what] = added
        self.outcome.changed[what] = changed

    def insert(self, model, rows):
        bulk_insert(self.session, model.__table__, rows)

    def update(self, model, rows):
        # ORM bulk UPDATE by primary key: one statement per set of columns
        if rows:
            self.session.execute(update(model), rows)

    def places(self):
        places = self.registry.places
        streets = sorted(set(places.values()) - self.existing.streets)
        self.insert(Street, [{"name": name} for name in streets])
        communities = sorted(set(places) - set(self.existing.places))
        self.insert(Community, [{"name": c, "street": places[c]} for c in communities])
        added, changed = [], []
        for key, row in self.registry.stations.items():
            values = {name: row[name] for name in ("id", *STATION_FIELDS)}
            before = self.existing.stations.get(key)
            if before is None:
                added.append(values)
            elif changed_fields(vars(before), row, STATION_FIELDS):
                changed.append(values)
        self.insert(Station, added)
        self.update(Station, changed)
        self.count("stations", len(added), len(changed))

    def teams(self):
        added, changed, categories = [], [], {}
        for key, row in self.registry.teams.items():
            team = self.existing.teams.get(key)
            fields = [f for f in TEAM_FIELDS if team is None or f != "categories"]
            values = {"id": key, **{f: row[f] for f in fields if f != "categories"}}
            values["search_text"] = searchable(row["name"], row["description"])
            if team is None:
                self.new_teams.add(key)
                categories[key] = row["categories"]
                added.append({**values, **self._new_team_state(row)})
                continue
            before = {f: getattr(team, f) for f in TEAM_FIELDS}
            moved = changed_fields(before, row, TEAM_FIELDS)
            if row["status"] != team.status:
                values.update(status=row["status"], status_reason=self._reason(row))
            elif not moved:
                continue
            self.team_changes[key] = moved
            if "categories" in moved:
                categories[key] = row["categories"]
            changed.append({**values, "updated_at": self.moment})
        self.insert(Team, added)
        self.update(Team, changed)
        self._replace_categories(categories)
        self.count("teams", len(added), len(changed))

    def _reason(self, row):
        return SUSPENDED_REASON if row["status"] == SUSPENDED else None

    def _new_team_state(self, row):
        return {
            "status": row["status"],
            "status_reason": self._reason(row),
            "version": 1,
            "registered_at": self.moment,
        }

    def _replace_categories(self, categories):
        if not categories:
            return
        self.session.execute(
            delete(TeamCategory).where(TeamCategory.team_id.in_(categories))
        )
        rows = [
            {"team_id": team_id, "category": category, "position": position}
            for team_id, names in categories.items()
            for position, category in enumerate(names)
        ]
        self.insert(TeamCategory, rows)

    def volunteers(self):
        added, changed = [], []
        for key, row in self.registry.volunteers.items():
            before = self.existing.volunteers.get(key)
            values = {"id": key, **{f: row[f] for f in VOLUNTEER_FIELDS}}
            values["search_text"] = searchable(row["name"], *row["skills"])
            if before is None:
                version = 1 if row["status"] == "active" else 2
                values.update(id_card_hash=row["id_card_hash"], version=version)
                added.append({**values, "registered_at": self.moment})
                self._registered(row)
                continue
            moved = changed_fields(before, row, VOLUNTEER_FIELDS)
            new_card = row["id_card_hash"] not in (None, before["id_card_hash"])
            if new_card:
                values["id_card_hash"] = row["id_card_hash"]
            if moved:
                values["version"] = before["version"] + 1
                self._volunteer_updated(row, moved, values["version"])
            if moved or new_card:
                changed.append({**values, "updated_at": self.moment})
        self.insert(Volunteer, added)
        self.update(Volunteer, changed)
        self.count("volunteers", len(added), len(changed))

    def _registered(self, row):
        data = {key: row[key] for key in ("name", "community", "skills")}
        self.events["VolunteerRegistered"].append(
            ({"volunteer_id": row["id"], **data}, row["id"])
        )
        if row["status"] != "active":
            self._volunteer_updated(row, ["status"], 2)

    def _volunteer_updated(self, row, moved, version):
        data = {key: row[key] for key in ("name", "community", "skills", "status")}
        data.update(volunteer_id=row["id"], changed=moved, version=version)
        self.events["VolunteerUpdated"].append((data, row["id"]))

    def memberships(self):
        added, changed = [], []
        for (team_id, volunteer_id), role in self.registry.memberships.items():
            before = self.existing.memberships.get((team_id, volunteer_id))
            values = {"team_id": team_id, "volunteer_id": volunteer_id, "role": role}
            if before is None or before["left_at"] is not None:
                version = 1 if before is None else before["version"] + 1
                values.update(joined_at=self.moment, left_at=None, version=version)
                (added if before is None else changed).append(values)
                data = {**values, "version": version}
                self.events["VolunteerJoinedTeam"].append(
                    (
                        {k: data[k] for k in ("team_id", "volunteer_id", "version")},
                        team_id,
                    )
                )
            elif before["role"] == role:
                continue
            else:
                changed.append(values)
            if role == LEADER or (before and before["role"] == LEADER):
                self.leaders_touched.add(team_id)
        self.insert(Membership, added)
        self.update(Membership, changed)
        self.count("memberships", len(added), len(changed))
