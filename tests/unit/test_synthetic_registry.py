"""The synthetic registry looks like the district and reads back without a
single problem."""

import csv

import pytest

from ops import registry_names
from ops.synthetic_registry import Size, generate
from services.teams import idcard, registry
from services.teams.registry import Known

SMALL = Size(volunteers=400, teams=16, professional=5, stations=12, communities=8)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("registry")
    generate(folder, SMALL, seed=7)
    return folder


def rows(folder, file):
    with open(folder / file, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_it_has_the_size_asked_for(folder):
    teams = rows(folder, "teams.csv")

    assert len(rows(folder, "volunteers.csv")) == 400
    assert len(rows(folder, "stations.csv")) == 12
    assert len(teams) == 16
    assert sum(team["kind"] == "professional" for team in teams) == 5
    assert len({s["community"] for s in rows(folder, "stations.csv")}) == 8


def test_it_names_the_real_streets_communities_and_troupes(folder):
    stations = rows(folder, "stations.csv")
    names = {team["name"] for team in rows(folder, "teams.csv")}

    assert {s["street"] for s in stations} <= set(registry_names.STREETS)
    assert set(registry_names.REAL_COMMUNITIES) <= {s["community"] for s in stations}
    assert {"俏玫瑰舞蹈队", "书香艺术团", "手拉手艺术团"} <= names


def test_people_are_unique_and_their_id_cards_are_real_numbers(folder):
    volunteers = rows(folder, "volunteers.csv")
    cards = [v["id_card_no"] for v in volunteers if v["id_card_no"]]

    assert len({v["phone"] for v in volunteers}) == len(volunteers)
    assert len(set(cards)) == len(cards) > 300
    assert all(idcard.normalise(card) == card for card in cards)


def test_every_team_has_a_leader_among_its_members(folder):
    memberships = rows(folder, "memberships.csv")
    leading = {m["team_id"] for m in memberships if m["role"] == "leader"}

    assert leading == {m["team_id"] for m in memberships}
    assert len(memberships) > 400


def test_it_reads_back_without_a_problem(folder):
    found = registry.read(folder, Known(), idcard.Hasher("test"))

    assert found.problems == []
    assert found.counts()["volunteers"] == 400


def test_the_same_seed_writes_the_same_files(folder, tmp_path):
    generate(tmp_path, SMALL, seed=7)

    for file in registry.FILES:
        assert (tmp_path / file).read_bytes() == (folder / file).read_bytes()


def test_it_writes_gb18030_when_asked(tmp_path):
    generate(tmp_path, SMALL, seed=7, encoding="gb18030")

    text = (tmp_path / "teams.csv").read_bytes().decode("gb18030")
    assert "俏玫瑰舞蹈队" in text
