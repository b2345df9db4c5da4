"""Weekly digests through the services: what each supervisee's section holds, that no text
of a reflection not shared in full ever gets in, one digest a week whatever restarts,
and the supervisor's own day, time and time zone, daylight saving included."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

import storage
from bot.services import NotAllowed
from bot.services.digest_wording import MAX_READ_BUTTONS, MESSAGE_LIMIT, digest_text, read_buttons
from bot.services.digests import EXCERPT_CHARS, DigestService, excerpt, iso_week
from bot.services.nudge_settings import InvalidSetting
from bot.services.supervision import LinkView
from prompts import plain, t
from tests.bot.services.conftest import ANN, BO, local, write

SUE, SAM, NOBODY = 303, 404, 505  # two supervisors; someone who supervises nobody
PRIVATE = "PRIVATE-MARKER Jo told me about the fight at home."
SHARED = (
    "SHARED-START The youth club ran a planning night and the young people chose the summer"
    " trip themselves. I held back and let them argue it out, which was hard for me but"
    " worked: they settled on the islands and costed it. Next time I will bring the"
    " budget sheet earlier so the costing does not take the whole session. SHARED-END"
)
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = local(2026, 11, 30, 9, 0)  # Sue's digest moment: Monday 09:00 London (GMT)


@pytest.fixture
def people(services):
    for user_id, name in ((ANN, "Ann"), (BO, "Bo"), (SUE, "Sue"), (SAM, "Sam"), (NOBODY, "Nia")):
        services.users.agree(user_id, name)
    return services


def linked(services, practitioner: int, supervisor: int, *, verifier: bool = False):
    supervision = services.supervision
    made = supervision.accept(supervision.invite(practitioner, verifier).token, supervisor)
    assert isinstance(made, LinkView), made
    return made.link


@pytest.fixture
def sue(people, clock):
    """Sue supervises Ann (as her verifier) and Bo; it is Monday, 09:00 in London."""
    linked(people, ANN, SUE, verifier=True)
    linked(people, BO, SUE)
    clock.now = MONDAY
    return people


def note(services, user_id: int, started: datetime, text: str, **kwargs) -> storage.Reflection:
    return write(services, user_id, started, "quick", [("note", text)], **kwargs)


def a_fresh_service(services, clock) -> tuple[DigestService, object]:
    """The digest service as after a restart: a new object on a new connection."""
    db = storage.open_database(services.settings.db_path)
    return DigestService(db, services.framework, services.learning, clock), db


# ---- what a digest holds


def test_each_section_holds_what_the_supervisor_may_see(sue, clock):
    services = sue
    services.learning.set_weekly_hours(ANN, "35")
    september = note(services, ANN, local(2026, 9, 1, 12), "Old one", confirmed=("1.1",))
    note(services, ANN, local(2026, 10, 20, 12), "Six weeks ago", confirmed=("2.1",))
    flagged_before = note(services, ANN, local(2026, 11, 2, 12), "Flagged " + PRIVATE)
    services.supervision.share(ANN, flagged_before.id, to_discuss=True)
    private = note(services, ANN, local(2026, 11, 24, 19), PRIVATE, confirmed=("2.1", "3.2"))
    storage.mark_learning(services.db, private.id, ANN, "course", 2.5, clock())
    shared = note(services, ANN, local(2026, 11, 26, 20), SHARED, confirmed=("3.2", "7.1"))
    services.supervision.share(ANN, shared.id, in_full=True)
    flagged = note(services, ANN, local(2026, 11, 28, 10), "To talk about " + PRIVATE)
    services.supervision.share(ANN, flagged.id, to_discuss=True)
    unflagged = note(services, ANN, local(2026, 11, 27, 10), "Was flagged " + PRIVATE)
    services.supervision.share(ANN, unflagged.id, to_discuss=True)
    services.supervision.share(ANN, unflagged.id, to_discuss=False)
    note(services, ANN, local(2026, 11, 30, 9, 1), "After the week " + PRIVATE)

    digest = services.digests.compose(SUE)

    assert (digest.supervisor.id, digest.week) == (SUE, "2026-W49")
    assert (digest.start, digest.end) == (local(2026, 11, 23, 9), MONDAY)
    ann, bo = digest.supervisees
    assert (ann.practitioner.display_name, ann.link.verifier) == ("Ann", True)
    assert (bo.practitioner.display_name, bo.link.verifier) == ("Bo", False)
    assert ann.reflections == 4  # private, shared, flagged, unflagged: not before, not after
    assert ann.new_indicators == ["3.2", "7.1"]  # 2.1 was evidenced before the week
    assert {(g.number, g.weeks) for g in ann.gaps} == {
        (1, 12),  # september.finished_at, 12 whole weeks before the digest
        (4, None),
        (5, None),
        (6, None),
    }
    assert september.finished_at == local(2026, 9, 1, 12)
    assert (ann.hours.this_year, ann.hours.required_per_year) == (2.5, 35)
    assert [(f.reflection_id, f.kind) for f in ann.to_discuss] == [
        (flagged_before.id, "note"),
        (flagged.id, "note"),
    ]
    assert [(s.reflection_id, s.written_at, s.kind) for s in ann.shared] == [
        (shared.id, shared.started_at, "note")
    ]
    assert ann.shared[0].excerpt.startswith("SHARED-START The youth club")
    assert len(ann.shared[0].excerpt) <= EXCERPT_CHARS + 1
    assert ann.shared[0].excerpt.endswith("…") and "SHARED-END" not in ann.shared[0].excerpt
    assert (bo.reflections, bo.new_indicators, bo.to_discuss, bo.shared) == (0, [], [], [])
    assert len(bo.gaps) == 7 and all(g.weeks is None for g in bo.gaps)
    assert bo.quiet and not ann.quiet and not digest.empty

    text = plain(digest_text(digest))
    assert "Ann (registration verifier): 4 reflections this week" in text
    assert "Bo: no reflections this week" in text
    assert "Newly evidenced: 3.2, 7.1" in text
    assert "Not evidenced for 8+ weeks: 4, 5, 6 not yet; 1 (12 weeks)" in text
    assert "Last 12 months: 2.5 h of 35 h professional learning" in text
    assert "Last 12 months: 0 h of professional learning (weekly hours not set)" in text
    assert "To discuss: Mon 2 Nov (quick note), Sat 28 Nov (quick note)" in text
    assert "Thu 26 Nov · quick note: SHARED-START The youth club" in text
    assert "PRIVATE-MARKER" not in text
    assert read_buttons(digest) == [("👁 Ann, Thu 26 Nov", shared.id)]


def test_no_text_of_a_reflection_not_shared_in_full_gets_into_a_digest(sue, clock):
    services = sue
    note(services, ANN, local(2026, 11, 24, 19), PRIVATE, confirmed=("1.1",))
    flagged = note(services, ANN, local(2026, 11, 25, 19), PRIVATE)
    services.supervision.share(ANN, flagged.id, to_discuss=True)
    was_shared = note(services, BO, local(2026, 11, 26, 19), PRIVATE)
    services.supervision.share(BO, was_shared.id, in_full=True)
    services.supervision.share(BO, was_shared.id, in_full=False)
    note(services, BO, local(2026, 11, 27, 19), PRIVATE, status="open")
    old_shared = note(services, BO, local(2026, 11, 1, 19), PRIVATE)  # shared, not this week
    services.supervision.share(BO, old_shared.id, in_full=True)
    shared = note(services, ANN, local(2026, 11, 28, 19), SHARED)
    services.supervision.share(ANN, shared.id, in_full=True)

    digest = services.digests.compose(SUE)
    message = services.digests.due(SUE)

    assert message is not None
    for made in (digest, message.digest):
        assert "PRIVATE-MARKER" not in repr(made)  # not in the text, nor in the data
        assert "PRIVATE-MARKER" not in digest_text(made)
        assert "SHARED-START" in digest_text(made)
        assert [rid for _, rid in read_buttons(made)] == [shared.id]


def test_html_in_names_and_excerpts_is_escaped(people, clock):
    services = people
    storage.save_consent(services.db, 606, "<b>Kim</b>", "Europe/London", clock())
    linked(services, 606, SUE)
    clock.now = MONDAY
    shared = note(services, 606, local(2026, 11, 28, 19), "Tom & <Jerry> at the club")
    services.supervision.share(606, shared.id, in_full=True)
    text = digest_text(services.digests.compose(SUE))
    assert "&lt;b&gt;Kim&lt;/b&gt;" in text and "Tom &amp; &lt;Jerry&gt;" in text


def test_ending_a_link_takes_the_supervisee_out_of_the_next_digest_at_once(sue, clock):
    services = sue
    shared = note(services, ANN, local(2026, 11, 28, 19), SHARED)
    services.supervision.share(ANN, shared.id, in_full=True)
    ann_link = storage.active_link(services.db, ANN, SUE)
    assert [s.practitioner.id for s in services.digests.compose(SUE).supervisees] == [ANN, BO]

    services.supervision.end(ANN, ann_link.id)  # the practitioner ends it, a second before

    message = services.digests.due(SUE)
    assert message is not None
    assert [s.practitioner.id for s in message.digest.supervisees] == [BO]
    assert "Ann" not in digest_text(message.digest) and "SHARED" not in digest_text(message.digest)
    assert read_buttons(message.digest) == []
    bo_link = storage.active_link(services.db, BO, SUE)
    services.supervision.end(SUE, bo_link.id)  # and the supervisor ends the other one
    assert services.digests.preview(SUE).supervisees == []
    assert services.digests.next_due(SUE) is None
    assert SUE not in services.digests.supervisors()


def test_someone_who_supervises_nobody(people, clock):
    services = people
    clock.now = MONDAY
    digest = services.digests.preview(NOBODY)
    assert (digest.supervisees, digest.empty) == ([], True)
    assert digest_text(digest) == t("digest.nobody")
    assert read_buttons(digest) == []
    assert services.digests.due(NOBODY) is None
    assert services.digests.next_due(NOBODY) is None
    assert services.db["digests"].count == 0
    with pytest.raises(NotAllowed):
        services.digests.preview(999)


def test_supervisors_are_those_with_an_active_supervisee(sue):
    assert sue.digests.supervisors() == [SUE]


# ---- once a week


def test_a_digest_goes_once_a_week_also_across_restarts(sue, clock):
    services = sue
    message = services.digests.due(SUE)
    assert message is not None
    assert (message.week, message.due_at) == ("2026-W49", MONDAY)
    record = storage.digest_for(services.db, SUE, "2026-W49")
    assert (record.status, record.due_at) == ("sending", MONDAY)

    assert services.digests.due(SUE) is None  # asked again at once
    clock.advance(hours=3)
    assert services.digests.due(SUE) is None
    restarted, db = a_fresh_service(services, clock)
    try:
        assert restarted.due(SUE) is None
    finally:
        db.close()

    services.digests.sent(SUE, message.week)
    record = storage.digest_for(services.db, SUE, "2026-W49")
    assert (record.status, record.sent_at) == ("sent", clock())

    clock.now = MONDAY + timedelta(days=7)  # next week's comes
    later = services.digests.due(SUE)
    assert later is not None and later.week == "2026-W50"
    assert later.digest.start == MONDAY  # weeks follow each other: no gap, no overlap
    services.digests.failed(SUE, later.week)
    assert storage.digest_for(services.db, SUE, "2026-W50").status == "failed"


def test_a_crash_after_recording_loses_the_week_rather_than_repeating_it(sue, clock):
    services = sue
    assert services.digests.due(SUE) is not None  # recorded, then the process dies
    restarted, db = a_fresh_service(services, clock)
    try:
        assert restarted.due(SUE) is None
        assert storage.digest_for(db, SUE, "2026-W49").status == "sending"
    finally:
        db.close()


def test_a_digest_more_than_a_day_late_is_skipped(sue, clock):
    services = sue
    clock.now = MONDAY + timedelta(hours=24)
    assert services.digests.due(SUE) is None
    assert services.db["digests"].count == 0
    assert services.digests.next_due(SUE) == MONDAY + timedelta(days=7)
    clock.now = MONDAY + timedelta(hours=23, minutes=59)
    assert services.digests.due(SUE) is not None  # a minute less late: it goes


def test_nothing_is_due_before_the_moment(sue, clock):
    services = sue
    clock.now = MONDAY - timedelta(minutes=1)  # last week's moment is 7 days old
    assert services.digests.due(SUE) is None
    assert services.digests.next_due(SUE) == MONDAY
    clock.now = MONDAY
    assert services.digests.due(SUE) is not None


def test_a_supervisor_who_blocked_the_bot_gets_none_until_they_are_back(sue, clock):
    services = sue
    storage.set_blocked(services.db, SUE, MONDAY - timedelta(days=1))
    assert services.digests.due(SUE) is None
    assert services.db["digests"].count == 0
    storage.set_blocked(services.db, SUE, None)  # they wrote again, the same day
    assert services.digests.due(SUE) is not None


def test_previewing_records_nothing(sue):
    sue.digests.preview(SUE)
    assert sue.db["digests"].count == 0
    assert sue.digests.due(SUE) is not None


# ---- an empty week


def test_an_empty_week_gives_one_line_by_default(sue):
    services = sue
    note(services, ANN, local(2026, 11, 20, 12), PRIVATE)  # before the week
    message = services.digests.due(SUE)
    assert message is not None and message.digest.empty
    text = digest_text(message.digest)
    assert "\n" not in text and "nothing new from your supervisees" in text
    assert text == t("digest.empty", start="23 Nov 2026", end="30 Nov 2026")
    assert read_buttons(message.digest) == []


def test_an_empty_week_gives_nothing_if_the_supervisor_chose_so(sue, clock):
    services = sue
    services.digests.set_when_empty(SUE, "none")
    assert services.digests.due(SUE) is None
    assert storage.digest_for(services.db, SUE, "2026-W49").status == "empty"
    assert services.digests.due(SUE) is None
    clock.now = MONDAY + timedelta(days=7)  # a week with something to report still comes
    note(services, BO, MONDAY + timedelta(days=2), "A note")
    message = services.digests.due(SUE)
    assert message is not None and not message.digest.empty


def test_a_reflection_flagged_to_discuss_is_something_to_report(sue):
    services = sue
    flagged = note(services, ANN, local(2026, 10, 1, 12), PRIVATE)
    services.supervision.share(ANN, flagged.id, to_discuss=True)
    services.digests.set_when_empty(SUE, "none")
    message = services.digests.due(SUE)
    assert message is not None and not message.digest.empty
    assert "To discuss: Thu 1 Oct (quick note)" in plain(digest_text(message.digest))


# ---- day, time and time zone


def test_settings_are_kept_and_checked(sue):
    services = sue
    changed = []
    services.digests.on_change(changed.append)
    assert services.digests.settings(SUE).digest_day == 0
    assert services.digests.settings(SUE).digest_time == time(9, 0)
    services.digests.set_day(SUE, 4)
    services.digests.set_time(SUE, "7.30pm")
    services.digests.set_when_empty(SUE, "none")
    services.supervision.set_share_by_default(SUE, True)  # the other setting of the row
    settings = services.digests.settings(SUE)
    assert (settings.digest_day, settings.digest_time, settings.digest_when_empty) == (
        4,
        time(19, 30),
        "none",
    )
    assert settings.share_by_default
    assert changed == [SUE, SUE, SUE]
    for call, key in (
        (lambda: services.digests.set_time(SUE, "1930"), "settings.time_invalid"),
        (lambda: services.digests.set_time(SUE, "25:00"), "settings.time_invalid"),
        (lambda: services.digests.set_day(SUE, 7), "settings.weekday_invalid"),
        (lambda: services.digests.set_when_empty(SUE, "sometimes"), "digest.when_empty_invalid"),
    ):
        with pytest.raises(InvalidSetting) as caught:
            call()
        assert caught.value.key == key
    assert services.digests.settings(SUE) == settings
    with pytest.raises(NotAllowed):
        services.digests.set_day(999, 1)


def test_next_due_follows_the_chosen_day_and_time(sue, clock):
    services = sue
    clock.now = local(2026, 11, 24, 12)  # Tuesday
    assert services.digests.next_due(SUE) == MONDAY
    services.digests.set_day(SUE, 2)
    services.digests.set_time(SUE, "19:30")
    assert services.digests.next_due(SUE) == local(2026, 11, 25, 19, 30)
    assert services.digests.next_due(SUE, after=local(2026, 11, 25, 19, 30)) == local(
        2026, 12, 2, 19, 30
    )


def test_next_due_skips_a_week_already_sent(sue, clock):
    services = sue
    assert services.digests.due(SUE) is not None
    clock.advance(hours=1)
    services.digests.set_time(SUE, "20:00")  # later the same Monday: this week's has gone
    assert services.digests.next_due(SUE) == local(2026, 12, 7, 20, 0)
    clock.now = local(2026, 11, 30, 20, 0)
    assert services.digests.due(SUE) is None


def test_the_monday_after_the_clocks_go_back(sue, clock):
    """British Summer Time ends on Sunday 25 October 2026: 09:00 is 08:00 UTC the Monday
    before and 09:00 UTC the Monday after, and the week between is 169 hours long."""
    services = sue
    before = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
    after = datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    in_week = note(services, ANN, datetime(2026, 10, 19, 8, 30, tzinfo=UTC), "In the week")
    note(services, ANN, datetime(2026, 10, 19, 7, 30, tzinfo=UTC), "Before it")
    clock.now = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)
    assert services.digests.next_due(SUE) == after
    clock.now = after - timedelta(minutes=1)  # 08:59 GMT, 09:59 by the old clock
    assert services.digests.due(SUE) is None
    clock.now = after
    message = services.digests.due(SUE)
    assert message is not None
    assert (message.digest.start, message.digest.end, message.week) == (before, after, "2026-W44")
    assert message.digest.supervisees[0].reflections == 1
    assert in_week.started_at > before
    assert services.digests.next_due(SUE) == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_the_monday_after_the_clocks_go_forward(sue, clock):
    """British Summer Time starts on Sunday 29 March 2026: 09:00 on the Monday after is
    08:00 UTC, and the week before it is 167 hours long."""
    services = sue
    clock.now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    due_at = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert services.digests.next_due(SUE) == due_at
    clock.now = due_at
    message = services.digests.due(SUE)
    assert message is not None
    assert message.digest.start == datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
    assert message.digest.end - message.digest.start == timedelta(hours=167)
    assert message.week == "2026-W14"


def test_a_supervisor_in_new_york_gets_it_at_their_own_nine_oclock(sue, clock):
    services = sue
    storage.set_timezone(services.db, SUE, "America/New_York")
    nine = datetime(2026, 11, 30, 9, 0, tzinfo=NEW_YORK).astimezone(UTC)  # 14:00 UTC (EST)
    assert nine == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    clock.now = MONDAY  # 09:00 in London is 04:00 in New York
    assert services.digests.due(SUE) is None  # last Monday's is a week old
    assert services.digests.next_due(SUE) == nine
    clock.now = nine
    message = services.digests.due(SUE)
    assert message is not None and message.due_at == nine
    assert message.digest.start == nine - timedelta(days=7)
    text = plain(digest_text(message.digest))
    assert "23 Nov 2026 – 30 Nov 2026" in text


def test_the_week_is_the_iso_week_in_the_supervisors_zone(sue, clock):
    """Sunday 23:30 in New York is Monday in UTC and London: the week is still Sunday's."""
    services = sue
    storage.set_timezone(services.db, SUE, "America/New_York")
    services.digests.set_day(SUE, 6)
    services.digests.set_time(SUE, "23:30")
    sunday = datetime(2026, 11, 29, 23, 30, tzinfo=NEW_YORK)
    assert iso_week(sunday.date()) == "2026-W48"
    assert iso_week(sunday.astimezone(UTC).date()) == "2026-W49"
    clock.now = sunday.astimezone(UTC)
    message = services.digests.due(SUE)
    assert message is not None and message.week == "2026-W48"
    assert storage.digest_for(services.db, SUE, "2026-W48") is not None


# ---- one message, whatever the week held


def many_supervisees(services, clock, count: int, shared_each: int) -> list[int]:
    ids = []
    for n in range(count):
        user_id = 1000 + n
        storage.save_consent(services.db, user_id, f"Practitioner{n:02d}", "Europe/London", clock())
        linked(services, user_id, SUE)
        for k in range(shared_each):
            made = note(services, user_id, local(2026, 11, 24, 8 + k), f"{SHARED} {n}-{k}")
            services.supervision.share(user_id, made.id, in_full=True, to_discuss=k % 2 == 0)
        ids.append(user_id)
    return ids


def test_a_digest_stays_one_telegram_message(people, clock):
    services = people
    many_supervisees(services, clock, 15, 10)
    clock.now = MONDAY
    digest = services.digests.compose(SUE)
    assert len(digest.supervisees) == 15
    assert sum(len(s.shared) for s in digest.supervisees) == 150
    text = digest_text(digest)
    assert len(text) <= MESSAGE_LIMIT
    assert "SHARED-START" not in text  # excerpts went first
    for n in range(15):
        assert f"Practitioner{n:02d}" in text  # every supervisee still has a section
    assert "10 shared in full" in plain(text)
    assert "…and 0 more" not in text
    buttons = read_buttons(digest)
    assert len(buttons) == MAX_READ_BUTTONS
    assert buttons[0][0] == "👁 Practitioner00, Tue 24 Nov"

    more = dataclasses.replace(digest, supervisees=digest.supervisees * 4)  # 60 supervisees
    text = digest_text(more)
    assert len(text) <= MESSAGE_LIMIT
    shown = text.count("👤")
    assert 0 < shown < 60
    assert f"…and {60 - shown} more supervisees" in text


def test_excerpts_go_before_the_dates(people, clock):
    services = people
    many_supervisees(services, clock, 2, 8)
    clock.now = MONDAY
    text = plain(digest_text(services.digests.compose(SUE)))
    assert len(text) <= MESSAGE_LIMIT
    assert text.count("SHARED-START") == 10  # two supervisees fit with excerpts, five each
    assert text.count("…and 3 more") == 2  # then the rest counted


def test_dates_stay_when_excerpts_do_not_fit(people, clock):
    services = people
    many_supervisees(services, clock, 6, 6)
    clock.now = MONDAY
    text = plain(digest_text(services.digests.compose(SUE)))
    assert len(text) <= MESSAGE_LIMIT
    assert "SHARED-START" not in text
    assert text.count("• Tue 24 Nov · quick note") == 30
    assert text.count("…and 1 more") == 6


def test_an_excerpt_is_cut_at_a_word():
    assert excerpt("short  text\n\nhere") == "short text here"
    cut = excerpt("word " * 100)
    assert cut.endswith("word…") and len(cut) <= EXCERPT_CHARS + 1
    assert excerpt("x" * 300) == "x" * EXCERPT_CHARS + "…"
