"""The schedule maths: local wall-clock rules to UTC moments, across time zones, daylight
saving, quiet hours, pauses and skipped dates. Pure functions: no database, no clock."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.schedule import (
    WEEKLY_SLOT,
    NudgeRules,
    Occurrence,
    QuietHours,
    SessionRule,
    after_quiet_hours,
    local_moment,
    occurrences,
    paused,
    session_slot,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
SYDNEY = ZoneInfo("Australia/Sydney")
DEFAULT_QUIET = QuietHours(time(21, 30), time(8, 0))
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def rules(
    zone: ZoneInfo = LONDON,
    *,
    quiet: QuietHours | None = DEFAULT_QUIET,
    sessions: tuple[SessionRule, ...] = (),
    sessions_on: bool = True,
    delay_minutes: int = 30,
    weekly_on: bool = True,
    weekly_day: int = FRI,
    weekly_time: time = time(16, 0),
    paused_until: date | None = None,
) -> NudgeRules:
    return NudgeRules(
        zone=zone,
        quiet=quiet,
        sessions_on=sessions_on,
        session_delay=timedelta(minutes=delay_minutes),
        sessions=sessions,
        weekly_on=weekly_on,
        weekly_day=weekly_day,
        weekly_time=weekly_time,
        paused_until=paused_until,
    )


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def week_of(monday: date, zone: ZoneInfo = LONDON) -> tuple[datetime, datetime]:
    """A span from a local Monday 00:00 to the next Monday 00:00, in UTC."""
    start = datetime.combine(monday, time(0)).replace(tzinfo=zone)
    return start.astimezone(UTC), (start + timedelta(days=7)).astimezone(UTC)


def local(occurrence: Occurrence, zone: ZoneInfo) -> tuple[date, time]:
    moment = occurrence.due.astimezone(zone)
    return moment.date(), moment.time()


def club(
    weekdays: set[int] = frozenset({TUE}),
    end: time = time(19, 30),
    *,
    id: int = 1,
    skipped: frozenset[date] = frozenset(),
) -> SessionRule:
    return SessionRule(id, "Tuesday youth club", frozenset(weekdays), end, skipped)


# -- time zones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "expected_utc"),
    [
        (LONDON, utc(2026, 11, 27, 16, 0)),  # GMT, +00:00
        (NEW_YORK, utc(2026, 11, 27, 21, 0)),  # EST, -05:00
        (KOLKATA, utc(2026, 11, 27, 10, 30)),  # IST, +05:30 (no daylight saving)
        (SYDNEY, utc(2026, 11, 27, 5, 0)),  # AEDT, +11:00 (summer there)
    ],
)
def test_the_weekly_nudge_is_friday_1600_local_in_every_time_zone(zone, expected_utc):
    start, end = week_of(date(2026, 11, 23), zone)
    [weekly] = occurrences(rules(zone), start, end)
    assert weekly == Occurrence(WEEKLY_SLOT, "weekly", expected_utc)
    assert weekly.due.tzinfo is not None and weekly.due.utcoffset() == timedelta(0)
    assert local(weekly, zone) == (date(2026, 11, 27), time(16, 0))


def test_the_same_rules_in_two_zones_fall_due_at_different_instants():
    start, end = utc(2026, 11, 20), utc(2026, 12, 5)
    london = [o.due for o in occurrences(rules(LONDON), start, end)]
    kolkata = [o.due for o in occurrences(rules(KOLKATA), start, end)]
    assert [a - b for a, b in zip(london, kolkata, strict=True)] == [timedelta(hours=5.5)] * 3


def test_a_session_in_kolkata_is_nudged_after_its_local_end():
    session = club({WED}, time(18, 0))
    start, end = week_of(date(2026, 11, 23), KOLKATA)
    found = occurrences(rules(KOLKATA, sessions=(session,), weekly_on=False), start, end)
    assert found == [Occurrence(session_slot(1), "session", utc(2026, 11, 25, 13, 0), 1)]
    assert local(found[0], KOLKATA) == (date(2026, 11, 25), time(18, 30))


# -- daylight saving ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "fridays", "expected_utc"),
    [
        # London springs forward on Sunday 29 March 2026 (GMT to BST)...
        (
            LONDON,
            (date(2026, 3, 27), date(2026, 4, 3)),
            (utc(2026, 3, 27, 21), utc(2026, 4, 3, 20)),
        ),
        # ...and falls back on Sunday 25 October 2026.
        (
            LONDON,
            (date(2026, 10, 23), date(2026, 10, 30)),
            (utc(2026, 10, 23, 20), utc(2026, 10, 30, 21)),
        ),
        # New York: 8 March and 1 November 2026.
        (
            NEW_YORK,
            (date(2026, 3, 6), date(2026, 3, 13)),
            (utc(2026, 3, 7, 2), utc(2026, 3, 14, 1)),
        ),
        (
            NEW_YORK,
            (date(2026, 10, 30), date(2026, 11, 6)),
            (utc(2026, 10, 31, 1), utc(2026, 11, 7, 2)),
        ),
        # Sydney goes the other way round: summer time ends 5 April, starts 4 October.
        (
            SYDNEY,
            (date(2026, 4, 3), date(2026, 4, 10)),
            (utc(2026, 4, 3, 10), utc(2026, 4, 10, 11)),
        ),
        (
            SYDNEY,
            (date(2026, 10, 2), date(2026, 10, 9)),
            (utc(2026, 10, 2, 11), utc(2026, 10, 9, 10)),
        ),
    ],
)
def test_a_2100_nudge_stays_at_2100_local_across_a_dst_change(zone, fridays, expected_utc):
    first = datetime.combine(fridays[0], time(0)).replace(tzinfo=zone).astimezone(UTC)
    found = occurrences(rules(zone, weekly_time=time(21, 0)), first, first + timedelta(days=8))
    assert [o.due for o in found] == list(expected_utc)
    assert [local(o, zone) for o in found] == [(day, time(21, 0)) for day in fridays]
    assert abs(found[1].due - found[0].due) in (
        timedelta(days=7, hours=1),
        timedelta(days=6, hours=23),
    )


def test_a_session_keeps_its_local_time_across_the_change_too():
    """Tuesday club ends 19:30: nudged 20:00 local before and after the clocks go back."""
    start, end = utc(2026, 10, 19), utc(2026, 11, 2)
    found = occurrences(rules(sessions=(club(),), weekly_on=False), start, end)
    assert [o.due for o in found] == [utc(2026, 10, 20, 19), utc(2026, 10, 27, 20)]
    assert {local(o, LONDON)[1] for o in found} == {time(20, 0)}


def test_a_0130_rule_on_the_spring_forward_night_lands_at_0230_local():
    """London skips 01:00-02:00 on 29 March 2026: 01:30 moves on by the gap."""
    night = date(2026, 3, 29)  # a Sunday
    start, end = utc(2026, 3, 28), utc(2026, 3, 30)
    weekly = rules(quiet=None, weekly_day=SUN, weekly_time=time(1, 30))
    [found] = occurrences(weekly, start, end)
    assert found.due == utc(2026, 3, 29, 1, 30)
    assert local(found, LONDON) == (night, time(2, 30))
    assert found.due.astimezone(LONDON).utcoffset() == timedelta(hours=1)  # BST
    assert local_moment(night, time(1, 30), LONDON) == found.due


def test_a_session_ending_in_the_skipped_hour_is_nudged_its_delay_later_in_real_time():
    found = occurrences(
        rules(quiet=None, sessions=(club({SUN}, time(1, 0)),), weekly_on=False),
        utc(2026, 3, 28),
        utc(2026, 3, 30),
    )
    assert [local(o, LONDON) for o in found] == [(date(2026, 3, 29), time(2, 30))]


def test_a_0130_rule_on_the_autumn_night_happens_once_at_the_first_0130():
    """01:00-02:00 happens twice on 25 October 2026 in London: the nudge comes once."""
    night = date(2026, 10, 25)  # a Sunday
    every_day = club(set(range(7)), time(1, 0))  # + 30 minutes: 01:30
    weekly = rules(quiet=None, sessions=(every_day,), weekly_day=SUN, weekly_time=time(1, 30))
    found = occurrences(weekly, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12))
    assert sorted(o.slot for o in found) == [session_slot(1), WEEKLY_SLOT]
    assert {o.due for o in found} == {utc(2026, 10, 25, 0, 30)}  # 01:30 BST, the first
    assert {local(o, LONDON) for o in found} == {(night, time(1, 30))}


def test_every_day_over_a_dst_change_gives_one_nudge_a_day():
    every_day = club(set(range(7)), time(18, 0))
    for start in (utc(2026, 3, 23), utc(2026, 10, 19)):
        found = occurrences(
            rules(sessions=(every_day,), weekly_on=False), start, start + timedelta(days=14)
        )
        days = [local(o, LONDON)[0] for o in found]
        assert days == sorted(set(days)) and len(days) == 14
        assert {local(o, LONDON)[1] for o in found} == {time(18, 30)}


# -- several sessions -----------------------------------------------------------------------


def test_several_sessions_a_week_and_one_on_several_weekdays():
    sessions = (
        SessionRule(1, "Tuesday youth club", frozenset({TUE}), time(19, 30)),
        SessionRule(2, "Thursday drop-in", frozenset({THU}), time(14, 0)),
        SessionRule(3, "Parents group", frozenset({MON, WED}), time(11, 0)),
    )
    start, end = week_of(date(2026, 11, 23))
    found = occurrences(rules(sessions=sessions), start, end)
    assert [(o.slot, o.kind, o.session_id, local(o, LONDON)) for o in found] == [
        ("session:3", "session", 3, (date(2026, 11, 23), time(11, 30))),
        ("session:1", "session", 1, (date(2026, 11, 24), time(20, 0))),
        ("session:3", "session", 3, (date(2026, 11, 25), time(11, 30))),
        ("session:2", "session", 2, (date(2026, 11, 26), time(14, 30))),
        ("weekly", "weekly", None, (date(2026, 11, 27), time(16, 0))),
    ]


def test_the_delay_is_the_practitioners_and_sessions_or_weekly_can_be_off():
    sessions = (club(),)
    start, end = week_of(date(2026, 11, 23))
    found = occurrences(rules(sessions=sessions, delay_minutes=5), start, end)
    assert [local(o, LONDON)[1] for o in found] == [time(19, 35), time(16, 0)]
    assert [
        o.kind for o in occurrences(rules(sessions=sessions, sessions_on=False), start, end)
    ] == ["weekly"]
    assert [o.kind for o in occurrences(rules(sessions=sessions, weekly_on=False), start, end)] == [
        "session"
    ]
    assert (
        occurrences(rules(sessions=sessions, sessions_on=False, weekly_on=False), start, end) == []
    )


def test_a_span_is_half_open_and_can_be_short():
    due = utc(2026, 11, 27, 16)
    assert [o.due for o in occurrences(rules(), due, due + timedelta(seconds=1))] == [due]
    assert occurrences(rules(), due - timedelta(hours=1), due) == []
    assert occurrences(rules(), due + timedelta(microseconds=1), due + timedelta(days=6)) == []


def test_slots_name_the_session():
    assert session_slot(12) == "session:12"
    assert WEEKLY_SLOT == "weekly"


# -- quiet hours ----------------------------------------------------------------------------


def test_quiet_hours_spanning_midnight_carry_an_evening_nudge_to_the_morning():
    """Club ends 21:15, nudge 30 minutes later falls in 21:30-08:00: 08:00 next day."""
    start, end = week_of(date(2026, 11, 23))
    found = occurrences(rules(sessions=(club(end=time(21, 15)),), weekly_on=False), start, end)
    assert [local(o, LONDON) for o in found] == [(date(2026, 11, 25), time(8, 0))]


def test_an_evening_nudge_carried_into_the_next_span_is_still_found():
    """The span starts after midnight; the nudge comes from a session the evening before."""
    start = datetime(2026, 11, 25, 0, 0, tzinfo=LONDON).astimezone(UTC)
    found = occurrences(
        rules(sessions=(club(end=time(21, 15)),), weekly_on=False),
        start,
        start + timedelta(hours=12),
    )
    assert [local(o, LONDON) for o in found] == [(date(2026, 11, 25), time(8, 0))]


def test_an_early_morning_nudge_waits_for_the_end_of_quiet_hours_the_same_day():
    start, end = week_of(date(2026, 11, 23))
    found = occurrences(rules(sessions=(club(end=time(6, 0)),), weekly_on=False), start, end)
    assert [local(o, LONDON) for o in found] == [(date(2026, 11, 24), time(8, 0))]


def test_a_weekly_nudge_in_quiet_hours_waits_for_the_morning():
    start, end = week_of(date(2026, 11, 23))
    [found] = occurrences(rules(weekly_time=time(22, 0)), start, end)
    assert local(found, LONDON) == (date(2026, 11, 28), time(8, 0))
    assert found.kind == "weekly"


def test_quiet_hours_ending_on_the_morning_the_clocks_change():
    """Saturday 28 March 2026, club ends 21:15: nudged at 08:00 BST on Sunday 29."""
    found = occurrences(
        rules(sessions=(club({SAT}, time(21, 15)),), weekly_on=False),
        utc(2026, 3, 28),
        utc(2026, 3, 30),
    )
    assert [o.due for o in found] == [utc(2026, 3, 29, 7, 0)]
    assert local(found[0], LONDON) == (date(2026, 3, 29), time(8, 0))


def test_quiet_hours_within_one_day():
    lunch = QuietHours(time(12, 0), time(14, 0))
    start, end = week_of(date(2026, 11, 23))
    found = occurrences(rules(quiet=lunch, sessions=(club(end=time(12, 30)),)), start, end)
    assert [local(o, LONDON)[1] for o in found] == [time(14, 0), time(16, 0)]
    late = occurrences(rules(quiet=lunch, sessions=(club(end=time(21, 15)),)), start, end)
    assert local(late[0], LONDON) == (date(2026, 11, 24), time(21, 45))  # not quiet then


def test_without_quiet_hours_nothing_moves():
    start, end = week_of(date(2026, 11, 23))
    found = occurrences(rules(quiet=None, sessions=(club(end=time(23, 45)),)), start, end)
    assert [local(o, LONDON) for o in found] == [
        (date(2026, 11, 25), time(0, 15)),  # after midnight: the next day, as it should be
        (date(2026, 11, 27), time(16, 0)),
    ]


@pytest.mark.parametrize(
    ("quiet", "moment", "inside"),
    [
        (DEFAULT_QUIET, time(21, 29), False),
        (DEFAULT_QUIET, time(21, 30), True),  # start is quiet
        (DEFAULT_QUIET, time(23, 59), True),
        (DEFAULT_QUIET, time(0, 0), True),
        (DEFAULT_QUIET, time(7, 59), True),
        (DEFAULT_QUIET, time(8, 0), False),  # end is not
        (DEFAULT_QUIET, time(12, 0), False),
        (QuietHours(time(12, 0), time(14, 0)), time(11, 59), False),
        (QuietHours(time(12, 0), time(14, 0)), time(12, 0), True),
        (QuietHours(time(12, 0), time(14, 0)), time(13, 59), True),
        (QuietHours(time(12, 0), time(14, 0)), time(14, 0), False),
        (QuietHours(time(22, 0), time(22, 0)), time(22, 0), False),  # empty
        (QuietHours(time(22, 0), time(22, 0)), time(3, 0), False),
    ],
)
def test_quiet_hours_contain(quiet, moment, inside):
    assert quiet.contains(moment) is inside


def test_after_quiet_hours():
    evening = datetime(2026, 11, 24, 22, 0, tzinfo=LONDON).astimezone(UTC)
    small_hours = datetime(2026, 11, 25, 3, 0, tzinfo=LONDON).astimezone(UTC)
    morning = datetime(2026, 11, 25, 8, 0, tzinfo=LONDON).astimezone(UTC)
    assert after_quiet_hours(evening, LONDON, DEFAULT_QUIET) == morning
    assert after_quiet_hours(small_hours, LONDON, DEFAULT_QUIET) == morning
    assert after_quiet_hours(morning, LONDON, DEFAULT_QUIET) == morning
    assert after_quiet_hours(evening, LONDON, None) == evening
    # Sydney is 11 hours ahead: 22:00 London is 09:00 there, not quiet.
    assert after_quiet_hours(evening, SYDNEY, DEFAULT_QUIET) == evening


# -- pause and skipped dates ----------------------------------------------------------------


def test_a_pause_until_a_date_is_inclusive_and_ends_after_it():
    fridays = [date(2026, 11, 27), date(2026, 12, 4), date(2026, 12, 11)]
    start, end = utc(2026, 11, 23), utc(2026, 12, 14)
    sessions = (club(),)
    everything = occurrences(rules(sessions=sessions), start, end)
    assert len(everything) == 6
    found = occurrences(rules(sessions=sessions, paused_until=date(2026, 12, 4)), start, end)
    assert [(o.kind, local(o, LONDON)[0]) for o in found] == [
        ("session", date(2026, 12, 8)),
        ("weekly", fridays[2]),
    ]
    before = occurrences(rules(paused_until=date(2026, 11, 26)), start, end)
    assert [local(o, LONDON)[0] for o in before] == fridays  # the day before: nothing paused


def test_paused():
    paused_rules = rules(paused_until=date(2026, 12, 4))
    last_minute = datetime(2026, 12, 4, 23, 59, tzinfo=LONDON).astimezone(UTC)
    assert paused(paused_rules, last_minute)
    assert not paused(paused_rules, last_minute + timedelta(minutes=1))
    assert not paused(rules(), last_minute)
    # The date is the practitioner's: 23:30 UTC on the 4th is already the 5th in Sydney.
    sydney = rules(SYDNEY, paused_until=date(2026, 12, 4))
    assert not paused(sydney, utc(2026, 12, 4, 23, 30))
    assert paused(sydney, utc(2026, 12, 4, 12, 0))


def test_a_session_during_a_pause_is_not_nudged_the_morning_after_it():
    """On leave until Tuesday 24 Nov: the club that evening did not involve them."""
    found = occurrences(
        rules(sessions=(club(end=time(21, 15)),), weekly_on=False, paused_until=date(2026, 11, 24)),
        utc(2026, 11, 23),
        utc(2026, 11, 30),
    )
    assert found == []


def test_a_skipped_date_has_no_nudge_and_the_next_week_does():
    skipped = club({TUE, THU}, skipped=frozenset({date(2026, 11, 24)}))
    start, end = utc(2026, 11, 23), utc(2026, 12, 7)
    found = occurrences(rules(sessions=(skipped,), weekly_on=False), start, end)
    assert [local(o, LONDON)[0] for o in found] == [
        date(2026, 11, 26),
        date(2026, 12, 1),
        date(2026, 12, 3),
    ]


def test_a_skipped_date_is_the_sessions_date_not_the_nudges():
    """Club ends 21:15 on the 24th, nudge would come at 08:00 on the 25th: skipping the 24th
    drops it; skipping the 25th does not."""
    start, end = utc(2026, 11, 23), utc(2026, 11, 30)
    on_the_day = club(end=time(21, 15), skipped=frozenset({date(2026, 11, 24)}))
    assert occurrences(rules(sessions=(on_the_day,), weekly_on=False), start, end) == []
    next_day = club(end=time(21, 15), skipped=frozenset({date(2026, 11, 25)}))
    found = occurrences(rules(sessions=(next_day,), weekly_on=False), start, end)
    assert [local(o, LONDON) for o in found] == [(date(2026, 11, 25), time(8, 0))]


def test_local_moment_is_utc_and_reads_repeated_times_as_the_first():
    assert local_moment(date(2026, 7, 1), time(12, 0), LONDON) == utc(2026, 7, 1, 11, 0)
    assert local_moment(date(2026, 7, 1), time(12, 0), SYDNEY) == utc(2026, 7, 1, 2, 0)
    assert local_moment(date(2026, 11, 1), time(1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)
    assert local_moment(date(2026, 3, 8), time(2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 30)
