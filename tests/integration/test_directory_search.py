"""Searching the imported registry on PostgreSQL, as people type."""

import csv
from collections import Counter

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from eventing.identity import Caller
from ops import registry
from ops.synthetic_registry import Size, generate
from services.teams import keywords, paging, search
from tests.conftest import TEST_ID_CARD_SECRET

pytestmark = pytest.mark.integration

ADMIN = Caller("u-admin", "admin")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("registry")
    generate(folder, Size(300, 12, 4, 10, 6), seed=5)
    return folder


@pytest.fixture
def directory(make_database, folder):
    url = make_database("teams")
    registry.import_folder(folder, url, TEST_ID_CARD_SECRET)
    engine = create_engine(url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def rows(folder, file):
    with open(folder / file, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def volunteers(session, caller=ADMIN, **filters):
    query = {"q": None, "community": None, "team_id": None, "cursor": None}
    query.update(status="active", limit=20)
    return search.browse_volunteers(session, caller, {**query, **filters})


def teams(session, caller=ADMIN, **filters):
    query = {"q": None, "community": None, "category": None, "street": None}
    query.update(kind=None, status=None, cursor=None, limit=20)
    return search.browse_teams(session, caller, {**query, **filters})


def every_page(session, limit, **filters):
    found, cursor = [], None
    while True:
        answer = volunteers(session, q=filters["q"], limit=limit, cursor=cursor)
        found += answer["items"]
        cursor = answer["next_cursor"]
        if cursor is None:
            return found
        cursor = paging.decode(cursor)


def expected(folder, typed):
    return {
        v["volunteer_id"]
        for v in rows(folder, "volunteers.csv")
        if v["status"] == "active"
        and all(
            word in v["name"] or any(word in skill for skill in v["skills"].split("、"))
            for word in typed.split()
        )
    }


def test_one_typed_character_finds_every_name_holding_it(directory, folder):
    surname = Counter(v["name"][0] for v in rows(folder, "volunteers.csv"))
    common = surname.most_common(1)[0][0]

    found = every_page(directory, 7, q=common)

    assert {v["id"] for v in found} == expected(folder, common)
    assert len(found) == len({v["id"] for v in found}) > 7
    names = [(v["name"], v["id"]) for v in found]
    assert names == sorted(names)


def test_two_typed_characters_find_the_names_holding_them_together(directory, folder):
    name = next(
        v["name"] for v in rows(folder, "volunteers.csv") if len(v["name"]) == 3
    )
    typed = name[1:]

    found = volunteers(directory, q=typed, limit=100)["items"]

    assert {v["id"] for v in found} == expected(folder, typed)
    assert all(typed in v["name"] or typed in "".join(v["skills"]) for v in found)


def test_each_word_of_a_query_must_match(directory, folder):
    name = rows(folder, "volunteers.csv")[0]["name"]
    typed = f"{name[0]} {name[-1]}"

    found = volunteers(directory, q=typed, limit=100)["items"]

    assert {v["id"] for v in found} == expected(folder, typed)


def test_the_trigram_index_narrows_even_a_one_character_query(directory, folder):
    everyone = rows(folder, "volunteers.csv")
    surname = Counter(v["name"][0] for v in everyone).most_common(1)[0][0]
    holding = [v for v in everyone if surname in v["name"] + v["skills"]]
    directory.execute(text("SET enable_seqscan = off"))

    plan = directory.execute(
        text(
            "EXPLAIN (ANALYZE, FORMAT JSON) "
            "SELECT id FROM volunteers WHERE search_text ILIKE :p"
        ),
        {"p": keywords.patterns(surname)[0]},
    ).scalar()

    [scan] = _nodes(plan[0]["Plan"], "ix_volunteers_search_trgm")
    # without a trigram of its own the index would hand over every row
    assert len(holding) <= scan["Actual Rows"] < len(everyone) / 2


def _nodes(node, index):
    found = [node] if node.get("Index Name") == index else []
    for child in node.get("Plans", []):
        found += _nodes(child, index)
    return found


def test_the_trigram_indexes_exist_in_the_migrated_database(directory):
    found = directory.execute(
        text("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'")
    ).scalars()

    assert set(found) == {"ix_teams_search_trgm", "ix_volunteers_search_trgm"}


def test_teams_are_found_by_category_street_and_keyword(directory, folder):
    all_teams = rows(folder, "teams.csv")
    streets = {s["community"]: s["street"] for s in rows(folder, "stations.csv")}

    by_category = teams(directory, category="演出")["items"]
    on_street = teams(directory, street="长江路")["items"]
    by_keyword = teams(directory, q="舞蹈")["items"]

    assert {t["id"] for t in by_category} == {
        t["team_id"] for t in all_teams if "演出" in t["categories"].split("、")
    }
    assert {t["id"] for t in on_street} == {
        t["team_id"] for t in all_teams if streets[t["community"]] == "长江路"
    }
    assert "俏玫瑰舞蹈队" in {t["name"] for t in by_keyword}
    assert all(t["street"] == "长江路" for t in on_street)


def test_a_visitor_browses_only_active_professional_teams(directory, folder):
    shown = teams(directory, caller=None, limit=100)["items"]

    assert {t["id"] for t in shown} == {
        t["team_id"]
        for t in rows(folder, "teams.csv")
        if t["kind"] == "professional" and t["status"] == "active"
    }
    assert all("contact_phone" not in t for t in shown)


def test_staff_search_only_their_own_communitys_volunteers(directory, folder):
    staff = Caller("u-staff", "community_staff", community="铁道家园")

    found = volunteers(directory, caller=staff, limit=100)["items"]

    assert {v["id"] for v in found} == {
        v["volunteer_id"]
        for v in rows(folder, "volunteers.csv")
        if v["community"] == "铁道家园" and v["status"] == "active"
    }
