from datetime import date

import pytest

from bot.telegram import callback_data as cd

ACTIONS = [
    cd.Consent(True),
    cd.Consent(False),
    cd.ChooseSet("what-so-what"),
    cd.OpenChoice("restart", 12),
    cd.CancelChoice("keep", 3),
    cd.NoteChoice("drop", 999_999_999_999),
    cd.TagTap(999_999_999_999, "6.9", "reject"),
    cd.TagTap(5, "2.6", "clear"),
    cd.TagTap(999_999_999_999, "7.12", "confirm", True),
    cd.TagAction(5, "none"),
    cd.PickCompetence(5, 7),
    cd.TagTap(999_999_999_999, "7.12", "confirm", True, True),
    cd.TagTap(5, "2.6", "reject", past=True),
    cd.TagAction(999_999_999_999, "done", True),
    cd.PickCompetence(999_999_999_999, 7, True),
    cd.AboutTap(5, "open"),
    cd.AboutTap(999_999_999_999, "back", past=True),
    cd.AboutTap(5, "clear"),
    cd.AboutTap(5, "name", past=True),
    cd.AboutTap(5, "date"),
    cd.AboutTap(999_999_999_999, "session", 999_999_999_999, past=True),
    cd.AboutTap(5, "named", 0),
    cd.AboutTap(999_999_999_999, "day", day=date(2026, 11, 23), past=True),
    cd.HistoryPageNav(3),
    cd.HistoryPageNav(0, "3"),
    cd.HistoryPageNav(999_999, "12.34"),
    cd.HistoryFilterMenu(0),
    cd.HistoryFilterMenu(2, "2.3"),
    cd.HistoryIndicatorMenu(999_999, "7"),
    cd.HistoryIndicatorMenu(1, "2.13"),
    cd.HistoryTags(44),
    cd.HistoryOpen(999_999_999_999),
    cd.DeleteReflection(12, "yes"),
    cd.EditAnswer(999_999_999_999, 999_999_999_999),
    cd.HeldChoice("initials", 999_999_999_999),
    cd.ForgetChoice(True, 1_795_791_750),
    cd.ForgetChoice(False, 0),
]


@pytest.mark.parametrize("action", ACTIONS)
def test_round_trip_within_64_bytes(action):
    data = cd.encode(action)
    assert len(data.encode()) <= 64
    assert cd.parse(data) == action


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "tg:1:2.6",
        "tg:1:2.6:t",
        "tg:1:2.6:c:q",
        "tg:abc:2.6:c",
        "tg:1:2.6:c:extra",
        "qs:" + "x" * 70,
        "hp:-1",
        "hp:1:",
        "hp:1:c3",
        "hp:1:2.",
        "hp:1:123",
        "hp:1:2.3.4",
        "hp:1:2.3:x",
        "hf:",
        "hf:1:foo",
        "hn:1",
        "hn:1:",
        "hn:x:2.3",
        "ok:maybe",
        "ta:1:delete_everything",
        "ht:1; DROP TABLE reflections",
        "fg:maybe",
        "fg:yes",
        "dr:1:now",
        "hd:delete",
        "hd:keep",
        "ea:1",
        b"qs:gibbs",
        "тг:1:2.6:c",
        "tg:1:2.6:c:h:p",
        "ta:1:done:p",
        "ab:1:s",
        "ab:1:r",
        "ab:1:o5",
        "ab:1:d2026113",
        "ab:1:d20261131",
        "ab:1:q",
        "ab:1:o:x",
    ],
)
def test_anything_else_is_refused(data):
    assert cd.parse(data) is None


def test_old_history_page_buttons_still_mean_the_whole_history():
    assert cd.parse("hp:0") == cd.HistoryPageNav(0)
    assert cd.parse("hp:12") == cd.HistoryPageNav(12, None)
    assert cd.encode(cd.HistoryPageNav(4)) == "hp:4"


@pytest.mark.parametrize(
    "action",
    [
        cd.HistoryPageNav(0, "2.3; DROP TABLE tags"),
        cd.HistoryPageNav(0, ""),
        cd.HistoryFilterMenu(0, "c3"),
        cd.HistoryIndicatorMenu(0, "2.3.4"),
    ],
)
def test_a_filter_no_button_can_carry_is_refused_when_written(action):
    with pytest.raises(ValueError, match="not a well-formed history action"):
        cd.encode(action)
