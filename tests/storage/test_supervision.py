"""Supervision storage: invitations kept as hashes, links (one active per pair, never to
oneself), what is shared of each reflection, settings and comments, and how /forget and
/mydata treat rows that name two people."""

import sqlite3
from datetime import UTC, datetime, time, timedelta

import pytest

import storage
from storage import Sharing, SupervisionSettings

NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
WEEK = timedelta(days=7)
ANN, BO, SUE, SAM = 1, 2, 3, 4  # Ann and Bo come from conftest's db


@pytest.fixture
def db(db):
    """Ann and Bo (practitioners) and Sue and Sam (their supervisors) have agreed."""
    storage.save_consent(db, SUE, "Sue", "Europe/London", NOW)
    storage.save_consent(db, SAM, "Sam", "Europe/London", NOW)
    return db


def finished(db, user_id: int, text: str = "We ran the pool night.") -> storage.Reflection:
    made = storage.start_reflection(
        db, user_id, kind="guided", question_set_id="quick", question_set_version=1, now=NOW
    )
    storage.save_answer(db, made.id, "what", text, NOW)
    done, _ = storage.finish_reflection(db, made.id, text, NOW, [], "test-model", NOW)
    return done


def link(db, practitioner: int, supervisor: int, *, verifier: bool = False, when=NOW):
    invitation = storage.add_invitation(
        db, practitioner, f"hash-{practitioner}-{supervisor}-{when}", verifier, when, when + WEEK
    )
    made = storage.accept_invitation(db, invitation.id, supervisor, when)
    assert made is not None
    return made


def count(db, table: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0]


# ---- the schema


def test_migration_8_makes_the_supervision_tables(db):
    assert storage.schema_version(db) >= 8
    assert {
        "supervision_invitations",
        "supervision_links",
        "reflection_shares",
        "supervision_settings",
        "supervision_comments",
    } <= set(db.table_names())
    assert storage.unclassified_tables(db) == set()


def test_only_one_active_link_per_pair(db):
    link(db, ANN, SUE)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO supervision_links (practitioner_id, supervisor_id, created_at)"
            " VALUES (?, ?, ?)",
            [ANN, SUE, NOW.isoformat()],
        )


def test_an_ended_link_leaves_room_for_a_new_one_and_the_reverse_pair_is_another_pair(db):
    first = link(db, ANN, SUE)
    assert storage.end_link(db, first.id, ANN, NOW)
    again = link(db, ANN, SUE, when=NOW + timedelta(days=1))
    assert again.id != first.id and again.active
    reverse = link(db, SUE, ANN)  # Ann supervises Sue as well: a different pair
    assert reverse.practitioner_id == SUE and reverse.supervisor_id == ANN
    assert count(db, "supervision_links") == 3


def test_nobody_is_their_own_supervisor(db):
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        db.execute(
            "INSERT INTO supervision_links (practitioner_id, supervisor_id, created_at)"
            " VALUES (?, ?, ?)",
            [ANN, ANN, NOW.isoformat()],
        )


def test_accepting_ones_own_invitation_fails_whole_and_leaves_it_unused(db):
    invitation = storage.add_invitation(db, ANN, "h", False, NOW, NOW + WEEK)
    with pytest.raises(sqlite3.IntegrityError):
        storage.accept_invitation(db, invitation.id, ANN, NOW)
    assert storage.invitation_by_hash(db, "h").used_at is None
    assert count(db, "supervision_links") == 0


def test_links_and_invitations_name_only_users_who_agreed(db):
    with pytest.raises(sqlite3.IntegrityError):
        storage.add_invitation(db, 999, "h", False, NOW, NOW + WEEK)
    invitation = storage.add_invitation(db, ANN, "h", False, NOW, NOW + WEEK)
    with pytest.raises(sqlite3.IntegrityError):
        storage.accept_invitation(db, invitation.id, 999, NOW)
    assert storage.invitation_by_hash(db, "h").used_at is None


# ---- invitations


def test_an_invitation_is_found_by_its_hash_only(db):
    made = storage.add_invitation(db, ANN, "a" * 64, True, NOW, NOW + WEEK)
    assert made.user_id == ANN and made.as_verifier and made.used_at is None
    assert (made.created_at, made.expires_at) == (NOW, NOW + WEEK)
    assert storage.invitation_by_hash(db, "a" * 64) == made
    assert storage.invitation_by_hash(db, "b" * 64) is None
    assert storage.invitation_by_hash(db, "") is None


def test_two_invitations_cannot_share_a_hash(db):
    storage.add_invitation(db, ANN, "same", False, NOW, NOW + WEEK)
    with pytest.raises(sqlite3.IntegrityError):
        storage.add_invitation(db, BO, "same", False, NOW, NOW + WEEK)


def test_an_invitation_is_used_once(db):
    invitation = storage.add_invitation(db, ANN, "h", False, NOW, NOW + WEEK)
    made = storage.accept_invitation(db, invitation.id, SUE, NOW + timedelta(hours=1))
    assert (made.practitioner_id, made.supervisor_id, made.verifier) == (ANN, SUE, False)
    assert made.created_at == NOW + timedelta(hours=1) and made.active
    assert storage.invitation_by_hash(db, "h").used_at == NOW + timedelta(hours=1)
    # The second of two accepts racing for it (the same or another supervisor) gets None.
    assert storage.accept_invitation(db, invitation.id, SUE, NOW + timedelta(hours=2)) is None
    assert storage.accept_invitation(db, invitation.id, SAM, NOW + timedelta(hours=2)) is None
    assert count(db, "supervision_links") == 1
    assert storage.invitation_by_hash(db, "h").used_at == NOW + timedelta(hours=1)


def test_an_invitation_expires_at_its_expiry_time(db):
    invitation = storage.add_invitation(db, ANN, "h", False, NOW, NOW + WEEK)
    assert storage.accept_invitation(db, invitation.id, SUE, NOW + WEEK) is None
    assert storage.invitation_by_hash(db, "h").used_at is None
    just_before = NOW + WEEK - timedelta(microseconds=1)
    assert storage.accept_invitation(db, invitation.id, SUE, just_before) is not None


def test_an_unknown_invitation_links_nobody(db):
    assert storage.accept_invitation(db, 12345, SUE, NOW) is None
    assert count(db, "supervision_links") == 0


def test_a_verifier_invitation_upgrades_an_active_link_instead_of_adding_one(db):
    plain = link(db, ANN, SUE)
    invitation = storage.add_invitation(db, ANN, "v", True, NOW, NOW + WEEK)
    upgraded = storage.accept_invitation(db, invitation.id, SUE, NOW + timedelta(hours=1))
    assert upgraded.id == plain.id and upgraded.verifier
    assert upgraded.created_at == plain.created_at
    assert count(db, "supervision_links") == 1


def test_a_plain_invitation_to_an_active_link_keeps_it_as_it_is(db):
    verifier = link(db, ANN, SUE, verifier=True)
    invitation = storage.add_invitation(db, ANN, "p", False, NOW, NOW + WEEK)
    kept = storage.accept_invitation(db, invitation.id, SUE, NOW)
    assert kept == verifier  # still the verifier: a plain invitation does not demote
    assert count(db, "supervision_links") == 1


def test_two_invitations_accepted_by_the_same_supervisor_make_one_link(db):
    first = storage.add_invitation(db, ANN, "one", False, NOW, NOW + WEEK)
    second = storage.add_invitation(db, ANN, "two", False, NOW, NOW + WEEK)
    a = storage.accept_invitation(db, first.id, SUE, NOW)
    b = storage.accept_invitation(db, second.id, SUE, NOW)
    assert a.id == b.id
    assert count(db, "supervision_links") == 1


# ---- links


def test_links_are_many_to_many_and_listed_oldest_first(db):
    ann_sue = link(db, ANN, SUE, when=NOW)
    ann_sam = link(db, ANN, SAM, when=NOW + timedelta(minutes=1))
    bo_sue = link(db, BO, SUE, when=NOW + timedelta(minutes=2))
    assert storage.active_links(db, practitioner_id=ANN) == [ann_sue, ann_sam]
    assert storage.active_links(db, supervisor_id=SUE) == [ann_sue, bo_sue]
    assert storage.active_links(db, practitioner_id=SUE) == []
    assert storage.active_links(db, supervisor_id=ANN) == []
    assert storage.active_link(db, ANN, SUE) == ann_sue
    assert storage.active_link(db, SUE, ANN) is None


def test_ending_a_link_keeps_it_marked_ended(db):
    made = link(db, ANN, SUE)
    later = NOW + timedelta(days=3)
    assert storage.end_link(db, made.id, SUE, later)
    ended = storage.get_link(db, made.id)
    assert (ended.ended_at, ended.ended_by, ended.active) == (later, SUE, False)
    assert storage.active_link(db, ANN, SUE) is None
    assert storage.active_links(db, practitioner_id=ANN) == []
    assert storage.active_links(db, supervisor_id=SUE) == []
    # Ending again changes nothing: the first ending is kept.
    assert not storage.end_link(db, made.id, ANN, later + timedelta(days=1))
    assert storage.get_link(db, made.id) == ended
    assert not storage.end_link(db, 9999, ANN, later)
    assert storage.get_link(db, 9999) is None


def test_set_verifier_both_ways(db):
    made = link(db, ANN, SUE)
    storage.set_verifier(db, made.id, True)
    assert storage.get_link(db, made.id).verifier
    storage.set_verifier(db, made.id, False)
    assert not storage.get_link(db, made.id).verifier


# ---- sharing


def test_nothing_is_shared_until_the_practitioner_says_so(db):
    reflection = finished(db, ANN)
    assert storage.sharing_of(db, reflection.id) == Sharing(reflection.id, False, False)
    assert storage.sharing_of(db, 9999) == Sharing(9999, False, False)
    assert storage.sharings_of(db, ANN) == {}
    assert count(db, "reflection_shares") == 0  # reading the default writes nothing


def test_set_sharing_replaces_the_choice(db):
    reflection = finished(db, ANN)
    storage.set_sharing(db, Sharing(reflection.id, True, False), NOW)
    assert storage.sharing_of(db, reflection.id) == Sharing(reflection.id, True, False)
    storage.set_sharing(db, Sharing(reflection.id, False, True), NOW + timedelta(hours=1))
    assert storage.sharing_of(db, reflection.id) == Sharing(reflection.id, False, True)
    assert count(db, "reflection_shares") == 1
    row = db["reflection_shares"].get(reflection.id)
    assert row["updated_at"] == (NOW + timedelta(hours=1)).isoformat()


def test_sharings_of_lists_only_the_users_own_reflections(db):
    ann_one, ann_two, bo_one = finished(db, ANN), finished(db, ANN), finished(db, BO)
    storage.set_sharing(db, Sharing(ann_one.id, True, False), NOW)
    storage.set_sharing(db, Sharing(ann_two.id, False, True), NOW)
    storage.set_sharing(db, Sharing(bo_one.id, True, True), NOW)
    assert storage.sharings_of(db, ANN) == {
        ann_one.id: Sharing(ann_one.id, True, False),
        ann_two.id: Sharing(ann_two.id, False, True),
    }
    assert storage.sharings_of(db, BO) == {bo_one.id: Sharing(bo_one.id, True, True)}
    assert storage.sharings_of(db, SUE) == {}


def test_a_share_of_a_reflection_that_does_not_exist_is_refused(db):
    with pytest.raises(sqlite3.IntegrityError):
        storage.set_sharing(db, Sharing(9999, True, False), NOW)


def test_sharing_and_comments_go_with_the_reflection(db):
    reflection, other = finished(db, ANN), finished(db, ANN)
    link(db, ANN, SUE)
    for each in (reflection, other):
        storage.set_sharing(db, Sharing(each.id, True, True), NOW)
        storage.add_comment(db, each.id, SUE, f"comment on {each.id}", NOW)
    storage.delete_reflection(db, reflection.id)
    assert storage.sharing_of(db, reflection.id) == Sharing(reflection.id)
    assert storage.comments_on(db, reflection.id) == []
    assert storage.sharings_of(db, ANN) == {other.id: Sharing(other.id, True, True)}
    assert [c.text for c in storage.comments_on(db, other.id)] == [f"comment on {other.id}"]


# ---- settings


def test_supervision_settings_default_without_a_row(db):
    assert storage.supervision_settings(db, ANN) == SupervisionSettings(
        ANN, share_by_default=False, digest_day=0, digest_time=time(9), digest_when_empty="line"
    )
    assert count(db, "supervision_settings") == 0


def test_supervision_settings_are_saved_and_replaced(db):
    chosen = SupervisionSettings(ANN, True, 4, time(17, 45), "none")
    storage.save_supervision_settings(db, chosen, NOW)
    assert storage.supervision_settings(db, ANN) == chosen
    again = SupervisionSettings(ANN, False, 6, time(7, 5), "line")
    storage.save_supervision_settings(db, again, NOW + timedelta(hours=1))
    assert storage.supervision_settings(db, ANN) == again
    assert storage.supervision_settings(db, BO) == SupervisionSettings(BO)
    assert count(db, "supervision_settings") == 1
    row = db["supervision_settings"].get(ANN)
    assert row["updated_at"] == (NOW + timedelta(hours=1)).isoformat()


def test_digest_when_empty_is_line_or_none(db):
    with pytest.raises(sqlite3.IntegrityError):
        storage.save_supervision_settings(
            db, SupervisionSettings(ANN, digest_when_empty="always"), NOW
        )


# ---- comments


def test_comments_are_kept_in_order_per_reflection(db):
    reflection, other = finished(db, ANN), finished(db, ANN)
    link(db, ANN, SUE)
    link(db, ANN, SAM)
    first = storage.add_comment(db, reflection.id, SUE, "Good noticing.", NOW)
    storage.add_comment(db, other.id, SUE, "Elsewhere.", NOW)
    second = storage.add_comment(db, reflection.id, SAM, "Bring it Tuesday.", NOW)
    assert (first.reflection_id, first.supervisor_id, first.text, first.created_at) == (
        reflection.id,
        SUE,
        "Good noticing.",
        NOW,
    )
    assert storage.comments_on(db, reflection.id) == [first, second]
    assert storage.comments_on(db, 9999) == []


# ---- /forget and /mydata, for rows that name two people


def supervised_world(db):
    """Ann and Bo are supervised by Sue; Ann also by Sam; Sue herself is supervised by
    Ann (both sides at once). Each shared reflection has a comment from its supervisor."""
    ann_r, bo_r, sue_r = finished(db, ANN), finished(db, BO), finished(db, SUE)
    links = {
        "ann-sue": link(db, ANN, SUE),
        "ann-sam": link(db, ANN, SAM),
        "bo-sue": link(db, BO, SUE),
        "sue-ann": link(db, SUE, ANN),
    }
    for reflection in (ann_r, bo_r, sue_r):
        storage.set_sharing(db, Sharing(reflection.id, True, False), NOW)
    storage.add_comment(db, ann_r.id, SUE, "Sue on Ann", NOW)
    storage.add_comment(db, ann_r.id, SAM, "Sam on Ann", NOW)
    storage.add_comment(db, bo_r.id, SUE, "Sue on Bo", NOW)
    storage.add_comment(db, sue_r.id, ANN, "Ann on Sue", NOW)
    storage.add_invitation(db, ANN, "ann-open", False, NOW, NOW + WEEK)
    storage.add_invitation(db, SUE, "sue-open", False, NOW, NOW + WEEK)
    storage.save_supervision_settings(db, SupervisionSettings(ANN, True), NOW)
    storage.save_supervision_settings(db, SupervisionSettings(SUE, True), NOW)
    return ann_r, bo_r, sue_r, links


def all_comments(db) -> set[str]:
    return {row["text"] for row in db["supervision_comments"].rows}


def all_link_pairs(db) -> set[tuple[int, int]]:
    return {(r["practitioner_id"], r["supervisor_id"]) for r in db["supervision_links"].rows}


def test_a_supervisor_who_forgets_takes_their_links_and_comments_and_nothing_else(db):
    ann_r, bo_r, sue_r, _ = supervised_world(db)
    storage.forget_user(db, SUE)
    # Both sides: links where Sue supervised, and the one where she was supervised.
    assert all_link_pairs(db) == {(ANN, SAM)}
    assert all_comments(db) == {"Sam on Ann"}  # hers, and Ann's on her reflection
    assert storage.get_reflection(db, sue_r.id) is None
    assert storage.invitation_by_hash(db, "sue-open") is None
    assert storage.supervision_settings(db, SUE) == SupervisionSettings(SUE)
    # The practitioners' own data stays.
    assert storage.get_reflection(db, ann_r.id) is not None
    assert storage.get_reflection(db, bo_r.id) is not None
    assert storage.sharings_of(db, ANN) == {ann_r.id: Sharing(ann_r.id, True, False)}
    assert storage.sharings_of(db, BO) == {bo_r.id: Sharing(bo_r.id, True, False)}
    assert storage.invitation_by_hash(db, "ann-open") is not None
    assert storage.supervision_settings(db, ANN).share_by_default


def test_a_practitioner_who_forgets_takes_their_links_and_comments_on_their_reflections(db):
    ann_r, bo_r, sue_r, _ = supervised_world(db)
    storage.forget_user(db, ANN)
    assert all_link_pairs(db) == {(BO, SUE)}  # Ann-Sue, Ann-Sam and Sue-Ann are gone
    assert all_comments(db) == {"Sue on Bo"}
    assert storage.invitation_by_hash(db, "ann-open") is None
    assert storage.sharings_of(db, ANN) == {}
    assert count(db, "reflection_shares") == 2  # Bo's and Sue's
    for other in (SUE, SAM, BO):
        assert storage.get_user(db, other) is not None
    assert storage.get_reflection(db, sue_r.id) is not None
    assert storage.get_reflection(db, bo_r.id) is not None
    assert storage.invitation_by_hash(db, "sue-open") is not None
    assert storage.supervision_settings(db, SUE).share_by_default


def test_ended_links_go_too_whoever_ended_them(db):
    made = link(db, ANN, SUE)
    storage.end_link(db, made.id, ANN, NOW)
    storage.forget_user(db, SUE)
    assert storage.get_link(db, made.id) is None
    other = link(db, BO, SAM)
    storage.end_link(db, other.id, SAM, NOW)
    storage.forget_user(db, BO)
    assert count(db, "supervision_links") == 0


def test_mydata_lists_the_links_on_both_sides_and_the_comments_on_ones_reflections(db):
    ann_r, bo_r, sue_r, links = supervised_world(db)
    ann = storage.rows_about(db, ANN)
    assert {row["id"] for row in ann["supervision_links"]} == {
        links["ann-sue"].id,
        links["ann-sam"].id,
        links["sue-ann"].id,
    }
    assert {row["text"] for row in ann["supervision_comments"]} == {
        "Sue on Ann",  # on her reflection, written by others
        "Sam on Ann",
        "Ann on Sue",  # written by her
    }
    assert [row["reflection_id"] for row in ann["reflection_shares"]] == [ann_r.id]
    assert {row["user_id"] for row in ann["supervision_invitations"]} == {ANN}
    assert "ann-open" in {row["token_hash"] for row in ann["supervision_invitations"]}
    assert [row["user_id"] for row in ann["supervision_settings"]] == [ANN]
    bo = storage.rows_about(db, BO)
    assert {row["text"] for row in bo["supervision_comments"]} == {"Sue on Bo"}
    assert {row["id"] for row in bo["supervision_links"]} == {links["bo-sue"].id}
    sam = storage.rows_about(db, SAM)
    assert {row["text"] for row in sam["supervision_comments"]} == {"Sam on Ann"}
    assert sam["reflection_shares"] == []  # Ann's sharing choice is Ann's
