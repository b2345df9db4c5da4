"""The settings menus and their button payloads: small, strict, and each menu's buttons
lead where they say."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import available_timezones

import pytest

from bot.services.nudge_settings import COMMON_TIMEZONES
from bot.services.typed_settings import SessionDraft
from bot.telegram import callback_data as cd
from bot.telegram import settings_views as sv
from prompts import load_question_sets
from storage import NudgeSettings, Session

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)  # a Monday
TODAY = NOW.date()
CLUB = Session(
    id=7,
    user_id=1,
    name="Tuesday <youth> club",
    weekdays=frozenset({1, 3}),
    end_time=time(19, 30),
    skipped=frozenset({date(2026, 11, 26)}),
)
DEFAULTS = NudgeSettings(user_id=1)
BIG = 999_999_999_999

SETTINGS_ACTIONS = [
    *(cd.SettingsMenu(menu) for menu in cd.SettingsMenuName.__args__),
    cd.SettingsAsk("timezone"),
    cd.SettingsAsk("weekly_time"),
    cd.SettingsAsk("session_name"),
    cd.SettingsAsk("pause_until"),
    cd.SettingsAsk("skip_date", BIG),
    cd.SetZone(max(available_timezones(), key=len)),
    cd.SetZone("Etc/GMT+12"),
    cd.SetQuiet(time(21, 30), time(8)),
    cd.SetQuiet(time(0), time(23, 59)),
    cd.SetQuiet(None, None),
    cd.SetWeekly(on=True),
    cd.SetWeekly(on=False),
    cd.SetWeekly(day=0),
    cd.SetWeekly(day=6),
    cd.SetWeekly(at=time(7, 5)),
    cd.SetWeekly(after="soften"),
    cd.SetWeekly(after="skip"),
    cd.SetSessionsOn(True),
    cd.SetSessionsOn(False),
    cd.NewSessionDays(0),
    cd.NewSessionDays(127, done=True),
    cd.NewSessionEnd(time(23, 59)),
    cd.SessionMenu(BIG),
    cd.RemoveSession(BIG, False),
    cd.RemoveSession(3, True),
    cd.SkipSessionDay(BIG, date(2026, 12, 24), True),
    cd.SkipSessionDay(1, date(2027, 1, 1), False),
    cd.SetDefaultSet("what-so-what"),
    cd.PauseChoice("1w"),
    cd.PauseChoice("2w"),
    cd.PauseChoice("resume"),
]


@pytest.mark.parametrize("action", SETTINGS_ACTIONS, ids=repr)
def test_settings_payloads_round_trip_within_64_bytes(action):
    data = cd.encode(action)
    assert len(data.encode()) <= cd.MAX_BYTES
    assert cd.parse(data) == action


@pytest.mark.parametrize(
    "data",
    [
        "st:nowhere",
        "st:",
        "sa:skip_date",
        "sa:timezone:5",
        "sa:skip_date:x",
        "sz:Europe London",
        "sz:",
        "sz:" + "A" * 61,
        "sq:2430-0800",
        "sq:2130-0860",
        "sq:2130",
        "sq:none:1",
        "sw:d7",
        "sw:t2400",
        "sw:t930",
        "sw:a:never",
        "sw:",
        "ss:maybe",
        "sn:128",
        "sn:-1",
        "sn:1:done",
        "se:930",
        "se:1960",
        "so:-1",
        "sr:1:no",
        "sk:1:20261332:1",
        "sk:1:20260230:1",
        "sk:1:2026123:1",
        "sk:1:20261224:2",
        "sd:" + "x" * 21,
        "pa:3w",
        "pa:",
    ],
)
def test_malformed_settings_payloads_are_refused(data):
    assert cd.parse(data) is None


@pytest.mark.parametrize(
    "action",
    [
        cd.SetWeekly(),
        cd.SetWeekly(on=True, day=1),
        cd.SetWeekly(day=7),
        cd.SetZone("Europe London"),
        cd.SetQuiet(time(21), None),
        cd.NewSessionDays(128),
        cd.SettingsAsk("skip_date"),
        cd.SettingsAsk("timezone", 4),
        cd.SetDefaultSet("no spaces allowed"),
    ],
    ids=repr,
)
def test_a_payload_that_would_not_parse_back_is_never_made(action):
    with pytest.raises(ValueError):
        cd.encode(action)


def payloads(view: sv.View) -> list[cd.Action]:
    _, markup = view
    assert markup is not None
    return [cd.parse(b.callback_data) for row in markup.inline_keyboard for b in row]


def labels(view: sv.View) -> list[str]:
    return [b.text for row in view[1].inline_keyboard for b in row]


def test_the_summary_says_everything_and_offers_every_menu():
    text, _ = view = sv.summary(
        "Europe/London", DEFAULTS, [CLUB], "Gibbs", NOW, datetime(2026, 11, 24, 20, tzinfo=UTC)
    )
    assert "Europe/London</b> (it's Mon 23 Nov, 18:30 there now)" in text
    assert "Quiet hours: 21:30–08:00" in text
    assert "Fridays at 16:00" in text and "already reflected" in text
    assert "Tuesday &lt;youth&gt; club</b>: Tue, Thu, ends 19:30" in text  # escaped
    assert "Next reminder: Tue 24 Nov, 20:00" in text
    assert {p.menu for p in payloads(view)} == {
        "zone",
        "quiet",
        "weekly",
        "sessions",
        "sets",
        "pause",
        "learning",
        "supervision",
    }


def test_the_summary_when_paused_and_everything_is_off():
    settings = NudgeSettings(
        user_id=1,
        quiet_start=None,
        quiet_end=None,
        weekly_on=False,
        sessions_on=False,
        paused_until=date(2026, 12, 24),
    )
    text, _ = sv.summary("Europe/London", settings, [CLUB], "Quick note", NOW, None)
    assert "Quiet hours: none" in text
    assert "Weekly reflection: off\n" in text and "already reflected" not in text
    assert "After your sessions: off" in text and "Tuesday" not in text
    assert "paused until <b>Thu 24 Dec</b>" in text
    over = NudgeSettings(user_id=1, paused_until=TODAY.replace(day=22))  # ended yesterday
    assert "No reminder coming up" in sv.summary("Europe/London", over, [], "Q", NOW, None)[0]


def test_the_zone_menu_marks_the_current_zone_and_offers_another():
    view = sv.zone_menu("Europe/Paris", NOW)
    assert "it's Mon 23 Nov, 19:30 there now" in view[0]
    assert "✓ Europe/Paris" in labels(view)
    assert [p.zone for p in payloads(view) if isinstance(p, cd.SetZone)] == list(COMMON_TIMEZONES)
    assert cd.SettingsAsk("timezone") in payloads(view)
    assert payloads(view)[-1] == cd.SettingsMenu("home")


def test_quiet_hours_presets_include_none():
    view = sv.quiet_menu(DEFAULTS)
    assert labels(view)[0] == "✓ 21:30–08:00"
    assert cd.SetQuiet(None, None) in payloads(view)
    assert len([p for p in payloads(view) if isinstance(p, cd.SetQuiet)]) == 5


def test_the_weekly_menus():
    weekly = sv.weekly_menu(DEFAULTS)
    assert cd.SetWeekly(on=False) in payloads(weekly)
    assert "✓ Short check-in" in labels(weekly) and "Skip that week" in labels(weekly)
    days = sv.weekday_menu(DEFAULTS)
    assert "✓ Fri" in labels(days)
    assert [p.day for p in payloads(days) if isinstance(p, cd.SetWeekly)] == list(range(7))
    times = sv.weektime_menu(DEFAULTS)
    assert "✓ 16:00" in labels(times)
    assert cd.SettingsAsk("weekly_time") in payloads(times)
    assert payloads(times)[-1] == cd.SettingsMenu("weekly")
    off = sv.weekly_menu(NudgeSettings(user_id=1, weekly_on=False, after_reflecting="skip"))
    assert cd.SetWeekly(on=True) in payloads(off) and "✓ Skip that week" in labels(off)


def test_a_sessions_dates_toggle_and_show_what_is_skipped():
    dates = [date(2026, 11, 24), date(2026, 11, 26), date(2026, 12, 1), date(2026, 12, 3)]
    view = sv.session_menu(CLUB, dates)
    assert labels(view)[:4] == ["Tue 24 Nov", "✗ Thu 26 Nov: skipped", "Tue 01 Dec", "Thu 03 Dec"]
    skips = [p for p in payloads(view) if isinstance(p, cd.SkipSessionDay)]
    assert [(p.day, p.skip) for p in skips[:2]] == [(dates[0], True), (dates[1], False)]
    assert cd.SettingsAsk("skip_date", 7) in payloads(view)
    assert cd.RemoveSession(7, False) in payloads(view)
    confirm = sv.remove_confirm(CLUB)
    assert payloads(confirm) == [cd.RemoveSession(7, True), cd.SessionMenu(7)]


def test_new_session_days_carry_the_days_each_tap_would_leave_ticked():
    draft = SessionDraft("Club", frozenset(), NOW)
    view = sv.new_session_days(draft, frozenset({1}))  # Tuesday ticked
    days = [p for p in payloads(view) if isinstance(p, cd.NewSessionDays) and not p.done]
    assert [sv.weekdays_of(p.mask) for p in days[:3]] == [
        frozenset({0, 1}),
        frozenset(),  # tapping Tuesday again unticks it
        frozenset({1, 2}),
    ]
    assert cd.NewSessionDays(0b10, done=True) in payloads(view)
    assert "✓ Tue" in labels(view)
    end = sv.new_session_end(SessionDraft("Club", frozenset({1}), NOW), reflection_open=True)
    assert "unfinished reflection will wait" in end[0]
    assert cd.NewSessionEnd(time(19)) in payloads(end)


def test_guided_sets_come_first_and_the_current_one_is_marked():
    sets = list(load_question_sets().values())
    view = sv.sets_menu(sets, "gibbs")
    assert labels(view) == [
        "What? So what? Now what?",
        "✓ Gibbs' reflective cycle",
        "Critical incident",
        "Through their eyes",
        "In the moment",
        "Before supervision",
        "Quick note",
        "‹ Back",
    ]


def test_the_pause_menu_offers_resume_only_when_paused():
    assert cd.PauseChoice("resume") not in payloads(sv.pause_menu(DEFAULTS, TODAY))
    paused = NudgeSettings(user_id=1, paused_until=date(2026, 12, 24))
    view = sv.pause_menu(paused, TODAY)
    assert "paused until <b>Thu 24 Dec</b>" in view[0] and "again on Fri 25 Dec" in view[0]
    assert cd.PauseChoice("resume") in payloads(view)
    assert "send /resume" in sv.paused(date(2026, 12, 24))[0]


def test_resumed_says_when_the_next_reminder_is():
    assert sv.resumed(True, None, "Europe/London") == "▶️ Reminders are back on."
    text = sv.resumed(False, datetime(2026, 11, 27, 16, tzinfo=UTC), "Europe/Paris")
    assert text == "Reminders are on: nothing is paused. Next one: Fri 27 Nov, 17:00."


@pytest.mark.parametrize("what", list(sv.ASK_KEYS))
def test_each_typed_prompt_has_a_way_back_and_mentions_an_open_reflection(what):
    session = CLUB if what == "skip_date" else None
    text, _ = view = sv.ask(what, reflection_open=True, session=session)
    assert "/cancel" in text and "unfinished reflection will wait" in text
    assert "unfinished" not in sv.ask(what, reflection_open=False, session=session)[0]
    [back] = payloads(view)
    assert back == (cd.SessionMenu(7) if session else cd.SettingsMenu(sv.ASK_KEYS[what][1]))
