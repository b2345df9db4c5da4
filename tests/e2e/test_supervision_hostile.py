"""Supervision against people it should refuse, end to end: the real bot against the fake
Bot API, on a fake clock stopped at Sunday 22 November 2026, 18:30 in London.

Ann is a practitioner; Sam her supervisor and registration verifier; Cy a stranger who
agreed to storage; Dee someone who never did. Every kind of supervision button, with data
naming Ann's reflection, link, review or invitation, is refused when Cy or Dee presses it,
or when anyone presses it in a group: nothing changes and nothing of Ann's reaches them.
Sam's old buttons stop working the moment the link ends; an invitation links one person,
once, and its token is never logged or stored."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

import storage
from bot.services.supervision import TOKEN_SHAPE
from bot.telegram.digest_jobs import JOB_PREFIX
from bot.telegram.flood import FloodGate
from tests.conftest import FakeClock

from .fake_bot_api import FakeUser
from .players import agree, answer_to, running_bot, say, tap

ANN, SAM, CY, DEE = 1001, 2001, 3001, 4001
SUNDAY = datetime(2026, 11, 22, 18, 30, tzinfo=UTC)
MONDAY_DIGEST = datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC)  # 09:00 in London (GMT)
SECRET = "SECRET-5521: Jo told me about the fight at home and I did not know what to say."
COMMENT = "COMMENT-7731: let's talk about how you held back."
NOTE = "NOTE-9042: we went through the trauma-informed course."
MARKERS = ("SECRET-5521", "Jo told me", "COMMENT-7731", "NOTE-9042")
DISCUSSED = date(2026, 11, 20)
EXPIRED = "That button has expired"
NEEDS_START = "Please send /start first"
GROUP_ALERT = "only work in a private chat"
USED = "has been used already"
NOT_VALID = "isn't valid"
# Buttons that name nobody's data: pressed by an agreed stranger they act on her own
# account (her own invitation, her own settings), never on Ann's.
OWNERLESS = ("in:p", "in:v", "sb:on", "sb:off", "dg:d3", "dg:t0800", "dg:e:none", "dg:ask")
KINDS = {"in", "ia", "lk", "sh", "sb", "rs", "cm", "rv", "ra", "dg", "ok"}


@pytest.fixture
def clock_start() -> datetime:
    return SUNDAY


@pytest.fixture
def running(bot_and_clock):
    running = bot_and_clock[0]
    running.application.bot_data.flood = FloodGate(burst=1000)  # tested on its own
    return running


@dataclass
class World:
    ann: FakeUser
    sam: FakeUser
    cy: FakeUser
    dee: FakeUser
    token: str  # the invitation Sam accepted (used)
    link_id: int
    reflection_id: int
    review_id: int

    def aimed_at_ann(self) -> list[str]:
        """Button data naming Ann's link, reflection, review or invitation, one of each
        action a button of these kinds can carry."""
        link, rid, on = self.link_id, self.reflection_id, f"{DISCUSSED:%Y%m%d}"
        steps = ("end", "end_yes", "keep", "verifier", "not_verifier", "overview")
        return [
            *(f"lk:{link}:{step}" for step in steps),
            *(f"sh:{rid}:{what}" for what in ("full", "private", "discuss", "undiscuss")),
            f"rs:{rid}",
            f"cm:{rid}",
            *(f"rv:{link}:{step}" for step in ("ask", "type", f"date:{on}", f"save:{on}")),
            f"ra:{self.review_id}:yes",
            f"ra:{self.review_id}:no",
            f"ia:yes:{self.token}",
        ]

    def consent(self) -> list[str]:
        return [f"ok:yes:{self.token}", f"ok:no:{self.token}"]

    def every_kind(self) -> list[str]:
        found = [
            *self.aimed_at_ann(),
            f"ia:no:{self.token}",
            *OWNERLESS,
            *self.consent(),
        ]
        assert {data.split(":")[0] for data in found} == KINDS
        return found


def db(running):
    return running.services.db


async def invitation(ann: FakeUser, button: str = "Invite a supervisor") -> str:
    """/supervisor, a tap; the token of the link the bot gives."""
    await ann.send_command("/supervisor")
    await ann.press(await ann.next_message(), button)
    made = await ann.next_message()
    return made.text.split("?start=")[1].split()[0]


async def accepted(user: FakeUser, token: str, inviter: FakeUser) -> None:
    await user.send_command("/start", token)
    await tap(user, await user.next_message(), "Accept")
    await inviter.wait_for(lambda m: "accepted your invitation" in (m.text or ""))
    inviter.mark_read()


@pytest.fixture
async def world(fake_telegram, running) -> World:
    """Sam verifies Ann; she shared a reflection in full and flagged it to discuss; Sam
    commented on it and recorded a review she has not answered yet."""
    ann, sam, cy = (fake_telegram.user(i, n) for i, n in ((ANN, "Ann"), (SAM, "Sam"), (CY, "Cy")))
    dee = fake_telegram.user(DEE, "Dee")
    for user in (ann, sam, cy):
        await agree(user)
    token = await invitation(ann, "Invite my registration verifier")
    await accepted(sam, token, ann)
    await ann.press(await say(ann, SECRET), "Save")
    share = await ann.wait_for(lambda m: "Share this reflection" in (m.text or ""))
    await tap(ann, await tap(ann, share, "👁 Share it in full"), "💬 To discuss")
    [reflection] = storage.recent_reflections(db(running), ANN, limit=1)
    [link] = storage.active_links(db(running), practitioner_id=ANN)
    services = running.services
    services.supervision.comment(SAM, reflection.id, COMMENT)
    sam_user = storage.get_user(db(running), SAM)
    review = services.verification.record(sam_user, link.id, DISCUSSED, NOTE)
    for user in (ann, sam, cy):
        user.mark_read()
    return World(ann, sam, cy, dee, token, link.id, reflection.id, review.id)


def stored(running, leaving_out: tuple[int, ...] = ()) -> dict[str, list[dict]]:
    """Every row of every table but the inbox (each update is kept there only until it is
    handled) and the ids of groups told once where the bot works; leaving out the rows
    about ``leaving_out`` (and, then, the ids handed out)."""
    theirs: dict[str, list[dict]] = {}
    for user_id in leaving_out:
        for table, rows in storage.rows_about(db(running), user_id).items():
            theirs.setdefault(table, []).extend(rows)
    return {
        table: [row for row in db(running)[table].rows if row not in theirs.get(table, [])]
        for table in db(running).table_names()
        if table not in ("inbox", "group_notices")
        and not (leaving_out and table == "sqlite_sequence")
    }


def seen_by(user: FakeUser) -> str:
    """Everything the user was shown: messages (every version, buttons too) and alerts."""
    parts = [answer.text or "" for answer in user.callback_answers]
    for message in user.messages:
        parts.append(message.caption or "")
        for version in (*message.history, message):
            parts += [version.text or "", repr(version.reply_markup)]
    return "\n".join(parts)


def assert_nothing_of_ann(user: FakeUser) -> None:
    shown = seen_by(user)
    for marker in MARKERS:
        assert marker not in shown, (marker, user.transcript())


async def press(user: FakeUser, data: str, message_id: int | None = None):
    """Press ``data`` on the user's latest bot message (or ``message_id``); the answer."""
    target = message_id if message_id is not None else user.last_message.message_id
    return await answer_to(user, user.press_raw(target, data))


# ---- strangers and groups


async def test_a_stranger_who_agreed_gets_nothing_of_anns(fake_telegram, running, world):
    cy, before = world.cy, stored(running, leaving_out=(CY,))
    others = len(world.ann.messages), len(world.sam.messages)
    for data in world.aimed_at_ann():
        answer = await press(cy, data)
        wanted = USED if data.startswith("ia:") else EXPIRED
        assert answer.show_alert and wanted in answer.text, data
    await say(cy, "Thanks, this is my comment for Ann")  # no comment was asked for
    for data in world.consent():  # agreeing again, with Ann's used invitation
        await press(cy, data)
    await cy.wait_for(lambda m: USED in (m.text or ""))
    for data in OWNERLESS:  # her own invitations and settings
        await press(cy, data)
    await fake_telegram.wait_idle()
    assert stored(running, leaving_out=(CY,)) == before
    assert storage.active_links(db(running), supervisor_id=CY) == []
    assert storage.active_links(db(running), practitioner_id=CY) == []
    assert (len(world.ann.messages), len(world.sam.messages)) == others
    assert_nothing_of_ann(cy)
    assert "Ann" not in seen_by(cy)  # not even whose the buttons were


async def test_ann_and_sam_hear_nothing_of_the_strangers_presses(fake_telegram, running, world):
    counts = len(world.ann.messages), len(world.sam.messages)
    for data in world.aimed_at_ann():
        await press(world.cy, data)
        await press(world.dee, data, message_id=1)
    await fake_telegram.wait_idle()
    assert (len(world.ann.messages), len(world.sam.messages)) == counts


async def test_declining_a_used_invitation_is_refused_like_accepting_it(running, world):
    before = stored(running, leaving_out=(CY,))
    answer = await press(world.cy, f"ia:no:{world.token}")
    assert stored(running, leaving_out=(CY,)) == before
    assert answer.show_alert and USED in answer.text
    assert "not linked to ." not in seen_by(world.cy)


async def test_someone_who_never_agreed_is_sent_to_start_and_nothing_is_stored(
    fake_telegram, running, world
):
    dee, before = world.dee, stored(running)
    for data in [*world.aimed_at_ann(), f"ia:no:{world.token}", *OWNERLESS]:
        answer = await press(dee, data, message_id=1)
        assert answer.show_alert and NEEDS_START in answer.text, data
    await dee.send_command("/start")
    welcome = await dee.next_message()
    await dee.press_raw(welcome.message_id, f"ok:no:{world.token}")
    await dee.wait_for(lambda m: "nothing has been stored" in (m.text or ""))
    await fake_telegram.wait_idle()
    assert stored(running) == before
    assert running.services.users.get(DEE) is None
    assert_nothing_of_ann(dee)
    assert "Ann" not in seen_by(dee)


async def test_agreeing_with_anns_used_invitation_links_nobody(fake_telegram, running, world):
    """Consent pressed by Dee is Dee's own agreement: she is stored, but linked to nobody
    and told the invitation was used."""
    dee, before = world.dee, stored(running, leaving_out=(DEE,))
    await dee.send_command("/start")
    welcome = await dee.next_message()
    await dee.press_raw(welcome.message_id, f"ok:yes:{world.token}")
    await dee.wait_for(lambda m: USED in (m.text or ""))
    await fake_telegram.wait_idle()
    assert stored(running, leaving_out=(DEE,)) == before
    assert storage.active_links(db(running), supervisor_id=DEE) == []
    assert_nothing_of_ann(dee)


async def test_every_button_pressed_in_a_group_acts_on_nothing(fake_telegram, running, world):
    team = fake_telegram.group(-1005551, "Youth team")
    await team.add_bot(world.ann, notify=False)
    before = stored(running)
    people = (world.ann, world.sam, world.cy, world.dee)
    counts = [len(user.messages) for user in people]
    for data in world.every_kind():
        for user in (world.ann, world.sam, world.cy):  # Ann herself, her verifier, Cy
            answer = await answer_to(user, team.press_raw(user, 1, data))
            assert answer.show_alert and GROUP_ALERT in answer.text, (user, data)
        answer = await answer_to(world.dee, team.press_raw(world.dee, 1, data))
        assert answer.show_alert and GROUP_ALERT in answer.text, data
    await fake_telegram.wait_idle()
    assert team.messages == []
    assert stored(running) == before
    assert [len(user.messages) for user in people] == counts
    assert_nothing_of_ann(world.cy)


async def test_each_side_of_a_link_uses_only_its_own_buttons(fake_telegram, running, world):
    before = stored(running)
    link, rid, review = world.link_id, world.reflection_id, world.review_id
    for data in (f"sh:{rid}:private", f"ra:{review}:yes", f"lk:{link}:not_verifier"):
        answer = await press(world.sam, data)  # Ann's to press
        assert answer.show_alert and EXPIRED in answer.text, data
    for data in (f"rs:{rid}", f"cm:{rid}", f"rv:{link}:save:{DISCUSSED:%Y%m%d}"):
        answer = await press(world.ann, data)  # Sam's to press
        assert answer.show_alert and EXPIRED in answer.text, data
    answer = await press(world.ann, f"lk:{link}:overview")
    assert answer.show_alert and EXPIRED in answer.text
    await fake_telegram.wait_idle()
    assert stored(running) == before


async def test_start_with_an_invitation_in_a_group_links_nobody(fake_telegram, running, world):
    token = await invitation(world.ann)
    team = fake_telegram.group(-1005552, "Youth team")
    await team.add_bot(world.ann, notify=False)
    before = stored(running)
    for user in (world.cy, world.dee, world.sam):
        await team.send_text(user, f"/start {token}")
        await team.send_text(user, f"/start@{fake_telegram.bot_username} {token}")
    await fake_telegram.wait_idle()
    assert len(team.messages) <= 1  # at most the one notice pointing to a private chat
    assert all("private chat" in (m.text or "") for m in team.messages)
    assert token not in seen_by(world.cy) and "invites you" not in seen_by(world.cy)
    assert all("invites you" not in (m.text or "") and token not in repr(m) for m in team.messages)
    assert stored(running) == before
    assert running.services.users.get(DEE) is None
    # Nothing was used up: the link still works in a private chat.
    await world.cy.send_command("/start", token)
    assert "Ann</b> invites you" in (await world.cy.next_message()).source_text


# ---- after the link ended


async def test_the_supervisors_old_buttons_stop_when_the_link_ends(
    fake_telegram, running, clock, world
):
    ann, sam = world.ann, world.sam
    clock.now = MONDAY_DIGEST
    assert await running.application.bot_data.digest_jobs.deliver(SAM)
    digest = await sam.next_message()
    [digest_read] = [label for label in digest.button_texts if label.startswith("👁")]
    await sam.send_command("/supervisors")
    listing = await sam.next_message()
    await sam.press(listing, "📖 Ann")
    overview = await sam.next_message()
    [overview_read] = overview.button_texts
    await sam.press(overview, overview_read)
    read = await sam.next_message()
    assert SECRET in read.text  # while the link lasts
    await sam.press(read, "💬 Comment")
    assert "Type your comment" in (await sam.next_message()).text

    await ann.send_command("/supervisors")
    await ann.press(await ann.next_message(), "End: Sam")
    await tap(ann, await ann.next_message(), "Yes, end it")
    await sam.wait_for(lambda m: "ended the supervision link" in (m.text or ""))
    sam.mark_read()
    before, ann_count = stored(running), len(ann.messages)

    late = await say(sam, "A comment typed after the link ended")
    assert EXPIRED in late.text
    for message, label in (
        (digest, digest_read),
        (overview, overview_read),
        (read, "💬 Comment"),
        (listing, "📖 Ann"),
        (listing, "✅ Record a review: Ann"),
        (listing, "End: Ann"),
    ):
        answer = await answer_to(sam, sam.press(message, label))
        assert answer.show_alert and EXPIRED in answer.text, label
    link, rid = world.link_id, world.reflection_id
    for data in (f"rs:{rid}", f"cm:{rid}", f"rv:{link}:save:{DISCUSSED:%Y%m%d}", f"lk:{link}:end"):
        answer = await press(sam, data)
        assert answer.show_alert and EXPIRED in answer.text, data
    await fake_telegram.wait_idle()
    assert stored(running) == before
    assert [m.text for m in sam.messages[-1:]] == [late.text]  # nothing since
    assert all(SECRET not in (m.text or "") for m in sam.messages if m.message_id > read.message_id)
    assert len(ann.messages) == ann_count  # told of no comment


async def test_a_review_note_typed_after_the_link_ended_is_not_recorded(
    fake_telegram, running, world
):
    sam = world.sam
    await sam.send_command("/supervisors")
    await sam.press(await sam.next_message(), "✅ Record a review: Ann")
    note_ask = await tap(sam, await sam.next_message(), "Yesterday")
    assert "Discussed on 21 Nov 2026" in note_ask.text
    running.services.supervision.end(ANN, world.link_id)
    before = stored(running)
    assert EXPIRED in (await say(sam, "NOTE-9042 typed too late")).text
    answer = await answer_to(sam, sam.press(note_ask, "No note"))
    assert answer.show_alert and EXPIRED in answer.text
    await fake_telegram.wait_idle()
    assert stored(running) == before
    assert [r.id for r in storage.verified_reviews_of(db(running), ANN)] == [world.review_id]


async def test_a_review_button_with_a_date_out_of_range_is_refused(
    fake_telegram, running, world, caplog
):
    before, link = stored(running), world.link_id
    tomorrow, too_old = SUNDAY.date() + timedelta(days=1), date(2020, 1, 1)
    for data in (f"rv:{link}:date:{tomorrow:%Y%m%d}", f"rv:{link}:save:{too_old:%Y%m%d}"):
        answer = await press(world.sam, data)
        assert answer.show_alert and "went wrong" not in answer.text, data
    await fake_telegram.wait_idle()
    assert stored(running) == before
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


# ---- invitations


async def test_a_forwarded_invitation_accepted_by_two_at_once_links_one(fake_telegram, running):
    ann, sam, cy = (fake_telegram.user(i, n) for i, n in ((ANN, "Ann"), (SAM, "Sam"), (CY, "Cy")))
    for user in (ann, sam, cy):
        await agree(user)
    token = await invitation(ann)
    offers = {}
    for user in (sam, cy):
        await user.send_command("/start", token)
        offers[user.id] = await user.next_message()
        assert "invites you" in offers[user.id].text
    for user in (sam, cy):  # both taps queued before either is handled
        await user.press(offers[user.id], "Accept")
    await fake_telegram.wait_idle()
    [link] = storage.active_links(db(running), practitioner_id=ANN)
    winner, loser = (sam, cy) if link.supervisor_id == SAM else (cy, sam)
    assert "You now supervise Ann" in winner.last_message.text
    [refusal] = loser.callback_answers[-1:]
    assert refusal.show_alert and USED in refusal.text
    assert USED in loser.last_message.text
    assert storage.active_links(db(running), supervisor_id=loser.id) == []
    told = [m for m in ann.messages if "accepted your invitation" in (m.text or "")]
    assert len(told) == 1 and winner.first_name in told[0].text


async def test_a_failed_reply_to_accept_still_tells_the_practitioner(fake_telegram, running):
    ann, sam = fake_telegram.user(ANN, "Ann"), fake_telegram.user(SAM, "Sam")
    await agree(ann)
    await agree(sam)
    token = await invitation(ann)
    await sam.send_command("/start", token)
    offer = await sam.next_message()
    await fake_telegram.wait_idle()
    fake_telegram.fail_next("editMessageText", error_code=400, description="Bad Request: boom")
    await sam.press(offer, "Accept")
    await fake_telegram.wait_idle()
    assert storage.active_link(db(running), ANN, SAM) is not None  # linked all the same
    assert any("accepted your invitation" in (m.text or "") for m in ann.messages)
    assert running.application.job_queue.get_jobs_by_name(f"{JOB_PREFIX}{SAM}")


async def test_fifty_random_tokens_link_nobody(fake_telegram, running):
    rng = random.Random(20261122)
    alphabet = sorted(TOKEN_SHAPE)
    ann, cy = fake_telegram.user(ANN, "Ann"), fake_telegram.user(CY, "Cy")
    await agree(ann)
    await agree(cy)
    real = await invitation(ann)
    guesses = ["".join(rng.choice(alphabet) for _ in range(32)) for _ in range(50)]
    assert real not in guesses
    for n, guess in enumerate(guesses):
        await cy.send_command("/start", guess)
        assert NOT_VALID in (await cy.next_message()).text, guess
        if n % 5 == 0:
            answer = await press(cy, f"ia:yes:{guess}")
            assert answer.show_alert and NOT_VALID in answer.text, guess
    await fake_telegram.wait_idle()
    assert list(db(running).query("SELECT * FROM supervision_links")) == []
    [row] = db(running).query("SELECT used_at FROM supervision_invitations")
    assert row["used_at"] is None
    assert "Ann" not in seen_by(cy)


async def test_an_invitation_token_is_never_logged_nor_stored(fake_telegram, running, caplog):
    caplog.set_level(logging.DEBUG, logger="bot")  # the bot's own loggers, at their most
    caplog.set_level(logging.DEBUG, logger="storage")
    caplog.set_level(logging.INFO, logger="telegram")  # never lower in production
    ann, sam, cy = (fake_telegram.user(i, n) for i, n in ((ANN, "Ann"), (SAM, "Sam"), (CY, "Cy")))
    await agree(ann)
    await agree(cy)
    tokens = [await invitation(ann), await invitation(ann, "Invite my registration verifier")]
    first, second = tokens
    await sam.send_command("/start", first)  # someone new: agrees first
    welcome = await sam.next_message()
    await sam.press(welcome, "I agree")
    offer = await sam.wait_for(lambda m: "invites you" in (m.text or ""))
    await tap(sam, offer, "Accept")
    await ann.wait_for(lambda m: "accepted your invitation" in (m.text or ""))
    for data in (f"ia:no:{first}", f"ia:yes:{first}", f"ok:yes:{first}"):
        await press(cy, data)
    await cy.send_command("/start", first)
    await fake_telegram.wait_idle()
    fake_telegram.fail_next("sendMessage", error_code=400, description="Bad Request: boom")
    await cy.send_command("/start", second)  # the offer fails: the update is logged
    await fake_telegram.wait_idle()
    await cy.send_command("/start", second)
    await tap(cy, await cy.wait_for(lambda m: "invites you" in (m.text or "")), "No thanks")
    team = fake_telegram.group(-1005553, "Youth team")
    await team.add_bot(ann, notify=False)
    await team.send_text(cy, f"/start {second}")
    await fake_telegram.wait_idle()
    await asyncio.sleep(0.1)  # the inbox marks handled updates within 50 ms

    assert any(r.levelno >= logging.ERROR for r in caplog.records)  # the failure was logged
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    for token in tokens:
        assert token not in logged
    for table in db(running).table_names():
        for row in db(running)[table].rows:
            for token in tokens:
                assert token not in repr(row), table
    assert storage.active_link(db(running), ANN, SAM) is not None  # the flow did happen


async def test_no_token_is_left_in_the_database_file(fake_telegram, bot_settings):
    clock = FakeClock(SUNDAY)
    ann, sam = fake_telegram.user(ANN, "Ann"), fake_telegram.user(SAM, "Sam")
    async with running_bot(fake_telegram, bot_settings, clock):
        await agree(ann)
        await agree(sam)
        token = await invitation(ann)
        await accepted(sam, token, ann)
        await fake_telegram.wait_idle()
    data = b""
    for suffix in ("", "-wal"):
        path = bot_settings.db_path.with_name(bot_settings.db_path.name + suffix)
        if path.exists():
            data += path.read_bytes()
    assert token.encode() not in data
    assert data  # the scan read the file
