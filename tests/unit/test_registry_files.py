"""Reading the registry's CSV files: every problem reported, nothing guessed."""

import pytest

from services.teams import idcard, registry
from services.teams.registry import Known

HASHER = idcard.Hasher("test")
STATIONS = (
    "station_id,name,street,community,address,opening_hours\r\n"
    "S1,铁道家园服务站,长江路,铁道家园,长江路12号,1-5 08:30-17:00\r\n"
    "S2,五号街坊服务站,福华街,五号街坊,福华街5号,\r\n"
)
TEAMS = (
    "team_id,name,kind,categories,community,station_id,contact_phone,"
    "description,founded_on,status\r\n"
    "T1,俏玫瑰舞蹈队,专业,演出、舞蹈,铁道家园,S1,13800000001,广场舞,2015/06/01,正常\r\n"
    "T2,雷锋服务队,general,维修;助老,五号街坊,,13800000002,,,\r\n"
)
VOLUNTEERS = (
    "volunteer_id,name,phone,id_card_no,community,skills,availability,joined_on,status\r\n"
    "V1,张桂芳,13900000001,11010519491231002X,铁道家园,"
    "舞蹈,6-7 08:00-12:00,2020-01-02,\r\n"
    "V2,李淑珍,13900000002,,五号街坊,,,,inactive\r\n"
)
MEMBERSHIPS = "team_id,volunteer_id,role\r\nT1,V1,队长\r\nT2,V2,\r\n"


def write(folder, encoding="utf-8", **files):
    for name, text in files.items():
        (folder / f"{name}.csv").write_bytes(text.encode(encoding))
    return folder


def read(folder, known=None):
    return registry.read(folder, known or Known(), HASHER)


def good_folder(tmp_path, **changes):
    files = dict(
        stations=STATIONS, teams=TEAMS, volunteers=VOLUNTEERS, memberships=MEMBERSHIPS
    )
    return write(tmp_path, **{**files, **changes})


def test_good_files_are_read_into_rows_with_every_value_parsed(tmp_path):
    found = read(good_folder(tmp_path))

    assert found.problems == []
    assert found.places == {"铁道家园": "长江路", "五号街坊": "福华街"}
    team = found.teams["T1"]
    assert (team["kind"], team["categories"], team["status"]) == (
        "professional",
        ["演出", "舞蹈"],
        "active",
    )
    assert team["founded_on"].isoformat() == "2015-06-01"
    assert found.teams["T2"]["description"] is None
    volunteer = found.volunteers["V1"]
    assert volunteer["id_card_hash"] == HASHER("11010519491231002X")
    assert volunteer["availability"] == [
        {"weekdays": [6, 7], "from": "08:00", "to": "12:00"}
    ]
    assert found.volunteers["V2"]["id_card_hash"] is None
    assert found.memberships == {("T1", "V1"): "leader", ("T2", "V2"): "member"}


def test_a_gb18030_file_reads_as_its_utf8_twin(tmp_path):
    (tmp_path / "utf8").mkdir()
    (tmp_path / "gb").mkdir()

    utf8 = read(write(tmp_path / "utf8", stations=STATIONS, teams=TEAMS))
    gb = read(write(tmp_path / "gb", "gb18030", stations=STATIONS, teams=TEAMS))

    assert gb.problems == [] and gb.teams == utf8.teams


def test_a_forced_encoding_is_used_and_named_when_the_files_are_not_in_it(tmp_path):
    (tmp_path / "bom").mkdir()
    (tmp_path / "gb").mkdir()
    bom = write(tmp_path / "bom", "utf-8-sig", stations=STATIONS, teams=TEAMS)
    gb = write(tmp_path / "gb", "gb18030", stations=STATIONS, teams=TEAMS)

    # Excel's "CSV UTF-8" starts with a BOM, and --encoding utf-8 reads it
    forced = registry.read(bom, Known(), HASHER, "utf-8")
    wrong = registry.read(gb, Known(), HASHER, "utf-8")

    assert forced.problems == [] and forced.teams["T1"]["name"] == "俏玫瑰舞蹈队"
    assert [str(p) for p in wrong.problems] == [
        "stations.csv:1: not utf-8",
        "teams.csv:1: not utf-8",
    ]


def test_every_bad_row_is_reported_by_file_line_and_reason(tmp_path):
    teams = (
        TEAMS
        + "T3,,general,演出,铁道家园,,1380,,,\r\n"
        + "T4,无名队,general,演出,幸福里,,13800000004,,,\r\n"
        + "T1,重复队,general,演出,铁道家园,,13800000005,,,\r\n"
        + "T6,错站队,general,演出,铁道家园,S2,13800000006,,2020-13-01,暂停\r\n"
    )

    problems = [str(p) for p in read(good_folder(tmp_path, teams=teams)).problems]

    assert problems == [
        "teams.csv:4: name: required; contact_phone: not a phone number",
        "teams.csv:5: community: '幸福里' is not one of the district's",
        "teams.csv:6: T1 appears again (first on line 2)",
        "teams.csv:7: station_id: S2 is in 五号街坊, not 铁道家园; "
        "founded_on: not a date like 2024-03-05",
    ]


def test_a_membership_listed_twice_is_named_by_its_volunteer_and_team(tmp_path):
    memberships = MEMBERSHIPS + "T1,V1,\r\n"

    problems = read(good_folder(tmp_path, memberships=memberships)).problems

    assert [str(p) for p in problems] == [
        "memberships.csv:4: V1 in T1 appears again (first on line 2)"
    ]


def test_a_row_naming_what_no_file_nor_the_directory_holds_is_a_problem(tmp_path):
    memberships = MEMBERSHIPS + "T9,V1,\r\nT1,V9,member\r\nT1,V2,boss\r\n"

    problems = [
        str(p) for p in read(good_folder(tmp_path, memberships=memberships)).problems
    ]

    assert problems == [
        "memberships.csv:4: team_id: no team T9",
        "memberships.csv:5: volunteer_id: no volunteer V9",
        "memberships.csv:6: role: 'boss' is not one of leader, member",
    ]


def test_rows_may_name_what_the_directory_holds_already(tmp_path):
    known = Known(
        communities={"万达": "五里堡"}, teams={"T7"}, volunteers={"V7": "active"}
    )
    folder = write(
        tmp_path,
        teams=TEAMS.splitlines()[0] + "\r\nT8,万达队,,演出,万达,,13800000008,,,\r\n",
        memberships="team_id,volunteer_id\r\nT7,V7\r\nT8,V7\r\n",
    )

    found = read(folder, known)

    assert found.problems == []
    assert set(found.memberships) == {("T7", "V7"), ("T8", "V7")}


def test_one_id_card_number_registers_one_volunteer(tmp_path):
    volunteers = VOLUNTEERS + (
        "V3,王秀兰,13900000003,11010519491231002x,铁道家园,,,,\r\n"
        "V4,陈建国,13900000004,110105194912310021,铁道家园,,,,\r\n"
    )
    known = Known(id_cards={HASHER("11010519491231002X"): "V1"})
    folder = good_folder(tmp_path, volunteers=volunteers)

    problems = [str(p) for p in read(folder).problems]
    against_directory = [str(p) for p in read(folder, known).problems]

    assert problems == [
        "volunteers.csv:4: id_card_no: the same number as on line 2",
        "volunteers.csv:5: id_card_no: the ID-card number's check character is wrong",
    ]
    assert against_directory[0] == (
        "volunteers.csv:4: id_card_no: registered already to volunteer V1"
    )


def test_a_header_without_a_required_column_or_with_an_unknown_one_is_a_problem(
    tmp_path,
):
    folder = write(
        tmp_path, stations="station_id,name,street,remark\r\nS1,站,长江路,x\r\n"
    )

    problems = [str(p) for p in read(folder).problems]

    assert problems == [
        "stations.csv:1: missing column community; missing column address; "
        "unknown column 'remark'"
    ]


@pytest.mark.parametrize(
    "line, reason",
    [
        ("S3,站,长江路,五号街坊,长江路1号,", "community: 五号街坊 belongs to 福华街"),
        ("S3,站,长江路,万达,长江路1号,1-5 17:00-09:00", "opening_hours:"),
        ("S 3,站,长江路,万达,长江路1号,", "station_id: letters, digits"),
        ("S3,站,长江路,万达,长江路1号,,extra", "more fields than the header"),
    ],
)
def test_a_bad_station_row_says_what_is_wrong(tmp_path, line, reason):
    found = read(write(tmp_path, stations=STATIONS + line + "\r\n"))

    [problem] = found.problems
    assert problem.line == 4 and reason in problem.reason


def test_a_quoted_value_over_two_lines_keeps_the_following_line_numbers(tmp_path):
    teams = TEAMS.replace(",广场舞,", ',"广场舞\r\n和节日演出",') + (
        "T3,,general,演出,铁道家园,,13800000003,,,\r\n"
    )

    found = read(good_folder(tmp_path, teams=teams))

    [problem] = found.problems
    assert problem.line == 5
    assert found.teams["T1"]["description"].splitlines() == ["广场舞", "和节日演出"]
