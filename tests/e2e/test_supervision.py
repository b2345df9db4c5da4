"""Supervision end to end: the real bot against the fake Bot API, on a fake clock stopped
at Monday 23 November 2026, 18:30 in London. A practitioner invites a supervisor, who
accepts (after onboarding, if new); sharing; ending the link; refused invitations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import storage

from .fake_bot_api import BotMessage, FakeUser
from .players import agree, answer_to, say, tap

ANN, SAM, CY = 1001, 2001, 3001  # a practitioner, her supervisor, someone else
NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


@pytest.fixture
def running(bot_and_clock):
    return bot_and_clock[0]


@pytest.fixture
async def ann(fake_telegram, running) -> FakeUser:
    user = fake_telegram.user(ANN, "Ann")
    await agree(user)
    return user


def db(running):
    return running.services.db


async def invitation(ann: FakeUser, button: str = "Invite a supervisor") -> str:
    """/supervisor, a tap; the token of the link the bot gives."""
    await ann.send_command("/supervisor")
    menu = await ann.next_message()
    assert "never the text of a reflection unless you share it" in menu.text
    await ann.press(menu, button)
    made = await ann.next_message()
    link = next(word for word in made.text.split() if word.startswith("https://t.me/"))
    token = link.split("?start=")[1]
    share = made.reply_markup["inline_keyboard"][0][0]["url"]
    assert share.startswith("https://t.me/share/url?url=https%3A%2F%2Ft.me%2F")
    return token


async def accept(user: FakeUser, token: str, inviter: FakeUser) -> BotMessage:
    """Open the invitation link (an agreed user) and tap Accept; the bot's reply, once
    the inviter was told."""
    await user.send_command("/start", token)
    offer = await user.next_message()
    assert "invites you to be their supervisor" in offer.text
    accepted = await tap(user, offer, "Accept")
    told = await inviter.next_message()
    assert "accepted your invitation" in told.text
    return accepted


async def test_a_new_supervisor_onboards_then_accepts_and_both_are_told(
    fake_telegram, ann, running
):
    token = await invitation(ann)
    stored = [dict(row) for row in db(running).query("SELECT * FROM supervision_invitations")]
    assert token not in repr(stored)  # only its hash is kept
    sam = fake_telegram.user(SAM, "Sam")
    await sam.send_command("/start", token)
    welcome = await sam.next_message()
    assert "Nothing is stored until you agree" in welcome.text
    assert storage.get_user(db(running), SAM) is None
    await sam.press(welcome, "I agree")
    offer = await sam.wait_for(lambda m: "invites you to be their supervisor" in (m.text or ""))
    assert "<b>Ann</b> invites you" in offer.source_text
    assert "whole text only of reflections they choose to share" in offer.text
    accepted = await tap(sam, offer, "Accept")
    assert "You now supervise Ann." in accepted.text
    told = await ann.wait_for(lambda m: "accepted your invitation" in (m.text or ""))
    assert "Sam accepted your invitation and is now your supervisor." in told.text
    [link] = storage.active_links(db(running), practitioner_id=ANN)
    assert (link.supervisor_id, link.verifier) == (SAM, False)


async def test_refused_invitations_link_nobody(fake_telegram, ann, running, clock):
    token = await invitation(ann)
    await ann.send_command("/start", token)
    assert "That's your own invitation" in (await ann.next_message()).text
    cy = fake_telegram.user(CY, "Cy")
    await agree(cy)
    for forged in ("A" * 32, "x" * 31 + "!", token[:-1] + ("A" if token[-1] != "A" else "B")):
        await cy.send_command("/start", forged)
        reply = await cy.next_message()
        assert "isn't valid" in reply.text or "Welcome back" in reply.text, forged
    sam = fake_telegram.user(SAM, "Sam")
    await agree(sam)
    await accept(sam, token, ann)
    await cy.send_command("/start", token)
    assert "has been used already" in (await cy.next_message()).text
    late = await invitation(ann)
    clock.advance(days=7)
    await cy.send_command("/start", late)
    assert "has expired" in (await cy.next_message()).text
    forged_answer = await answer_to(cy, cy.press_raw(1, f"ia:yes:{'B' * 32}"))
    assert forged_answer.show_alert and "isn't valid" in forged_answer.text
    assert [
        link.supervisor_id for link in storage.active_links(db(running), practitioner_id=ANN)
    ] == [SAM]
    assert storage.active_links(db(running), supervisor_id=CY) == []


async def test_sharing_ending_and_forged_buttons(fake_telegram, ann, running):
    sam = fake_telegram.user(SAM, "Sam")
    await agree(sam)
    await accept(sam, await invitation(ann, "Invite my registration verifier"), ann)
    [link] = storage.active_links(db(running), practitioner_id=ANN)
    assert link.verifier

    saved_offer = await say(ann, "Quiet night at the drop-in; two new young people came.")
    await ann.press(saved_offer, "Save")
    share = await ann.wait_for(lambda m: "Share this reflection" in (m.text or ""))
    [reflection] = storage.recent_reflections(db(running), ANN, limit=1)
    shared = await tap(ann, share, "👁 Share it in full")
    assert "Shared in full with your supervisors." in shared.text
    assert storage.sharing_of(db(running), reflection.id).in_full
    flagged = await tap(ann, shared, "💬 To discuss")
    assert "Flagged to discuss in supervision." in flagged.text
    assert (
        running.services.supervision.shared_with(SAM, reflection.id).reflection.id == reflection.id
    )

    cy = fake_telegram.user(CY, "Cy")
    await agree(cy)
    for data in (f"sh:{reflection.id}:private", f"lk:{link.id}:end_yes", f"lk:{link.id}:end"):
        answer = await answer_to(cy, cy.press_raw(1, data))
        assert answer.show_alert and "expired" in answer.text, data
    assert storage.sharing_of(db(running), reflection.id).in_full

    await sam.send_command("/supervisors")
    listing = await sam.next_message()
    assert (
        "You supervise" in listing.text
        and "Ann, since 23 Nov 2026 (registration verifier)" in listing.text
    )
    await sam.press(listing, "End: Ann")
    ask = await sam.next_message()
    ended = await tap(sam, ask, "Yes, end it")
    assert "nothing more is shared with Ann" in ended.text
    told = await ann.wait_for(lambda m: "ended the supervision link" in (m.text or ""))
    assert "Sam ended the supervision link: they see nothing more" in told.text
    ann.mark_read()
    with pytest.raises(Exception, match="not shared"):
        running.services.supervision.shared_with(SAM, reflection.id)
    await ann.send_command("/supervisors")
    assert "You have no supervisors here yet" in (await ann.next_message()).text


async def test_sharing_by_default_and_in_history(fake_telegram, ann, running):
    sam = fake_telegram.user(SAM, "Sam")
    await agree(sam)
    await accept(sam, await invitation(ann), ann)
    await ann.send_command("/settings")
    summary = await ann.next_message()
    assert "New reflections shared with supervisors: off" in summary.text
    menu = await tap(ann, summary, "👥 Supervision")
    menu = await tap(ann, menu, "Share new reflections in full")
    assert "Share every new reflection in full: on" in menu.text
    offer = await say(ann, "Planning session with the youth forum went well.")
    await ann.press(offer, "Save")
    share = await ann.wait_for(lambda m: "Share this reflection" in (m.text or ""))
    assert "Shared in full with your supervisors." in share.text
    ann.mark_read()
    await ann.send_command("/history")
    listing = await ann.next_message()
    await ann.press(listing, "📖 1")
    detail = await ann.next_message()
    assert "👁 Shared in full with your supervisors" in detail.text
    assert "🙈 Stop sharing" in detail.button_texts


async def test_supervision_needs_consent_and_a_private_chat(fake_telegram, ann, running):
    stranger = fake_telegram.user(CY, "Cy")
    await stranger.send_command("/supervisor")
    assert "Please send /start first" in (await stranger.next_message()).text
    team = fake_telegram.group(-1001234, "Youth team")
    await team.add_bot(ann)
    await team.next_message()
    await team.send_text(ann, "/supervisor")
    await team.press_raw(ann, 1, "in:p")
    await fake_telegram.wait_idle()
    assert len(team.messages) == 1
    assert list(db(running).query("SELECT * FROM supervision_invitations")) == []


async def test_the_invitation_link_names_this_bot(fake_telegram, ann):
    await ann.send_command("/supervisor")
    menu = await ann.next_message()
    await ann.press(menu, "Invite a supervisor")
    made = await ann.next_message()
    assert f"https://t.me/{fake_telegram.bot_username}?start=" in made.text
    assert "It works once, until 30 Nov 2026, 18:30" in made.text


async def test_an_invitation_still_works_just_before_it_expires(fake_telegram, ann, clock):
    token = await invitation(ann)
    clock.advance(days=6, hours=23, minutes=59)
    sam = fake_telegram.user(SAM, "Sam")
    await agree(sam)
    accepted = await accept(sam, token, ann)
    assert "You now supervise Ann." in accepted.text


async def test_the_supervisor_sees_the_overview_reads_what_is_shared_and_comments(
    fake_telegram, ann, running
):
    sam = fake_telegram.user(SAM, "Sam")
    await agree(sam)
    await accept(sam, await invitation(ann), ann)
    private_words = "Private: a hard night, not for sharing yet."
    for offers, text in enumerate((private_words, "Shared: the youth forum chose its own agenda.")):
        offer = await say(ann, text)
        await ann.press(offer, "Save")
        await ann.wait_for(
            lambda m, n=offers: (
                sum("Share this reflection" in (x.text or "") for x in ann.messages) > n
            )
        )
        ann.mark_read()
    shared_id, private_id = (r.id for r in storage.recent_reflections(db(running), ANN, limit=2))
    running.services.supervision.share(ANN, shared_id, in_full=True, to_discuss=True)

    await sam.send_command("/supervisors")
    listing = await sam.next_message()
    await sam.press(listing, "📖 Ann")
    overview = await sam.next_message()
    assert "Ann: the last 4 weeks" in overview.text
    assert overview.text.count("• Mon 23 Nov 2026, 18:30 · Quick note") == 2  # dates, kinds
    assert "👁 💬" in overview.text
    assert "Private" not in overview.text and "youth forum" not in overview.text  # no text
    assert overview.button_texts == ["👁 23 Nov 2026"]
    await sam.press(overview, "👁 23 Nov 2026")
    read = await sam.next_message()
    assert "Shared: the youth forum chose its own agenda." in read.text
    assert "💬 to discuss" in read.text
    answer = await answer_to(sam, sam.press_raw(read.message_id, f"rs:{private_id}"))
    assert answer.show_alert and "expired" in answer.text  # not shared: not readable
    await sam.press(read, "💬 Comment")
    ask = await sam.next_message()
    assert "Type your comment on Ann's reflection" in ask.text
    sent = await say(sam, "Great that they set the agenda.\nLet's talk about how you held back.")
    assert "Sent to Ann" in sent.text
    told = await ann.wait_for(lambda m: "commented on your reflection" in (m.text or ""))
    assert "Sam commented on your reflection of 23 Nov 2026" in told.text
    assert "Let's talk about how you held back." in told.text
    [comment] = storage.comments_on(db(running), shared_id)
    assert comment.supervisor_id == SAM and "held back" in comment.text
    assert storage.count_finished_reflections(db(running), SAM) == 0  # not taken as a note

    running.services.supervision.share(ANN, shared_id, in_full=False)
    answer = await answer_to(sam, sam.press_raw(read.message_id, f"cm:{shared_id}"))
    assert answer.show_alert and "expired" in answer.text  # unshared: no more comments


async def test_a_verified_review_recorded_accepted_and_in_the_export(fake_telegram, ann, running):
    sam = fake_telegram.user(SAM, "Sam")
    await agree(sam)
    await accept(sam, await invitation(ann, "Invite my registration verifier"), ann)
    await sam.send_command("/supervisors")
    listing = await sam.next_message()
    await sam.press(listing, "✅ Record a review: Ann")
    ask = await sam.next_message()
    assert "When did you discuss it with them?" in ask.text
    note_ask = await tap(sam, ask, "Yesterday")
    assert "Discussed on 22 Nov 2026." in note_ask.text
    recorded = await say(sam, "We went through the trauma-informed course\nand two reflections.")
    assert "Recorded: you discussed Ann's professional learning on 22 Nov 2026" in recorded.text
    told = await ann.next_message()
    assert "Sam, your registration verifier, recorded that you discussed" in told.text
    assert "two reflections" in told.text
    answered = await tap(ann, told, "✅ Accept")
    assert "Accepted" in answered.text
    assert "Ann accepted your review of 22 Nov 2026" in (await sam.next_message()).text
    [review] = storage.verified_reviews_of(db(running), ANN)
    assert review.accepted_at is not None and review.verifier_name == "Sam"
    again = await answer_to(ann, ann.press_raw(told.message_id, f"ra:{review.id}:no"))
    assert again.show_alert  # answered once only

    note = storage.start_reflection(
        db(running), ANN, kind="note", question_set_id="quick", question_set_version=1, now=NOW
    )
    storage.save_answer(db(running), note.id, "note", "Course day.", NOW)
    storage.finish_reflection(db(running), note.id, "Course day.", NOW, [], "seed", NOW)
    portfolio = running.services.exporting.portfolio(
        storage.get_user(db(running), ANN),
        running.services.exporting.period(storage.get_user(db(running), ANN), "all"),
    )
    assert [(v.verifier, v.accepted) for v in portfolio.verifications] == [("Sam", True)]
    assert "two reflections" in portfolio.verifications[0].note


async def test_only_the_verifier_records_a_review_and_dates_are_checked(
    fake_telegram, ann, running
):
    sam = fake_telegram.user(SAM, "Sam")
    await agree(sam)
    await accept(sam, await invitation(ann), ann)  # a supervisor, not the verifier
    [link] = storage.active_links(db(running), practitioner_id=ANN)
    answer = await answer_to(sam, sam.press_raw(1, f"rv:{link.id}:ask"))
    assert answer.show_alert and "expired" in answer.text
    running.services.supervision.set_verifier(ANN, link.id, True)
    await sam.send_command("/supervisors")
    listing = await sam.next_message()
    await sam.press(listing, "✅ Record a review: Ann")
    ask = await sam.next_message()
    typed = await tap(sam, ask, "Another date…")
    assert "Type the date you discussed it" in typed.text
    assert "can't be in the future" in (await say(sam, "24/12/2026")).text
    note_ask = await say(sam, "20 Nov")
    assert "Discussed on 20 Nov 2026." in note_ask.text
    recorded = await tap(sam, note_ask, "No note")
    assert "on 20 Nov 2026" in recorded.text
    [review] = storage.verified_reviews_of(db(running), ANN)
    assert review.note == "" and review.accepted_at is None
    cy = fake_telegram.user(CY, "Cy")
    await agree(cy)
    answer = await answer_to(cy, cy.press_raw(1, f"ra:{review.id}:yes"))
    assert answer.show_alert and "expired" in answer.text
    assert storage.get_verified_review(db(running), review.id).accepted_at is None


async def test_forgetting_ends_the_links_and_tells_the_other_side(
    fake_telegram, ann, running, clock
):
    sam = fake_telegram.user(SAM, "Sam")
    await agree(sam)
    await accept(sam, await invitation(ann), ann)
    cy = fake_telegram.user(CY, "Cy")
    await agree(cy)
    await accept(ann, await invitation(cy), cy)  # Ann supervises Cy too
    sam.mark_read()
    cy.mark_read()
    clock.advance(seconds=2)  # the confirmation comes after what Ann wrote
    await ann.send_command("/forget")
    confirm = await ann.wait_for(lambda m: "Delete everything?" in (m.text or ""))
    await ann.press(confirm, "Delete everything")
    await ann.wait_for(lambda m: m.message_id == confirm.message_id and "deleted" in m.text)
    told_sam = await sam.next_message()
    assert "Ann deleted everything they had stored here" in told_sam.text
    assert "you will see nothing more of their reflections" in told_sam.text
    told_cy = await cy.next_message()
    assert "your supervision link with them has ended" in told_cy.text
    assert storage.active_links(db(running), supervisor_id=SAM) == []
    assert storage.active_links(db(running), practitioner_id=CY) == []
