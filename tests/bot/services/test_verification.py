"""Verified reviews through the services: only the registration verifier of an active
link records one, for a date that is neither in the future nor older than a registration
cycle; the practitioner answers it once; declined reviews stay out of the export, and a
review outlives its verifier's /forget with their name kept."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

import storage
from bot.services import NotAllowed, NotFound
from bot.services.nudge_settings import InvalidSetting
from bot.services.periods import add_years
from bot.services.supervision import LinkView
from bot.services.verification import MAX_NOTE_CHARS
from tests.bot.services.conftest import ANN, BO

SAM, SUE, CY = 404, 303, 505  # Ann's verifier, Ann's plain supervisor, a stranger who agreed
NOBODY = 606  # never agreed
TODAY = date(2026, 11, 23)  # the fake clock's day, in London
NOTE = "We went through the youth work course and two reflections on conflict."


@pytest.fixture
def people(services):
    for user_id, name in ((ANN, "Ann"), (BO, "Bo"), (SAM, "Sam"), (SUE, "Sue"), (CY, "Cy")):
        services.users.agree(user_id, name)
    return services


def linked(
    services, practitioner: int, supervisor: int, *, verifier: bool
) -> storage.SupervisionLink:
    supervision = services.supervision
    made = supervision.accept(
        supervision.invite(practitioner, as_verifier=verifier).token, supervisor
    )
    assert isinstance(made, LinkView), made
    return made.link


@pytest.fixture
def verifier_link(people) -> storage.SupervisionLink:
    """Sam is Ann's registration verifier."""
    return linked(people, ANN, SAM, verifier=True)


def user(services, user_id: int) -> storage.User:
    found = storage.get_user(services.db, user_id)
    assert found is not None
    return found


def review_count(services) -> int:
    return services.db["verifications"].count


def record(services, link, on: date = TODAY - timedelta(days=1), note: str = NOTE, by: int = SAM):
    return services.verification.record(user(services, by), link.id, on, note)


# ---- who records


def test_the_verifier_records_a_review_that_waits_for_the_practitioner(
    people, verifier_link, clock
):
    review = record(people, verifier_link, note=f"  {NOTE}\n")
    assert (review.practitioner_id, review.verifier_id, review.verifier_name) == (ANN, SAM, "Sam")
    assert review.discussed_on == TODAY - timedelta(days=1)
    assert review.note == NOTE  # trimmed
    assert review.created_at == clock()
    assert review.accepted_at is None and review.declined_at is None
    assert people.verification.reviews(ANN) == [review]
    assert people.verification.practitioner_of(SAM, verifier_link.id).id == ANN


def test_a_plain_supervisor_may_not_record(people):
    plain = linked(people, ANN, SUE, verifier=False)
    with pytest.raises(NotAllowed):
        record(people, plain, by=SUE)
    with pytest.raises(NotAllowed):
        people.verification.practitioner_of(SUE, plain.id)
    assert review_count(people) == 0


def test_nobody_records_on_someone_elses_link(people, verifier_link):
    bo_link = linked(people, BO, SUE, verifier=True)
    for someone, link in (
        (CY, verifier_link),  # a stranger
        (ANN, verifier_link),  # the practitioner, about herself
        (SUE, verifier_link),  # a verifier, but of Bo
        (SAM, bo_link),  # a verifier, but of Ann
    ):
        with pytest.raises(NotAllowed):
            record(people, link, by=someone)
        with pytest.raises(NotAllowed):
            people.verification.practitioner_of(someone, link.id)
    assert review_count(people) == 0


def test_no_review_on_an_ended_or_unknown_link(people, verifier_link):
    people.supervision.end(ANN, verifier_link.id)
    with pytest.raises(NotFound):
        record(people, verifier_link)
    with pytest.raises(NotFound):
        people.verification.practitioner_of(SAM, verifier_link.id)
    for missing in (verifier_link.id + 1000, 0, -1):
        with pytest.raises(NotFound):
            people.verification.record(user(people, SAM), missing, TODAY)
    assert review_count(people) == 0


def test_a_link_ended_by_the_verifier_stops_them_too(people, verifier_link):
    people.supervision.end(SAM, verifier_link.id)
    with pytest.raises(NotFound):
        record(people, verifier_link)
    assert review_count(people) == 0


def test_only_while_they_are_the_verifier(people, verifier_link):
    people.supervision.set_verifier(ANN, verifier_link.id, False)
    with pytest.raises(NotAllowed):
        record(people, verifier_link)
    people.supervision.set_verifier(ANN, verifier_link.id, True)
    assert record(people, verifier_link).verifier_id == SAM


def test_a_verifier_invitation_makes_a_plain_supervisor_a_verifier(people):
    plain = linked(people, ANN, SUE, verifier=False)
    upgraded = linked(people, ANN, SUE, verifier=True)
    assert upgraded.id == plain.id
    assert record(people, plain, by=SUE).verifier_name == "Sue"


# ---- dates


def test_a_date_may_be_today_but_not_in_the_future(people, verifier_link):
    assert record(people, verifier_link, on=TODAY).discussed_on == TODAY
    for future in (TODAY + timedelta(days=1), date(2027, 1, 1)):
        with pytest.raises(InvalidSetting) as refused:
            record(people, verifier_link, on=future)
        assert refused.value.key == "review.date_out_of_range"
    assert review_count(people) == 1


def test_a_date_may_be_three_years_old_but_no_older(people, verifier_link):
    three_years = add_years(TODAY, -3)
    assert record(people, verifier_link, on=three_years).discussed_on == three_years
    for old in (three_years - timedelta(days=31), date(2020, 1, 1), date(1, 1, 1)):
        with pytest.raises(InvalidSetting) as refused:
            record(people, verifier_link, on=old)
        assert refused.value.key == "review.date_out_of_range"
    assert review_count(people) == 1


def test_today_is_the_verifiers_own_day(people, verifier_link, clock):
    clock.now = datetime(2026, 11, 23, 23, 30, tzinfo=clock.now.tzinfo)  # 24 Nov in Auckland
    with pytest.raises(InvalidSetting):
        record(people, verifier_link, on=date(2026, 11, 24))
    people.nudge_settings.set_timezone(SAM, "Pacific/Auckland")
    assert record(people, verifier_link, on=date(2026, 11, 24)).discussed_on == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("20 Nov", date(2026, 11, 20)),  # the last 20 Nov up to today
        ("23 nov", TODAY),
        ("Nov 23", TODAY),
        ("24 Nov", date(2025, 11, 24)),  # not tomorrow: last year's
        ("24 Dec", date(2025, 12, 24)),
        ("1/1", date(2026, 1, 1)),
        ("20/11/2026", date(2026, 11, 20)),
        ("2024-11-24", date(2024, 11, 24)),
    ],
)
def test_typed_dates_mean_the_last_such_day(people, typed, meant):
    assert people.verification.parse_day(user(people, SAM), typed) == meant


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("24/12/2026", "review.date_out_of_range"),  # a year given: in the future
        ("2026-11-24", "review.date_out_of_range"),
        ("20 Nov 2023", "review.date_out_of_range"),  # more than a cycle ago
        ("last week", "settings.date_invalid"),
        ("31 Nov", "settings.date_invalid"),
        ("", "settings.date_invalid"),
    ],
)
def test_typed_dates_out_of_range_or_unreadable_are_refused(people, typed, key):
    with pytest.raises(InvalidSetting) as refused:
        people.verification.parse_day(user(people, SAM), typed)
    assert refused.value.key == key


def test_a_typed_29_february_means_the_last_one(people):
    assert people.verification.parse_day(user(people, SAM), "29 Feb") == date(2024, 2, 29)


# ---- the note


def test_a_note_is_cut_to_a_thousand_characters(people, verifier_link):
    long = "é" * (MAX_NOTE_CHARS - 1) + "xyz"
    review = record(people, verifier_link, note=long)
    assert MAX_NOTE_CHARS == 1000
    assert review.note == "é" * 999 + "x"
    assert storage.get_verified_review(people.db, review.id).note == review.note
    exact = record(people, verifier_link, note="n" * 1000)
    assert exact.note == "n" * 1000
    assert record(people, verifier_link, note="   ").note == ""


# ---- the practitioner's answer


def test_the_practitioner_answers_once(people, verifier_link, clock):
    accepted, declined = record(people, verifier_link), record(people, verifier_link)
    answered = people.verification.answer(ANN, accepted.id, True)
    assert (answered.accepted_at, answered.declined_at) == (clock(), None)
    clock.advance(hours=1)
    for accept in (True, False):
        with pytest.raises(NotFound):
            people.verification.answer(ANN, accepted.id, accept)
    assert storage.get_verified_review(people.db, accepted.id) == answered
    said_no = people.verification.answer(ANN, declined.id, False)
    assert (said_no.accepted_at, said_no.declined_at) == (None, clock())
    with pytest.raises(NotFound):
        people.verification.answer(ANN, declined.id, True)
    assert storage.get_verified_review(people.db, declined.id) == said_no


def test_only_the_practitioner_answers(people, verifier_link):
    pending = record(people, verifier_link)
    answered = record(people, verifier_link)
    people.verification.answer(ANN, answered.id, True)
    before = [storage.get_verified_review(people.db, r.id) for r in (pending, answered)]
    for someone in (SAM, SUE, BO, CY, NOBODY):
        for review in (pending, answered):
            for accept in (True, False):
                with pytest.raises(NotAllowed):
                    people.verification.answer(someone, review.id, accept)
    assert [storage.get_verified_review(people.db, r.id) for r in (pending, answered)] == before
    with pytest.raises(NotFound):
        people.verification.answer(ANN, answered.id + 1000, True)


def test_the_practitioner_answers_after_the_link_ended(people, verifier_link):
    review = record(people, verifier_link)
    people.supervision.end(SAM, verifier_link.id)
    assert people.verification.answer(ANN, review.id, True).accepted_at is not None


# ---- in the export


def verifications(services, key: str = "all"):
    ann = user(services, ANN)
    return services.exporting.portfolio(ann, services.exporting.period(ann, key)).verifications


def test_accepted_and_pending_reviews_are_in_the_export_declined_ones_not(people, verifier_link):
    accepted = record(people, verifier_link, on=date(2026, 10, 1), note="accepted one")
    record(people, verifier_link, on=date(2026, 11, 2), note="pending one")
    declined = record(people, verifier_link, on=date(2026, 11, 10), note="declined one")
    people.verification.answer(ANN, accepted.id, True)
    people.verification.answer(ANN, declined.id, False)
    assert [(v.on, v.verifier, v.note, v.accepted) for v in verifications(people)] == [
        (date(2026, 10, 1), "Sam", "accepted one", True),
        (date(2026, 11, 2), "Sam", "pending one", False),
    ]
    assert verifications(people) == verifications(people, "cycle")


def test_only_reviews_within_the_period_are_in_the_export(people, verifier_link):
    for on in (date(2024, 1, 10), date(2025, 11, 23), date(2025, 11, 24), date(2026, 8, 23)):
        record(people, verifier_link, on=on, note=f"{on}")
    record(people, verifier_link, on=date(2026, 8, 24), note="in the last 3 months")
    assert [v.on for v in verifications(people, "3m")] == [date(2026, 8, 24)]
    assert [v.on for v in verifications(people, "12m")] == [
        date(2025, 11, 24),
        date(2026, 8, 23),
        date(2026, 8, 24),
    ]
    assert len(verifications(people, "all")) == 5
    ann = user(people, ANN)
    chosen = people.exporting.period_between(ann, date(2025, 11, 23), date(2025, 11, 24))
    assert [v.on for v in people.exporting.portfolio(ann, chosen).verifications] == [
        date(2025, 11, 23),
        date(2025, 11, 24),
    ]


def test_bos_export_has_none_of_anns_reviews(people, verifier_link):
    record(people, verifier_link)
    bo = user(people, BO)
    assert people.exporting.portfolio(bo, people.exporting.period(bo, "all")).verifications == ()


# ---- /forget


def test_a_verifiers_forget_leaves_the_review_with_their_name(people, verifier_link):
    pending = record(people, verifier_link, note="pending")
    accepted = record(people, verifier_link, note="accepted")
    people.verification.answer(ANN, accepted.id, True)
    storage.forget_user(people.db, SAM)
    assert storage.get_user(people.db, SAM) is None
    kept = people.verification.reviews(ANN)
    assert [(r.id, r.verifier_id, r.verifier_name) for r in kept] == [
        (pending.id, None, "Sam"),
        (accepted.id, None, "Sam"),
    ]
    assert [r.note for r in kept] == ["pending", "accepted"]
    assert storage.rows_about(people.db, SAM).get("verifications", []) == []
    assert people.verification.answer(ANN, pending.id, True).verifier_id is None
    assert [(v.verifier, v.accepted) for v in verifications(people)] == [
        ("Sam", True),
        ("Sam", True),
    ]


def test_a_practitioners_forget_takes_her_reviews(people, verifier_link):
    record(people, verifier_link)
    storage.forget_user(people.db, ANN)
    assert review_count(people) == 0
    assert storage.get_user(people.db, SAM) is not None
