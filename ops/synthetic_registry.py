"""A synthetic but realistic registry of the district, as the four CSV files
`import-registry` reads: at full size 80,000 volunteers, 420 teams of which
44 professional, 165 stations over 80 communities of the five real streets.

The same seed gives the same files. Names, phones and ID-card numbers (with
correct check characters) are made up and unique.
"""

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta

from ops import registry_names as names
from services.teams import hours, idcard
from services.teams.registry import COLUMNS

OPENING_HOURS = ("1-5 08:30-17:00", "1-5 08:30-11:30; 1-5 13:30-17:00; 6 09:00-12:00")
AVAILABILITY = ("6-7 08:00-12:00", "1-5 18:00-21:00", "1-7 09:00-11:00")
AVAILABILITY += ("1,3,5 14:00-17:00", "6 13:00-17:00; 7 08:00-12:00")
# the commonest surnames are the commonest by far, but none passes 5 %
SURNAME_WEIGHTS = [1 / (rank + 8) for rank in range(len(names.SURNAMES))]


@dataclass(frozen=True)
class Size:
    volunteers: int = 80_000
    teams: int = 420
    professional: int = 44
    stations: int = 165
    communities: int = 80

    def problem(self):
        """Why these counts cannot make a district, or None."""
        if self.communities > self.stations:
            return f"{self.communities} communities need as many stations"
        if self.professional > self.teams:
            return f"{self.teams} teams cannot hold {self.professional} professional"
        return None


class Generator:
    def __init__(self, size, seed):
        self.size = size
        self.random = random.Random(seed)
        self.used = set()

    def unique(self, make):
        value = make()
        while value in self.used:
            value = make()
        self.used.add(value)
        return value

    def day(self, first_year, last_year):
        start = date(first_year, 1, 1)
        span = (date(last_year, 12, 31) - start).days
        return start + timedelta(days=self.random.randrange(span))

    def phone(self):
        prefix = self.random.choice("3456789")
        return self.unique(lambda: f"1{prefix}{self.random.randrange(10**9):09d}")

    def id_card(self):
        def make():
            born = self.day(1950, 2006).strftime("%Y%m%d")
            first17 = f"{self.random.choice(names.REGIONS)}{born}"
            first17 += f"{self.random.randrange(1000):03d}"
            return first17 + idcard.check_character(first17)

        return self.unique(make)

    def person(self):
        surname = self.random.choices(names.SURNAMES, weights=SURNAME_WEIGHTS)[0]
        given = "".join(
            self.random.choices(names.GIVEN, k=self.random.choice((1, 2, 2)))
        )
        return surname + given

    def communities(self):
        """{community: street}: the real four, then made-up ones."""
        found = dict(list(names.REAL_COMMUNITIES.items())[: self.size.communities])
        while len(found) < self.size.communities:
            name = self.random.choice(names.COMMUNITY_FIRST)
            name += self.random.choice(names.COMMUNITY_LAST)
            found.setdefault(name, names.STREETS[len(found) % len(names.STREETS)])
        return found

    def stations(self, communities):
        # every community has a station; the rest go where they go
        homes = list(communities)
        homes += self.random.choices(homes, k=self.size.stations - len(homes))
        rows, count = [], {}
        for number, community in enumerate(homes, 1):
            street = communities[community]
            count[community] = count.get(community, 0) + 1
            nth = "" if count[community] == 1 else f"第{count[community]}"
            rows.append(
                {
                    "station_id": f"S{number:03d}",
                    "name": f"{community}学雷锋文明使者志愿服务{nth}站",
                    "street": street,
                    "community": community,
                    "address": f"{street}{self.random.randrange(1, 300)}号",
                    "opening_hours": self.random.choice(OPENING_HOURS),
                }
            )
        return rows

    def team(self, number, name, categories, community, stations, description):
        station = self.random.choice(stations[community])
        return {
            "team_id": f"T{number:04d}",
            "name": name,
            "kind": "professional" if number <= self.size.professional else "general",
            "categories": "、".join(categories),
            "community": community,
            "station_id": station["station_id"],
            "contact_phone": self.phone(),
            "description": description,
            "founded_on": self.day(2008, 2024).isoformat(),
            "status": "suspended" if self.random.random() < 0.02 else "active",
        }

    def teams(self, communities, stations):
        homes = list(communities)
        rows, taken = [], set()
        for troupe, categories, community, about in names.TROUPES:
            if len(rows) < self.size.professional and community in communities:
                taken.add(troupe)
                rows.append(
                    self.team(
                        len(rows) + 1, troupe, categories, community, stations, about
                    )
                )
        while len(rows) < self.size.teams:
            community = self.random.choice(homes)
            if len(rows) < self.size.professional:
                suffix, categories = self.random.choice(names.SPECIALITIES)
            else:
                suffix = self.random.choice(names.THEMES) + "志愿服务队"
                categories = self.random.sample(
                    names.GENERAL_CATEGORIES, self.random.randint(2, 4)
                )
            name = community + suffix
            if name in taken:
                continue
            taken.add(name)
            about = f"{community}的{suffix}，提供{'、'.join(categories)}等服务"
            rows.append(
                self.team(len(rows) + 1, name, categories, community, stations, about)
            )
        return rows

    def volunteer(self, number, community):
        skills = self.random.sample(names.SKILLS, self.random.choice((0, 1, 2, 3)))
        return {
            "volunteer_id": f"V{number:06d}",
            "name": self.person(),
            "phone": self.phone(),
            "id_card_no": self.id_card() if self.random.random() < 0.95 else "",
            "community": community,
            "skills": "、".join(skills),
            "availability": hours.to_text(
                hours.parse(self.random.choice(AVAILABILITY))
            ),
            "joined_on": self.day(2010, 2025).isoformat(),
            "status": "inactive" if self.random.random() < 0.04 else "active",
        }

    def volunteers(self, communities):
        homes = self.random.choices(
            list(communities),
            weights=[self.random.uniform(0.5, 2) for _ in communities],
            k=self.size.volunteers,
        )
        return [self.volunteer(n, c) for n, c in enumerate(homes, 1)]

    def memberships(self, teams, volunteers, communities):
        """Most volunteers serve in one team of their street, some in two or
        three; each team has one leader, a few two."""
        on_street = {}
        for team in teams:
            on_street.setdefault(communities[team["community"]], []).append(team)
        rows, active = {}, {team["team_id"]: [] for team in teams}
        for volunteer in volunteers:
            near = on_street.get(communities[volunteer["community"]]) or teams
            count = self.random.choices((1, 2, 3), weights=(86, 12, 2))[0]
            for team in {self.random.choice(near)["team_id"] for _ in range(count)}:
                rows[(team, volunteer["volunteer_id"])] = "member"
                if volunteer["status"] == "active":
                    active[team].append(volunteer["volunteer_id"])
        for team, ids in active.items():
            leaders = min(len(ids), self.random.choice((1, 1, 2)))
            for leader in self.random.sample(ids, leaders):
                rows[(team, leader)] = "leader"
        return [
            {"team_id": t, "volunteer_id": v, "role": role}
            for (t, v), role in sorted(rows.items())
        ]


def write(path, file, rows, encoding):
    with open(path / file, "w", encoding=encoding, newline="") as stream:
        writer = csv.DictWriter(stream, COLUMNS[file], lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def generate(folder, size=Size(), seed=2024, encoding="utf-8"):
    """Write the four files into `folder`; return how many rows each has."""
    problem = size.problem()
    if problem:
        raise ValueError(problem)
    make = Generator(size, seed)
    communities = make.communities()
    stations = make.stations(communities)
    by_community = {}
    for station in stations:
        by_community.setdefault(station["community"], []).append(station)
    teams = make.teams(communities, by_community)
    volunteers = make.volunteers(communities)
    memberships = make.memberships(teams, volunteers, communities)
    files = {
        "stations.csv": stations,
        "teams.csv": teams,
        "volunteers.csv": volunteers,
        "memberships.csv": memberships,
    }
    folder.mkdir(parents=True, exist_ok=True)
    for file, rows in files.items():
        write(folder, file, rows, encoding)
    return {file: len(rows) for file, rows in files.items()}
