"""Button payloads of professional learning, goals, /progress and /export, and the new
settings menus: round trips within 64 bytes, and anything malformed or forged refused."""

import pytest

from bot.telegram import callback_data as cd

BIG = 999_999_999_999  # the largest id a payload carries

ACTIONS = [
    cd.LearningTap(5),
    cd.LearningTap(BIG),
    cd.LearningTap(5, remove=True),
    cd.LearningTap(BIG, "supervision"),
    cd.LearningTap(5, "course", 6),
    cd.LearningTap(BIG, "supervision", cd.MAX_QUARTERS),
    cd.LearningTap(5, "peer", 1),
    cd.LearningTap(5, "other", -1),
    *[cd.LearningTap(7, kind) for kind in cd.LEARNING_KIND_NAMES],
    cd.GoalLink(5),
    cd.GoalLink(5, 0),
    cd.GoalLink(BIG, BIG),
    cd.GoalTap(0, "list"),
    *[
        cd.GoalTap(BIG, step)
        for step in ("closed", "new", "open", "comp", "review", "achieved", "dropped", "reopen")
    ],
    cd.GoalTap(3, "toggle", 1),
    cd.GoalTap(BIG, "toggle", 99),
    cd.ProgressTap(None),
    *[cd.ProgressTap(period) for period in ("3m", "12m", "cycle", "all")],
    cd.ProgressTap("cycle", 7),
    cd.ProgressTap("all", 99),
    cd.ExportTap(None),
    *[cd.ExportTap(period) for period in ("3m", "12m", "cycle", "all")],
    *[cd.ExportTap("12m", key) for key in ("pdf", "docx", "csv", "json", "md")],
    cd.SettingsMenu("learning"),
    cd.SettingsAsk("weekly_hours"),
    cd.SettingsAsk("cycle_start"),
]


@pytest.mark.parametrize("action", ACTIONS, ids=repr)
def test_round_trip_within_64_bytes(action):
    data = cd.encode(action)
    assert len(data.encode()) <= cd.MAX_BYTES
    assert cd.parse(data) == action


def test_every_learning_kind_is_a_kind_the_portfolio_knows():
    from bot.portfolio import LEARNING_KINDS

    assert cd.LEARNING_KIND_NAMES == tuple(LEARNING_KINDS)


def test_payloads_are_short_and_distinct():
    encoded = [cd.encode(action) for action in ACTIONS]
    assert len(set(encoded)) == len(encoded)
    assert cd.encode(cd.ProgressTap(None)) == "pg:menu"
    assert cd.encode(cd.ExportTap(None)) == "ex:menu"
    assert cd.encode(cd.LearningTap(5, "course", 6)) == "pl:5:course:6"


@pytest.mark.parametrize(
    "action",
    [
        cd.LearningTap(5, "dancing"),  # not a kind of learning
        cd.LearningTap(5, "course", 0, True),  # remove with a kind
        cd.LearningTap(5, None, 4),  # hours without a kind
        cd.LearningTap(5, "course", 4, True),  # remove with hours
        cd.LearningTap(5, "course", -1, True),
        cd.LearningTap(5, "course", cd.MAX_QUARTERS + 1),  # over 500 hours
        cd.LearningTap(5, "course", -2),
        cd.LearningTap(-5),
        cd.GoalLink(-1),
        cd.GoalLink(5, -1),
        cd.GoalTap(3, "toggle", 0),
        cd.GoalTap(3, "toggle", 100),
        cd.GoalTap(3, "open", 2),  # a competence with a step that takes none
        cd.GoalTap(3, "delete"),
        cd.GoalTap(-3, "open"),
        cd.ProgressTap(None, 2),
        cd.ProgressTap("6m"),
        cd.ProgressTap("3m", 100),
        cd.ProgressTap("3m", -1),
        cd.ExportTap(None, "pdf"),
        cd.ExportTap("6m"),
        cd.ExportTap("3m", "xlsx"),
        cd.SettingsMenu("goals"),
        cd.SettingsAsk("weekly_hours", 5),
        cd.SettingsAsk("cycle_start", 1),
        cd.LearningTap(10**13),  # an id longer than payloads carry
    ],
    ids=repr,
)
def test_actions_that_cannot_be_right_are_not_encoded(action):
    with pytest.raises(ValueError):
        cd.encode(action)


@pytest.mark.parametrize(
    "data",
    [
        "pl:",
        "pl:x",
        "pl:-1",
        "pl:5:",
        "pl:5:dancing",
        "pl:5:Course",
        "pl:5:course:0",
        "pl:5:course:2001",
        "pl:5:course:99999",
        "pl:5:course:-1",
        "pl:5:course:1.5",
        "pl:5:course:t:1",
        "pl:5:-:4",
        "pl:5:-:t",
        "pl:5:course:4:extra",
        "pl:5; DROP TABLE learning_activities",
        "pl:1234567890123",
        "gk:",
        "gk:5:",
        "gk:5:x",
        "gk:5:-1",
        "gk:5:1:2",
        "gl:1",
        "gl:1:",
        "gl:1:toggle",
        "gl:1:delete",
        "gl:1:OPEN",
        "gl:1:c0",
        "gl:1:c100",
        "gl:1:c",
        "gl:1:open:2",
        "gl:x:open",
        "pg:",
        "pg:3m",
        "pg:6m:0",
        "pg:3m:100",
        "pg:3m:-1",
        "pg:menu:1",
        "pg:all:x",
        "ex:",
        "ex:6m",
        "ex:3m:xlsx",
        "ex:menu:pdf",
        "ex:3m:pdf:now",
        "ex:3M",
        "st:goals",
        "st:learning:1",
        "sa:weekly_hours:1",
        "sa:cycle_start:",
        "sa:cycle_start_date",
        "pl:5:course:" + "1" * 60,
        "ex:12m:pdf" + " " * 60,
        b"ex:12m:pdf",
        123,
        "ех:12m:pdf",  # Cyrillic letters
    ],
)
def test_anything_else_is_refused(data):
    assert cd.parse(data) is None


def test_the_longest_payloads_fit():
    longest = [
        cd.LearningTap(BIG, "supervision", cd.MAX_QUARTERS),
        cd.GoalLink(BIG, BIG),
        cd.GoalTap(BIG, "achieved"),
        cd.GoalTap(BIG, "toggle", 99),
        cd.ProgressTap("cycle", 99),
        cd.ExportTap("cycle", "docx"),
    ]
    for action in longest:
        assert len(cd.encode(action).encode()) <= cd.MAX_BYTES
