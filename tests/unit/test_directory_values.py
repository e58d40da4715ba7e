"""ID cards, weekly hours, search text and cursors: the directory's values."""

import pytest

from services.teams import hours, idcard, keywords, paging

VALID = "11010519491231002X"


def test_an_id_card_number_is_normalised_to_upper_case_without_spaces():
    assert idcard.normalise(" 110105 19491231 002x ") == VALID


@pytest.mark.parametrize(
    "number", ["110105194912310021", "11010519491231002", "1101051949123100XX", ""]
)
def test_an_id_card_number_with_a_wrong_check_or_shape_is_refused(number):
    with pytest.raises(idcard.InvalidIdCard):
        idcard.normalise(number)


def test_the_same_number_gives_the_same_hash_however_it_is_written():
    hasher = idcard.Hasher("secret")

    assert hasher(VALID) == hasher(VALID.lower())


def test_the_hash_depends_on_the_secret_and_does_not_show_the_number():
    digest = idcard.Hasher("secret")(VALID)

    assert digest != idcard.Hasher("another secret")(VALID)
    assert VALID not in digest and "19491231" not in digest
    assert len(digest) == 64


def test_weekly_hours_are_read_as_people_write_them_and_written_back():
    text = "1-5 8:30-17:00；6,7 09:00-12:00"

    slots = hours.parse(text)

    assert slots == [
        {"weekdays": [1, 2, 3, 4, 5], "from": "08:30", "to": "17:00"},
        {"weekdays": [6, 7], "from": "09:00", "to": "12:00"},
    ]
    assert hours.to_text(slots) == "1-5 08:30-17:00; 6-7 09:00-12:00"
    assert hours.parse(hours.to_text(slots)) == slots


@pytest.mark.parametrize(
    "text", ["8 09:00-12:00", "1-5 12:00-09:00", "mondays 9-12", "1 25:00-26:00"]
)
def test_hours_that_are_no_weekly_hours_are_refused(text):
    with pytest.raises(hours.InvalidHours):
        hours.parse(text)


def test_search_text_makes_each_chinese_character_a_word():
    assert keywords.searchable("俏玫瑰", None, "ABC舞蹈") == " 俏 玫 瑰 abc 舞 蹈 "


def test_a_query_matches_anywhere_in_the_search_text_as_it_is_typed():
    text = keywords.searchable("手拉手艺术团", "文艺汇演和老旧院落墙绘")

    for typed in ["手", "艺术", "术团", "墙绘", "汇演 墙"]:
        words = keywords.patterns(typed)
        assert all(_like(text, pattern) for pattern in words), typed
    assert not _like(text, keywords.patterns("舞蹈")[0])


def test_like_wildcards_in_a_query_are_taken_literally():
    assert keywords.patterns("10%_") == ["%10\\%\\_%"]


def _like(text, pattern):
    # enough of SQL LIKE for these patterns: %…% around an escaped substring
    inner = pattern[1:-1].replace("\\%", "%").replace("\\_", "_")
    return inner in text


def test_a_cursor_gives_back_the_name_and_id_it_was_made_of():
    cursor = paging.encode("张伟", "V000123")

    assert paging.decode(cursor) == ("张伟", "V000123")


@pytest.mark.parametrize("cursor", ["", "not-a-cursor", paging.encode("a", "b")[:-3]])
def test_a_cursor_this_service_did_not_make_is_refused(cursor):
    with pytest.raises(paging.InvalidCursor):
        paging.decode(cursor)


def test_a_page_says_where_the_next_one_starts_only_if_there_is_one():
    rows = [("甲", "1"), ("乙", "2"), ("丙", "3")]

    shown, cursor = paging.page(rows, 2, lambda row: row)
    last, end = paging.page(rows[2:], 2, lambda row: row)

    assert shown == rows[:2] and paging.decode(cursor) == ("乙", "2")
    assert last == rows[2:] and end is None
