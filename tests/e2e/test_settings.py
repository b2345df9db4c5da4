"""/settings, /pause and /resume end to end: the real bot (PTB Application over HTTP)
against the fake Bot API, on a fake clock stopped at Monday 23 November 2026, 18:30 in
London (UTC then)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

import storage
from bot.telegram.nudge_jobs import JOB_PREFIX

from .fake_bot_api import BotMessage, FakeUser
from .players import agree, answer_to, now_of, reflect_with, say, tap

ANN = 1001
TODAY = date(2026, 11, 23)  # a Monday


@pytest.fixture
def running(bot_and_clock):
    return bot_and_clock[0]


@pytest.fixture
async def ann(fake_telegram, running) -> FakeUser:
    user = fake_telegram.user(ANN, "Ann")
    await agree(user)
    return user


async def open_settings(user: FakeUser, *path: str) -> BotMessage:
    """/settings, then tap through ``path`` (button texts); returns the menu reached."""
    await user.send_command("/settings")
    menu = await user.next_message()
    for button_text in path:
        menu = await tap(user, menu, button_text)
    return menu


def nudge_settings(running) -> storage.NudgeSettings:
    return storage.nudge_settings(running.services.db, ANN)


def timezone(running) -> str:
    return storage.get_user(running.services.db, ANN).timezone


# -- the summary, time zone, quiet hours ----------------------------------------------------


async def test_onboarding_offers_the_settings(fake_telegram, running):
    ann = fake_telegram.user(ANN, "Ann")
    await agree(ann)
    agreed = ann.messages[-1]
    assert "Send /reflect" in agreed.text  # the agreed text is kept
    assert "every Friday at 16:00" in agreed.text
    assert agreed.button_texts == ["⏰ Set up reminders"]
    await ann.press(agreed, "Set up reminders")
    summary = await ann.next_message()
    assert "Your reminders and settings" in summary.text
    assert "Time zone: Europe/London (it's Mon 23 Nov, 18:30 there now)" in summary.text
    assert "Quiet hours: 21:30–08:00" in summary.text
    assert "Weekly reflection: Fridays at 16:00" in summary.text
    assert "already reflected: a short “want to add anything?”" in summary.text
    assert "After your sessions: on, once you add a session" in summary.text
    assert "Reflect now asks: What? So what? Now what?" in summary.text
    assert "Next reminder: Fri 27 Nov, 16:00" in summary.text
    await ann.wait_for(lambda m: m.message_id == agreed.message_id and not m.buttons)


async def test_settings_need_consent(fake_telegram, running):
    cy = fake_telegram.user(1003, "Cy")
    for command in ("/settings", "/pause", "/resume"):
        await cy.send_command(command)
        assert "Please send /start first" in (await cy.next_message()).text
    answer = await answer_to(cy, cy.press_raw(1, "st:home"))
    assert answer.show_alert and "/start" in answer.text
    assert storage.get_user(running.services.db, 1003) is None


async def test_time_zone_by_button(ann, running):
    menu = await open_settings(ann, "Time zone")
    assert "✓ Europe/London" in menu.button_texts
    summary = await tap(ann, menu, "Europe/Paris")
    assert timezone(running) == "Europe/Paris"
    assert "Time zone: Europe/Paris (it's Mon 23 Nov, 19:30 there now)" in summary.text
    assert ann.callback_answers[-1].text == "Saved ✓"


async def test_time_zone_typed_wrong_then_right(ann, running):
    menu = await open_settings(ann, "Time zone")
    prompt = await tap(ann, menu, "Another…")
    assert "Type the name of your time zone" in prompt.text
    assert "/cancel to leave things as they are" in prompt.text
    wrong = await say(ann, "Mars/Olympus Mons")
    assert "I don't know a time zone called “Mars/Olympus Mons”" in wrong.text
    assert "Europe/London" in wrong.text  # an example to follow
    assert timezone(running) == "Europe/London"
    right = await say(ann, "america/toronto")  # still waiting: they can try again
    assert "Time zone set: America/Toronto (it's Mon 23 Nov, 13:30 there now)" in right.text
    assert timezone(running) == "America/Toronto"
    await ann.send_text("Europe/Rome")  # the wait is over: this is a message as usual
    assert "Europe/Rome" not in (await ann.next_message()).text
    assert timezone(running) == "America/Toronto"


async def test_quiet_hours_presets(ann, running):
    menu = await open_settings(ann, "Quiet hours")
    assert "✓ 21:30–08:00" in menu.button_texts
    summary = await tap(ann, menu, "22:00–07:00")
    assert "Quiet hours: 22:00–07:00" in summary.text
    assert (nudge_settings(running).quiet_start, nudge_settings(running).quiet_end) == (
        time(22),
        time(7),
    )
    menu = await tap(ann, summary, "Quiet hours")
    summary = await tap(ann, menu, "No quiet hours")
    assert "Quiet hours: none" in summary.text
    assert nudge_settings(running).quiet_start is None


# -- the weekly reflection ------------------------------------------------------------------


async def test_weekly_day_time_and_off_move_the_timer(ann, running):
    jobs = running.application.job_queue
    [job] = jobs.get_jobs_by_name(f"{JOB_PREFIX}{ANN}")  # Friday 27 Nov, 16:00
    friday = job.next_t
    menu = await open_settings(ann, "Weekly reflection")
    assert "Fridays at 16:00" in menu.text
    days = await tap(ann, menu, "Day: Fri")
    assert "✓ Fri" in days.button_texts
    weekly = await tap(ann, days, "Mon")
    assert "Mondays at 16:00" in weekly.text
    assert nudge_settings(running).weekly_day == 0
    [job] = jobs.get_jobs_by_name(f"{JOB_PREFIX}{ANN}")  # replaced: Monday 30 Nov, 16:00
    assert abs((friday - job.next_t) - timedelta(days=-3)) < timedelta(seconds=30)
    assert running.services.nudging.next_due(ANN).isoformat() == "2026-11-30T16:00:00+00:00"

    times = await tap(ann, weekly, "Time: 16:00")
    weekly = await tap(ann, times, "09:00")
    assert "Mondays at 09:00" in weekly.text
    times = await tap(ann, weekly, "Time: 09:00")
    prompt = await tap(ann, times, "Another time…")
    assert "Type the time for your weekly reflection" in prompt.text
    assert "couldn't read “teatime” as a time" in (await say(ann, "teatime")).text
    done = await say(ann, "7.30pm")
    assert "Weekly reflection: Mondays at 19:30" in done.text
    assert nudge_settings(running).weekly_time == time(19, 30)

    weekly = await tap(ann, done, "Back")
    weekly = await tap(ann, weekly, "Skip that week")
    assert nudge_settings(running).after_reflecting == "skip"
    assert "✓ Skip that week" in weekly.button_texts
    weekly = await tap(ann, weekly, "Turn it off")
    assert "Weekly reflection</b>: off" in weekly.source_text
    assert not nudge_settings(running).weekly_on
    assert not jobs.get_jobs_by_name(f"{JOB_PREFIX}{ANN}")  # nothing to remind of now
    assert running.services.nudging.next_due(ANN) is None


# -- sessions -------------------------------------------------------------------------------


async def add_club(ann: FakeUser) -> BotMessage:
    """Add "Tuesday youth club", Tue and Thu, ending 19:30, by taps and typing."""
    menu = await open_settings(ann, "My sessions")
    prompt = await tap(ann, menu, "Add a session")
    assert "What do you call this session?" in prompt.text
    days = await say(ann, "  Tuesday   youth club ")
    assert "Which days does Tuesday youth club run?" in days.text
    days = await tap(ann, days, "Tue")
    days = await tap(ann, days, "Thu")
    days = await tap(ann, days, "Sat")
    days = await tap(ann, days, "✓ Sat")  # a second tap unticks it
    assert [text for text in days.button_texts if text.startswith("✓")] == ["✓ Tue", "✓ Thu"]
    end = await tap(ann, days, "Done")
    assert "What time does Tuesday youth club end?" in end.text
    assert "couldn't read “half seven” as a time" in (await say(ann, "half seven")).text
    return await say(ann, "7.30pm")


async def test_add_a_session_by_name_days_and_typed_end(ann, running):
    added = await add_club(ann)
    assert "Added Tuesday youth club: Tue, Thu, ends 19:30" in added.text
    assert "30 minutes after it ends" in added.text
    [club] = storage.sessions_of(running.services.db, ANN)
    assert (club.name, club.weekdays, club.end_time) == ("Tuesday youth club", {1, 3}, time(19, 30))
    # Its nudge is next: Tuesday 24 Nov at 20:00, before Friday's weekly reflection.
    assert running.services.nudging.next_due(ANN).isoformat() == "2026-11-24T20:00:00+00:00"


async def test_add_a_session_with_a_preset_end(ann, running):
    menu = await open_settings(ann, "My sessions")
    await tap(ann, menu, "Add a session")
    days = await say(ann, "Saturday drop-in")
    days = await tap(ann, days, "Sat")
    end = await tap(ann, days, "Done")
    sessions = await tap(ann, end, "17:00")
    assert "Added Saturday drop-in: Sat, ends 17:00" in sessions.text
    assert "Saturday drop-in" in sessions.button_texts
    [drop_in] = storage.sessions_of(running.services.db, ANN)
    assert (drop_in.weekdays, drop_in.end_time) == ({5}, time(17))


async def test_done_needs_a_day_and_a_session_left_too_long_is_let_go(ann, running, clock):
    menu = await open_settings(ann, "My sessions")
    await tap(ann, menu, "Add a session")
    days = await say(ann, "Friday group")
    answer = await answer_to(ann, ann.press(days, "Done"))
    assert answer.show_alert and "at least one day" in answer.text
    clock.advance(minutes=11)
    answer = await answer_to(ann, ann.press(days, "Fri"))
    assert answer.show_alert and "start again" in answer.text
    assert storage.sessions_of(running.services.db, ANN) == []


async def test_skip_a_date_and_unskip_it_and_type_another(ann, running):
    await add_club(ann)
    menu = await open_settings(ann, "My sessions")
    club = await tap(ann, menu, "Tuesday youth club")
    dates = ["Tue 24 Nov", "Thu 26 Nov", "Tue 01 Dec", "Thu 03 Dec"]
    assert club.button_texts[:4] == dates
    club = await tap(ann, club, "Thu 26 Nov")
    assert ann.callback_answers[-1].text == "Skipped Thu 26 Nov"
    assert "✗ Thu 26 Nov: skipped" in club.button_texts
    [session] = storage.sessions_of(running.services.db, ANN)
    assert session.skipped == {date(2026, 11, 26)}
    assert running.services.nudging.next_due(ANN).isoformat() == "2026-11-24T20:00:00+00:00"
    club = await tap(ann, club, "✗ Thu 26 Nov: skipped")
    assert ann.callback_answers[-1].text == "Thu 26 Nov is back on"
    assert club.button_texts[:4] == dates
    assert storage.sessions_of(running.services.db, ANN)[0].skipped == set()

    prompt = await tap(ann, club, "Another date…")
    assert "Which date is Tuesday youth club not running?" in prompt.text
    assert "isn't one of the session's days" in (await say(ann, "25 Dec")).text
    assert "couldn't read “someday” as a date" in (await say(ann, "someday")).text
    skipped = await say(ann, "24 Dec")
    assert "no reminder after Tuesday youth club on Thu 24 Dec" in skipped.text
    assert storage.sessions_of(running.services.db, ANN)[0].skipped == {date(2026, 12, 24)}
    club = await tap(ann, skipped, "Back")
    assert "Tuesday youth club" in club.text


async def test_remove_a_session_after_confirming(ann, running):
    await add_club(ann)
    menu = await open_settings(ann, "My sessions")
    club = await tap(ann, menu, "Tuesday youth club")
    ask = await tap(ann, club, "Remove this session")
    assert "Remove Tuesday youth club?" in ask.text
    club = await tap(ann, ask, "No, keep it")
    assert len(storage.sessions_of(running.services.db, ANN)) == 1
    ask = await tap(ann, club, "Remove this session")
    sessions = await tap(ann, ask, "Yes, remove it")
    assert ann.callback_answers[-1].text == "Removed ✓"
    assert "No sessions yet." in sessions.text
    assert storage.sessions_of(running.services.db, ANN) == []
    # A button for it left on an old menu is refused.
    stale = await answer_to(ann, ann.press_raw(ask.message_id, "so:1"))
    assert stale.show_alert and "expired" in stale.text


async def test_after_session_nudges_off_and_on(ann, running):
    sessions = await open_settings(ann, "My sessions")
    sessions = await tap(ann, sessions, "Turn these reminders off")
    assert not nudge_settings(running).sessions_on
    assert "After your sessions</b>: off" in sessions.source_text
    await tap(ann, sessions, "Turn these reminders on")
    assert nudge_settings(running).sessions_on


async def test_another_practitioners_session_is_refused(fake_telegram, running, ann):
    bo = fake_telegram.user(1002, "Bo")
    await agree(bo)
    bos = running.services.nudge_settings.add_session(1002, "Bo's club", frozenset({2}), time(18))
    menu = await open_settings(ann)
    for data in (
        f"so:{bos.id}",
        f"sr:{bos.id}:ask",
        f"sr:{bos.id}:yes",
        f"sk:{bos.id}:20261125:1",
        f"sa:skip_date:{bos.id}",
        "sz:Not/A_Zone",
        "sd:nonsense",
    ):
        answer = await answer_to(ann, ann.press_raw(menu.message_id, data))
        assert answer.show_alert and "That button has expired" in answer.text, data
    [still] = storage.sessions_of(running.services.db, 1002)
    assert still.skipped == frozenset()
    assert running.services.typed_settings.awaiting(ANN) is None
    assert now_of(ann, menu).history == []  # Ann's menu did not change


# -- the question set for reflect-now --------------------------------------------------------


async def test_default_question_set(ann, running):
    menu = await open_settings(ann, "Reflect-now questions")
    assert menu.button_texts == [
        "✓ What? So what? Now what?",
        "Gibbs' reflective cycle",
        "Critical incident",
        "Through their eyes",
        "In the moment",
        "Before supervision",
        "Quick note",
        "‹ Back",
    ]
    summary = await tap(ann, menu, "Gibbs")
    assert "Reflect now asks: Gibbs' reflective cycle" in summary.text
    assert nudge_settings(running).default_set_id == "gibbs"


# -- pause and resume -----------------------------------------------------------------------


async def test_pause_a_week_then_resume(ann, running):
    await ann.send_command("/pause")
    menu = await ann.next_message()
    assert "Pause reminders" in menu.text
    paused = await tap(ann, menu, "1 week")
    assert "no reminders until Sun 29 Nov" in paused.text
    assert "start again on Mon 30 Nov" in paused.text
    assert nudge_settings(running).paused_until == TODAY + timedelta(days=6)
    # Friday's weekly reflection falls in the pause: the next one is a week later.
    assert running.services.nudging.next_due(ANN).isoformat() == "2026-12-04T16:00:00+00:00"
    summary = await open_settings(ann)
    assert "Reminders paused until Sun 29 Nov" in summary.text
    await ann.send_command("/resume")
    resumed = await ann.next_message()
    assert "Reminders are back on. Next one: Fri 27 Nov, 16:00." in resumed.text
    assert nudge_settings(running).paused_until is None
    await ann.send_command("/resume")
    assert "nothing is paused" in (await ann.next_message()).text


async def test_pause_until_a_typed_date_and_resume_by_button(ann, running):
    await ann.send_command("/pause")
    menu = await ann.next_message()
    prompt = await tap(ann, menu, "Until a date…")
    assert "Type the last day you want no reminders" in prompt.text
    assert "That date has passed" in (await say(ann, "1/1/2020")).text
    assert "couldn't read “soon” as a date" in (await say(ann, "soon")).text
    paused = await say(ann, "3 Jan")
    assert "no reminders until Sun 03 Jan" in paused.text
    assert nudge_settings(running).paused_until == date(2027, 1, 3)
    resumed = await tap(ann, paused, "Resume now")
    assert "Reminders are back on" in resumed.text
    assert nudge_settings(running).paused_until is None


# -- typed input and an open reflection ------------------------------------------------------


async def test_a_typed_setting_never_becomes_an_answer_nor_an_answer_a_setting(ann, running, clock):
    first = await reflect_with(ann, "Gibbs")
    assert "question 1 of 6" in first.text
    assert "question 2 of 6" in (await say(ann, "Pool night at the club.")).text
    prompt = await open_settings(ann, "Time zone", "Another…")
    assert "Your unfinished reflection will wait" in prompt.text
    done = await say(ann, "Europe/Berlin")
    assert "Time zone set: Europe/Berlin" in done.text
    again = await ann.next_message()  # back to the reflection
    assert "question 2 of 6" in again.text
    assert "question 3 of 6" in (await say(ann, "I felt anxious.")).text

    # Asked for a setting, then something else first: the next text is an answer again.
    prompt = await open_settings(ann, "Time zone", "Another…")
    await tap(ann, prompt, "Back")
    assert "question 4 of 6" in (await say(ann, "Europe/Rome")).text
    # A wait left for more than 10 minutes is over by itself.
    await open_settings(ann, "Time zone", "Another…")
    clock.advance(minutes=11)
    assert "question 5 of 6" in (await say(ann, "It went better than last week.")).text
    # Prose is never a setting: it goes on to the reflection, and the setting is left.
    await open_settings(ann, "Weekly reflection", "Time: 16:00", "Another time…")
    long_answer = "Setting ground rules together at the start would help: next week we will."
    await ann.send_text(long_answer)
    assert "left the setting as it was" in (await ann.next_message()).text
    assert "question 6 of 6" in (await ann.next_message()).text

    reflection = storage.open_reflection_for(running.services.db, ANN, "open")
    assert [a.text for a in storage.answers_for(running.services.db, reflection.id)] == [
        "Pool night at the club.",
        "I felt anxious.",
        "Europe/Rome",
        "It went better than last week.",
        long_answer,
    ]
    assert timezone(running) == "Europe/Berlin"
    assert nudge_settings(running).weekly_time == time(16)


async def test_cancel_and_other_commands_leave_typed_input(ann, running):
    await open_settings(ann, "Time zone", "Another…")
    await ann.send_command("/cancel")
    assert "left that as it was" in (await ann.next_message()).text
    await ann.send_text("Europe/Rome")
    assert "Time zone set" not in (await ann.next_message()).text  # offered as a note
    await open_settings(ann, "Time zone", "Another…")
    await ann.send_command("/help")
    assert "ReflectBot" in (await ann.next_message()).text
    await ann.send_text("Asia/Tokyo")
    assert "Time zone set" not in (await ann.next_message()).text
    assert timezone(running) == "Europe/London"
