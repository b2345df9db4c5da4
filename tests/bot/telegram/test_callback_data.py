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
    cd.HistoryPageNav(3),
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
    ],
)
def test_anything_else_is_refused(data):
    assert cd.parse(data) is None
