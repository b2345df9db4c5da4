"""Professional learning through the real service: typed hours, registration details,
hours against the requirement, learning marks and goals, with a fake clock and a real
database file."""

import re
from datetime import UTC, date, datetime

import pytest

import storage
from bot.portfolio import Period
from bot.services import NotAllowed, NotFound
from bot.services.learning import (
    MAX_GOAL_CHARS,
    MAX_GOALS_OPEN,
    GoalSummary,
    parse_hours,
)
from bot.services.nudge_settings import InvalidSetting
from tests.bot.services.conftest import ANN, BO, local, write

# The fake clock starts on Monday 23 Nov 2026, 18:30 UTC (18:30 in London, GMT).
AN_HOUR_AGO = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)


@pytest.fixture
def learning(services):
    services.users.agree(ANN, "Ann")
    services.users.agree(BO, "Bo")
    return services.learning


@pytest.fixture
def ann(services, learning):
    return services.users.get(ANN)


def finished(services, user_id=ANN, started=AN_HOUR_AGO, *, status="done"):
    """A quick note started at ``started`` (default: an hour ago), finished unless not."""
    answers = [("note", "We ran a session on budgeting.")]
    return write(services, user_id, started, "quick", answers, status=status)


def invalid(key):
    """pytest.raises for InvalidSetting with this message key."""
    return pytest.raises(InvalidSetting, match=f"^{re.escape(key)}$")


# -- parse_hours -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("2", 2.0),
        ("1.5", 1.5),
        ("1,5", 1.5),
        ("0.25", 0.25),
        ("2h", 2.0),
        ("2 h", 2.0),
        ("2 hours", 2.0),
        ("1 hour", 1.0),
        ("2 hrs", 2.0),
        ("2 HOURS", 2.0),
        ("1h30", 1.5),
        ("1h 30m", 1.5),
        ("2h30m", 2.5),
        ("1 hour 30 minutes", 1.5),
        ("0h45", 0.75),
        ("1:30", 1.5),
        ("0:45", 0.75),
        ("12:00", 12.0),
        ("  2  ", 2.0),
        ("\t1.5\n", 1.5),
        ("999", 999.0),
        ("35", 35.0),
        ("17.5", 17.5),
    ],
)
def test_hours_as_practitioners_type_them(text, hours):
    assert parse_hours(text) == hours


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("90 min", 1.5),
        ("90m", 1.5),
        ("90 minutes", 1.5),
        ("90 MIN", 1.5),
        ("45 min", 0.75),
        ("30m", 0.5),
        ("10 min", 0.17),
        ("120 mins", 2.0),
        ("130m", 2.17),
        ("9999 min", 166.65),
        ("5 min", 0.08),
    ],
)
def test_minutes_are_minutes(text, hours):
    """The bot's own hint says "90 min": that is an hour and a half, not nine hours."""
    assert parse_hours(text) == hours


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "0.0",
        "0:00",
        "0 min",
        "0h0",
        "-1",
        "-0.5",
        "abc",
        "",
        "   ",
        "1.5h30",
        "1,5h30",
        "1h75",
        "1h60",
        "1:60",
        "1:5",
        "0.001",
        "1e9",
        "inf",
        "nan",
        "1000",
        "99999",
        "99999999999999999999",
        "two",
        "2 days",
        "1/2",
    ],
)
def test_anything_else_is_not_hours(text):
    assert parse_hours(text) is None


def test_minutes_round_to_hundredths_of_an_hour():
    assert parse_hours("1 min") == 0.02
    assert parse_hours("20 min") == 0.33


# -- registration details ------------------------------------------------------------------


def test_weekly_hours_are_saved_keeping_the_cycle_start(learning, ann):
    assert learning.registration(ANN) == storage.Registration(ANN)
    learning.set_cycle_start(ann, "2025-04-01")
    assert learning.set_weekly_hours(ANN, "17,5") == storage.Registration(
        ANN, 17.5, date(2025, 4, 1)
    )
    assert learning.set_weekly_hours(ANN, "80") == storage.Registration(ANN, 80, date(2025, 4, 1))
    assert learning.registration(ANN).weekly_hours == 80
    assert learning.registration(BO) == storage.Registration(BO)


@pytest.mark.parametrize("text", ["80.5", "81", "168", "0", "-3", "lots", ""])
def test_weekly_hours_out_of_range_are_refused(learning, text):
    learning.set_weekly_hours(ANN, "35")
    with invalid("learning.weekly_hours_invalid"):
        learning.set_weekly_hours(ANN, text)
    assert learning.registration(ANN).weekly_hours == 35


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1 Apr 2025", date(2025, 4, 1)),
        ("1/4/2025", date(2025, 4, 1)),
        ("2025-04-01", date(2025, 4, 1)),
        ("April 1, 2025", date(2025, 4, 1)),
        ("1 Apr", date(2026, 4, 1)),  # the last 1 April up to today
        ("1 Dec", date(2025, 12, 1)),  # this year's is still to come
        ("23 Nov", date(2026, 11, 23)),  # today
        ("24 Nov", date(2025, 11, 24)),  # tomorrow: last year's
        ("1 Jan 2000", date(2000, 1, 1)),
    ],
)
def test_the_cycle_start_as_typed(learning, ann, text, day):
    assert learning.set_cycle_start(ann, text).cycle_start == day
    assert learning.registration(ANN).cycle_start == day


def test_setting_the_cycle_start_keeps_the_weekly_hours(learning, ann):
    learning.set_weekly_hours(ANN, "35")
    assert learning.set_cycle_start(ann, "1 Apr 2025") == storage.Registration(
        ANN, 35, date(2025, 4, 1)
    )


@pytest.mark.parametrize("text", ["24 Nov 2026", "2027-01-01", "1 Apr 2030", "31 Dec 1999"])
def test_a_cycle_start_in_the_future_or_too_long_ago_is_refused(learning, ann, text):
    with invalid("learning.cycle_start_invalid"):
        learning.set_cycle_start(ann, text)
    assert learning.registration(ANN).cycle_start is None


@pytest.mark.parametrize("text", ["soon", "31 Feb 2025", "", "2025-13-01"])
def test_a_cycle_start_that_is_not_a_date_is_refused(learning, ann, text):
    with invalid("settings.date_invalid"):
        learning.set_cycle_start(ann, text)


def test_the_cycle_start_is_read_on_the_practitioners_own_date(services, learning, clock):
    """18:30 UTC on 23 Nov is already 24 Nov in Auckland."""
    storage.set_timezone(services.db, ANN, "Pacific/Auckland")
    kiwi = services.users.get(ANN)
    assert learning.today(kiwi) == date(2026, 11, 24)
    assert learning.set_cycle_start(kiwi, "24 Nov").cycle_start == date(2026, 11, 24)
    with invalid("learning.cycle_start_invalid"):
        learning.set_cycle_start(services.users.get(BO), "24 Nov 2026")


# -- hours against the requirement ------------------------------------------------------------


@pytest.fixture
def logged(services, learning):
    """Ann's learning around her registration year (from 1 April) and cycle (from 1 April
    2025), and Bo's: (reflection, hours) by name."""
    made = {}
    for name, started, hours in [
        ("before_cycle", local(2025, 3, 31, 23, 59), 5),
        ("cycle_first_day", local(2025, 4, 1, 0, 30), 7),
        ("last_year_last_minute", local(2026, 3, 31, 23, 30), 2),
        ("this_year_first_minutes", local(2026, 4, 1, 0, 10), 3),
        ("today", local(2026, 11, 23, 10, 0), 0.5),
    ]:
        reflection = finished(services, ANN, started)
        learning.mark(ANN, reflection.id, "course", hours)
        made[name] = reflection
    unfinished = finished(services, ANN, local(2026, 6, 1, 12), status="open")
    storage.mark_learning(services.db, unfinished.id, ANN, "course", 100, local(2026, 6, 1, 12))
    bos = finished(services, BO, local(2026, 6, 1, 12))
    learning.mark(BO, bos.id, "course", 200)
    return made


def test_hours_this_year_and_cycle(services, learning, ann, logged):
    learning.set_weekly_hours(ANN, "35")
    learning.set_cycle_start(ann, "1 Apr 2025")
    hours = learning.hours(ann)
    assert (hours.year_start, hours.year_end) == (date(2026, 4, 1), date(2027, 3, 31))
    assert (hours.cycle_start, hours.cycle_end) == (date(2025, 4, 1), date(2028, 3, 31))
    assert hours.this_year == 3.5
    assert hours.this_cycle == 12.5
    assert hours.in_period == 3.5, "by default, the period is the year"
    assert (hours.weekly_hours, hours.required_per_year, hours.required_per_cycle) == (35, 35, 105)


def test_hours_in_a_period(learning, ann, logged):
    learning.set_cycle_start(ann, "1 Apr 2025")
    march = Period(date(2026, 3, 1), date(2026, 3, 31), "March")
    assert learning.hours(ann, march).in_period == 2
    everything = Period(None, date(2026, 11, 23), "Everything")
    assert learning.hours(ann, everything).in_period == 17.5
    assert learning.hours(ann, Period(None, date(2026, 3, 31), "to March")).in_period == 14


def test_without_registration_details_the_year_and_cycle_end_today(learning, ann, logged):
    hours = learning.hours(ann)
    assert (hours.weekly_hours, hours.cycle_start) == (None, None)
    assert (hours.required_per_year, hours.required_per_cycle) == (None, None)
    assert (hours.year_start, hours.year_end) == (date(2025, 11, 24), date(2026, 11, 23))
    assert hours.cycle_end == date(2026, 11, 23)
    assert hours.this_year == 5.5
    assert hours.this_cycle == 17.5


def test_a_cycle_given_long_ago_rolls_on_in_the_hours(learning, ann, logged):
    learning.set_cycle_start(ann, "1 Apr 2019")
    hours = learning.hours(ann)
    assert (hours.cycle_start, hours.cycle_end) == (date(2025, 4, 1), date(2028, 3, 31))
    assert hours.this_cycle == 12.5


def test_the_year_moves_on_with_the_clock(learning, ann, logged, clock):
    learning.set_cycle_start(ann, "1 Apr 2025")
    clock.now = local(2027, 4, 1, 9, 0)
    hours = learning.hours(ann)
    assert (hours.year_start, hours.this_year, hours.this_cycle) == (date(2027, 4, 1), 0, 12.5)


# -- learning marks -----------------------------------------------------------------------------


def test_marking_a_reflection(services, learning):
    reflection = finished(services)
    mark = learning.mark(ANN, reflection.id, "reading", 1.25)
    assert (mark.reflection_id, mark.user_id, mark.kind, mark.hours) == (
        reflection.id,
        ANN,
        "reading",
        1.25,
    )
    assert learning.mark_of(ANN, reflection.id) == mark
    assert learning.mark(ANN, reflection.id, "course", 500).hours == 500


def test_someone_elses_reflection_cannot_be_marked_or_unmarked(services, learning):
    bos = finished(services, BO)
    learning.mark(BO, bos.id, "course", 2)
    with pytest.raises(NotAllowed):
        learning.mark(ANN, bos.id, "course", 1)
    with pytest.raises(NotAllowed):
        learning.set_hours(ANN, bos.id, "course", "1")
    with pytest.raises(NotAllowed):
        learning.unmark(ANN, bos.id)
    with pytest.raises(NotAllowed):
        learning.mark_of(ANN, bos.id)
    with pytest.raises(NotAllowed):
        learning.mark_kind(ANN, bos.id, "reading")
    assert storage.learning_mark(services.db, bos.id).hours == 2
    assert storage.learning_mark(services.db, bos.id).kind == "course"


@pytest.mark.parametrize("status", ["open", "pending"])
def test_an_unfinished_reflection_cannot_be_marked(services, learning, status):
    unfinished = finished(services, status=status)
    with pytest.raises(NotFound):
        learning.mark(ANN, unfinished.id, "course", 1)
    assert storage.learning_mark(services.db, unfinished.id) is None


def test_a_missing_reflection_cannot_be_marked(learning):
    with pytest.raises(NotFound):
        learning.mark(ANN, 4242, "course", 1)
    with pytest.raises(NotFound):
        learning.unmark(ANN, 4242)


def test_a_kind_that_does_not_exist_is_a_value_error(services, learning):
    reflection = finished(services)
    with pytest.raises(ValueError, match="dancing"):
        learning.mark(ANN, reflection.id, "dancing", 1)
    assert storage.learning_mark(services.db, reflection.id) is None


@pytest.mark.parametrize("hours", [0, -1, 500.01, 10_000])
def test_hours_out_of_range_are_refused(services, learning, hours):
    reflection = finished(services)
    with invalid("learning.hours_invalid"):
        learning.mark(ANN, reflection.id, "course", hours)
    assert storage.learning_mark(services.db, reflection.id) is None


def test_hours_as_typed(services, learning):
    reflection = finished(services)
    assert learning.set_hours(ANN, reflection.id, "course", "1h30").hours == 1.5
    assert learning.set_hours(ANN, reflection.id, "training", "2 hours").kind == "training"
    for bad in ("abc", "0", "501", "1h75"):
        with invalid("learning.hours_invalid"):
            learning.set_hours(ANN, reflection.id, "course", bad)
    assert learning.mark_of(ANN, reflection.id).hours == 2.0


def test_ninety_minutes_typed_are_an_hour_and_a_half(services, learning):
    reflection = finished(services)
    assert learning.set_hours(ANN, reflection.id, "course", "90 min").hours == 1.5


def test_changing_the_kind_keeps_the_hours(services, learning):
    reflection = finished(services)
    assert learning.mark_kind(ANN, reflection.id, "reading") is None, "not marked yet"
    assert storage.learning_mark(services.db, reflection.id) is None
    learning.mark(ANN, reflection.id, "course", 3.5)
    changed = learning.mark_kind(ANN, reflection.id, "shadowing")
    assert (changed.kind, changed.hours) == ("shadowing", 3.5)


def test_unmarking(services, learning):
    reflection = finished(services)
    learning.mark(ANN, reflection.id, "course", 1)
    learning.unmark(ANN, reflection.id)
    assert learning.mark_of(ANN, reflection.id) is None
    learning.unmark(ANN, reflection.id)  # not marked: nothing to do


def test_the_learning_question_set_is_known(learning):
    assert learning.is_learning_set("learning")
    assert not learning.is_learning_set("quick")
    assert not learning.is_learning_set("weekly")


# -- goals --------------------------------------------------------------------------------------


def test_a_goal_in_the_practitioners_words(learning, clock):
    goal = learning.add_goal(ANN, "  Get better at\n  group   work  ")
    assert (goal.text, goal.user_id, goal.competences) == ("Get better at group work", ANN, ())
    assert goal.created_at == clock() and goal.closed_at is None
    assert learning.goal(ANN, goal.id) == goal


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "goals.text_empty"),
        ("  \n\t ", "goals.text_empty"),
        ("x" * (MAX_GOAL_CHARS + 1), "goals.text_too_long"),
    ],
)
def test_a_goal_must_have_words_but_not_too_many(learning, text, key):
    with invalid(key):
        learning.add_goal(ANN, text)
    assert learning.goals(ANN) == []


def test_the_longest_goal(learning):
    assert len(learning.add_goal(ANN, "x" * MAX_GOAL_CHARS).text) == MAX_GOAL_CHARS
    spaced = " ".join(["word"] * 70)  # 349 characters
    with invalid("goals.text_too_long"):
        learning.add_goal(ANN, spaced)


def test_at_most_ten_open_goals(learning):
    goals = [learning.add_goal(ANN, f"goal {n}") for n in range(MAX_GOALS_OPEN)]
    assert MAX_GOALS_OPEN == 10
    with invalid("goals.too_many"):
        learning.add_goal(ANN, "one too many")
    with invalid("goals.too_many"):
        learning.check_room_for_a_goal(ANN)
    learning.add_goal(BO, "Bo has room")
    learning.close(ANN, goals[0].id, "achieved")
    learning.check_room_for_a_goal(ANN)
    learning.add_goal(ANN, "room again")
    assert len(learning.open_goals(ANN)) == 10 and len(learning.goals(ANN)) == 11


def test_choosing_a_goals_competences(learning):
    goal = learning.add_goal(ANN, "goal")
    learning.toggle_competence(ANN, goal.id, 3)
    assert learning.toggle_competence(ANN, goal.id, 1).competences == (1, 3)
    assert learning.toggle_competence(ANN, goal.id, 3).competences == (1,)
    for number in (0, 100, -1):
        with pytest.raises(NotFound):
            learning.toggle_competence(ANN, goal.id, number)
    assert learning.goal(ANN, goal.id).competences == (1,)


def test_a_competence_not_in_the_framework_is_not_found(learning):
    """Buttons carry 1..99; the framework has 7 competences, so 8 is forged or stale."""
    goal = learning.add_goal(ANN, "goal")
    with pytest.raises(NotFound):
        learning.toggle_competence(ANN, goal.id, 8)
    assert learning.goal(ANN, goal.id).competences == ()


def test_someone_elses_goal_is_not_allowed(learning):
    bos = learning.add_goal(BO, "Bo's goal")
    calls = [
        lambda: learning.goal(ANN, bos.id),
        lambda: learning.summary(ANN, bos.id),
        lambda: learning.toggle_competence(ANN, bos.id, 2),
        lambda: learning.review(ANN, bos.id, "sneaky"),
        lambda: learning.close(ANN, bos.id, "dropped"),
        lambda: learning.close(ANN, bos.id, None),
    ]
    for call in calls:
        with pytest.raises(NotAllowed):
            call()
    assert learning.goal(BO, bos.id) == bos


def test_a_missing_goal_is_not_found(learning):
    with pytest.raises(NotFound):
        learning.goal(ANN, 999)
    with pytest.raises(NotFound):
        learning.close(ANN, 999, "achieved")


def test_reviewing_a_goal(learning, clock):
    goal = learning.add_goal(ANN, "goal")
    clock.advance(days=30)
    reviewed = learning.review(ANN, goal.id, "  Did the course;\nnow practising  ")
    assert (reviewed.review, reviewed.reviewed_at) == ("Did the course; now practising", clock())
    with invalid("goals.text_empty"):
        learning.review(ANN, goal.id, "   ")
    assert learning.goal(ANN, goal.id).review == "Did the course; now practising"


@pytest.mark.parametrize("outcome", ["achieved", "dropped"])
def test_closing_and_reopening_a_goal(learning, clock, outcome):
    goal = learning.add_goal(ANN, "goal")
    clock.advance(days=10)
    closed = learning.close(ANN, goal.id, outcome)
    assert (closed.closed_at, closed.outcome) == (clock(), outcome)
    assert learning.open_goals(ANN) == []
    reopened = learning.close(ANN, goal.id, None)
    assert (reopened.closed_at, reopened.outcome) == (None, None)
    assert learning.open_goals(ANN) == [reopened]


def test_reopening_an_open_goal_changes_nothing(learning):
    goal = learning.add_goal(ANN, "goal")
    assert learning.close(ANN, goal.id, None) == goal


def test_a_goal_is_not_reopened_when_ten_are_open(learning):
    first = learning.add_goal(ANN, "first")
    learning.close(ANN, first.id, "dropped")
    for n in range(MAX_GOALS_OPEN):
        learning.add_goal(ANN, f"goal {n}")
    with invalid("goals.too_many"):
        learning.close(ANN, first.id, None)
    assert learning.goal(ANN, first.id).outcome == "dropped"


def test_linking_a_reflection_to_a_goal(services, learning):
    goal = learning.add_goal(ANN, "goal")
    reflection = finished(services)
    assert learning.link(ANN, reflection.id, goal.id).goal_id == goal.id
    assert learning.link(ANN, reflection.id, None).goal_id is None


def test_a_reflection_is_linked_to_its_owners_goals_only(services, learning):
    ours = learning.add_goal(ANN, "Ann's goal")
    bos_goal = learning.add_goal(BO, "Bo's goal")
    reflection = finished(services)
    learning.link(ANN, reflection.id, ours.id)
    with pytest.raises(NotAllowed):
        learning.link(ANN, reflection.id, bos_goal.id)
    with pytest.raises(NotFound):
        learning.link(ANN, reflection.id, 999)
    assert storage.get_reflection(services.db, reflection.id).goal_id == ours.id
    bos = finished(services, BO)
    with pytest.raises(NotAllowed):
        learning.link(ANN, bos.id, ours.id)
    with pytest.raises(NotAllowed):
        learning.link(ANN, bos.id, None)
    assert storage.get_reflection(services.db, bos.id).goal_id is None
    unfinished = finished(services, status="open")
    with pytest.raises(NotFound):
        learning.link(ANN, unfinished.id, ours.id)


def test_goals_with_what_was_done_towards_each(services, learning, clock):
    first = learning.add_goal(ANN, "first")
    clock.advance(minutes=1)
    second = learning.add_goal(ANN, "second")
    clock.advance(minutes=1)
    closed = learning.add_goal(ANN, "closed early")
    learning.close(ANN, closed.id, "achieved")
    clock.advance(minutes=1)
    third = learning.add_goal(ANN, "third")
    course, reading, plain, elsewhere = (finished(services) for _ in range(4))
    for reflection in (course, reading, plain):
        learning.link(ANN, reflection.id, first.id)
    learning.link(ANN, elsewhere.id, closed.id)
    learning.mark(ANN, course.id, "course", 2)
    learning.mark(ANN, reading.id, "reading", 1.5)
    learning.mark(ANN, elsewhere.id, "reading", 4)
    unlinked = finished(services)
    learning.mark(ANN, unlinked.id, "course", 8)
    bos = finished(services, BO)
    bos_goal = learning.add_goal(BO, "Bo's")
    learning.link(BO, bos.id, bos_goal.id)
    learning.mark(BO, bos.id, "course", 16)
    summaries = learning.goals(ANN)
    assert [(s.goal.text, s.reflections, s.hours) for s in summaries] == [
        ("first", 3, 3.5),
        ("second", 0, 0.0),
        ("third", 0, 0.0),
        ("closed early", 1, 4.0),
    ]
    assert learning.summary(ANN, first.id) == GoalSummary(learning.goal(ANN, first.id), 3, 3.5)
    assert [g.id for g in learning.open_goals(ANN)] == [first.id, second.id, third.id]
    assert [(s.reflections, s.hours) for s in learning.goals(BO)] == [(1, 16.0)]
