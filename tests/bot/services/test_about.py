"""What a reflection is about: names offered in one tap, a regular session dated the day
it was last held, typed names and dates checked, someone else's refused, and a reflection
a session's nudge began already about it. The clock: Monday 23 November 2026, 18:30."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

import storage
from bot.services.about import DAYS_BACK, InvalidDay, InvalidName, clean_name, last_held
from bot.services.errors import NotAllowed, NotFound
from tests.bot.services.conftest import ANN, BO, local, write

MONDAY = date(2026, 11, 23)


@pytest.fixture
def people(services, clock):
    for user_id, name in ((ANN, "Ann"), (BO, "Bo")):
        storage.save_consent(services.db, user_id, name, "Europe/London", clock())


def note(services, user_id=ANN, started=None):
    return write(services, user_id, started or local(2026, 11, 23, 18, 0), "quick", [("note", "x")])


def session(services, name, weekdays, end, user_id=ANN):
    return services.nudge_settings.add_session(user_id, name, frozenset(weekdays), end)


def test_last_held_is_the_latest_end_by_then_or_within_two_hours(services, people):
    thursday = session(services, "ESOL", {3}, time(20, 0))
    monday = session(services, "Drop-in", {0}, time(20, 0))
    london = ZoneInfo("Europe/London")
    at = local(2026, 11, 23, 18, 30)
    assert last_held(thursday, at, london) == date(2026, 11, 19)
    assert last_held(monday, at, london) == MONDAY  # ends at 20:00: within two hours
    assert last_held(monday, local(2026, 11, 23, 17, 0), london) == date(2026, 11, 16)
    storage.set_session_skipped(services.db, thursday, date(2026, 11, 19), True)
    skipped = storage.get_session(services.db, thursday.id)
    assert last_held(skipped, at, london) is None  # not held in the week before


def test_sessions_come_first_latest_held_first_then_names_given_before(services, people):
    session(services, "ESOL", {3}, time(20, 0))
    session(services, "Drop-in", {0}, time(19, 0))
    earlier = note(services, started=local(2026, 11, 20, 10, 0))
    services.about.name(ANN, earlier.id, "Parents' group")
    again = note(services, started=local(2026, 11, 21, 10, 0))
    services.about.name(ANN, again.id, "esol")  # a session's name: linked, not repeated
    now = services.about.about(ANN, note(services).id)
    assert [o.name for o in now.offered] == ["Drop-in", "ESOL", "Parents' group"]
    assert now.offered[2].reflection_id == earlier.id
    assert now.days[0] == MONDAY and len(now.days) == 7 and now.days[-1] == date(2026, 11, 17)
    assert (now.name, now.day) == (None, None)


def test_a_session_chosen_is_dated_the_day_it_was_last_held_unless_dated(services, people):
    esol = session(services, "ESOL", {3}, time(20, 0))
    rid = note(services).id
    chosen = services.about.choose_session(ANN, rid, esol.id)
    assert (chosen.name, chosen.day, chosen.reflection.session_id) == (
        "ESOL",
        date(2026, 11, 19),
        esol.id,
    )
    services.about.set_day(ANN, rid, date(2026, 11, 18))
    again = services.about.choose_session(ANN, rid, esol.id)
    assert again.day == date(2026, 11, 18)  # a date given stays


def test_a_name_typed_is_tidied_and_a_sessions_name_links_to_it(services, people):
    esol = session(services, "ESOL Thursday", {3}, time(20, 0))
    rid = note(services).id
    typed = services.about.name(ANN, rid, "  parents'   group ")
    assert (typed.name, typed.day, typed.reflection.session_id) == ("parents' group", MONDAY, None)
    linked = services.about.name(ANN, rid, "esol thursday")
    assert (linked.name, linked.reflection.session_id) == ("ESOL Thursday", esol.id)
    for bad in ["", "   ", "x" * 61]:
        with pytest.raises(InvalidName):
            clean_name(bad)
    assert clean_name("x" * 60) == "x" * 60


def test_a_session_date_is_from_three_months_before_to_the_day_written(services, people):
    rid = note(services).id
    assert services.about.set_day(ANN, rid, MONDAY - timedelta(days=DAYS_BACK)).name is None
    for bad in (MONDAY + timedelta(days=1), MONDAY - timedelta(days=DAYS_BACK + 1)):
        with pytest.raises(InvalidDay):
            services.about.set_day(ANN, rid, bad)


def test_cleared_means_no_name_date_or_session(services, people):
    esol = session(services, "ESOL", {3}, time(20, 0))
    rid = note(services).id
    services.about.choose_session(ANN, rid, esol.id)
    cleared = services.about.clear(ANN, rid)
    assert (cleared.name, cleared.day, cleared.reflection.session_id) == (None, None, None)


def test_someone_elses_reflection_session_or_name_is_refused(services, people):
    anns, bos = note(services).id, note(services, BO).id
    services.about.name(ANN, anns, "Ann's group")
    bo_session = session(services, "Bo's club", {0}, time(20), user_id=BO)
    with pytest.raises(NotAllowed):
        services.about.about(BO, anns)
    with pytest.raises(NotAllowed):
        services.about.choose_name_of(BO, bos, anns)
    with pytest.raises(NotAllowed):
        services.about.choose_session(ANN, anns, bo_session.id)
    with pytest.raises(NotFound):
        services.about.choose_session(ANN, anns, 999)
    assert storage.get_reflection(services.db, bos).about is None
    assert "Ann's group" not in [o.name for o in services.about.about(BO, bos).offered]


def test_a_reflection_a_sessions_nudge_began_is_about_that_session(services, people):
    esol = session(services, "ESOL", {3}, time(20, 0))
    step = services.reflecting.start(ANN, "what-so-what", session_id=esol.id)
    begun = storage.get_reflection(services.db, step.reflection.id)
    assert (begun.about, begun.session_date) == ("ESOL", date(2026, 11, 19))
