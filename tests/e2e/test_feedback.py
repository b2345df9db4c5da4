"""A tap on a suggestion is encoded once, stored next to the tag, and counted for later
suggestions, across a restart, without encoding it again."""

from __future__ import annotations

import storage

from .players import agree, running_bot, say

CONFLICT = "Two young people were fighting; I worked towards the resolution of conflict."


async def test_a_confirmed_suggestion_is_stored_as_a_vector_and_loaded_after_a_restart(
    fake_telegram, bot_settings
):
    ann = fake_telegram.user(1001, "Ann")
    async with running_bot(fake_telegram, bot_settings) as running:
        services = running.services
        await agree(ann)
        await ann.send_command("/reflect")
        await ann.press(await ann.next_message(), "Quick note")
        await ann.next_message()
        saved = await say(ann, CONFLICT)
        [reflection] = storage.recent_reflections(services.db, 1001, limit=1)
        first = storage.suggestions_for(services.db, reflection.id)[0].indicator_id
        await ann.press(saved, callback_data=f"tg:{reflection.id}:{first}:c")
        await ann.wait_for(
            lambda m: m.message_id == saved.message_id and f"✅ <b>{first}" in m.source_text
        )
        await services.feedback.settled()
        assert services.db["feedback_vectors"].count == 1
        assert services.feedback.matrix.keys(reflection.id) == {first}
    async with running_bot(fake_telegram, bot_settings) as running:
        services = running.services
        await ann.send_command("/help")  # the bot is up, start-up work under way
        await ann.next_message()
        for _ in range(100):
            if services.feedback.matrix.keys(reflection.id):
                break
            await fake_telegram.wait_idle(quiet=0.05)
        assert services.feedback.matrix.keys(reflection.id) == {first}
        assert len(services.feedback.selection(1001)) == 1
