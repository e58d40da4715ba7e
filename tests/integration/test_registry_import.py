"""Importing the registry into PostgreSQL: all or nothing, once, announced."""

import csv
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select

from ops import cli, registry
from ops.synthetic_registry import Size, generate
from services.teams.models import Base, Membership, Station, Team, Volunteer
from tests.conftest import TEST_ID_CARD_SECRET

pytestmark = pytest.mark.integration

SMALL = Size(volunteers=300, teams=12, professional=4, stations=10, communities=6)
OUTBOX = Base.metadata.tables["outbox"]


@pytest.fixture
def teams_db(make_database):
    url = make_database("teams")
    engine = create_engine(url)
    yield url, engine
    engine.dispose()


@pytest.fixture
def folder(tmp_path):
    generate(tmp_path, SMALL, seed=11)
    return tmp_path


def import_(folder, url, encoding=None):
    return registry.import_folder(folder, url, TEST_ID_CARD_SECRET, encoding)


def count(engine, model):
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def events(engine):
    with engine.connect() as conn:
        rows = conn.execute(
            select(OUTBOX.c.routing_key, func.count()).group_by(OUTBOX.c.routing_key)
        )
        return dict(rows.all())


def rows(folder, file):
    with open(folder / file, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def rewrite(folder, file, change):
    found = rows(folder, file)
    change(found)
    with open(folder / file, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, list(found[0]))
        writer.writeheader()
        writer.writerows(found)


def test_an_import_writes_every_row_and_announces_each_new_thing(folder, teams_db):
    url, engine = teams_db
    teams = rows(folder, "teams.csv")
    volunteers = rows(folder, "volunteers.csv")
    memberships = rows(folder, "memberships.csv")

    outcome = import_(folder, url)

    assert outcome.problems == []
    assert count(engine, Station) == 10
    assert count(engine, Team) == 12
    assert count(engine, Volunteer) == 300
    assert count(engine, Membership) == len(memberships)
    assert events(engine) == {
        "TeamRegistered": 12,
        "VolunteerRegistered": 300,
        "VolunteerJoinedTeam": len(memberships),
        **_if("TeamSuspended", sum(t["status"] == "suspended" for t in teams)),
        **_if("VolunteerUpdated", sum(v["status"] == "inactive" for v in volunteers)),
    }


def _if(key, value):
    return {key: value} if value else {}


def test_importing_the_same_files_again_changes_nothing(folder, teams_db):
    url, engine = teams_db
    import_(folder, url)
    before = events(engine)

    outcome = import_(folder, url)

    assert outcome.problems == []
    assert set(outcome.added.values()) == {0}
    assert set(outcome.changed.values()) == {0}
    assert outcome.events == 0
    assert events(engine) == before


def test_a_gb18030_export_of_the_same_registry_changes_nothing(tmp_path, teams_db):
    url, engine = teams_db
    generate(tmp_path / "utf8", SMALL, seed=11)
    generate(tmp_path / "gb", SMALL, seed=11, encoding="gb18030")
    import_(tmp_path / "utf8", url)

    outcome = import_(tmp_path / "gb", url)

    assert outcome.problems == [] and outcome.events == 0
    with engine.connect() as conn:
        assert (
            conn.scalar(select(Team.name).where(Team.id == "T0001")) == "俏玫瑰舞蹈队"
        )


def test_one_bad_row_leaves_every_file_unimported(folder, teams_db):
    url, engine = teams_db
    rewrite(folder, "memberships.csv", lambda found: found[-1].update(team_id="T9999"))

    outcome = import_(folder, url)

    assert [str(p) for p in outcome.problems] == [
        f"memberships.csv:{len(rows(folder, 'memberships.csv')) + 1}: "
        "team_id: no team T9999"
    ]
    assert count(engine, Station) == count(engine, Volunteer) == 0
    assert events(engine) == {}


def test_a_changed_row_is_written_and_announced_once(folder, teams_db):
    url, engine = teams_db
    import_(folder, url)
    member = next(m for m in rows(folder, "memberships.csv") if m["role"] == "member")
    team_id = member["team_id"]

    def rename(found):
        next(t for t in found if t["team_id"] == team_id).update(name="新名字服务队")

    def promote(found):
        next(m for m in found if m == member).update(role="leader")

    rewrite(folder, "teams.csv", rename)
    rewrite(folder, "memberships.csv", promote)
    outcome = import_(folder, url)

    assert (outcome.changed["teams"], outcome.changed["memberships"]) == (1, 1)
    [update] = _bodies(engine, "TeamUpdated")
    assert update["data"]["changed"] == ["name", "leader_ids"]
    assert member["volunteer_id"] in update["data"]["leader_ids"]
    assert update["data"]["version"] == 2
    with engine.connect() as conn:
        team = conn.execute(select(Team).where(Team.id == team_id)).one()
    assert (team.name, team.version) == ("新名字服务队", 2)
    assert " 新 名 字 " in team.search_text


def test_a_team_whose_status_alone_changed_is_suspended_then_reactivated(
    folder, teams_db
):
    url, engine = teams_db
    import_(folder, url)
    team_id = next(t for t in rows(folder, "teams.csv") if t["status"] != "suspended")[
        "team_id"
    ]

    def status(value):
        def change(found):
            next(t for t in found if t["team_id"] == team_id).update(status=value)

        return change

    rewrite(folder, "teams.csv", status("suspended"))
    suspended = import_(folder, url)
    rewrite(folder, "teams.csv", status("active"))
    reactivated = import_(folder, url)

    assert (suspended.changed["teams"], reactivated.changed["teams"]) == (1, 1)
    [suspension] = _of(team_id, _bodies(engine, "TeamSuspended"))
    [reactivation] = _of(team_id, _bodies(engine, "TeamReactivated"))
    assert (suspension["data"]["version"], reactivation["data"]["version"]) == (2, 3)
    assert "TeamUpdated" not in events(engine)
    with engine.connect() as conn:
        team = conn.execute(select(Team).where(Team.id == team_id)).one()
    assert (team.status, team.version) == ("active", 3)


def _of(team_id, bodies):
    return [body for body in bodies if body["data"]["team_id"] == team_id]


def _bodies(engine, event_type):
    with engine.connect() as conn:
        found = conn.scalars(
            select(OUTBOX.c.body).where(OUTBOX.c.routing_key == event_type)
        )
        return [json.loads(body) for body in found]


def test_no_event_carries_an_id_card_number_or_a_phone(folder, teams_db):
    url, engine = teams_db
    cards = [v["id_card_no"] for v in rows(folder, "volunteers.csv") if v["id_card_no"]]

    import_(folder, url)

    with engine.connect() as conn:
        bodies = " ".join(conn.scalars(select(OUTBOX.c.body)))
        hashes = conn.scalars(select(Volunteer.id_card_hash)).all()
    assert not any(card in bodies for card in cards)
    assert not any(card in (h or "") for card in cards for h in hashes)
    assert rows(folder, "volunteers.csv")[0]["phone"] not in bodies


def test_the_command_reports_every_bad_row_and_fails(folder, teams_db, monkeypatch):
    url, engine = teams_db
    monkeypatch.setenv("TEAMS_DATABASE_URL", url)
    monkeypatch.setenv("ID_CARD_HMAC_SECRET", TEST_ID_CARD_SECRET)

    def spoil(found):
        found[0].update(phone="unknown")
        found[2].update(community="火星")

    rewrite(folder, "volunteers.csv", spoil)
    result = CliRunner().invoke(cli.main, ["import-registry", str(folder)])

    assert result.exit_code == 1
    assert "volunteers.csv:2: phone: not a phone number" in result.output
    assert "volunteers.csv:4: community: '火星' is not one of the district's" in (
        result.output
    )
    assert "nothing imported: 2 rows have problems" in result.output
    assert count(engine, Volunteer) == 0
