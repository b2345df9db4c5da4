"""Nudging: which nudge is due when, what it says, and what a tap on it does, driven
through the real services with a fake clock (no sleeping, no real time)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

import storage
from bot.identifiers import FakeIdentifierDetector
from bot.services import Finished, NotAllowed, NotFound, QuestionStep
from bot.services.container import build_services
from bot.services.nudging import LATE_LIMIT, Dismissed, Gap, Snoozed, Upcoming
from prompts import load_weekly_prompts, running_week
from tests.conftest import fake_suggester

ANN, BO = 101, 202
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
# The fake clock starts on Monday 23 Nov 2026, 18:30 UTC (18:30 in London, GMT).
FRIDAY_1600 = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
WEEKLY = load_weekly_prompts()


def at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = LONDON) -> datetime:
    """A local time on 23-29 Nov 2026 (``day``: 23 is the Monday), in UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=zone).astimezone(UTC)


@pytest.fixture
def ann(services):
    return services.users.agree(ANN, "Ann")


@pytest.fixture
def nudging(services, ann):
    return services.nudging


def add_club(services, user_id=ANN, weekdays=(TUE,), end=time(19, 30), name="Tuesday youth club"):
    return services.nudge_settings.add_session(user_id, name, frozenset(weekdays), end)


def nudge_rows(services, user_id=ANN):
    return [
        (row["slot"], datetime.fromisoformat(row["due_at"]), row["status"])
        for row in services.db.query(
            "SELECT * FROM nudges WHERE user_id = ? ORDER BY due_at, id", [user_id]
        )
    ]


def finish_reflection(services, user_id, finished_at, confirmed=()):
    """A finished note at ``finished_at`` with these indicators confirmed on it."""
    reflection = storage.start_reflection(
        services.db,
        user_id,
        kind="note",
        question_set_id="quick",
        question_set_version=1,
        now=finished_at,
    )
    storage.save_answer(services.db, reflection.id, "note", "We ran the pool night.", finished_at)
    storage.finish_reflection(
        services.db, reflection.id, "We ran the pool night.", finished_at, [], "test", finished_at
    )
    for indicator_id in confirmed:
        storage.set_tag(services.db, reflection.id, indicator_id, "confirmed", finished_at)
    return reflection


def restarted(settings, clock):
    """Services built again on the same database file, as after a restart."""
    return build_services(
        settings, suggester=fake_suggester(), detector=FakeIdentifierDetector(), clock=clock
    )


# -- when -----------------------------------------------------------------------------------


def test_a_practitioner_who_agreed_has_the_default_weekly_nudge_friday_1600_local(nudging):
    assert nudging.next_due(ANN) == FRIDAY_1600
    assert nudging.upcoming(24 * 7) == [Upcoming(ANN, FRIDAY_1600.astimezone(LONDON), "weekly")]
    [upcoming] = nudging.upcoming(24 * 7)
    assert upcoming.due.utcoffset() == timedelta(0) and upcoming.due.hour == 16


def test_nobody_who_has_not_agreed_is_nudged(services):
    assert services.nudging.next_due(ANN) is None
    assert services.nudging.due(ANN) is None
    assert services.nudging.upcoming(24 * 7) == []


def test_the_weekly_nudge_is_at_the_practitioners_own_1600(services, nudging):
    services.nudge_settings.set_timezone(ANN, "America/New_York")
    assert (
        nudging.next_due(ANN)
        == at(27, 16, zone=NEW_YORK)
        == datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
    )
    [upcoming] = nudging.upcoming(24 * 7)
    assert upcoming.due.isoformat() == "2026-11-27T16:00:00-05:00"


def test_next_due_follows_the_settings_and_looks_after_a_moment(services, nudging):
    add_club(services)
    assert nudging.next_due(ANN) == at(24, 20)  # Tuesday club ends 19:30, +30 minutes
    assert nudging.next_due(ANN, after=at(24, 20)) == FRIDAY_1600  # strictly after
    services.nudge_settings.set_sessions_on(ANN, False)
    assert nudging.next_due(ANN) == FRIDAY_1600
    services.nudge_settings.set_weekly(ANN, on=False)
    assert nudging.next_due(ANN) is None  # nothing within a week


def test_next_due_after_friday_is_the_club_next_tuesday(services, nudging):
    add_club(services)
    assert nudging.next_due(ANN, after=FRIDAY_1600) == datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def test_upcoming_lists_everybody_soonest_first_within_the_hours(services, nudging):
    services.users.agree(BO, "Bo")
    services.nudge_settings.set_timezone(BO, "America/New_York")
    add_club(services)
    add_club(services, BO, weekdays=(WED,), end=time(15, 0), name="Bo's drop-in")
    assert nudging.upcoming(24 * 7) == [
        Upcoming(ANN, at(24, 20).astimezone(LONDON), "session"),
        Upcoming(BO, at(25, 15, 30, NEW_YORK).astimezone(NEW_YORK), "session"),
        Upcoming(ANN, FRIDAY_1600.astimezone(LONDON), "weekly"),
        Upcoming(BO, at(27, 16, zone=NEW_YORK).astimezone(NEW_YORK), "weekly"),
    ]
    assert [u.due.utcoffset() for u in nudging.upcoming(24 * 7)] == [
        timedelta(0),
        timedelta(hours=-5),
        timedelta(0),
        timedelta(hours=-5),
    ]
    assert [u.user_id for u in nudging.upcoming(26)] == [ANN]  # Tuesday 20:00 is 25.5 h away
    assert nudging.upcoming(25) == []
    assert nudging.upcoming(0.5) == []


def test_upcoming_leaves_out_blocked_and_paused_practitioners(services, nudging, ann):
    services.users.agree(BO, "Bo")
    storage.set_blocked(services.db, BO, at(23, 12))
    services.nudge_settings.pause(ann, date(2026, 11, 27))
    assert nudging.upcoming(24 * 7) == []
    assert [u.due.date() for u in nudging.upcoming(24 * 14)] == [date(2026, 12, 4)]
    assert nudging.next_due(BO) == FRIDAY_1600  # looked at: they may unblock


# -- due: sending ---------------------------------------------------------------------------


def test_nothing_is_due_before_its_time_and_the_nudge_is_due_at_it(services, nudging, clock):
    clock.now = FRIDAY_1600 - timedelta(minutes=1)
    assert nudging.due(ANN) is None
    clock.now = FRIDAY_1600
    message = nudging.due(ANN)
    assert message is not None
    assert message.user.id == ANN and message.replaces == ()
    nudge = message.nudge
    assert (nudge.slot, nudge.kind, nudge.due_at, nudge.status) == (
        "weekly",
        "weekly",
        FRIDAY_1600,
        "sent",
    )
    assert nudge.sent_at == FRIDAY_1600 and nudge.session_id is None
    assert message.content.question is not None and not message.content.softened
    assert nudge.question_id == message.content.question.id
    assert nudging.outstanding(ANN) == nudge


def test_pending_says_whether_a_nudge_is_due_without_recording_it(services, nudging, clock):
    assert not nudging.pending(ANN)
    clock.now = FRIDAY_1600
    assert nudging.pending(ANN) and nudging.pending(ANN)
    assert nudge_rows(services) == []
    assert nudging.due(ANN) is not None
    assert not nudging.pending(ANN)
    assert not nudging.pending(BO)  # not agreed
    clock.now = FRIDAY_1600 + timedelta(days=7)
    storage.set_blocked(services.db, ANN, clock.now)
    assert not nudging.pending(ANN)


def test_a_timer_that_fires_a_moment_early_still_finds_its_nudge(nudging, clock):
    clock.now = FRIDAY_1600 - timedelta(milliseconds=500)
    assert nudging.due(ANN).nudge.due_at == FRIDAY_1600


def test_the_same_nudge_is_never_given_twice(services, nudging, clock):
    clock.now = FRIDAY_1600 + timedelta(seconds=2)
    first = nudging.due(ANN)
    assert first is not None
    assert nudging.due(ANN) is None
    clock.advance(minutes=30)
    assert nudging.due(ANN) is None
    nudging.sent(first.nudge, message_id=555)
    assert nudging.due(ANN) is None
    assert storage.get_nudge(services.db, first.nudge.id).message_id == 555
    assert nudging.next_due(ANN) == FRIDAY_1600 + timedelta(days=7)


def test_the_same_nudge_is_not_given_again_after_a_restart(services, settings, nudging, clock):
    clock.now = FRIDAY_1600
    assert nudging.due(ANN) is not None
    services.close()
    again = restarted(settings, clock)
    try:
        assert again.nudging.due(ANN) is None
        clock.advance(hours=1)
        assert again.nudging.due(ANN) is None
        assert again.nudging.next_due(ANN) == FRIDAY_1600 + timedelta(days=7)
    finally:
        again.close()


def test_a_nudge_missed_by_less_than_three_hours_is_given_once(settings, nudging, clock, services):
    """The bot was down at 16:00 and comes back at 18:59."""
    services.close()
    clock.now = FRIDAY_1600 + LATE_LIMIT - timedelta(minutes=1)
    again = restarted(settings, clock)
    try:
        message = again.nudging.due(ANN)
        assert message is not None and message.nudge.due_at == FRIDAY_1600
        assert message.nudge.sent_at == clock.now
        assert again.nudging.due(ANN) is None
    finally:
        again.close()
    once_more = restarted(settings, clock)
    try:
        assert once_more.nudging.due(ANN) is None
    finally:
        once_more.close()


def test_a_nudge_three_hours_late_is_not_given(services, nudging, clock):
    clock.now = FRIDAY_1600 + LATE_LIMIT
    assert nudging.due(ANN) is None
    clock.now = FRIDAY_1600 + LATE_LIMIT - timedelta(seconds=1)
    assert nudging.due(ANN).nudge.due_at == FRIDAY_1600


def test_a_nudge_more_than_three_hours_late_is_not_given(services, nudging, clock):
    clock.now = FRIDAY_1600 + LATE_LIMIT + timedelta(minutes=1)
    assert nudging.due(ANN) is None
    assert nudging.next_due(ANN) == FRIDAY_1600 + timedelta(days=7)
    clock.now = FRIDAY_1600 + timedelta(days=7)
    assert nudging.due(ANN).nudge.due_at == clock.now


def test_of_several_missed_only_the_latest_is_given_and_the_others_are_dropped(
    services, nudging, clock
):
    """Session nudges due Friday 14:00 and 15:00; the weekly at 16:00; the bot is back at
    16:59 (the 14:00 one is not yet 3 hours late)."""
    early = add_club(services, weekdays=(FRI,), end=time(13, 30), name="Lunch club")
    later = add_club(services, weekdays=(FRI,), end=time(14, 30), name="Craft group")
    clock.now = at(27, 16, 59)
    message = nudging.due(ANN)
    assert message.nudge.kind == "weekly" and message.replaces == ()
    assert nudge_rows(services) == [
        (f"session:{early.id}", at(27, 14), "dropped"),
        (f"session:{later.id}", at(27, 15), "dropped"),
        ("weekly", FRIDAY_1600, "sent"),
    ]
    assert nudging.due(ANN) is None


def test_the_latest_missed_one_is_a_session_nudge(services, nudging, clock):
    club = add_club(services, weekdays=(FRI,), end=time(16, 0), name="Friday club")
    clock.now = at(27, 17)
    message = nudging.due(ANN)
    assert message.nudge.kind == "session" and message.content.session == club
    assert [status for _, _, status in nudge_rows(services)] == ["dropped", "sent"]


def test_a_blocked_practitioner_gets_nothing(services, nudging, clock):
    storage.set_blocked(services.db, ANN, at(23, 19))
    clock.now = FRIDAY_1600
    assert nudging.due(ANN) is None
    assert nudge_rows(services) == []
    services.users.wrote(services.users.get(ANN))  # they write again: nudged again
    assert nudging.due(ANN) is not None


def test_a_paused_practitioner_gets_nothing_until_the_day_after(services, nudging, ann, clock):
    services.nudge_settings.pause(ann, date(2026, 11, 27))
    clock.now = FRIDAY_1600
    assert nudging.due(ANN) is None
    assert nudging.next_due(ANN) == FRIDAY_1600 + timedelta(days=7)
    clock.now = FRIDAY_1600 + timedelta(days=7)
    assert nudging.due(ANN) is not None


def test_a_skipped_session_date_gets_nothing(services, nudging, clock):
    club = add_club(services)
    services.nudge_settings.skip_session(ANN, club.id, date(2026, 11, 24))
    assert nudging.next_due(ANN) == FRIDAY_1600
    clock.now = at(24, 20)
    assert nudging.due(ANN) is None


def test_a_session_nudge_names_the_session(services, nudging, clock):
    club = add_club(services)
    clock.now = at(24, 20)
    message = nudging.due(ANN)
    assert message.content.session == club
    assert message.content.question is None and message.content.gap is None
    assert (message.nudge.kind, message.nudge.session_id) == ("session", club.id)
    assert message.nudge.slot == f"session:{club.id}"


def test_a_removed_session_is_not_nudged(services, nudging, clock):
    club = add_club(services)
    services.nudge_settings.remove_session(ANN, club.id)
    clock.now = at(24, 20)
    assert nudging.due(ANN) is None


def test_at_most_one_nudge_is_outstanding(services, nudging, clock):
    add_club(services, weekdays=(THU,))
    clock.now = at(26, 20)
    thursday = nudging.due(ANN)
    clock.now = FRIDAY_1600
    friday = nudging.due(ANN)
    assert [n.id for n in friday.replaces] == [thursday.nudge.id]  # its buttons to take away
    assert storage.get_nudge(services.db, thursday.nudge.id).status == "replaced"
    assert nudging.outstanding(ANN).id == friday.nudge.id
    for choice in ("now", "note", "later", "snooze"):
        with pytest.raises(NotFound):
            nudging.choose(ANN, thursday.nudge.id, choice)


def test_an_answered_nudge_is_not_replaced(services, nudging, clock):
    add_club(services, weekdays=(THU,))
    clock.now = at(26, 20)
    thursday = nudging.due(ANN)
    nudging.choose(ANN, thursday.nudge.id, "later")
    clock.now = FRIDAY_1600
    assert nudging.due(ANN).replaces == ()


def test_a_nudge_that_failed_is_not_given_again_nor_replaced(services, nudging, clock):
    clock.now = FRIDAY_1600
    message = nudging.due(ANN)
    nudging.failed(message.nudge)
    assert storage.get_nudge(services.db, message.nudge.id).status == "failed"
    assert nudging.due(ANN) is None
    clock.now = FRIDAY_1600 + timedelta(days=7)
    assert nudging.due(ANN).replaces == ()


# -- the weekly nudge: gaps -----------------------------------------------------------------


def test_with_nothing_evidenced_the_gap_takes_turns_by_week(nudging, clock, services):
    gaps = []
    for week in range(7):
        gap = nudging.gap(ANN, clock.now + timedelta(days=7 * week))
        assert gap.weeks is None
        assert gap.topic == WEEKLY.topic(gap.competence)
        gaps.append(gap.competence)
    assert sorted(gaps) == [1, 2, 3, 4, 5, 6, 7]


def test_a_never_evidenced_competence_comes_before_any_evidenced_one(services, nudging, clock):
    long_ago = clock.now - timedelta(days=300)
    finish_reflection(services, ANN, long_ago, confirmed=["1.1", "2.6", "3.1", "4.1", "5.1"])
    finish_reflection(services, ANN, clock.now - timedelta(days=1), confirmed=["7.1"])
    assert nudging.gap(ANN) == Gap(6, "partnership working", None)


def test_otherwise_the_gap_is_the_least_recently_evidenced_with_its_weeks(services, nudging, clock):
    now = clock.now
    recent = ["1.1", "2.6", "3.1", "4.1", "5.1", "7.1"]
    finish_reflection(services, ANN, now - timedelta(days=2), confirmed=recent)
    finish_reflection(services, ANN, now - timedelta(days=5 * 7 + 3), confirmed=["6.2"])
    finish_reflection(services, ANN, now - timedelta(days=9 * 7), confirmed=["6.1"])  # older
    assert nudging.gap(ANN) == Gap(6, "partnership working", 5)
    # Rejected tags and other practitioners' tags count for nothing.
    services.users.agree(BO, "Bo")
    finish_reflection(services, BO, now, confirmed=["6.1"])
    assert nudging.gap(ANN).competence == 6
    # Evidenced again today: now another is the least recent.
    finish_reflection(services, ANN, now, confirmed=["6.3"])
    assert nudging.gap(ANN) == Gap(1, "knowing your community", 0)


def test_the_weekly_question_is_aimed_at_the_gap_and_says_why(services, nudging, clock):
    now = clock.now
    finish_reflection(services, ANN, now - timedelta(days=40), confirmed=["6.1"])
    others = ["1.1", "2.6", "3.1", "4.1", "5.1", "7.1"]
    finish_reflection(services, ANN, now - timedelta(days=30), confirmed=others)
    clock.now = FRIDAY_1600  # more than a week after the last reflection: not softened
    message = nudging.due(ANN)
    content = message.content
    assert content.gap == Gap(6, "partnership working", 6)
    assert content.question.competence == 6
    assert content.question == WEEKLY.pick(6, running_week(date(2026, 11, 27)))
    assert message.nudge.question_id == content.question.id


# -- the weekly nudge after a week with reflections -----------------------------------------


def test_a_week_with_a_reflection_softens_the_weekly_nudge(services, nudging, clock):
    finish_reflection(services, ANN, at(25, 12))
    clock.now = FRIDAY_1600
    message = nudging.due(ANN)
    assert message.content.softened
    assert message.content.question is None and message.nudge.question_id is None


def test_only_reflections_since_the_last_weekly_nudge_count(services, nudging, clock):
    clock.now = FRIDAY_1600
    assert not nudging.due(ANN).content.softened
    finish_reflection(services, ANN, FRIDAY_1600 - timedelta(minutes=5))  # before it
    clock.now = FRIDAY_1600 + timedelta(days=7)
    assert not nudging.due(ANN).content.softened
    finish_reflection(services, ANN, clock.now + timedelta(days=1))
    clock.now = FRIDAY_1600 + timedelta(days=14)
    assert nudging.due(ANN).content.softened


def test_an_unfinished_reflection_does_not_soften_it(services, nudging, clock):
    services.reflecting.start(ANN, "gibbs")
    clock.now = FRIDAY_1600
    assert not nudging.due(ANN).content.softened


def test_a_practitioner_who_chose_skip_gets_no_weekly_nudge_after_reflecting(
    services, nudging, clock
):
    services.nudge_settings.set_weekly(ANN, after_reflecting="skip")
    finish_reflection(services, ANN, at(25, 12))
    clock.now = FRIDAY_1600
    assert nudging.due(ANN) is None
    assert nudge_rows(services) == [("weekly", FRIDAY_1600, "dropped")]
    assert nudging.due(ANN) is None
    assert nudging.next_due(ANN) == FRIDAY_1600 + timedelta(days=7)
    clock.now = FRIDAY_1600 + timedelta(days=7)  # a week without: the question again
    assert nudging.due(ANN).content.question is not None


# -- taps -----------------------------------------------------------------------------------


def test_snooze_brings_it_back_an_hour_later_once(services, nudging, clock):
    clock.now = FRIDAY_1600 + timedelta(seconds=20)
    first = nudging.due(ANN)
    snoozed = nudging.choose(ANN, first.nudge.id, "snooze")
    assert snoozed == Snoozed(datetime(2026, 11, 27, 17, 0, tzinfo=LONDON))
    assert snoozed.until.utcoffset() == timedelta(0)
    assert nudging.next_due(ANN) == at(27, 17)
    assert [u.due for u in nudging.upcoming(2)] == [at(27, 17)]
    with pytest.raises(NotFound):  # snoozed once: its buttons are spent
        nudging.choose(ANN, first.nudge.id, "snooze")
    clock.now = at(27, 16, 59)
    assert nudging.due(ANN) is None
    clock.now = at(27, 17)
    again = nudging.due(ANN)
    assert again is not None and again.nudge.id != first.nudge.id
    assert (again.nudge.slot, again.nudge.due_at, again.nudge.status) == (
        "weekly",
        at(27, 17),
        "sent",
    )
    assert again.content.question == first.content.question
    assert again.replaces == ()  # the first was answered by the snooze
    assert nudging.due(ANN) is None
    assert nudging.next_due(ANN) == FRIDAY_1600 + timedelta(days=7)


def test_a_snoozed_nudge_survives_a_restart(services, settings, nudging, clock):
    clock.now = FRIDAY_1600
    nudging.choose(ANN, nudging.due(ANN).nudge.id, "snooze")
    services.close()
    clock.now = at(27, 17, 5)
    again = restarted(settings, clock)
    try:
        assert again.nudging.due(ANN).nudge.due_at == at(27, 17)
        assert again.nudging.due(ANN) is None
    finally:
        again.close()


def test_a_snooze_into_quiet_hours_comes_back_when_they_end(services, nudging, clock):
    club = add_club(services, end=time(20, 30))  # nudged 21:00; an hour later is quiet
    clock.now = at(24, 21)
    message = nudging.due(ANN)
    snoozed = nudging.choose(ANN, message.nudge.id, "snooze")
    assert snoozed.until == datetime(2026, 11, 25, 8, 0, tzinfo=LONDON)
    clock.now = at(25, 7, 59)
    assert nudging.due(ANN) is None
    clock.now = at(25, 8)
    again = nudging.due(ANN)
    assert again.content.session == club and again.nudge.session_id == club.id


def test_a_snoozed_nudge_missed_by_more_than_three_hours_is_dropped(services, nudging, clock):
    clock.now = FRIDAY_1600
    nudging.choose(ANN, nudging.due(ANN).nudge.id, "snooze")
    clock.now = at(27, 17) + LATE_LIMIT + timedelta(minutes=1)
    assert nudging.due(ANN) is None
    assert [status for _, _, status in nudge_rows(services)] == ["answered", "dropped"]


def test_later_dismisses_it(services, nudging, clock):
    clock.now = FRIDAY_1600
    message = nudging.due(ANN)
    assert nudging.choose(ANN, message.nudge.id, "later") == Dismissed(message.nudge)
    assert storage.get_nudge(services.db, message.nudge.id).status == "answered"
    for choice in ("later", "snooze"):
        with pytest.raises(NotFound):
            nudging.choose(ANN, message.nudge.id, choice)
    assert nudging.outstanding(ANN) is None
    assert nudging.next_due(ANN) == FRIDAY_1600 + timedelta(days=7)
    clock.advance(hours=2)
    assert nudging.due(ANN) is None


def test_only_the_practitioners_own_existing_nudge_can_be_tapped(services, nudging, clock):
    services.users.agree(BO, "Bo")
    clock.now = FRIDAY_1600
    message = nudging.due(ANN)
    for choice in ("now", "note", "later", "snooze"):
        with pytest.raises(NotFound):
            nudging.choose(BO, message.nudge.id, choice)
        with pytest.raises(NotFound):
            nudging.choose(ANN, 9999, choice)
    assert storage.get_nudge(services.db, message.nudge.id).status == "sent"


async def test_now_on_a_session_nudge_starts_the_default_set_about_the_session(
    services, nudging, clock
):
    club = add_club(services)
    clock.now = at(24, 20)
    message = nudging.due(ANN)
    step = nudging.choose(ANN, message.nudge.id, "now")
    assert isinstance(step, QuestionStep)
    default = services.reflecting.default_set()
    assert default.kind == "guided"
    assert (step.question_set.id, step.number, step.total) == (
        default.id,
        1,
        len(default.questions),
    )
    assert step.question == default.questions[0]
    assert step.reflection.session_id == club.id and step.reflection.prompt_id is None
    again = nudging.choose(ANN, message.nudge.id, "now")  # tapped twice
    assert again == step
    assert storage.get_nudge(services.db, message.nudge.id).status == "answered"
    result = None
    for number, _ in enumerate(default.questions, start=1):
        result = await services.reflecting.receive_text(ANN, f"Answer {number} about the club.")
    assert isinstance(result, Finished)
    assert result.reflection.session_id == club.id
    assert storage.get_reflection(services.db, step.reflection.id).status == "done"


def test_now_uses_the_practitioners_chosen_set_and_note_the_quick_one(services, nudging, clock):
    club = add_club(services)
    services.nudge_settings.set_default_set(ANN, "gibbs")
    clock.now = at(24, 20)
    message = nudging.due(ANN)
    step = nudging.choose(ANN, message.nudge.id, "now")
    assert step.question_set.id == "gibbs" and step.reflection.session_id == club.id
    services.reflecting.discard(ANN, step.reflection.id)
    note = nudging.choose(ANN, message.nudge.id, "note")
    assert (note.question_set.id, note.total) == ("quick", 1)
    assert note.reflection.session_id == club.id


def test_now_with_another_reflection_open_is_not_allowed_and_keeps_the_nudge(
    services, nudging, clock
):
    add_club(services)
    services.reflecting.start(ANN, "gibbs")
    clock.now = at(24, 20)
    message = nudging.due(ANN)
    with pytest.raises(NotAllowed):
        nudging.choose(ANN, message.nudge.id, "now")
    assert storage.get_nudge(services.db, message.nudge.id).status == "sent"


async def test_now_on_a_weekly_nudge_is_a_one_question_reflection(services, nudging, clock):
    clock.now = FRIDAY_1600
    message = nudging.due(ANN)
    question = message.content.question
    step = nudging.choose(ANN, message.nudge.id, "now")
    assert (step.question_set.id, step.number, step.total) == ("weekly", 1, 1)
    assert step.question.id == question.id and step.question.text == question.text
    assert step.reflection.prompt_id == question.id and step.reflection.session_id is None
    assert nudging.choose(ANN, message.nudge.id, "now") == step
    finished = await services.reflecting.receive_text(ANN, "We worked with the library team.")
    assert isinstance(finished, Finished)
    assert finished.reflection.prompt_id == question.id
    assert finished.reflection.text == "We worked with the library team."
    assert services.reflecting.open_reflection(ANN) is None


def test_note_on_a_weekly_nudge_and_now_on_a_softened_one_are_quick_notes(services, nudging, clock):
    clock.now = FRIDAY_1600
    plain = nudging.due(ANN)
    note = nudging.choose(ANN, plain.nudge.id, "note")
    assert (note.question_set.id, note.reflection.prompt_id) == ("quick", None)
    services.reflecting.discard(ANN, note.reflection.id)
    finish_reflection(services, ANN, FRIDAY_1600 + timedelta(days=1))
    clock.now = FRIDAY_1600 + timedelta(days=7)
    softened = nudging.due(ANN)
    assert softened.content.softened
    step = nudging.choose(ANN, softened.nudge.id, "now")
    assert step.question_set.id == "quick"


def test_the_weekly_set_is_not_offered_to_choose(services):
    assert "weekly" not in [s.id for s in services.reflecting.question_sets()]


# -- found by these tests (see the report) ---------------------------------------------------


def test_sent_after_a_tap_keeps_what_the_tap_decided(services, nudging, clock):
    clock.now = FRIDAY_1600
    message = nudging.due(ANN)
    nudging.choose(ANN, message.nudge.id, "later")
    nudging.sent(message.nudge, message_id=7)
    stored = storage.get_nudge(services.db, message.nudge.id)
    assert (stored.status, stored.message_id) == ("answered", 7)


def test_a_snoozed_weekly_nudge_comes_back_with_the_question_it_had(services, nudging, clock):
    """Weekly on Sunday 21:00; snoozed into quiet hours, it comes back on Monday at 08:00,
    in a new running week."""
    services.nudge_settings.set_weekly(ANN, day=SUN, at=time(21, 0))
    clock.now = at(29, 21)
    first = nudging.due(ANN)
    nudging.choose(ANN, first.nudge.id, "snooze")
    clock.now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    again = nudging.due(ANN)
    assert again.content.question == first.content.question
    assert again.nudge.question_id == again.content.question.id


def test_a_snoozed_nudge_does_not_come_during_a_pause(services, nudging, ann, clock):
    clock.now = FRIDAY_1600
    nudging.choose(ANN, nudging.due(ANN).nudge.id, "snooze")
    services.nudge_settings.pause(ann, date(2026, 11, 28))
    clock.now = at(27, 17)
    assert nudging.due(ANN) is None


def test_a_skipped_weekly_does_not_swallow_a_missed_session_nudge(services, nudging, clock):
    """Back at 17:00: the club nudge (15:30) is less than 3 h late; the weekly (16:00) is
    skipped because Ann reflected this week and chose 'skip'."""
    club = add_club(services, weekdays=(FRI,), end=time(15, 0), name="Friday club")
    services.nudge_settings.set_weekly(ANN, after_reflecting="skip")
    finish_reflection(services, ANN, at(25, 12))
    clock.now = at(27, 17)
    message = nudging.due(ANN)
    assert message is not None and message.content.session == club


def test_after_a_long_pause_the_next_nudge_is_still_found(services, nudging, ann):
    services.nudge_settings.pause(ann, date(2027, 1, 10))  # six weeks of leave
    assert nudging.next_due(ANN) == datetime(2027, 1, 15, 16, tzinfo=LONDON)


def test_answering_after_a_snooze_drops_the_snooze(services, nudging, clock):
    clock.now = FRIDAY_1600
    first = nudging.due(ANN)
    nudging.choose(ANN, first.nudge.id, "snooze")
    nudging.choose(ANN, first.nudge.id, "now")  # changed their mind: reflect now
    clock.now = FRIDAY_1600 + timedelta(hours=1)
    assert nudging.due(ANN) is None
    assert nudging.next_due(ANN) == FRIDAY_1600 + timedelta(days=7)


def test_moving_the_weekly_time_after_it_was_given_does_not_give_it_again_that_day(
    services, nudging, ann, clock
):
    clock.now = FRIDAY_1600
    assert nudging.due(ANN) is not None
    services.nudge_settings.set_weekly(ANN, at=time(17, 0))
    clock.now = FRIDAY_1600 + timedelta(hours=1)
    assert nudging.due(ANN) is None
    clock.now = FRIDAY_1600 + timedelta(days=7, hours=1)
    assert nudging.due(ANN) is not None  # next week at the new time
