"""Private by design, end to end: the real bot (PTB over HTTP) against the fake Bot API.

Groups, channels and anonymous admins are refused; practitioners can see, rewrite and
delete what they wrote, withdraw consent with /forget, and get all of it with /mydata.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from datetime import timedelta
from pathlib import Path

import storage
from bot.services.container import Services
from bot.services.privacy import UNSAVED_TEXT_LIFETIME
from bot.telegram.flood import FloodGate
from tests.conftest import FakeClock

from .fake_bot_api import BotMessage, FakeUser
from .players import agree, running_bot, say

CONFLICT = "Two young people were fighting; I worked towards the resolution of conflict."
MARKER = "QUOKKA-MARKER-5521"
HEBREW = "".join(map(chr, range(0x590, 0x5A0)))
ANONYMOUS_ADMIN_ID = 1087968824


async def saved_note(user: FakeUser, text: str) -> BotMessage:
    """A quick note, saved; returns the message with its suggestions."""
    offer = await say(user, text)
    await user.press(offer, "Save as a reflection")
    return await user.wait_for(lambda m: "Saved." in (m.text or "") and bool(m.buttons))


async def newer(user: FakeUser, than: BotMessage, predicate) -> BotMessage:
    """The first bot message after ``than`` that satisfies ``predicate``."""
    return await user.wait_for(
        lambda m: m.message_id > than.message_id and m.text is not None and predicate(m)
    )


def everything_about(services: Services, user_id: int) -> dict:
    """Every stored row about the user but the inbox of updates, which holds each update
    only until it is handled (tested on its own, below)."""
    rows = storage.rows_about(services.db, user_id)
    return {k: v for k, v in rows.items() if v and k != "inbox"}


def raw_database(path: Path) -> bytes:
    data = b""
    for suffix in ("", "-wal"):
        file = Path(f"{path}{suffix}")
        if file.exists():
            data += file.read_bytes()
    return data


# --------------------------------------------------------------------------- groups


async def test_the_bot_added_to_a_group_says_once_where_it_works(fake_telegram, bot):
    ann, bo = fake_telegram.user(1001, "Ann"), fake_telegram.user(1002, "Bo")
    team = fake_telegram.group(-1001234, "Youth team")
    await team.add_bot(ann)
    notice = await team.next_message()
    assert "only work in a private chat" in notice.text
    [[(label, url)]] = [
        [(b["text"], b["url"]) for b in row] for row in notice.reply_markup["inline_keyboard"]
    ]
    assert url == f"https://t.me/{fake_telegram.bot_username}?start=private"
    # Service messages get no reply; neither does being addressed again.
    await team.service_message("new_chat_members", bo)
    await team.service_message("pinned_message", ann, message_id=notice.message_id)
    await team.service_message("new_chat_title", ann, title="Youth team 2027")
    await team.send_text(bo, "/history")
    await team.send_text(bo, f"@{fake_telegram.bot_username} are you there?")
    await team.send_text(bo, "hello", reply_to=notice.message_id)
    await fake_telegram.wait_idle()
    assert len(team.messages) == 1
    # Removed and added again: still only the one notice, ever.
    await team.remove_bot(ann)
    await team.add_bot(ann)
    await fake_telegram.wait_idle()
    assert len(team.messages) == 1
    assert bot.users.get(1001) is None and bot.users.get(1002) is None


async def test_a_group_that_becomes_a_supergroup_is_not_told_again(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    basic = fake_telegram.group(-4567, "Staff", kind="group")
    await basic.add_bot(ann)
    await basic.next_message()  # the one notice
    await basic.send_text(ann, "/poll@SomeOtherBot what time?")  # not addressed to us
    super_group = fake_telegram.group(-1004567, "Staff", kind="supergroup")
    await super_group.add_bot(ann, notify=False)
    for migration in (
        fake_telegram.push_update(
            {
                "message": {
                    "message_id": 90,
                    "date": 0,
                    "chat": basic.chat_json(),
                    "from": ann.to_api(),
                    "migrate_to_chat_id": super_group.id,
                }
            }
        ),
        fake_telegram.push_update(
            {
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": super_group.chat_json(),
                    "from": ann.to_api(),
                    "migrate_from_chat_id": basic.id,
                }
            }
        ),
    ):
        await migration
    await super_group.send_text(ann, "/history")
    await fake_telegram.wait_idle()
    assert len(basic.messages) == 1 and super_group.messages == []


async def test_group_history_shows_nobodys_reflections(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await saved_note(ann, f"{MARKER} {CONFLICT}")
    team = fake_telegram.group(-1005555, "Staff")
    await team.add_bot(ann, notify=False)  # added while an older version was running
    before = everything_about(bot, 1001)
    await team.send_text(ann, f"/history@{fake_telegram.bot_username}")
    notice = await team.next_message()
    assert "only work in a private chat" in notice.text
    await team.send_text(ann, "/history")
    await team.send_text(ann, "/mydata")
    await team.send_text(ann, "/forget")
    await fake_telegram.wait_idle()
    assert len(team.messages) == 1
    assert all(MARKER not in (m.text or m.caption or "") for m in team.messages)
    assert everything_about(bot, 1001) == before


async def test_group_text_during_an_open_private_reflection_is_not_an_answer(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_command("/reflect")
    await ann.press(await ann.next_message(), "What? So what")
    await ann.next_message()
    team = fake_telegram.group(-1007777, "Staff")
    await team.add_bot(ann, notify=False)
    message_id = await team.send_text(ann, "gossip about someone in the group chat")
    await team.edited_text(ann, message_id, "edited gossip")
    await fake_telegram.wait_idle()
    step = bot.reflecting.current_step(1001)
    assert step.number == 1
    assert storage.answers_for(bot.db, step.reflection.id) == []
    assert team.messages == []
    assert "gossip" not in repr(everything_about(bot, 1001))


async def test_a_button_pressed_in_a_group_acts_on_nobodys_data(fake_telegram, bot):
    ann, bo = fake_telegram.user(1001, "Ann"), fake_telegram.user(1002, "Bo")
    await agree(ann)
    await agree(bo)
    saved = await saved_note(ann, CONFLICT)
    rid = storage.recent_reflections(bot.db, 1001, limit=1)[0].id
    team = fake_telegram.group(-1008888, "Staff")
    await team.add_bot(ann, notify=False)
    before_ann, before_bo = everything_about(bot, 1001), everything_about(bot, 1002)
    forged = [f"ho:{rid}", f"ht:{rid}", f"dr:{rid}:yes", f"tg:{rid}:2.6:c", "fg:yes", "hp:0"]
    for data in forged:
        await team.press_raw(bo, saved.message_id, data)  # Bo, with Ann's button data
        await team.press_raw(ann, saved.message_id, data)  # Ann herself, but in the group
    await fake_telegram.wait_idle()
    answers = bo.callback_answers[-len(forged) :] + ann.callback_answers[-len(forged) :]
    assert all("only work in a private chat" in a.text and a.show_alert for a in answers)
    assert team.messages == []
    assert everything_about(bot, 1001) == before_ann
    assert everything_about(bot, 1002) == before_bo


async def test_anonymous_admins_in_two_groups_are_never_a_user(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    groups = [fake_telegram.group(-1001, "North"), fake_telegram.group(-1002, "South")]
    for group in groups:
        await group.add_bot(ann, notify=False)
        await group.send_as_anonymous_admin("/start")
        await group.send_as_anonymous_admin("/history")
        await group.send_as_anonymous_admin("J.S. was upset tonight, I listened")
    await fake_telegram.wait_idle()
    for group in groups:
        assert len(group.messages) == 1 and "private chat" in group.messages[0].text
    assert bot.users.get(ANONYMOUS_ADMIN_ID) is None
    assert bot.db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
    assert bot.db.execute("SELECT COUNT(*) FROM reflections").fetchone()[0] == 0


async def test_a_channel_is_silent(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    channel = fake_telegram.channel(-100999, "Our channel")
    await channel.add_bot(ann)
    post = await channel.post("/history")
    await channel.post("a post about tonight's session")
    await channel.edit_post(post, "/forget")
    team = fake_telegram.group(-100998, "Discussion")
    await team.add_bot(ann, notify=False)
    await team.automatic_forward_from(channel, "/start")
    await fake_telegram.wait_idle()
    assert channel.messages == []
    assert bot.db.execute("SELECT COUNT(*) FROM reflections").fetchone()[0] == 0
    assert bot.users.get(1001) is None


# --------------------------------------------------------------------------- consent


async def test_no_thanks_after_agreeing_explains_forget(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await ann.send_command("/start")
    welcome = await ann.next_message()
    await ann.press(welcome, "I agree")
    await ann.wait_for(lambda m: m.message_id == welcome.message_id and "Thank you" in m.text)
    await ann.send_command("/start")
    await ann.next_message()
    # The first welcome's buttons are gone; a second /start shows "welcome back". Press the
    # stale "No thanks" data directly, as an old client could.
    await ann.press_raw(welcome.message_id, "ok:no")
    explained = await ann.wait_for(lambda m: "/forget" in (m.text or ""))
    assert "You agreed on" in explained.text
    assert bot.users.get(1001) is not None


async def test_forget_deletes_everything_after_a_clear_confirmation(fake_telegram, running):
    bot = running.services
    ann, bo = fake_telegram.user(1001, "Ann"), fake_telegram.user(1002, "Bo")
    await agree(ann)
    await agree(bo)
    saved = await saved_note(ann, f"{MARKER} {CONFLICT}")
    await ann.press(saved, callback_data=saved.buttons[0][0][1])  # confirm the first
    await ann.send_text(f"an unsaved thought {MARKER}")
    await newer(ann, saved, lambda m: m.text == "Save this as a quick reflection?")
    await saved_note(bo, "Bo kept this note")
    await ann.send_command("/forget")
    confirm = await newer(ann, saved, lambda m: "Delete everything?" in m.text)
    assert "1 saved reflection(s)" in confirm.text and "1 unfinished" in confirm.text
    assert "1 confirmed indicator(s)" in confirm.text
    await ann.press(confirm, "Keep my data")
    await ann.wait_for(lambda m: m.message_id == confirm.message_id and "nothing was" in m.text)
    assert bot.users.get(1001) is not None
    await ann.send_command("/forget")
    confirm = await newer(ann, confirm, lambda m: "Delete everything?" in m.text)
    await asyncio.sleep(1.2)  # a person reads before tapping (the stamp is to the second)
    await ann.press(confirm, "Delete everything")
    await ann.wait_for(lambda m: m.message_id == confirm.message_id and "deleted" in m.text)
    assert everything_about(bot, 1001) == {}
    assert MARKER.encode() not in raw_database(bot.settings.db_path)
    assert everything_about(bot, 1002)  # Bo's data stays
    # A stranger again.
    await ann.send_command("/history")
    await newer(ann, confirm, lambda m: "send /start first" in m.text)
    await ann.send_command("/forget")
    await newer(ann, confirm, lambda m: "don't hold anything" in m.text)
    await ann.send_command("/start")
    await newer(ann, confirm, lambda m: "Nothing is stored until you agree" in m.text)


async def test_forget_says_it_is_done_even_if_telegram_fails_mid_reply(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_command("/forget")
    confirm = await ann.next_message()
    for _ in range(4):  # the first try and every retry
        fake_telegram.fail_next("editMessageText", error_code=502, description="Bad Gateway")
    await ann.press(confirm, "Delete everything")
    done = await ann.next_message()
    assert "everything I held about you is deleted" in done.text
    assert "something went wrong" not in " ".join(m.text or "" for m in ann.messages)
    assert bot.users.get(1001) is None


async def test_an_old_forget_confirmation_deletes_nothing_written_since(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_command("/forget")
    confirm = await ann.next_message()
    assert "0 saved reflection(s)" in confirm.text
    await asyncio.sleep(1.1)  # the confirmation is stamped to the second
    await saved_note(ann, CONFLICT)
    await ann.press(confirm, "Delete everything")
    stale = await ann.wait_for(lambda m: m.message_id == confirm.message_id and m.edited)
    assert "Nothing was deleted" in stale.text
    assert storage.count_finished_reflections(bot.db, 1001) == 1


async def test_mydata_sends_everything_as_a_json_document(fake_telegram, bot):
    ann, bo = fake_telegram.user(1001, "Ann"), fake_telegram.user(1002, "Bo")
    await ann.send_command("/mydata")
    assert "don't hold anything" in (await ann.next_message()).text
    await agree(ann)
    await agree(bo)
    await saved_note(ann, CONFLICT)
    await saved_note(bo, "Bo's private note")
    await ann.send_command("/mydata")
    document = await ann.wait_for(lambda m: m.document is not None)
    assert document.document.filename.startswith("reflectbot-my-data-")
    assert "upload_document" in ann.chat_actions
    data = json.loads(document.document.content)
    assert data["tables"]["users"][0]["id"] == 1001
    assert [a["text"] for a in data["tables"]["answers"]] == [CONFLICT]
    assert "Bo's private note" not in document.document.content.decode()
    assert data["indicators"]["2.6"]["text"]


# --------------------------------------------------------------------------- history


async def test_open_edit_and_delete_a_reflection_from_history(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await ann.send_command("/reflect")
    await ann.press(await ann.next_message(), "What? So what")
    await ann.next_message()
    for text in ("We ran the pool night.", "We played pool and had snacks.", "Ground rules."):
        await say(ann, text)
    await ann.send_command("/history")
    page = await ann.next_message()
    await ann.press(page, "📖 1")
    whole = await ann.next_message()
    assert "We ran the pool night." in whole.text and "Ground rules." in whole.text
    assert "What?" in whole.text  # each answer under its question
    # Rewrite the second answer.
    await ann.press(whole, "Edit an answer")
    choice = await ann.next_message()
    assert len(choice.buttons) == 4  # three answers and back
    await ann.press(choice, "2.")
    prompt = await ann.next_message()
    assert "It is now" in prompt.text and "snacks" in prompt.text
    updated = await say(ann, CONFLICT)
    assert "Updated your saved reflection" in updated.text
    reflection = storage.recent_reflections(bot.db, 1001, limit=1)[0]
    assert CONFLICT in reflection.text and "snacks" not in reflection.text
    assert all("snacks" not in s.evidence for s in storage.suggestions_for(bot.db, reflection.id))
    # Delete, after confirming.
    await ann.press(whole, "Delete")
    confirm = await ann.next_message()
    await ann.press(confirm, "Keep it")
    await ann.wait_for(lambda m: m.message_id == confirm.message_id and "Kept" in m.text)
    assert storage.get_reflection(bot.db, reflection.id) is not None
    await ann.press(whole, "Delete")
    confirm = await ann.next_message()
    await ann.press(confirm, "Yes, delete it")
    await ann.wait_for(lambda m: m.message_id == confirm.message_id and "Deleted" in m.text)
    assert storage.get_reflection(bot.db, reflection.id) is None
    await ann.press(whole, "Delete")  # the old message's button: nothing left to delete
    await fake_telegram.wait_idle()
    assert "expired" in ann.callback_answers[-1].text


async def test_starting_a_reflection_ends_a_rewrite_that_was_not_sent(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    saved = await saved_note(ann, CONFLICT)
    await ann.send_command("/history")
    listing = await newer(ann, saved, lambda m: "Your reflections" in m.text)
    await ann.press(listing, "📖 1")
    whole = await newer(ann, listing, lambda m: CONFLICT in m.text)
    await ann.press(whole, "Edit an answer")
    await newer(ann, whole, lambda m: "new wording" in m.text)
    await ann.send_command("/reflect")  # changed their mind: a new reflection instead
    menu = await newer(ann, whole, lambda m: "Which kind of reflection?" in m.text)
    await ann.press(menu, "What? So what")
    await newer(ann, menu, lambda m: "question 1 of 3" in m.text)
    await ann.send_text("We ran the pool night.")
    await newer(ann, menu, lambda m: "question 2 of 3" in m.text)
    old = storage.recent_reflections(bot.db, 1001, limit=1)[0]
    assert old.text == CONFLICT  # not overwritten by the new reflection's answer


async def test_any_other_button_or_command_ends_a_rewrite(fake_telegram, bot):
    """Asked to rewrite an answer, the practitioner carries on with an open reflection
    from an older button instead: their next answer goes to the reflection."""
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    saved = await saved_note(ann, CONFLICT)
    await ann.send_command("/reflect")
    menu = await newer(ann, saved, lambda m: "Which kind of reflection?" in m.text)
    await ann.press(menu, "What? So what")
    await newer(ann, menu, lambda m: "question 1 of 3" in m.text)
    await ann.send_command("/reflect")
    prompt = await newer(ann, menu, lambda m: "unfinished" in m.text)
    await ann.send_command("/history")
    listing = await newer(ann, prompt, lambda m: "Your reflections" in m.text)
    await ann.press(listing, "📖 1")
    whole = await newer(ann, listing, lambda m: CONFLICT in m.text)
    await ann.press(whole, "Edit an answer")
    await newer(ann, whole, lambda m: "new wording" in m.text)
    await ann.press(prompt, "Carry on with it")
    await newer(ann, whole, lambda m: "question 1 of 3" in m.text)
    await ann.send_text("We ran the pool night.")
    await newer(ann, whole, lambda m: "question 2 of 3" in m.text)
    assert storage.recent_reflections(bot.db, 1001, limit=1)[0].text == CONFLICT


async def test_reflect_waits_until_held_text_is_decided(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    held = await say(ann, "Jamie Fraser was upset tonight")
    await ann.send_command("/reflect")
    await newer(ann, held, lambda m: "choose what to do with your last message" in m.text)
    await ann.press(held, "Keep as written")
    offer = await newer(ann, held, lambda m: m.text == "Save this as a quick reflection?")
    assert offer.buttons  # still a note: it never became the answer to a new question
    assert bot.reflecting.open_reflection(1001) is None


async def test_a_very_long_reflection_opens_in_several_messages(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    long_text = ("We talked for a long time about the summer trip and the rota. " * 63)[:4000]
    await ann.send_command("/reflect")
    await ann.press(await ann.next_message(), "What? So what")
    await ann.next_message()
    for number in range(3):
        await say(ann, f"{number}. {long_text[:-5]}")
    await ann.send_command("/history")
    listing = await ann.next_message()
    await ann.press(listing, "📖 1")
    await fake_telegram.wait_idle()
    pages = [m for m in ann.messages if m.message_id > listing.message_id]
    assert len(pages) > 3
    assert all(len(m.text) <= 4096 for m in pages)
    assert all(m.buttons == [] for m in pages[:-1]) and pages[-1].buttons
    assert sum(m.text.count("summer trip") for m in pages) == 3 * long_text.count("summer trip")


# --------------------------------------------------------------------------- the guard


async def test_a_name_is_pointed_out_and_replaced_with_initials(fake_telegram, bot):
    ann = fake_telegram.user(
        1001,
        "Ann",
    )
    await agree(ann)
    held = await say(ann, "Jamie Fraser lost his temper at the pool table, I calmed him.")
    assert "“Jamie Fraser”: a full name" in held.text
    assert "J.F. lost his temper" in held.text
    assert held.button_texts == ["Replace with initials", "Keep as written", "Let me rewrite"]
    assert everything_about(bot, 1001).keys() == {"users", "held_texts"}
    await ann.press(held, "Replace with initials")
    await ann.wait_for(lambda m: m.message_id == held.message_id and "initials" in m.text)
    offer = await ann.next_message()
    assert offer.text == "Save this as a quick reflection?"
    note = storage.open_reflection_for(bot.db, 1001, "pending")
    assert bot.reflecting.note_text(note.id).startswith("J.F. lost his temper")
    assert "Jamie" not in repr(everything_about(bot, 1001))


async def test_let_me_rewrite_keeps_nothing(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    held = await say(ann, "Call Karen Doyle on 07700 900123 about the trip")
    assert "a phone number" in held.text
    await ann.press(held, "Let me rewrite")
    await ann.wait_for(lambda m: m.message_id == held.message_id and "haven't kept" in m.text)
    assert everything_about(bot, 1001).keys() == {"users"}


async def test_a_guard_button_decides_only_the_text_it_was_shown_for(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    first = await say(ann, "Jamie Fraser was upset tonight")
    await ann.send_command("/cancel")
    await newer(ann, first, lambda m: "didn't keep" in m.text)
    await ann.send_text("Karen Doyle phoned from 07700 900123 about the trip")
    second = await newer(ann, first, lambda m: "Karen Doyle" in m.text)
    await ann.press(first, "Keep as written")
    await fake_telegram.wait_idle()
    assert "expired" in ann.callback_answers[-1].text
    assert everything_about(bot, 1001).keys() == {"users", "held_texts"}
    await ann.send_command("/skip")  # a held message must be decided first
    await newer(ann, second, lambda m: "choose what to do with your last message" in m.text)
    await ann.press(second, "Replace with initials")
    await newer(ann, second, lambda m: m.text == "Save this as a quick reflection?")
    note = storage.open_reflection_for(bot.db, 1001, "pending")
    assert bot.reflecting.note_text(note.id) == "K.D. phoned from [phone number] about the trip"


async def test_a_pasted_contact_list_gets_a_question_that_fits(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    contacts = "\n".join(f"Jamie Fraser{n} 07700 900{n:03d}" for n in range(55))
    held = await say(ann, contacts)
    assert "and 98 more" in held.text  # 110 findings, 12 listed
    assert len(held.buttons) == 3
    await ann.send_command("/cancel")
    await newer(ann, held, lambda m: "didn't keep" in m.text)
    await fake_telegram.wait_idle()
    assert everything_about(bot, 1001).keys() == {"users"}


# --------------------------------------------------------------------------- bad input


async def test_content_free_messages_and_empty_buttons_store_nothing(fake_telegram, bot):
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    for text in ["\u200b\u200b", "\u200f", "\x00", "\u2060 \ufeff"]:
        reply = await say(ann, text)
        assert "nothing I could read" in reply.text
    await ann.press_raw(1, "")
    await ann.press_game(1)
    await fake_telegram.wait_idle()
    assert all("no action" in a.text for a in ann.callback_answers[-2:])
    assert everything_about(bot, 1001).keys() == {"users"}


async def test_a_flood_gets_one_clear_answer_and_nothing_is_stored(fake_telegram, running):
    bot = running.services
    clock_now = [0.0]
    running.application.bot_data.flood = FloodGate(
        burst=3, refill_seconds=60, clock=lambda: clock_now[0]
    )
    ann = fake_telegram.user(1001, "Ann")
    await ann.send_command("/start")
    await ann.press(await ann.next_message(), "I agree")  # 2 of 3
    await fake_telegram.wait_idle()
    for n in range(8):
        await ann.send_text(f"flood message {n}")
    await fake_telegram.wait_idle()
    texts = [m.text for m in ann.messages]
    assert sum("faster than I can take them in" in t for t in texts) == 1
    stored = repr(everything_about(bot, 1001))
    assert "flood message 0" in stored and "flood message 1" not in stored
    clock_now[0] += 120  # a minute or two later, the practitioner is heard again
    reply = await say(ann, "back again")
    assert reply.text == "Save this as a quick reflection?"


# --------------------------------------------------------------------------- unsaved notes


async def test_unsaved_notes_are_deleted_after_24_hours_by_the_job_and_at_start_up(
    fake_telegram, bot_settings
):
    clock = FakeClock()
    ann = fake_telegram.user(1001, "Ann")
    async with running_bot(fake_telegram, bot_settings, clock) as running:
        await agree(ann)
        await say(ann, f"unsaved {MARKER}")
        assert running.application.job_queue.get_jobs_by_name("purge-unsaved")
        await say(ann, "second unsaved note")
    clock.advance(seconds=UNSAVED_TEXT_LIFETIME.total_seconds() + 1)
    async with running_bot(fake_telegram, bot_settings, clock) as running:
        assert storage.rows_about(running.services.db, 1001)["reflections"] == []
        assert MARKER.encode() not in raw_database(bot_settings.db_path)
    async with running_bot(
        fake_telegram,
        bot_settings,
        clock,
        purge_interval=timedelta(seconds=0.2),
    ) as running:
        await say(ann, "a third unsaved note")
        clock.advance(hours=25)
        for _ in range(50):
            if not storage.rows_about(running.services.db, 1001)["reflections"]:
                break
            await asyncio.sleep(0.1)
        assert storage.rows_about(running.services.db, 1001)["reflections"] == []


async def test_the_database_file_is_private(bot_settings, running):
    mode = os.stat(bot_settings.db_path).st_mode & 0o777
    assert mode == 0o600
    assert os.stat(bot_settings.db_path.parent).st_mode & 0o777 == 0o700


async def test_the_inbox_keeps_no_content_once_an_update_is_handled(fake_telegram, running):
    bot = running.services
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    await say(ann, f"a thought {MARKER}")
    await fake_telegram.wait_idle()
    inbox = storage.rows_about(bot.db, 1001)["inbox"]
    assert inbox and all(row["payload"] is None and row["handled_at"] for row in inbox)
    assert MARKER not in repr(inbox)
    team = fake_telegram.group(-100777, "Team")
    await team.add_bot(ann, notify=False)
    await team.send_text(ann, f"group chatter {MARKER}")
    await fake_telegram.wait_idle()
    assert bot.db.execute("SELECT COUNT(*) FROM inbox WHERE user_id IS NULL").fetchone()[0] == 0
    assert len(storage.rows_about(bot.db, 1001)["inbox"]) == len(inbox)  # not written down


async def test_no_input_raises_out_of_a_handler(fake_telegram, bot, caplog):
    """Random text, commands and button data (seeded, so a failure can be replayed):
    every update is answered or ignored, none reaches the error handler."""
    rng = random.Random(20261127)
    alphabet = "aZ 09/:.@_-\n\u200b\u200f\x00é😀<>&'\"" + HEBREW
    ann = fake_telegram.user(1001, "Ann")
    await agree(ann)
    for _ in range(40):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        if rng.random() < 0.3:
            text = "/" + text
        await ann.send_text(text)
        data = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 64)))
        await ann.press_raw(1, data.encode()[:64].decode(errors="ignore"))
        await fake_telegram.wait_idle(quiet=0.05)
        held = bot.intake.waiting(1001)
        if held is not None:
            await bot.intake.resolve(1001, "rewrite")
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [], [r.getMessage() for r in errors]
