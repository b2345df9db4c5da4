"""Nudges end to end: the real bot's timers fire, the fake Telegram receives the nudge, a
practitioner taps it; restarts neither lose nor repeat a nudge; blocked people are left
alone. The bot runs on a clock that ticks in real time from a chosen moment, so a nudge
falls due a second or two after the bot starts."""

from __future__ import annotations

import asyncio
import time as wallclock
from datetime import UTC, datetime, time, timedelta

import storage
from bot.telegram.nudge_jobs import JOB_PREFIX

from .players import running_bot

TUESDAY = datetime(2026, 12, 1, tzinfo=UTC)  # London is on UTC in December
CLUB_DUE = TUESDAY.replace(hour=20)  # the club ends 19:30; nudged 30 minutes later
FRIDAY_4PM = datetime(2026, 12, 4, 16, tzinfo=UTC)


class TickingClock:
    """Real time, from a chosen moment on; ``jump`` moves it."""

    def __init__(self, start: datetime) -> None:
        self.jump(start)

    def jump(self, moment: datetime) -> None:
        self._start, self._started = moment, wallclock.monotonic()

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=wallclock.monotonic() - self._started)


def practitioner_with_club(bot_settings, user_id: int = 1001) -> int:
    """A consented practitioner with a Tuesday youth club ending 19:30; the club's id."""
    db = storage.open_database(bot_settings.db_path)
    try:
        storage.save_consent(db, user_id, "Ann", "Europe/London", TUESDAY - timedelta(days=30))
        club = storage.add_session(
            db, user_id, "Tuesday youth club", frozenset({1}), time(19, 30), TUESDAY
        )
        return club.id
    finally:
        db.close()


def nudges_of(bot_settings, user_id: int = 1001) -> list[storage.Nudge]:
    db = storage.open_database(bot_settings.db_path)
    try:
        return [
            n
            for status in ("snoozed", "sent", "answered", "replaced", "dropped", "failed")
            for n in storage.nudges_with_status(db, user_id, status)
        ]
    finally:
        db.close()


async def test_a_session_nudge_leads_into_a_reflection_about_that_session(
    fake_telegram, bot_settings
):
    club_id = practitioner_with_club(bot_settings)
    ann = fake_telegram.user(1001, "Ann")
    clock = TickingClock(CLUB_DUE - timedelta(seconds=1.5))
    async with running_bot(fake_telegram, bot_settings, clock) as bot:
        nudge = await ann.next_message(timeout=5)
        assert nudge.text == "How did Tuesday youth club go?"
        assert nudge.button_texts == [
            "✍️ Reflect now",
            "📝 Quick note",
            "Not today",
            "⏰ In an hour",
        ]
        await ann.press(nudge, "✍️ Reflect now")
        question = await ann.next_message()
        assert "What?" in question.text  # the first guided set's first question, asked at once
        assert "3 questions, one at a time. A line or two for each is fine." in question.text
        await ann.wait_for(lambda m: m.message_id == nudge.message_id and m.buttons == [])
        for answer in ("We ran a cooking night.", "They led it.", "Let them plan next week."):
            await ann.send_text(answer)
            await ann.next_message()
        reflection = storage.recent_reflections(bot.services.db, 1001, limit=1)[0]
        assert reflection.session_id == club_id and reflection.status == "done"
        # The timer is set again, for next Tuesday's club.
        (job,) = bot.application.job_queue.get_jobs_by_name(f"{JOB_PREFIX}1001")
        assert job.next_t > datetime.now(UTC) + timedelta(days=2)  # Friday's weekly nudge
    assert [n.status for n in nudges_of(bot_settings)] == ["answered"]


async def test_snooze_asks_again_an_hour_later(fake_telegram, bot_settings):
    practitioner_with_club(bot_settings)
    ann = fake_telegram.user(1001, "Ann")
    clock = TickingClock(CLUB_DUE - timedelta(seconds=1.5))
    async with running_bot(fake_telegram, bot_settings, clock) as bot:
        nudge = await ann.next_message(timeout=5)
        await ann.press(nudge, "⏰ In an hour")
        snoozed = await ann.wait_for(lambda m: m.message_id == nudge.message_id and m.edited)
        assert "I'll ask again at 21:00" in snoozed.text and snoozed.buttons == []
        clock.jump(CLUB_DUE + timedelta(hours=1) - timedelta(seconds=1))
        bot.application.bot_data.nudge_jobs.schedule(1001)
        again = await ann.next_message(timeout=5)
        assert "Tuesday youth club" in again.text and again.buttons
    statuses = sorted(n.status for n in nudges_of(bot_settings))
    assert statuses == ["answered", "sent"]


async def test_a_new_nudge_takes_the_buttons_off_the_unanswered_one(fake_telegram, bot_settings):
    practitioner_with_club(bot_settings)
    ann = fake_telegram.user(1001, "Ann")
    clock = TickingClock(CLUB_DUE - timedelta(seconds=1.5))
    async with running_bot(fake_telegram, bot_settings, clock) as bot:
        first = await ann.next_message(timeout=5)
        assert first.buttons
        clock.jump(FRIDAY_4PM - timedelta(seconds=1))
        bot.application.bot_data.nudge_jobs.schedule(1001)
        weekly = await ann.next_message(timeout=5)
        assert "Your weekly reflection" in weekly.text and "yet." in weekly.text
        assert weekly.button_texts == ["✍️ Answer it", "Not this week", "⏰ In an hour"]
        await ann.wait_for(lambda m: m.message_id == first.message_id and m.buttons == [])
        (replaced,) = [n for n in nudges_of(bot_settings) if n.status == "replaced"]
        await ann.press_raw(first.message_id, f"nu:{replaced.id}:now")
        await fake_telegram.wait_idle()
        assert "passed" in ann.callback_answers[-1].text
        await ann.press(weekly, "✍️ Answer it")
        question = await ann.next_message()
        await ann.send_text("I worked with the housing team on the food larder.")
        await ann.next_message()
        reflection = storage.recent_reflections(bot.services.db, 1001, limit=1)[0]
        assert reflection.prompt_id is not None and question.text.count("?") >= 1
        assert reflection.status in ("done", "pending")


async def test_a_restart_sends_a_missed_nudge_once_and_never_repeats_it(
    fake_telegram, bot_settings
):
    practitioner_with_club(bot_settings)
    ann = fake_telegram.user(1001, "Ann")
    async with running_bot(
        fake_telegram, bot_settings, TickingClock(CLUB_DUE + timedelta(minutes=40))
    ):
        missed = await ann.next_message(timeout=5)
        assert "Tuesday youth club" in missed.text
    # Restarted a minute later, and again: nothing more is sent.
    for minutes in (41, 42):
        async with running_bot(
            fake_telegram, bot_settings, TickingClock(CLUB_DUE + timedelta(minutes=minutes))
        ) as bot:
            await bot.application.bot_data.nudge_jobs.start()
    assert len(ann.messages) == 1
    assert [n.status for n in nudges_of(bot_settings)] == ["sent"]


async def test_a_nudge_more_than_three_hours_late_is_dropped(fake_telegram, bot_settings):
    practitioner_with_club(bot_settings)
    ann = fake_telegram.user(1001, "Ann")
    late = TickingClock(CLUB_DUE + timedelta(hours=3, minutes=1))
    async with running_bot(fake_telegram, bot_settings, late) as bot:
        await bot.application.bot_data.nudge_jobs.start()
    assert ann.messages == [] and nudges_of(bot_settings) == []


async def test_a_practitioner_who_blocked_the_bot_is_not_nudged(fake_telegram, bot_settings):
    practitioner_with_club(bot_settings)
    practitioner_with_club(bot_settings, user_id=1002)
    ann, bo = fake_telegram.user(1001, "Ann"), fake_telegram.user(1002, "Bo")
    ann.block_bot()
    clock = TickingClock(CLUB_DUE - timedelta(seconds=1.5))
    async with running_bot(fake_telegram, bot_settings, clock) as bot:
        await bo.next_message(timeout=5)  # Bo is nudged
        for _ in range(50):
            if [n.status for n in nudges_of(bot_settings, 1001)] == ["failed"]:
                break
            await asyncio.sleep(0.05)
        assert bot.services.users.get(1001).blocked_at is not None  # the 403 was noted
        # Next week, Ann (still marked blocked) is not even tried.
        clock.jump(CLUB_DUE + timedelta(days=7) - timedelta(seconds=1))
        bot.application.bot_data.nudge_jobs.schedule(1001)
        bot.application.bot_data.nudge_jobs.schedule(1002)
        await bo.next_message(timeout=5)
    assert ann.messages == []
    assert [n.status for n in nudges_of(bot_settings, 1001)] == ["failed"]


async def test_the_weekly_nudge_is_softened_after_a_week_with_reflections(
    fake_telegram, bot_settings
):
    db = storage.open_database(bot_settings.db_path)
    storage.save_consent(db, 1001, "Ann", "Europe/London", FRIDAY_4PM - timedelta(days=30))
    done = storage.start_reflection(
        db,
        1001,
        kind="note",
        question_set_id="quick",
        question_set_version=1,
        now=FRIDAY_4PM - timedelta(days=2),
    )
    storage.save_answer(db, done.id, "note", "Drop-in was busy.", FRIDAY_4PM - timedelta(days=2))
    storage.finish_reflection(
        db, done.id, "Drop-in was busy.", FRIDAY_4PM - timedelta(days=2), [], "m", FRIDAY_4PM
    )
    db.close()
    ann = fake_telegram.user(1001, "Ann")
    clock = TickingClock(FRIDAY_4PM - timedelta(seconds=1.5))
    async with running_bot(fake_telegram, bot_settings, clock):
        nudge = await ann.next_message(timeout=5)
        assert nudge.text.startswith("Nice work this week: want to add anything?")
        assert nudge.button_texts == ["📝 Add a note", "Not this week", "⏰ In an hour"]
        await ann.press(nudge, "Not this week")
        await ann.wait_for(lambda m: m.message_id == nudge.message_id and "next week" in m.text)


async def test_reflect_now_with_a_reflection_still_open_offers_to_settle_it_first(
    fake_telegram, bot_settings
):
    practitioner_with_club(bot_settings)
    db = storage.open_database(bot_settings.db_path)
    storage.start_reflection(
        db, 1001, kind="guided", question_set_id="gibbs", question_set_version=1, now=TUESDAY
    )
    db.close()
    ann = fake_telegram.user(1001, "Ann")
    clock = TickingClock(CLUB_DUE - timedelta(seconds=1.5))
    async with running_bot(fake_telegram, bot_settings, clock):
        nudge = await ann.next_message(timeout=5)
        await ann.press(nudge, "✍️ Reflect now")
        offer = await ann.next_message()
        assert "You have an unfinished" in offer.text
        assert "Carry on with it" in offer.button_texts
        await ann.press(offer, "Carry on with it")
        await ann.wait_for(lambda m: "Description" in m.text or "Question 1" in m.text)
    assert [n.status for n in nudges_of(bot_settings)] == ["sent"]  # still to answer
