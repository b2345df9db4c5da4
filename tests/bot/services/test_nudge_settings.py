"""Nudge settings: reading what people type, refusing what cannot be right, and telling
the scheduler about every change (bot/services/nudge_settings.py)."""

from datetime import UTC, date, datetime, time

import pytest

import storage
from bot.services import NotFound
from bot.services.nudge_settings import (
    COMMON_TIMEZONES,
    MAX_SESSION_NAME,
    MAX_SESSIONS,
    InvalidSetting,
    NudgeSettingsService,
    canonical_timezone,
    parse_clock,
    parse_day,
)
from bot.services.typed_settings import (
    TYPED_INPUT_WAITS,
    TYPED_SETTING_CHARS,
    could_be_typed_setting,
)
from storage import NudgeSettings

ANN, BO = 101, 202
MONDAY = date(2026, 11, 23)  # the fake clock's day: Monday 23 Nov 2026, 18:30 UTC
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@pytest.fixture
def changes(services):
    """The user ids the scheduler was told about, in order."""
    services.users.agree(ANN, "Ann")
    services.users.agree(BO, "Bo")
    told: list[int] = []
    services.nudge_settings.on_change(told.append)
    return told


@pytest.fixture
def nudge_settings(services, changes):
    return services.nudge_settings


@pytest.fixture
def typed_settings(services, nudge_settings):
    """Settings typed after a tap (the practitioners above have agreed)."""
    return services.typed_settings


def ann(services):
    return services.users.get(ANN)


# -- reading what people type ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19:30", time(19, 30)),
        ("19.30", time(19, 30)),
        ("7h30", time(7, 30)),
        ("07:05", time(7, 5)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("  21:30 ", time(21, 30)),
        ("7pm", time(19, 0)),
        ("7 pm", time(19, 0)),
        ("7.30pm", time(19, 30)),
        ("7:30 PM", time(19, 30)),
        ("8am", time(8, 0)),
        ("12am", time(0, 0)),  # midnight
        ("12pm", time(12, 0)),  # noon
        ("12:15am", time(0, 15)),
        ("1930", None),  # a bare number is too ambiguous
        ("19", None),
        ("7", None),
        ("24:00", None),
        ("23:60", None),
        ("7:5", None),
        ("19:30pm", None),
        ("0am", None),
        ("13pm", None),
        ("noon", None),
        ("", None),
        ("19:30:00", None),
        ("-1:00", None),
    ],
)
def test_parse_clock(text, expected):
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24 Dec", date(2026, 12, 24)),
        ("24 dec", date(2026, 12, 24)),
        ("  24 DEC ", date(2026, 12, 24)),
        ("24th December", date(2026, 12, 24)),
        ("24 Dec.", date(2026, 12, 24)),
        ("Dec 24", date(2026, 12, 24)),
        ("December 24th", date(2026, 12, 24)),
        ("Dec 24, 2027", date(2027, 12, 24)),
        ("24 Dec 2027", date(2027, 12, 24)),
        ("24/12", date(2026, 12, 24)),  # day first, as in the UK
        ("24.12.2026", date(2026, 12, 24)),
        ("24-12-27", date(2027, 12, 24)),
        ("2/1", date(2027, 1, 2)),  # 2 January: the next one is next year
        ("2026-12-24", date(2026, 12, 24)),
        ("1 Jan", date(2027, 1, 1)),
        ("23 Nov", date(2026, 11, 23)),  # today is still to come
        ("22 Nov", date(2027, 11, 22)),  # yesterday: next year's
        ("1st sept", date(2027, 9, 1)),
        ("31/02", None),
        ("30 Feb", None),
        ("2026-02-30", None),
        ("12/24", None),  # month first is not read
        ("24 Foo", None),
        ("24 de", None),
        ("tomorrow", None),
        ("", None),
        ("24", None),
    ],
)
def test_parse_day(text, expected):
    assert parse_day(text, MONDAY) == expected


def test_parse_day_around_a_leap_day():
    assert parse_day("29 Feb", date(2028, 1, 10)) == date(2028, 2, 29)
    assert parse_day("29/02/2028", MONDAY) == date(2028, 2, 29)
    assert parse_day("29 Feb 2027", MONDAY) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("  EUROPE/LONDON  ", "Europe/London"),
        ("America/New York", "America/New_York"),
        ("america/new_york", "America/New_York"),
        ("asia/kolkata", "Asia/Kolkata"),
        ("Asia/Calcutta", "Asia/Calcutta"),  # an old name, still valid
        ("australia/sydney", "Australia/Sydney"),
        ("UTC", "UTC"),
        ("London", None),
        ("Mars/Olympus_Mons", None),
        ("", None),
        ("   ", None),
        ("../../etc/passwd", None),
        ("Europe/" + "x" * 60, None),
    ],
)
def test_canonical_timezone(typed, expected):
    assert canonical_timezone(typed) == expected


def test_the_common_timezones_are_all_canonical():
    assert all(canonical_timezone(zone) == zone for zone in COMMON_TIMEZONES)


# -- changing settings ----------------------------------------------------------------------


def test_every_change_is_stored_and_reported(services, nudge_settings, changes):
    assert nudge_settings.set_timezone(ANN, "asia/kolkata") == "Asia/Kolkata"
    assert services.users.get(ANN).timezone == "Asia/Kolkata"
    nudge_settings.set_quiet_hours(ANN, time(22, 0), time(7, 0))
    nudge_settings.set_sessions_on(ANN, False)
    nudge_settings.set_weekly(ANN, day=MON, at=time(9, 0), after_reflecting="skip")
    nudge_settings.set_default_set(ANN, "gibbs")
    assert nudge_settings.settings(ANN) == NudgeSettings(
        user_id=ANN,
        quiet_start=time(22, 0),
        quiet_end=time(7, 0),
        sessions_on=False,
        weekly_day=MON,
        weekly_time=time(9, 0),
        after_reflecting="skip",
        default_set_id="gibbs",
    )
    assert changes == [ANN] * 5
    assert nudge_settings.settings(BO) == NudgeSettings(user_id=BO)


def test_weekly_changes_keep_what_they_do_not_name(nudge_settings):
    nudge_settings.set_weekly(ANN, day=SUN)
    nudge_settings.set_weekly(ANN, on=False)
    settings = nudge_settings.settings(ANN)
    assert (settings.weekly_on, settings.weekly_day, settings.weekly_time) == (
        False,
        SUN,
        time(16, 0),
    )
    nudge_settings.set_weekly(ANN, on=True, day=MON)  # Monday is 0: still a change
    assert nudge_settings.settings(ANN).weekly_day == MON


def test_quiet_hours_can_be_turned_off_and_on(nudge_settings):
    off = nudge_settings.set_quiet_hours(ANN, None, None)
    assert (off.quiet_start, off.quiet_end) == (None, None)
    on = nudge_settings.set_quiet_hours(ANN, time(12), time(14))
    assert (on.quiet_start, on.quiet_end) == (time(12), time(14))


def test_the_default_set_can_be_reset(nudge_settings):
    nudge_settings.set_default_set(ANN, "quick")
    assert nudge_settings.set_default_set(ANN, None).default_set_id is None


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda s: s.set_timezone(ANN, "Mars/Olympus_Mons"), "settings.timezone_unknown"),
        (lambda s: s.set_timezone(ANN, ""), "settings.timezone_unknown"),
        (lambda s: s.set_quiet_hours(ANN, time(22), None), "settings.quiet_invalid"),
        (lambda s: s.set_quiet_hours(ANN, None, time(7)), "settings.quiet_invalid"),
        (lambda s: s.set_quiet_hours(ANN, time(22), time(22)), "settings.quiet_invalid"),
        (lambda s: s.set_weekly(ANN, day=7), "settings.weekday_invalid"),
        (lambda s: s.set_weekly(ANN, day=-1), "settings.weekday_invalid"),
        (lambda s: s.set_weekly(ANN, after_reflecting="nag"), "settings.after_invalid"),
        (
            lambda s: s.add_session(ANN, "", frozenset({TUE}), time(19)),
            "settings.session_name_invalid",
        ),
        (
            lambda s: s.add_session(ANN, " \n ", frozenset({TUE}), time(19)),
            "settings.session_name_invalid",
        ),
        (
            lambda s: s.add_session(ANN, "x" * (MAX_SESSION_NAME + 1), frozenset({TUE}), time(19)),
            "settings.session_name_invalid",
        ),
        (lambda s: s.add_session(ANN, "club", frozenset(), time(19)), "settings.weekday_invalid"),
        (
            lambda s: s.add_session(ANN, "club", frozenset({7}), time(19)),
            "settings.weekday_invalid",
        ),
    ],
)
def test_a_change_that_cannot_be_right_is_refused_with_a_key_and_changes_nothing(
    services, nudge_settings, changes, change, key
):
    with pytest.raises(InvalidSetting) as refused:
        change(nudge_settings)
    assert refused.value.key == key and str(refused.value) == key
    assert isinstance(refused.value, ValueError)
    assert nudge_settings.settings(ANN) == NudgeSettings(user_id=ANN)
    assert nudge_settings.sessions(ANN) == []
    assert services.users.get(ANN).timezone == "Europe/London"
    assert changes == []


def test_only_a_choosable_question_set_can_be_the_default(nudge_settings, changes):
    for set_id in ("no-such-set", "weekly"):  # the weekly questions come only by nudge
        with pytest.raises(NotFound):
            nudge_settings.set_default_set(ANN, set_id)
    assert changes == []


# -- sessions -------------------------------------------------------------------------------


def test_sessions_are_added_named_tidily_and_removed(nudge_settings, changes):
    club = nudge_settings.add_session(
        ANN, "  Tuesday   youth\nclub ", frozenset({TUE}), time(19, 30)
    )
    assert club.name == "Tuesday youth club"
    longest = nudge_settings.add_session(
        ANN, "x" * MAX_SESSION_NAME, frozenset({MON, WED}), time(11)
    )
    assert [s.id for s in nudge_settings.sessions(ANN)] == [club.id, longest.id]
    assert nudge_settings.session(ANN, club.id) == club
    assert nudge_settings.remove_session(ANN, club.id).id == club.id
    assert [s.id for s in nudge_settings.sessions(ANN)] == [longest.id]
    with pytest.raises(NotFound):  # removed: gone from here
        nudge_settings.session(ANN, club.id)
    with pytest.raises(NotFound):
        nudge_settings.remove_session(ANN, club.id)
    assert changes == [ANN, ANN, ANN]


def test_another_practitioners_sessions_are_not_found(nudge_settings, changes):
    club = nudge_settings.add_session(BO, "Bo's club", frozenset({TUE}), time(19, 30))
    changes.clear()
    with pytest.raises(NotFound):
        nudge_settings.session(ANN, club.id)
    with pytest.raises(NotFound):
        nudge_settings.remove_session(ANN, club.id)
    with pytest.raises(NotFound):
        nudge_settings.skip_session(ANN, club.id, date(2026, 11, 24))
    with pytest.raises(NotFound):
        nudge_settings.session(ANN, 9999)
    assert nudge_settings.sessions(BO) == [club]
    assert changes == []


def test_at_most_twelve_sessions_and_removed_ones_do_not_count(nudge_settings):
    added = [
        nudge_settings.add_session(ANN, f"session {n}", frozenset({n % 7}), time(19))
        for n in range(MAX_SESSIONS)
    ]
    with pytest.raises(InvalidSetting) as refused:
        nudge_settings.add_session(ANN, "one more", frozenset({TUE}), time(19))
    assert refused.value.key == "settings.too_many_sessions"
    nudge_settings.add_session(BO, "Bo's own", frozenset({TUE}), time(19))  # per practitioner
    nudge_settings.remove_session(ANN, added[0].id)
    nudge_settings.add_session(ANN, "one more", frozenset({TUE}), time(19))


def test_a_session_is_skipped_on_one_of_its_days_and_unskipped(nudge_settings, changes):
    club = nudge_settings.add_session(ANN, "club", frozenset({TUE, THU}), time(19, 30))
    christmas_eve = date(2026, 12, 24)  # a Thursday
    skipped = nudge_settings.skip_session(ANN, club.id, christmas_eve)
    assert skipped.skipped == {christmas_eve}
    assert nudge_settings.sessions(ANN)[0].skipped == {christmas_eve}
    again = nudge_settings.skip_session(ANN, club.id, christmas_eve, skipped=False)
    assert again.skipped == frozenset()
    with pytest.raises(InvalidSetting) as refused:
        nudge_settings.skip_session(ANN, club.id, date(2026, 12, 25))  # a Friday
    assert refused.value.key == "settings.skip_not_a_session_day"
    assert changes == [ANN, ANN, ANN]


def test_next_dates_start_today_if_the_session_has_not_ended(services, nudge_settings, clock):
    """The clock says Monday 23 Nov, 18:30 in London."""
    user = ann(services)
    evening = nudge_settings.add_session(ANN, "evening", frozenset({MON, TUE}), time(19, 30))
    assert nudge_settings.next_dates(user, evening) == [
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 30),
        date(2026, 12, 1),
    ]
    afternoon = nudge_settings.add_session(ANN, "afternoon", frozenset({MON}), time(18, 0))
    assert nudge_settings.next_dates(user, afternoon, count=2) == [
        date(2026, 11, 30),
        date(2026, 12, 7),
    ]
    clock.now = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)  # it ends this very minute
    assert nudge_settings.next_dates(user, evening, count=1) == [date(2026, 11, 23)]


def test_next_dates_are_in_the_practitioners_time_zone(services, nudge_settings):
    nudge_settings.set_timezone(ANN, "Australia/Sydney")  # already Tuesday 05:30 there
    club = nudge_settings.add_session(ANN, "club", frozenset({MON, TUE}), time(19, 30))
    assert nudge_settings.next_dates(ann(services), club, count=2) == [
        date(2026, 11, 24),
        date(2026, 11, 30),
    ]


# -- pause ----------------------------------------------------------------------------------


def test_pause_until_a_date_and_resume(services, nudge_settings, changes):
    paused = nudge_settings.pause(ann(services), date(2027, 1, 4))
    assert paused.paused_until == date(2027, 1, 4)
    assert nudge_settings.settings(ANN).paused_until == date(2027, 1, 4)
    assert nudge_settings.pause(ann(services), MONDAY).paused_until == MONDAY  # today is fine
    assert nudge_settings.resume(ANN).paused_until is None
    assert nudge_settings.settings(ANN) == NudgeSettings(user_id=ANN)
    assert changes == [ANN, ANN, ANN]


def test_a_pause_in_the_past_is_refused(services, nudge_settings, changes):
    with pytest.raises(InvalidSetting) as refused:
        nudge_settings.pause(ann(services), date(2026, 11, 22))
    assert refused.value.key == "pause.in_the_past"
    assert nudge_settings.settings(ANN).paused_until is None
    assert changes == []


def test_the_past_is_judged_by_the_practitioners_own_date(services, nudge_settings):
    """18:30 UTC on Monday is already Tuesday in Sydney: Monday is past there."""
    nudge_settings.set_timezone(ANN, "Australia/Sydney")
    assert nudge_settings.today(ann(services)) == date(2026, 11, 24)
    with pytest.raises(InvalidSetting):
        nudge_settings.pause(ann(services), MONDAY)
    assert nudge_settings.pause(ann(services), date(2026, 11, 24)).paused_until == date(
        2026, 11, 24
    )
    assert nudge_settings.today(services.users.get(BO)) == MONDAY


def test_several_listeners_are_each_told(services, nudge_settings, changes):
    others: list[int] = []
    nudge_settings.on_change(others.append)
    nudge_settings.set_sessions_on(BO, False)
    assert changes == others == [BO]


def test_settings_survive_a_new_service_on_the_same_database(services, nudge_settings, clock):
    nudge_settings.set_weekly(ANN, day=WED)
    club = nudge_settings.add_session(ANN, "club", frozenset({TUE}), time(19, 30))
    fresh = NudgeSettingsService(services.db, clock, ("quick",))
    assert fresh.settings(ANN).weekly_day == WED
    assert fresh.sessions(ANN) == [club]
    assert storage.nudge_settings(services.db, ANN).weekly_day == WED


# -- typed settings and sessions being added ------------------------------------------------


def test_a_typed_setting_is_awaited_for_ten_minutes(nudge_settings, clock, typed_settings):
    awaiting = typed_settings.expect(ANN, "weekly_time")
    assert (awaiting.what, awaiting.since, awaiting.session_id) == ("weekly_time", clock.now, None)
    clock.advance(seconds=TYPED_INPUT_WAITS.total_seconds())
    assert typed_settings.awaiting(ANN) == awaiting
    assert typed_settings.awaiting(BO) is None
    clock.advance(seconds=1)
    assert typed_settings.awaiting(ANN) is None
    assert typed_settings.clear(ANN) is False


def test_clear_stops_waiting_and_a_new_request_replaces_the_last(nudge_settings, typed_settings):
    typed_settings.expect(ANN, "timezone")
    typed_settings.expect(ANN, "pause_until")
    assert typed_settings.awaiting(ANN).what == "pause_until"
    assert typed_settings.clear(ANN) is True
    assert typed_settings.awaiting(ANN) is None


def test_a_date_to_skip_is_awaited_only_for_ones_own_session(nudge_settings, typed_settings):
    mine = nudge_settings.add_session(ANN, "club", frozenset({TUE}), time(19, 30))
    bos = nudge_settings.add_session(BO, "Bo's club", frozenset({TUE}), time(19, 30))
    assert typed_settings.expect(ANN, "skip_date", mine.id).session_id == mine.id
    with pytest.raises(NotFound):
        typed_settings.expect(ANN, "skip_date", bos.id)
    with pytest.raises(ValueError):
        typed_settings.expect(ANN, "skip_date")
    assert typed_settings.awaiting(ANN).session_id == mine.id  # the refused ones changed nothing


def test_a_new_sessions_name_is_not_awaited_when_there_are_too_many(nudge_settings, typed_settings):
    for n in range(MAX_SESSIONS):
        nudge_settings.add_session(ANN, f"session {n}", frozenset({n % 7}), time(19))
    with pytest.raises(InvalidSetting) as refused:
        typed_settings.expect(ANN, "session_name")
    assert refused.value.key == "settings.too_many_sessions"
    with pytest.raises(InvalidSetting):
        typed_settings.start_session(ANN, "one more")


def test_a_session_is_added_by_name_then_days_then_end_time(
    nudge_settings, changes, clock, typed_settings
):
    draft = typed_settings.start_session(ANN, "  Tuesday  youth club ")
    assert (draft.name, draft.weekdays) == ("Tuesday youth club", frozenset())
    with pytest.raises(NotFound):  # days first
        typed_settings.finish_session(ANN, time(19, 30))
    with pytest.raises(InvalidSetting):
        typed_settings.set_draft_days(ANN, frozenset())
    clock.advance(minutes=9)
    assert typed_settings.set_draft_days(ANN, frozenset({TUE, THU})).weekdays == {TUE, THU}
    clock.advance(minutes=9)  # each step gives another ten minutes
    session = typed_settings.finish_session(ANN, time(19, 30))
    assert (session.name, session.weekdays, session.end_time) == (
        "Tuesday youth club",
        {TUE, THU},
        time(19, 30),
    )
    assert nudge_settings.sessions(ANN) == [session]
    assert changes == [ANN]  # the draft is no change to the schedule
    with pytest.raises(NotFound):  # the draft is gone
        typed_settings.draft(ANN)


def test_a_session_draft_left_too_long_or_forgotten_is_gone(nudge_settings, clock, typed_settings):
    with pytest.raises(InvalidSetting):
        typed_settings.start_session(ANN, " ")
    typed_settings.start_session(ANN, "club")
    clock.advance(minutes=11)
    with pytest.raises(NotFound):
        typed_settings.set_draft_days(ANN, frozenset({TUE}))
    typed_settings.start_session(ANN, "club")
    typed_settings.expect(ANN, "session_end")
    typed_settings.forget(ANN)
    with pytest.raises(NotFound):
        typed_settings.draft(ANN)
    assert typed_settings.awaiting(ANN) is None
    assert nudge_settings.sessions(ANN) == []


@pytest.mark.parametrize(
    ("text", "could"),
    [
        ("19:30", True),
        ("  Europe/London ", True),
        ("x" * TYPED_SETTING_CHARS, True),
        ("x" * (TYPED_SETTING_CHARS + 1), False),
        ("24 Dec\nand the club was loud", False),
        ("   ", False),
        ("", False),
    ],
)
def test_only_a_short_single_line_could_be_a_typed_setting(text, could):
    assert could_be_typed_setting(text) is could
