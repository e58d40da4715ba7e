"""The district's registry as CSV files, every row checked before any is kept.

A folder holds up to four files, read in this order: `stations.csv` (which
also names the streets and communities), `teams.csv`, `volunteers.csv` and
`memberships.csv`, in UTF-8 or GB18030. Each row is checked on its own,
against the files read before it and against what the directory holds
already; every problem is reported with its file, line and reason.
"""

from dataclasses import dataclass, field

from services.teams import csvrows as cells
from services.teams.csvrows import Problem

FILES = ("stations.csv", "teams.csv", "volunteers.csv", "memberships.csv")
COLUMNS = {
    "stations.csv": ("station_id", "name", "street", "community", "address")
    + ("opening_hours",),
    "teams.csv": ("team_id", "name", "kind", "categories", "community")
    + ("station_id", "contact_phone", "description", "founded_on", "status"),
    "volunteers.csv": ("volunteer_id", "name", "phone", "id_card_no", "community")
    + ("skills", "availability", "joined_on", "status"),
    "memberships.csv": ("team_id", "volunteer_id", "role"),
}
# columns a file may leave out altogether
OPTIONAL = {"opening_hours", "kind", "station_id", "description", "founded_on"}
OPTIONAL |= {"status", "id_card_no", "skills", "availability", "joined_on", "role"}
# spreadsheets kept by people say these in Chinese as often as in English
KIND = cells.choice(
    {"professional": "professional", "专业": "professional"}
    | {"general": "general", "普通": "general", "一般": "general"}
)
TEAM_STATUS = cells.choice(
    {
        "active": "active",
        "正常": "active",
        "suspended": "suspended",
        "暂停": "suspended",
    }
)
VOLUNTEER_STATUS = cells.choice(
    {"active": "active", "正常": "active", "在册": "active"}
    | {"inactive": "inactive", "停用": "inactive", "退出": "inactive"}
)
ROLE = cells.choice(
    {"member": "member", "队员": "member", "leader": "leader", "队长": "leader"}
)


@dataclass
class Known:
    """What the directory holds already, as far as the checks need it."""

    communities: dict = field(default_factory=dict)  # name -> street
    stations: dict = field(default_factory=dict)  # id -> community
    teams: set = field(default_factory=set)
    volunteers: dict = field(default_factory=dict)  # id -> status
    id_cards: dict = field(default_factory=dict)  # hash -> volunteer id


@dataclass
class Registry:
    """The good rows of each file by key, and every problem found."""

    stations: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)
    volunteers: dict = field(default_factory=dict)
    memberships: dict = field(default_factory=dict)  # (team, volunteer) -> role
    files: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    lines: dict = field(default_factory=dict)
    # keys of rows that had problems: rows naming them are not blamed again
    bad: set = field(default_factory=set)
    # community -> street, as stations.csv names them
    places: dict = field(default_factory=dict)

    def keep(self, file, line, row, key, values, table):
        if key in table and not row.errors:
            first = self.lines[(file, key)]
            # a membership's key is its team and volunteer
            shown = " in ".join(reversed(key)) if isinstance(key, tuple) else key
            row.errors.append(f"{shown} appears again (first on line {first})")
        if row.errors:
            self.problems.append(Problem(file, line, "; ".join(row.errors)))
            self.bad.add((file, key))
            return
        table[key] = values
        self.lines[(file, key)] = line

    def counts(self):
        return {
            "stations": len(self.stations),
            "teams": len(self.teams),
            "volunteers": len(self.volunteers),
            "memberships": len(self.memberships),
        }


def station_row(registry, known, row):
    key = row.get("station_id", cells.code, required=True)
    street = row.get("street", cells.length(100), required=True)
    community = row.get("community", cells.length(100), required=True)
    was = registry.places.get(community) or known.communities.get(community)
    if street and was and was != street:
        row.errors.append(f"community: {community} belongs to {was}, not {street}")
    values = {
        "id": key,
        "name": row.get("name", cells.length(200), required=True),
        "street": street,
        "community": community,
        "address": row.get("address", cells.length(300), required=True),
        "opening_hours": row.get("opening_hours", cells.slots, default=[]),
    }
    if not row.errors:
        registry.places.setdefault(community, street)
    return key, values, registry.stations


def _community(registry, known, row, community):
    if community and not (
        community in registry.places or community in known.communities
    ):
        row.errors.append(f"community: {community!r} is not one of the district's")


def team_row(registry, known, row):
    key = row.get("team_id", cells.code, required=True)
    community = row.get("community", cells.length(100), required=True)
    _community(registry, known, row, community)
    station_id = row.get("station_id", cells.code)
    station = registry.stations.get(station_id)
    at = station["community"] if station else known.stations.get(station_id)
    if station_id and ("stations.csv", station_id) not in registry.bad:
        if at is None:
            row.errors.append(f"station_id: no station {station_id}")
        elif community and at != community:
            row.errors.append(f"station_id: {station_id} is in {at}, not {community}")
    values = {
        "id": key,
        "name": row.get("name", cells.length(200), required=True),
        "kind": row.get("kind", KIND, default="general"),
        "categories": row.get("categories", cells.labels(20), required=True),
        "community": community,
        "station_id": station_id,
        "contact_phone": row.get("contact_phone", cells.phone, required=True),
        "description": row.get("description", cells.length(2000)),
        "founded_on": row.get("founded_on", cells.day),
        "status": row.get("status", TEAM_STATUS, default="active"),
    }
    return key, values, registry.teams


def volunteer_row(registry, known, row, line, hasher, id_cards):
    key = row.get("volunteer_id", cells.code, required=True)
    community = row.get("community", cells.length(100), required=True)
    _community(registry, known, row, community)
    id_card_hash = row.get("id_card_no", hasher)
    if id_card_hash:
        holder = known.id_cards.get(id_card_hash)
        first = id_cards.setdefault(id_card_hash, line)
        if holder and holder != key:
            row.errors.append(f"id_card_no: registered already to volunteer {holder}")
        elif first != line:
            row.errors.append(f"id_card_no: the same number as on line {first}")
    values = {
        "id": key,
        "name": row.get("name", cells.length(100), required=True),
        "phone": row.get("phone", cells.phone, required=True),
        "id_card_hash": id_card_hash,
        "community": community,
        "skills": row.get("skills", cells.labels(30), default=[]),
        "availability": row.get("availability", cells.slots, default=[]),
        "joined_on": row.get("joined_on", cells.day),
        "status": row.get("status", VOLUNTEER_STATUS, default="active"),
    }
    return key, values, registry.volunteers


def membership_row(registry, known, row):
    team_id = row.get("team_id", cells.code, required=True)
    volunteer_id = row.get("volunteer_id", cells.code, required=True)
    if team_id and ("teams.csv", team_id) not in registry.bad:
        if team_id not in registry.teams and team_id not in known.teams:
            row.errors.append(f"team_id: no team {team_id}")
    if volunteer_id and ("volunteers.csv", volunteer_id) not in registry.bad:
        status = (registry.volunteers.get(volunteer_id) or {}).get("status")
        status = status or known.volunteers.get(volunteer_id)
        if status is None:
            row.errors.append(f"volunteer_id: no volunteer {volunteer_id}")
        elif status not in ("active", "inactive"):
            row.errors.append(f"volunteer_id: {volunteer_id} is {status}")
    role = row.get("role", ROLE, default="member")
    return (team_id, volunteer_id), role, registry.memberships


def read(folder, known, hasher, encoding=None):
    """Every file of the folder that exists, checked row by row."""
    registry = Registry()
    id_cards = {}
    parsers = {
        "stations.csv": lambda r, k, row, line: station_row(r, k, row),
        "teams.csv": lambda r, k, row, line: team_row(r, k, row),
        "volunteers.csv": lambda r, k, row, line: volunteer_row(
            r, k, row, line, hasher, id_cards
        ),
        "memberships.csv": lambda r, k, row, line: membership_row(r, k, row),
    }
    for file in FILES:
        path = folder / file
        if not path.exists():
            continue
        registry.files.append(file)
        try:
            text = cells.decode(path.read_bytes(), encoding)
        except UnicodeDecodeError:
            reason = f"not {encoding}" if encoding else "neither UTF-8 nor GB18030"
            registry.problems.append(Problem(file, 1, reason))
            continue
        header_problem, rows = cells.records(text, COLUMNS[file], OPTIONAL)
        if header_problem:
            registry.problems.append(Problem(file, 1, header_problem))
        for line, row in rows:
            key, values, table = parsers[file](registry, known, row, line)
            registry.keep(file, line, row, key, values, table)
    return registry
