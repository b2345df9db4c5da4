"""Supervision through the services: invitations that link only whom they should, links
either side can end at once, sharing chosen per reflection, and a supervisor who reads
only what is shared with them, while the link lasts."""

import base64
import hashlib
import itertools
import re
import secrets
import sqlite3
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

import storage
from bot.services import Finished, NotAllowed, NotFound
from bot.services.supervision import (
    MAX_COMMENT_CHARS,
    Ended,
    InvitationView,
    LinkView,
    Refused,
    SharedReflection,
    SupervisionService,
)
from storage import Sharing
from tests.bot.services.conftest import ANN, BO, write

SUE, SAM, STRANGER = 303, 404, 505  # two supervisors; someone who never agreed
WRITTEN = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # before the fake clock's start
SECRET = "Jo told me about the fight at home and I did not know what to say."
CONFLICT = "Two young people were fighting; I worked towards the resolution of conflict."


@pytest.fixture
def supervision(services):
    for user_id, name in ((ANN, "Ann"), (BO, "Bo"), (SUE, "Sue"), (SAM, "Sam")):
        services.users.agree(user_id, name)
    return services.supervision


def linked(supervision, practitioner: int, supervisor: int, *, verifier: bool = False):
    made = supervision.accept(supervision.invite(practitioner, verifier).token, supervisor)
    assert isinstance(made, LinkView), made
    return made.link


def reflection_of(services, user_id: int, text: str = SECRET, **kwargs) -> storage.Reflection:
    return write(services, user_id, WRITTEN, "quick", [("note", text)], **kwargs)


def shared_in_full(services, user_id: int, text: str = SECRET) -> storage.Reflection:
    reflection = reflection_of(services, user_id, text)
    services.supervision.share(user_id, reflection.id, in_full=True)
    return reflection


def link_count(services) -> int:
    return services.db["supervision_links"].count


def raw_database(path: Path) -> bytes:
    """The database file and its write-ahead log, as bytes on disk."""
    files = [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm")]
    return b"".join(file.read_bytes() for file in files if file.exists())


def refusal_of(call) -> tuple[type, str]:
    with pytest.raises(NotFound) as caught:
        call()
    return type(caught.value), str(caught.value)


# ---- invitations: the token


def test_only_the_sha256_of_the_token_is_stored(services, supervision, settings):
    made = supervision.invite(ANN)
    row = services.db["supervision_invitations"].get(made.invitation.id)
    assert row["token_hash"] == hashlib.sha256(made.token.encode()).hexdigest()
    for table in services.db.table_names():
        for stored in services.db[table].rows:
            for column, value in stored.items():
                assert made.token not in str(value), (table, column)
    storage.checkpoint(services.db)
    data = raw_database(settings.db_path)
    assert row["token_hash"].encode() in data  # the scan reads what is stored
    assert made.token.encode() not in data
    assert base64.urlsafe_b64decode(made.token) not in data
    assert made.token not in repr(made.invitation)


def test_a_token_has_192_random_bits_in_32_url_safe_characters(supervision):
    tokens = [supervision.invite(ANN).token for _ in range(50)]
    assert len(set(tokens)) == 50
    for token in tokens:
        assert len(token) == 32
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        assert len(base64.urlsafe_b64decode(token)) == 24  # 192 bits, at least 128


def test_an_invitation_lasts_exactly_seven_days(services, supervision, clock):
    start = clock()
    made = supervision.invite(ANN)
    assert made.invitation.created_at == start
    assert made.invitation.expires_at == start + timedelta(days=7)
    late = supervision.invite(ANN)
    clock.advance(days=6, hours=23, minutes=59)
    assert isinstance(supervision.look_up(made.token, SUE), InvitationView)
    assert isinstance(supervision.accept(made.token, SUE), LinkView)
    clock.now = start + timedelta(days=7)
    assert supervision.look_up(late.token, SAM) == Refused("expired")
    assert supervision.accept(late.token, SAM) == Refused("expired")
    assert storage.active_link(services.db, ANN, SAM) is None
    assert services.db["supervision_invitations"].get(late.invitation.id)["used_at"] is None


def test_an_invitation_is_used_once(services, supervision, clock):
    made = supervision.invite(ANN)
    first = supervision.accept(made.token, SUE)
    assert isinstance(first, LinkView)
    assert (first.link.practitioner_id, first.link.supervisor_id) == (ANN, SUE)
    assert first.other.id == ANN and first.other.display_name == "Ann"
    clock.advance(minutes=5)
    assert supervision.look_up(made.token, SUE) == Refused("used")
    assert supervision.accept(made.token, SUE) == Refused("used")
    assert supervision.accept(made.token, SAM) == Refused("used")  # forwarded on
    assert storage.active_link(services.db, ANN, SAM) is None
    assert link_count(services) == 1


FORGED = {
    "random, right shape": secrets.token_urlsafe(24),
    "one short": secrets.token_urlsafe(24)[:31],
    "one long": secrets.token_urlsafe(24) + "A",
    "base64 but not URL-safe": "+/" * 16,
    "padding": "A" * 31 + "=",
    "space inside": "A" * 15 + " " + "A" * 16,
    "non-ASCII": "é" * 32,
    "empty": "",
    "10 KB": "A" * 10_240,
    "SQL": "' OR 1=1; DROP TABLE users; --'",
    "SQL, 32 characters": ("x' OR '1'='1" * 3)[:32],
    "a stored hash": None,  # filled in by the test: what is stored is not a token
}


@pytest.mark.parametrize("name", sorted(FORGED))
def test_forged_tokens_are_unknown_and_link_nobody(services, supervision, name):
    real = supervision.invite(ANN)
    forged = FORGED[name]
    if forged is None:
        forged = services.db["supervision_invitations"].get(real.invitation.id)["token_hash"]
    assert supervision.look_up(forged, SUE) == Refused("unknown")
    assert supervision.accept(forged, SUE) == Refused("unknown")
    assert link_count(services) == 0
    assert services.db["supervision_invitations"].get(real.invitation.id)["used_at"] is None


def test_ones_own_invitation_is_refused_as_own(services, supervision):
    made = supervision.invite(ANN)
    assert supervision.look_up(made.token, ANN) == Refused("own")
    assert supervision.accept(made.token, ANN) == Refused("own")
    assert link_count(services) == 0
    assert isinstance(supervision.accept(made.token, SUE), LinkView)  # still usable


def test_an_invitation_from_someone_who_forgot_is_unknown(services, supervision):
    made = supervision.invite(ANN)
    services.privacy.forget(ANN)
    assert services.db["supervision_invitations"].count == 0
    assert supervision.look_up(made.token, SUE) == Refused("unknown")
    assert supervision.accept(made.token, SUE) == Refused("unknown")
    assert link_count(services) == 0


def test_a_supervisor_must_have_agreed_to_storage(services, supervision):
    made = supervision.invite(ANN)
    assert isinstance(supervision.look_up(made.token, STRANGER), InvitationView)
    with pytest.raises(NotAllowed):
        supervision.accept(made.token, STRANGER)
    assert link_count(services) == 0
    assert services.db["supervision_invitations"].get(made.invitation.id)["used_at"] is None
    services.users.agree(STRANGER, "Sky")
    assert isinstance(supervision.accept(made.token, STRANGER), LinkView)


def test_look_up_shows_who_invites_and_changes_nothing(services, supervision):
    made = supervision.invite(ANN, as_verifier=True)
    view = supervision.look_up(made.token, SUE)
    assert view.practitioner.id == ANN and view.invitation == made.invitation
    assert view.invitation.as_verifier
    assert supervision.look_up(made.token, SUE) == view
    assert link_count(services) == 0
    assert services.db["supervision_invitations"].get(made.invitation.id)["used_at"] is None


def test_two_accepts_racing_for_one_invitation_link_once(services, supervision, clock):
    made = supervision.invite(ANN)
    # Both opened it before either accepted.
    sue_saw = supervision.look_up(made.token, SUE)
    sam_saw = supervision.look_up(made.token, SAM)
    assert isinstance(sue_saw, InvitationView) and isinstance(sam_saw, InvitationView)
    now = clock()
    assert storage.accept_invitation(services.db, made.invitation.id, SUE, now) is not None
    assert storage.accept_invitation(services.db, made.invitation.id, SAM, now) is None
    assert link_count(services) == 1


def test_the_loser_of_a_race_is_told_it_was_used(services, supervision, clock):
    """Sam opened the invitation, Sue accepted it first: the service's own accept refuses
    Sam at the storage step (its look_up passed), so no second link is made."""
    made = supervision.invite(ANN)

    class SueAcceptsFirst(SupervisionService):
        """Sue's accept lands between Sam's look-up and his accept."""

        raced = False

        def look_up(self, token, visitor_id):
            found = super().look_up(token, visitor_id)
            if not self.raced:
                self.raced = True
                storage.accept_invitation(services.db, found.invitation.id, SUE, clock())
            return found

    racing = SueAcceptsFirst(services.db, clock, services.history)
    assert racing.accept(made.token, SAM) == Refused("used")
    assert link_count(services) == 1
    assert storage.active_link(services.db, ANN, SUE) is not None


def test_a_verifier_invitation_makes_a_verifier_link(supervision):
    made = linked(supervision, ANN, SUE, verifier=True)
    assert made.verifier


def test_a_verifier_invitation_upgrades_an_existing_link(services, supervision):
    plain = linked(supervision, ANN, SUE)
    assert not plain.verifier
    upgraded = supervision.accept(supervision.invite(ANN, as_verifier=True).token, SUE)
    assert isinstance(upgraded, LinkView)
    assert upgraded.link.id == plain.id and upgraded.link.verifier
    assert link_count(services) == 1


def test_a_plain_invitation_when_already_linked_is_refused_as_already(services, supervision):
    linked(supervision, ANN, SUE)
    again = supervision.invite(ANN)
    assert supervision.look_up(again.token, SUE) == Refused("already")
    assert supervision.accept(again.token, SUE) == Refused("already")
    assert services.db["supervision_invitations"].get(again.invitation.id)["used_at"] is None
    assert isinstance(supervision.accept(again.token, SAM), LinkView)  # still good for another
    verifier = linked(supervision, BO, SUE, verifier=True)
    for as_verifier in (False, True):
        token = supervision.invite(BO, as_verifier=as_verifier).token
        assert supervision.accept(token, SUE) == Refused("already")
    assert storage.get_link(services.db, verifier.id).verifier
    assert link_count(services) == 3


def test_the_racing_expiry_is_refused_as_expired(services, supervision, clock):
    """Opened a moment before it expired, accepted a moment after: refused, and the
    reason given is that it expired (not that someone used it)."""
    start = clock()
    made = supervision.invite(ANN)
    moments = [start + timedelta(days=7, microseconds=-1)]  # the first reading, then expiry

    def ticking_clock() -> datetime:
        return moments.pop(0) if moments else start + timedelta(days=7)

    ticking = SupervisionService(services.db, ticking_clock, services.history)
    assert ticking.accept(made.token, SUE) == Refused("expired")
    assert link_count(services) == 0


@pytest.mark.parametrize("step", ["invite", "set_share_by_default"])
def test_a_practitioner_must_have_agreed_to_storage(services, supervision, step):
    """Someone who never agreed gets a service refusal, not a database error."""
    with pytest.raises(NotAllowed):
        if step == "invite":
            supervision.invite(STRANGER)
        else:
            supervision.set_share_by_default(STRANGER, True)
    assert services.db["supervision_invitations"].count == 0


# ---- links


def test_links_are_many_to_many_and_show_the_other_side(supervision, clock):
    ann_sue = linked(supervision, ANN, SUE)
    clock.advance(minutes=1)
    ann_sam = linked(supervision, ANN, SAM)
    clock.advance(minutes=1)
    bo_sue = linked(supervision, BO, SUE)
    ann = supervision.links(ANN)
    assert [(v.link.id, v.other.id) for v in ann.supervisors] == [
        (ann_sue.id, SUE),
        (ann_sam.id, SAM),
    ]
    assert ann.supervisees == []
    sue = supervision.links(SUE)
    assert sue.supervisors == []
    assert [(v.link.id, v.other.id) for v in sue.supervisees] == [
        (ann_sue.id, ANN),
        (bo_sue.id, BO),
    ]
    assert [v.other.display_name for v in sue.supervisees] == ["Ann", "Bo"]
    assert supervision.links(STRANGER).supervisors == supervision.links(STRANGER).supervisees == []
    assert supervision.is_supervised(ANN) and supervision.is_supervised(BO)
    assert not supervision.is_supervised(SUE)


def test_one_person_can_supervise_and_be_supervised(supervision):
    sue_by_ann = linked(supervision, SUE, ANN)
    ann_by_sue = linked(supervision, ANN, SUE)
    sue = supervision.links(SUE)
    assert [v.link.id for v in sue.supervisors] == [sue_by_ann.id]
    assert [v.link.id for v in sue.supervisees] == [ann_by_sue.id]


def test_link_shows_one_link_to_either_side_only(supervision):
    made = linked(supervision, ANN, SUE)
    assert supervision.link(ANN, made.id).other.id == SUE
    assert supervision.link(SUE, made.id).other.id == ANN
    with pytest.raises(NotAllowed):
        supervision.link(BO, made.id)
    with pytest.raises(NotFound):
        supervision.link(ANN, made.id + 1000)


@pytest.mark.parametrize("ender, other", [(ANN, SUE), (SUE, ANN)])
def test_either_side_ends_a_link(services, supervision, clock, ender, other):
    made = linked(supervision, ANN, SUE)
    clock.advance(days=2)
    ended = supervision.end(ender, made.id)
    assert isinstance(ended, Ended)
    assert ended.other.id == other
    assert (ended.link.ended_at, ended.link.ended_by) == (clock(), ender)
    kept = storage.get_link(services.db, made.id)
    assert kept == ended.link and not kept.active
    assert supervision.links(ANN).supervisors == []
    assert supervision.links(SUE).supervisees == []
    assert not supervision.is_supervised(ANN)
    with pytest.raises(NotFound):
        supervision.end(ender, made.id)
    with pytest.raises(NotFound):
        supervision.end(other, made.id)
    with pytest.raises(NotFound):
        supervision.link(ender, made.id)
    assert storage.get_link(services.db, made.id) == ended.link  # the first ending is kept


def test_a_third_party_cannot_end_a_link(services, supervision):
    made = linked(supervision, ANN, SUE)
    for outsider in (BO, SAM, STRANGER):
        with pytest.raises(NotAllowed):
            supervision.end(outsider, made.id)
    assert storage.get_link(services.db, made.id).active
    with pytest.raises(NotFound):
        supervision.end(ANN, 99999)


def test_a_new_invitation_links_the_pair_again_after_an_end(services, supervision):
    first = linked(supervision, ANN, SUE)
    supervision.end(SUE, first.id)
    again = linked(supervision, ANN, SUE)
    assert again.id != first.id and again.active
    assert not storage.get_link(services.db, first.id).active
    assert [v.link.id for v in supervision.links(ANN).supervisors] == [again.id]


def test_only_the_practitioner_chooses_their_verifier(services, supervision):
    made = linked(supervision, ANN, SUE)
    assert supervision.set_verifier(ANN, made.id, True).verifier
    assert supervision.set_verifier(ANN, made.id, False).verifier is False
    for someone in (SUE, BO, STRANGER):
        with pytest.raises(NotAllowed):
            supervision.set_verifier(someone, made.id, True)
    assert not storage.get_link(services.db, made.id).verifier
    supervision.end(ANN, made.id)
    with pytest.raises(NotFound):
        supervision.set_verifier(ANN, made.id, True)


# ---- sharing


def test_a_practitioner_shares_their_own_finished_reflections_only(services, supervision):
    ann = reflection_of(services, ANN)
    bo = reflection_of(services, BO)
    open_one = reflection_of(services, ANN, status="open")
    pending = reflection_of(services, ANN, status="pending")
    with pytest.raises(NotAllowed):
        supervision.share(ANN, bo.id, in_full=True)
    with pytest.raises(NotAllowed):
        supervision.sharing(ANN, bo.id)
    for not_available in (open_one.id, pending.id, 99999):
        with pytest.raises(NotFound):
            supervision.share(ANN, not_available, in_full=True)
    assert storage.sharings_of(services.db, BO) == {}
    assert storage.sharings_of(services.db, ANN) == {}
    assert supervision.sharing(ANN, ann.id) == Sharing(ann.id, False, False)


def test_in_full_and_to_discuss_are_chosen_independently(supervision, services):
    reflection = reflection_of(services, ANN)
    assert supervision.share(ANN, reflection.id, in_full=True) == Sharing(reflection.id, True)
    assert supervision.share(ANN, reflection.id, to_discuss=True) == Sharing(
        reflection.id, True, True
    )
    assert supervision.share(ANN, reflection.id, in_full=False) == Sharing(
        reflection.id, False, True
    )
    assert supervision.share(ANN, reflection.id) == Sharing(reflection.id, False, True)
    assert supervision.sharing(ANN, reflection.id) == Sharing(reflection.id, False, True)


_numbers = itertools.count(1)


async def finish_quick(services, user_id: int) -> Finished:
    """A quick reflection finished for the first time (each with new words: the same
    paragraph again within minutes would be taken for a resend of the last one)."""
    step = services.reflecting.start(user_id, "quick")
    finished = await services.reflecting.receive_text(user_id, f"{CONFLICT} ({next(_numbers)})")
    assert isinstance(finished, Finished) and finished.reflection.id == step.reflection.id
    return finished


async def test_share_by_default_shares_new_reflections_in_full(services, supervision):
    before = await finish_quick(services, ANN)
    assert not supervision.share_by_default(ANN)
    assert supervision.sharing(ANN, before.reflection.id) == Sharing(before.reflection.id)
    supervision.set_share_by_default(ANN, True)
    assert supervision.share_by_default(ANN)
    assert not supervision.share_by_default(BO)
    after = await finish_quick(services, ANN)
    assert supervision.sharing(ANN, after.reflection.id) == Sharing(after.reflection.id, True)
    # Written before: it keeps its choice. Bo's default is his own.
    assert supervision.sharing(ANN, before.reflection.id) == Sharing(before.reflection.id)
    bo = await finish_quick(services, BO)
    assert supervision.sharing(BO, bo.reflection.id) == Sharing(bo.reflection.id)
    supervision.set_share_by_default(ANN, False)
    off = await finish_quick(services, ANN)
    assert supervision.sharing(ANN, off.reflection.id) == Sharing(off.reflection.id)


def test_share_by_default_keeps_the_digest_settings(services, supervision, clock):
    chosen = storage.SupervisionSettings(SUE, False, 4, time(18, 15), "none")
    storage.save_supervision_settings(services.db, chosen, clock())
    supervision.set_share_by_default(SUE, True)
    assert storage.supervision_settings(services.db, SUE) == storage.SupervisionSettings(
        SUE, True, 4, time(18, 15), "none"
    )


async def test_a_note_and_a_kept_reflection_are_shared_by_default_too(services, supervision):
    supervision.set_share_by_default(ANN, True)
    offer = await services.reflecting.receive_text(ANN, CONFLICT)
    note = await services.reflecting.save_note(ANN, offer.reflection.id)
    assert supervision.sharing(ANN, note.reflection.id).in_full
    step = services.reflecting.start(ANN, "what-so-what")
    await services.reflecting.receive_text(ANN, "We ran the pool night.")
    kept = await services.reflecting.keep(ANN, step.reflection.id)
    assert supervision.sharing(ANN, kept.reflection.id).in_full


async def test_editing_a_finished_reflection_does_not_share_it_again(services, supervision):
    supervision.set_share_by_default(ANN, True)
    finished = await finish_quick(services, ANN)
    rid = finished.reflection.id
    supervision.share(ANN, rid, in_full=False, to_discuss=True)  # she changed her mind
    answer = storage.answers_for(services.db, rid)[0]
    await services.editing.apply_edit(ANN, answer.id, "We ran the pool night, calmly.")
    assert storage.get_reflection(services.db, rid).text == "We ran the pool night, calmly."
    assert supervision.sharing(ANN, rid) == Sharing(rid, False, True)


async def test_finishing_keeps_a_flag_to_discuss_set_before(services, supervision):
    finished = await finish_quick(services, ANN)
    rid = finished.reflection.id
    supervision.share(ANN, rid, to_discuss=True)
    supervision.set_share_by_default(ANN, True)
    supervision.finished(storage.get_reflection(services.db, rid))
    assert supervision.sharing(ANN, rid) == Sharing(rid, True, True)


# ---- reading


def test_a_linked_supervisor_reads_what_is_shared_in_full(services, supervision):
    linked(supervision, ANN, SUE)
    reflection = write(
        services,
        ANN,
        WRITTEN,
        "what-so-what",
        [("what", SECRET), ("so_what", None), ("now_what", "")],
        confirmed=("2.6",),
        rejected=("1.1",),
    )
    supervision.share(ANN, reflection.id, in_full=True, to_discuss=True)
    shared = supervision.shared_with(SUE, reflection.id)
    assert isinstance(shared, SharedReflection)
    assert shared.reflection.id == reflection.id and shared.reflection.text == SECRET
    assert shared.practitioner.id == ANN
    items = shared.detail.items
    assert [(i.number, i.answer.question_id, i.answer.text) for i in items] == [
        (1, "what", SECRET)  # skipped and empty answers are left out
    ]
    assert items[0].question  # with the question it answered
    assert shared.detail.confirmed == ["2.6"]  # the rejected one is not shown
    assert shared.sharing == Sharing(reflection.id, True, True)
    assert shared.comments == []


def test_every_refusal_to_read_looks_the_same(services, supervision):
    """Does not exist, not finished, not shared, shared only to discuss, not linked,
    linked to someone else, link ended, the author themselves: one NotFound, no text."""
    ann_sue = linked(supervision, ANN, SUE)
    linked(supervision, BO, SAM)
    shared = shared_in_full(services, ANN)
    not_shared = reflection_of(services, ANN)
    discuss_only = reflection_of(services, ANN)
    supervision.share(ANN, discuss_only.id, to_discuss=True)
    open_one = reflection_of(services, ANN, status="open")
    storage.set_sharing(services.db, Sharing(open_one.id, True), WRITTEN)
    gone = shared_in_full(services, ANN)
    services.editing.delete(ANN, gone.id)
    cases = {
        "does not exist": (SUE, 99999),
        "deleted": (SUE, gone.id),
        "not finished": (SUE, open_one.id),
        "not shared": (SUE, not_shared.id),
        "only to discuss": (SUE, discuss_only.id),
        "not linked": (SAM, shared.id),  # Bo's supervisor
        "never agreed": (STRANGER, shared.id),
        "the author": (ANN, shared.id),
        "another practitioner": (BO, shared.id),
    }
    seen = set()
    for name, (reader, rid) in cases.items():
        kind, message = refusal_of(lambda r=reader, i=rid: supervision.shared_with(r, i))
        assert SECRET not in message and "Jo" not in message, name
        seen.add((kind, re.sub(r"\d+", "<n>", message)))
    supervision.end(ANN, ann_sue.id)
    kind, message = refusal_of(lambda: supervision.shared_with(SUE, shared.id))
    seen.add((kind, re.sub(r"\d+", "<n>", message)))
    assert len(seen) == 1, seen  # nothing tells one case from another


def test_a_supervisor_of_ann_cannot_read_bos_shared_reflection(services, supervision):
    linked(supervision, ANN, SUE)
    linked(supervision, BO, SAM)
    bo = shared_in_full(services, BO, "Bo's own words")
    with pytest.raises(NotFound):
        supervision.shared_with(SUE, bo.id)
    with pytest.raises(NotFound):
        supervision.comment(SUE, bo.id, "Nice.")
    assert supervision.shared_with(SAM, bo.id).reflection.text == "Bo's own words"
    assert storage.comments_on(services.db, bo.id) == []


@pytest.mark.parametrize("ender", [ANN, SUE])
def test_ending_a_link_stops_reading_and_commenting_at_once(services, supervision, ender):
    made = linked(supervision, ANN, SUE)
    reflection = shared_in_full(services, ANN)
    supervision.shared_with(SUE, reflection.id)
    supervision.comment(SUE, reflection.id, "Before the end.")
    supervision.end(ender, made.id)
    with pytest.raises(NotFound):
        supervision.shared_with(SUE, reflection.id)
    with pytest.raises(NotFound):
        supervision.comment(SUE, reflection.id, "After the end.")
    assert [c.text for c in supervision.comments(ANN, reflection.id)] == ["Before the end."]


def test_unsharing_stops_reading_at_once(services, supervision):
    linked(supervision, ANN, SUE)
    reflection = shared_in_full(services, ANN)
    supervision.shared_with(SUE, reflection.id)
    supervision.share(ANN, reflection.id, in_full=False)
    with pytest.raises(NotFound):
        supervision.shared_with(SUE, reflection.id)


def test_each_of_several_supervisors_reads_while_their_own_link_lasts(services, supervision):
    sue = linked(supervision, ANN, SUE)
    linked(supervision, ANN, SAM)
    reflection = shared_in_full(services, ANN)
    supervision.end(SUE, sue.id)
    with pytest.raises(NotFound):
        supervision.shared_with(SUE, reflection.id)
    assert supervision.shared_with(SAM, reflection.id).reflection.id == reflection.id


def test_nobody_is_their_own_supervisor(services, supervision, clock):
    reflection = shared_in_full(services, ANN)
    with pytest.raises(sqlite3.IntegrityError):
        services.db.execute(
            "INSERT INTO supervision_links (practitioner_id, supervisor_id, created_at)"
            " VALUES (?, ?, ?)",
            [ANN, ANN, clock().isoformat()],
        )
    with pytest.raises(NotFound):
        supervision.shared_with(ANN, reflection.id)


# ---- the overview: what a supervisor sees of every reflection, without its text


def test_the_overview_shows_dates_kinds_indicators_and_choices_but_no_text(
    services, supervision, clock
):
    link = linked(supervision, ANN, SUE)
    now = clock()
    shared = write(
        services,
        ANN,
        now - timedelta(days=1),
        "quick",
        [("note", SECRET)],
        confirmed=("2.6", "1.10", "1.9"),
        rejected=("3.1",),
    )
    supervision.share(ANN, shared.id, in_full=True)
    private = write(services, ANN, now - timedelta(days=2), "gibbs", [("description", "PRIV")])
    supervision.share(ANN, private.id, to_discuss=True)
    overview = supervision.overview(SUE, link.id)
    assert overview.link == link and overview.practitioner.id == ANN
    assert overview.since == now - timedelta(days=28)
    assert [
        (e.reflection_id, e.written_at, e.kind, e.confirmed, e.in_full, e.to_discuss)
        for e in overview.entries
    ] == [  # newest first
        (shared.id, shared.started_at, shared.kind, ["1.9", "1.10", "2.6"], True, False),
        (private.id, private.started_at, private.kind, [], False, True),
    ]
    assert SECRET not in repr(overview) and "PRIV" not in repr(overview)


def test_the_overview_covers_the_last_28_days_of_finished_reflections(services, supervision, clock):
    link = linked(supervision, ANN, SUE)
    now = clock()
    edge = write(services, ANN, now - timedelta(days=28), "quick", [("note", "edge")])
    just_now = write(services, ANN, now, "quick", [("note", "just now")])
    write(services, ANN, now - timedelta(days=28, seconds=1), "quick", [("note", "old")])
    write(services, ANN, now - timedelta(hours=1), "quick", [("note", "open")], status="open")
    write(services, ANN, now - timedelta(hours=1), "quick", [("note", "n")], status="pending")
    write(services, BO, now - timedelta(hours=1), "quick", [("note", "Bo's")])
    linked(supervision, BO, SUE)  # Sue supervises Bo too: his are not in Ann's overview
    entries = supervision.overview(SUE, link.id).entries
    assert [e.reflection_id for e in entries] == [just_now.id, edge.id]
    longer = supervision.overview(SUE, link.id, days=60)
    assert len(longer.entries) == 3


def test_only_the_linked_supervisor_sees_the_overview(services, supervision):
    link = linked(supervision, ANN, SUE)
    reflection_of(services, ANN)
    for someone in (ANN, BO, SAM, STRANGER):  # Ann is the practitioner, not the supervisor
        with pytest.raises(NotAllowed):
            supervision.overview(someone, link.id)
    with pytest.raises(NotFound):
        supervision.overview(SUE, 99999)
    supervision.end(ANN, link.id)
    with pytest.raises(NotFound):
        supervision.overview(SUE, link.id)


# ---- comments


def test_a_supervisor_comments_on_a_shared_reflection(services, supervision, clock):
    linked(supervision, ANN, SUE)
    reflection = shared_in_full(services, ANN)
    after = supervision.comment(SUE, reflection.id, "  You stayed with it. Say more?  ")
    [comment] = after.comments
    assert (comment.supervisor_id, comment.text, comment.created_at) == (
        SUE,
        "You stayed with it. Say more?",
        clock(),
    )
    assert after.practitioner.id == ANN  # whom to tell
    assert supervision.comments(ANN, reflection.id) == [comment]


@pytest.mark.parametrize("empty", ["", "   ", "\n\t "])
def test_an_empty_comment_is_refused(services, supervision, empty):
    linked(supervision, ANN, SUE)
    reflection = shared_in_full(services, ANN)
    with pytest.raises(ValueError):
        supervision.comment(SUE, reflection.id, empty)
    assert storage.comments_on(services.db, reflection.id) == []


def test_a_long_comment_is_cut_to_2000_characters(services, supervision):
    linked(supervision, ANN, SUE)
    reflection = shared_in_full(services, ANN)
    long = "".join(f"{i % 10}" for i in range(5000))
    [comment] = supervision.comment(SUE, reflection.id, long).comments
    assert MAX_COMMENT_CHARS == 2000
    assert comment.text == long[:2000]
    exact = "é" * 2000
    assert supervision.comment(SUE, reflection.id, exact).comments[-1].text == exact


def test_commenting_needs_what_reading_needs(services, supervision):
    linked(supervision, ANN, SUE)
    not_shared = reflection_of(services, ANN)
    for reader, rid in ((SUE, not_shared.id), (SUE, 99999), (SAM, not_shared.id)):
        with pytest.raises(NotFound):
            supervision.comment(reader, rid, "Hello")
    with pytest.raises(NotFound):  # refused before the text is even looked at
        supervision.comment(SAM, not_shared.id, "")
    assert services.db["supervision_comments"].count == 0


def test_a_supervisor_sees_only_their_own_comments(services, supervision):
    """Two supervisors of Ann: each relationship is its own; Ann sees both."""
    linked(supervision, ANN, SUE)
    linked(supervision, ANN, SAM)
    reflection = shared_in_full(services, ANN)
    supervision.comment(SUE, reflection.id, "From Sue.")
    supervision.comment(SAM, reflection.id, "From Sam.")
    assert [c.text for c in supervision.shared_with(SUE, reflection.id).comments] == ["From Sue."]
    assert [c.text for c in supervision.shared_with(SAM, reflection.id).comments] == ["From Sam."]
    assert [c.text for c in supervision.comments(ANN, reflection.id)] == ["From Sue.", "From Sam."]


def test_only_the_author_reads_the_comments_on_a_reflection(services, supervision):
    linked(supervision, ANN, SUE)
    reflection = shared_in_full(services, ANN)
    supervision.comment(SUE, reflection.id, "Good.")
    for someone in (BO, SUE, SAM, STRANGER):
        with pytest.raises(NotAllowed):
            supervision.comments(someone, reflection.id)
    with pytest.raises(NotFound):
        supervision.comments(ANN, 99999)
    assert [c.text for c in supervision.comments(ANN, reflection.id)] == ["Good."]


def test_comments_go_with_the_reflection(services, supervision):
    linked(supervision, ANN, SUE)
    reflection = shared_in_full(services, ANN)
    supervision.comment(SUE, reflection.id, "COMMENT-MARKER")
    services.editing.delete(ANN, reflection.id)
    assert services.db["supervision_comments"].count == 0
    assert services.db["reflection_shares"].count == 0


# ---- /forget by either side


def forget_world(services, supervision):
    ann_sue = linked(supervision, ANN, SUE)
    ann_sam = linked(supervision, ANN, SAM)
    bo_sue = linked(supervision, BO, SUE)
    sue_by_ann = linked(supervision, SUE, ANN)
    ann = shared_in_full(services, ANN, "Ann's words")
    bo = shared_in_full(services, BO, "Bo's words")
    sue = shared_in_full(services, SUE, "Sue's words")
    supervision.comment(SUE, ann.id, "Sue on Ann")
    supervision.comment(SAM, ann.id, "Sam on Ann")
    supervision.comment(SUE, bo.id, "Sue on Bo")
    supervision.comment(ANN, sue.id, "Ann on Sue")
    links = {"ann-sue": ann_sue, "ann-sam": ann_sam, "bo-sue": bo_sue, "sue-ann": sue_by_ann}
    return links, {"ann": ann, "bo": bo, "sue": sue}


def comment_texts(services) -> set[str]:
    return {row["text"] for row in services.db["supervision_comments"].rows}


def test_a_supervisor_who_forgets_ends_all_their_links(services, supervision):
    links, reflections = forget_world(services, supervision)
    services.privacy.forget(SUE)
    assert [v.other.id for v in supervision.links(ANN).supervisors] == [SAM]
    assert supervision.links(ANN).supervisees == []  # Sue was her supervisee too
    assert supervision.links(BO).supervisors == []
    assert not supervision.is_supervised(BO)
    assert comment_texts(services) == {"Sam on Ann"}
    for name in ("ann-sue", "bo-sue", "sue-ann"):
        assert storage.get_link(services.db, links[name].id) is None, name
    # The practitioners keep their reflections and their choices.
    for who, owner in (("ann", ANN), ("bo", BO)):
        rid = reflections[who].id
        assert supervision.sharing(owner, rid) == Sharing(rid, True)
    # Sue agreeing again starts afresh: no link comes back.
    services.users.agree(SUE, "Sue")
    with pytest.raises(NotFound):
        supervision.shared_with(SUE, reflections["ann"].id)
    with pytest.raises(NotFound):
        supervision.end(SUE, links["ann-sue"].id)


def test_a_practitioner_who_forgets_ends_all_their_links(services, supervision):
    links, reflections = forget_world(services, supervision)
    services.privacy.forget(ANN)
    assert [v.other.id for v in supervision.links(SUE).supervisees] == [BO]
    assert supervision.links(SUE).supervisors == []
    assert supervision.links(SAM).supervisees == []
    assert comment_texts(services) == {"Sue on Bo"}
    for name in ("ann-sue", "ann-sam", "sue-ann"):
        assert storage.get_link(services.db, links[name].id) is None, name
    for other in (SUE, SAM, BO):
        assert services.users.get(other) is not None
    assert supervision.shared_with(SUE, reflections["bo"].id).reflection.text == "Bo's words"
    assert supervision.sharing(SUE, reflections["sue"].id) == Sharing(reflections["sue"].id, True)
    # Ann back under the same id, with a new reflection shared: Sue is not her supervisor.
    services.users.agree(ANN, "Ann")
    again = shared_in_full(services, ANN, "A fresh start.")
    with pytest.raises(NotFound):
        supervision.shared_with(SUE, again.id)


@pytest.mark.parametrize("who", [SUE, ANN])
def test_forgotten_comments_leave_the_database_file(services, supervision, settings, who):
    """Sue's comment on Ann's reflection is gone from the file and its log whether Sue
    (who wrote it) or Ann (whose reflection it is about) forgets."""
    linked(supervision, ANN, SUE)
    reflection = shared_in_full(services, ANN, "Ann-text")
    supervision.comment(SUE, reflection.id, "COMMENT-MARKER-5521")
    storage.checkpoint(services.db)
    assert b"COMMENT-MARKER-5521" in raw_database(settings.db_path)
    services.privacy.forget(who)
    assert b"COMMENT-MARKER-5521" not in raw_database(settings.db_path)


def test_mydata_shows_the_comments_on_ones_reflections(services, supervision):
    forget_world(services, supervision)
    ann = storage.rows_about(services.db, ANN)
    assert {row["text"] for row in ann["supervision_comments"]} == {
        "Sue on Ann",
        "Sam on Ann",
        "Ann on Sue",
    }
    assert len(ann["supervision_links"]) == 3
    sue = storage.rows_about(services.db, SUE)
    assert {row["text"] for row in sue["supervision_comments"]} == {
        "Sue on Ann",
        "Sue on Bo",
        "Ann on Sue",
    }
    assert len(sue["supervision_links"]) == 3
