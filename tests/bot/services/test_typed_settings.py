"""The settings service's memory of what a practitioner was asked to type, and of the
session they are adding: it lasts ten minutes, and one practitioner's never touches
another's."""

from __future__ import annotations

from datetime import time

import pytest

import storage
from bot.services.errors import NotFound
from bot.services.nudge_settings import MAX_SESSIONS, InvalidSetting
from bot.services.typed_settings import TYPED_INPUT_WAITS, could_be_typed_setting


@pytest.fixture
def nudge_settings(services, clock):
    for user_id, name in ((1, "Ann"), (2, "Bo")):
        storage.save_consent(services.db, user_id, name, "Europe/London", clock())
    return services.nudge_settings


@pytest.fixture
def typed_settings(services, nudge_settings):
    """Settings typed after a tap (the practitioners above have agreed)."""
    return services.typed_settings


def test_a_wait_lasts_ten_minutes(nudge_settings, clock, typed_settings):
    awaiting = typed_settings.expect(1, "timezone")
    assert typed_settings.awaiting(1) == awaiting
    assert typed_settings.awaiting(2) is None
    clock.advance(seconds=TYPED_INPUT_WAITS.total_seconds() - 1)
    assert typed_settings.awaiting(1) == awaiting
    clock.advance(seconds=2)
    assert typed_settings.awaiting(1) is None
    assert not typed_settings.clear(1)


def test_clear_ends_the_wait_and_a_new_tap_replaces_it(nudge_settings, typed_settings):
    typed_settings.expect(1, "timezone")
    typed_settings.expect(1, "pause_until")
    assert typed_settings.awaiting(1).what == "pause_until"
    assert typed_settings.clear(1)
    assert typed_settings.awaiting(1) is None


def test_a_date_to_skip_is_only_for_ones_own_session(nudge_settings, typed_settings):
    bos = nudge_settings.add_session(2, "Bo's club", frozenset({2}), time(18))
    with pytest.raises(NotFound):
        typed_settings.expect(1, "skip_date", bos.id)
    assert typed_settings.awaiting(1) is None
    assert typed_settings.expect(2, "skip_date", bos.id).session_id == bos.id


def test_adding_a_session_name_days_then_end(nudge_settings, typed_settings):
    draft = typed_settings.start_session(1, "  Tuesday   youth club ")
    assert draft.name == "Tuesday youth club"
    with pytest.raises(NotFound):
        typed_settings.finish_session(1, time(19, 30))  # no days yet
    with pytest.raises(InvalidSetting, match="weekday_invalid"):
        typed_settings.set_draft_days(1, frozenset())
    typed_settings.set_draft_days(1, frozenset({1, 3}))
    with pytest.raises(NotFound):
        typed_settings.draft(2)
    session = typed_settings.finish_session(1, time(19, 30))
    assert (session.weekdays, session.end_time) == ({1, 3}, time(19, 30))
    assert storage.sessions_of(nudge_settings._db, 1) == [session]
    with pytest.raises(NotFound):  # used up
        typed_settings.draft(1)


def test_a_session_left_half_added_is_let_go(nudge_settings, clock, typed_settings):
    typed_settings.start_session(1, "Club")
    typed_settings.set_draft_days(1, frozenset({0}))
    clock.advance(minutes=11)
    with pytest.raises(NotFound):
        typed_settings.finish_session(1, time(19))
    assert nudge_settings.sessions(1) == []


def test_no_new_session_beyond_the_most(nudge_settings, typed_settings):
    for n in range(MAX_SESSIONS):
        nudge_settings.add_session(1, f"Club {n}", frozenset({0}), time(19))
    with pytest.raises(InvalidSetting, match="too_many_sessions"):
        typed_settings.expect(1, "session_name")
    with pytest.raises(InvalidSetting, match="too_many_sessions"):
        typed_settings.start_session(1, "One more")
    with pytest.raises(InvalidSetting, match="session_name_invalid"):
        typed_settings.start_session(2, "x" * 61)


def test_forget_drops_everything_held_in_memory(nudge_settings, typed_settings):
    typed_settings.expect(1, "timezone")
    typed_settings.start_session(1, "Club")
    typed_settings.forget(1)
    assert typed_settings.awaiting(1) is None
    with pytest.raises(NotFound):
        typed_settings.draft(1)


@pytest.mark.parametrize(
    ("text", "could"),
    [
        ("Europe/London", True),
        ("7.30pm", True),
        ("  24 Dec  ", True),
        ("", False),
        ("   ", False),
        ("x" * 65, False),
        ("19:30\nand then we tidied up", False),
    ],
)
def test_prose_is_never_a_typed_setting(text, could):
    assert could_be_typed_setting(text) is could
