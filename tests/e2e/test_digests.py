"""Weekly digests end to end: the real bot's timers on a clock that ticks from just before
a supervisor's digest (Monday 30 November 2026, 09:00 in London), against the fake Bot
API; and no second digest for the same week after a restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import storage
from bot.telegram.digest_jobs import JOB_PREFIX

from .players import running_bot
from .test_nudges import TickingClock

ANN, SAM = 1001, 2001
DUE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 09:00 in London (GMT)
PRIVATE = "PRIVATE-WORDS-5521 about a young person at home"
SHARED = "The youth forum set its own agenda and ran the meeting."


def prepare(bot_settings) -> dict[str, int]:
    """Ann, supervised by Sam, wrote three reflections this week: one shared in full, one
    private, one private but flagged to discuss."""
    db = storage.open_database(bot_settings.db_path)
    try:
        start = DUE - timedelta(days=20)
        storage.save_consent(db, ANN, "Ann", "Europe/London", start)
        storage.save_consent(db, SAM, "Sam", "Europe/London", start)
        for user_id in (ANN, SAM):  # no Friday nudges in the way
            storage.change_nudge_settings(db, user_id, start, weekly_on=False)
        invitation = storage.add_invitation(db, ANN, "hash", False, start, start + timedelta(7))
        storage.accept_invitation(db, invitation.id, SAM, start)
        ids = {}
        for name, text, days_ago in (
            ("shared", SHARED, 2),
            ("private", PRIVATE, 3),
            ("discuss", PRIVATE + " (to discuss)", 4),
        ):
            moment = DUE - timedelta(days=days_ago)
            reflection = storage.start_reflection(
                db, ANN, kind="note", question_set_id="quick", question_set_version=1, now=moment
            )
            storage.save_answer(db, reflection.id, "note", text, moment)
            storage.finish_reflection(db, reflection.id, text, moment, [], "seed", moment)
            storage.set_tag(db, reflection.id, "2.3", "confirmed", moment)
            ids[name] = reflection.id
        storage.set_sharing(db, storage.Sharing(ids["shared"], in_full=True), DUE)
        storage.set_sharing(db, storage.Sharing(ids["discuss"], to_discuss=True), DUE)
        return ids
    finally:
        db.close()


async def test_the_supervisor_gets_the_digest_once_and_reads_what_was_shared(
    fake_telegram, bot_settings
):
    ids = prepare(bot_settings)
    sam = fake_telegram.user(SAM, "Sam")
    clock = TickingClock(DUE - timedelta(seconds=1.5))
    async with running_bot(fake_telegram, bot_settings, clock) as bot:
        digest = await sam.next_message(timeout=10)
        assert "Supervision digest" in digest.text
        assert "Ann" in digest.text and "3 reflections this week" in digest.text
        assert "youth forum set its own agenda" in digest.text  # the shared one's excerpt
        assert "PRIVATE-WORDS" not in digest.text and "PRIVATE-WORDS" not in repr(
            digest.reply_markup
        )
        assert "💬 To discuss" in digest.text
        [read] = [label for label in digest.button_texts if label.startswith("👁")]
        await sam.press(digest, read)
        whole = await sam.next_message()
        assert SHARED in whole.text
        (job,) = bot.application.job_queue.get_jobs_by_name(f"{JOB_PREFIX}{SAM}")
        assert job.next_t > datetime.now(UTC) + timedelta(days=6)  # next Monday
        assert storage.digest_for(bot.services.db, SAM, "2026-W49").status == "sent"
    # Started again later that Monday: the week's digest went already.
    clock.jump(DUE + timedelta(hours=2))
    async with running_bot(fake_telegram, bot_settings, clock) as bot:
        await bot.application.bot_data.digest_jobs.start()
        await fake_telegram.wait_idle()
    digests = [m for m in sam.messages if "Supervision digest" in (m.text or "")]
    assert len(digests) == 1
    assert all("PRIVATE-WORDS" not in (m.text or "") for m in sam.messages)
    assert not any(f"rs:{ids['private']}" in repr(m.reply_markup) for m in sam.messages)


async def test_a_supervisor_whose_link_ended_gets_no_digest_of_that_supervisee(
    fake_telegram, bot_settings
):
    prepare(bot_settings)
    db = storage.open_database(bot_settings.db_path)
    try:
        [link] = storage.active_links(db, practitioner_id=ANN)
        storage.end_link(db, link.id, ANN, DUE - timedelta(hours=1))
    finally:
        db.close()
    sam = fake_telegram.user(SAM, "Sam")
    clock = TickingClock(DUE - timedelta(seconds=1.5))
    async with running_bot(fake_telegram, bot_settings, clock) as bot:
        assert bot.application.job_queue.get_jobs_by_name(f"{JOB_PREFIX}{SAM}") == ()
        await asyncio.sleep(2)  # past the digest's minute
        await fake_telegram.wait_idle()
    assert sam.messages == []
