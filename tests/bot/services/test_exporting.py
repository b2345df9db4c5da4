"""Exports through the real service: what goes into a portfolio (and what never does),
periods, one export at a time, the size limit, every format, and the process pool."""

import asyncio
import csv
import io
import json
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime, time
from functools import partial
from types import SimpleNamespace

import pytest

import storage
from bot.identifiers import FakeIdentifierDetector
from bot.portfolio import FORMATS, Coverage, Goal, LearningActivity, Period, QuestionAnswer
from bot.services import exporting as exporting_module
from bot.services.container import build_services
from bot.services.exporting import (
    DESCRIPTION_CHARS,
    ExportBusy,
    ExportingService,
    ExportTooBig,
)
from tests.bot.services.conftest import (
    ANN,
    BO,
    LONDON,
    QUESTION_SETS,
    WEEKLY,
    local,
    question_set,
    write,
)
from tests.conftest import fake_suggester

# The fake clock starts on Monday 23 Nov 2026, 18:30 UTC (18:30 in London, GMT). British
# Summer Time ended at 02:00 on Sunday 25 October 2026, the last day of this period:
PERIOD = Period(date(2026, 9, 1), date(2026, 10, 25), "Chosen dates")
LONG_LINE = " ".join(f"word{n}" for n in range(50))  # 289 characters, one line
SAFE_NAME = re.compile(r"portfolio(-[a-z0-9]+)*-(\d{4}-\d\d-\d\d|start)-to-\d{4}-\d\d-\d\d\.[a-z]+")


def question(set_id: str, question_id: str) -> str:
    found = question_set(set_id).question(question_id)
    assert found is not None
    return found.text


@pytest.fixture
def ann(services, clock):
    """Ann's record around PERIOD (and Bo's, which must never show in hers)."""
    services.users.agree(ANN, "Ann Morrison")
    services.users.agree(BO, "Bo")
    learning = services.learning
    db = services.db
    storage.save_registration(db, storage.Registration(ANN, 35, date(2025, 4, 1)), clock())
    club = storage.add_session(db, ANN, "Tuesday youth club", frozenset({1}), time(21), clock())
    today = clock.now
    clock.now = local(2026, 9, 1, 0, 30)  # 31 Aug, 23:30 UTC
    trauma = learning.add_goal(ANN, "Learn about trauma-informed practice")
    learning.toggle_competence(ANN, trauma.id, 2)
    clock.now = local(2026, 10, 1, 12, 0)
    group_work = learning.add_goal(ANN, "Get better at group work")
    clock.now = local(2026, 10, 20, 0, 15)  # 19 Oct, 23:15 UTC
    learning.review(ANN, trauma.id, "Did the NES course")
    clock.now = local(2026, 10, 25, 0, 30)  # 24 Oct, 23:30 UTC (still BST)
    learning.close(ANN, trauma.id, "achieved")
    clock.now = today
    learning.add_goal(BO, "Bo's goal BO-MARKER")

    made = SimpleNamespace(club=club, trauma=trauma, group_work=group_work)
    by_ann = partial(write, services, ANN)
    made.before = by_ann(local(2026, 8, 31, 23, 50), "quick", [("note", "Too early")])
    made.guided = by_ann(
        local(2026, 9, 8, 21, 45),
        "what-so-what",
        [
            ("what", "We ran the pool night; two of the lads started fighting."),
            ("so_what", None),
            ("now_what", "Next week I will set the ground rules with them."),
        ],
        confirmed=("6.9", "2.6", "1.3", "1.2", "9.9"),
        rejected=("3.1",),
        session_id=club.id,
    )
    storage.set_about(db, made.guided.id, club.name, date(2026, 9, 8), session_id=club.id)
    storage.save_suggestions(
        db,
        made.guided.id,
        [SimpleNamespace(indicator_id="4.1", score=0.9, rank=1, evidence="suggested only")],
        "test-model",
        made.guided.started_at,
    )
    made.note = by_ann(
        local(2026, 9, 20, 10, 0),
        "quick",
        [("note", LONG_LINE + "\nIt was about consent and young people.")],
    )
    learning.mark(ANN, made.note.id, "reading", 1.5)
    made.weekly = by_ann(
        local(2026, 10, 2, 16, 5),
        "weekly",
        [("c1-heard", "Mrs Khan told me the bus to the centre has stopped.")],
        prompt_id="c1-heard",
        confirmed=("1.1",),
    )
    made.course = by_ann(
        local(2026, 10, 12, 14, 0),
        "learning",
        [
            ("activity", "Trauma-informed practice, a day course run by NES"),
            ("learned", "That behaviour is communication."),
            ("impact", "I will plan quieter spaces for the Friday group."),
        ],
        confirmed=("2.6",),
    )
    learning.mark(ANN, made.course.id, "course", 3)
    learning.link(ANN, made.course.id, trauma.id)
    made.last_evening = by_ann(local(2026, 10, 25, 23, 30), "quick", [("note", "A late note")])
    made.next_morning = by_ann(local(2026, 10, 26, 0, 10), "quick", [("note", "Too late")])
    learning.mark(ANN, made.next_morning.id, "other", 4)
    made.unfinished = by_ann(
        local(2026, 10, 10, 9, 0),
        "what-so-what",
        [("what", "Still being written")],
        status="open",
        confirmed=("5.1",),
    )
    made.pending = by_ann(
        local(2026, 10, 11, 9, 0),
        "quick",
        [("note", "Never saved")],
        status="pending",
    )
    made.bos = write(
        services,
        BO,
        local(2026, 10, 5, 12, 0),
        "quick",
        [("note", "Bo's private note BO-MARKER")],
        confirmed=("2.6", "7.1"),
    )
    learning.mark(BO, made.bos.id, "course", 10)
    made.user = services.users.get(ANN)
    return made


# -- periods --------------------------------------------------------------------------------


def test_periods_on_buttons_follow_the_registration_cycle(services, ann):
    exporting = services.exporting
    assert exporting.period(ann.user, "cycle") == Period(
        date(2025, 4, 1), date(2026, 11, 23), "This registration cycle"
    )
    assert exporting.period(ann.user, "3m") == Period(
        date(2026, 8, 24), date(2026, 11, 23), "Last 3 months"
    )
    assert exporting.period(ann.user, "all").start is None
    with pytest.raises(KeyError):
        exporting.period(ann.user, "forever")


def test_any_dates_make_a_period(services, ann):
    exporting = services.exporting
    assert exporting.period_between(ann.user, None, None) == Period(
        None, date(2026, 11, 23), "Everything"
    )
    assert exporting.period_between(ann.user, date(2026, 9, 1), None) == Period(
        date(2026, 9, 1), date(2026, 11, 23), "Chosen dates"
    )
    assert exporting.period_between(ann.user, date(2026, 9, 1), date(2026, 10, 25)) == PERIOD


# -- the portfolio --------------------------------------------------------------------------


@pytest.fixture
def portfolio(services, ann):
    return services.exporting.portfolio(ann.user, PERIOD)


def reflection_in(portfolio, made):
    return next(r for r in portfolio.reflections if r.id == made.id)


def test_the_portfolio_holds_the_finished_reflections_of_the_period_oldest_first(portfolio, ann):
    assert [r.id for r in portfolio.reflections] == [
        ann.guided.id,
        ann.note.id,
        ann.weekly.id,
        ann.course.id,
        ann.last_evening.id,
    ]
    assert (portfolio.practitioner, portfolio.timezone) == ("Ann Morrison", "Europe/London")
    assert portfolio.made_at == datetime(2026, 11, 23, 18, 30, tzinfo=LONDON)
    assert portfolio.period == PERIOD


def test_the_last_local_day_is_in_and_the_next_is_not(portfolio, ann):
    """23:30 on 25 Oct in London (GMT since 02:00) is in; 00:10 on the 26th is not."""
    ids = {r.id for r in portfolio.reflections}
    assert ann.last_evening.id in ids and ann.next_morning.id not in ids
    assert ann.before.id not in ids
    late = reflection_in(portfolio, ann.last_evening)
    assert late.written_at == datetime(2026, 10, 25, 23, 30, tzinfo=LONDON)
    assert late.written_at.utcoffset().total_seconds() == 0


def test_unfinished_notes_and_reflections_are_left_out(portfolio, ann):
    ids = {r.id for r in portfolio.reflections}
    assert ann.unfinished.id not in ids and ann.pending.id not in ids
    assert portfolio.coverage.counts["5.1"] == 0


def test_another_practitioners_record_never_shows(services, portfolio, ann):
    assert ann.bos.id not in {r.id for r in portfolio.reflections}
    assert "BO-MARKER" not in repr(portfolio)
    assert portfolio.coverage.counts["7.1"] == 0
    for key in FORMATS:
        content = services.exporting.export_now(ann.user, PERIOD, key).content
        assert b"BO-MARKER" not in content


def test_only_confirmed_indicators_in_framework_order_once_each(portfolio, ann):
    guided = reflection_in(portfolio, ann.guided)
    assert guided.confirmed == ("1.2", "1.3", "2.6", "6.9")  # not 3.1, 4.1 nor 9.9
    assert reflection_in(portfolio, ann.note).confirmed == ()
    assert reflection_in(portfolio, ann.weekly).confirmed == ("1.1",)
    assert reflection_in(portfolio, ann.course).confirmed == ("2.6",)


def test_guided_answers_keep_their_questions_and_skipped_ones_are_left_out(portfolio, ann):
    guided = reflection_in(portfolio, ann.guided)
    assert guided.items == (
        QuestionAnswer(
            question("what-so-what", "what"),
            "We ran the pool night; two of the lads started fighting.",
        ),
        QuestionAnswer(
            question("what-so-what", "now_what"), "Next week I will set the ground rules with them."
        ),
    )
    assert (guided.set_name, guided.kind) == ("What? So what? Now what?", "guided")
    assert (guided.session, guided.session_date) == ("Tuesday youth club", date(2026, 9, 8))
    assert guided.written_at == datetime(2026, 9, 8, 21, 45, tzinfo=LONDON)
    assert guided.learning is None and guided.goal_id is None


def test_a_note_has_no_question_and_a_weekly_reflection_has_its_own(portfolio, ann):
    note = reflection_in(portfolio, ann.note)
    assert note.items == (
        QuestionAnswer("", LONG_LINE + "\nIt was about consent and young people."),
    )
    assert (note.set_name, note.kind, note.session) == ("Quick note", "note", None)
    weekly = reflection_in(portfolio, ann.weekly)
    assert weekly.items == (
        QuestionAnswer(
            question("weekly", "c1-heard"), "Mrs Khan told me the bus to the centre has stopped."
        ),
    )
    assert (weekly.set_name, weekly.kind) == ("Weekly reflection", "weekly")


def test_a_learning_reflection_is_an_activity_with_its_impact(portfolio, ann):
    course = reflection_in(portfolio, ann.course)
    assert course.set_name == "Professional learning"
    assert course.goal_id == ann.trauma.id
    assert course.learning == LearningActivity(
        reflection_id=ann.course.id,
        on=date(2026, 10, 12),
        kind="course",
        hours=3,
        description="Trauma-informed practice, a day course run by NES",
        impact="That behaviour is communication.\n\n"
        "I will plan quieter spaces for the Friday group.",
        goal_id=ann.trauma.id,
    )
    assert [len(item.question) > 0 for item in course.items] == [True, True, True]


def test_a_note_marked_as_learning_is_described_by_its_first_line_cut_short(portfolio, ann):
    activity = reflection_in(portfolio, ann.note).learning
    assert (activity.kind, activity.hours, activity.on) == ("reading", 1.5, date(2026, 9, 20))
    assert activity.impact == ""
    assert DESCRIPTION_CHARS - 10 < len(activity.description) <= DESCRIPTION_CHARS
    assert activity.description.endswith("…")
    kept = activity.description[:-1]
    assert (LONG_LINE + " ").startswith(kept + " "), "cut between words"
    assert "consent" not in activity.description
    assert portfolio.activities == (
        reflection_in(portfolio, ann.note).learning,
        reflection_in(portfolio, ann.course).learning,
    )


@pytest.mark.parametrize(
    ("text", "description"),
    [
        (
            "Read the Youthlink guide to consent\nIt was good.",
            "Read the Youthlink guide to consent",
        ),
        ("\n\n  Shadowed Sam at the drop-in\nmore", "Shadowed Sam at the drop-in"),
        ("x" * 300, "x" * (DESCRIPTION_CHARS - 1) + "…"),
        ("y" * DESCRIPTION_CHARS, "y" * DESCRIPTION_CHARS),
    ],
)
def test_descriptions_of_notes(services, ann, text, description):
    note = write(services, ANN, local(2026, 10, 3, 12, 0), "quick", [("note", text)])
    services.learning.mark(ANN, note.id, "shadowing", 2)
    portfolio = services.exporting.portfolio(ann.user, PERIOD)
    activity = reflection_in(portfolio, note).learning
    assert (activity.description, activity.impact) == (description, "")


def test_goals_in_local_dates_open_first(portfolio, ann):
    assert portfolio.goals == (
        Goal(
            id=ann.group_work.id,
            text="Get better at group work",
            competences=(),
            set_on=date(2026, 10, 1),
        ),
        Goal(
            id=ann.trauma.id,
            text="Learn about trauma-informed practice",
            competences=(2,),
            set_on=date(2026, 9, 1),
            closed_on=date(2026, 10, 25),
            outcome="achieved",
            review="Did the NES course",
            reviewed_on=date(2026, 10, 20),
        ),
    )


def test_hours_in_the_portfolio(portfolio):
    hours = portfolio.hours
    assert hours.in_period == 4.5  # the reading and the course, not the next morning's
    assert hours.this_year == 8.5 and hours.this_cycle == 8.5
    assert (hours.weekly_hours, hours.required_per_cycle) == (35, 105)
    assert (hours.year_start, hours.cycle_start) == (date(2026, 4, 1), date(2025, 4, 1))


def test_coverage_counts_confirmed_evidence(services, portfolio):
    coverage = portfolio.coverage
    evidenced = {i: n for i, n in coverage.counts.items() if n}
    assert evidenced == {"1.1": 1, "1.2": 1, "1.3": 1, "2.6": 2, "6.9": 1}
    assert set(coverage.counts) == set(services.framework.indicator_ids)
    assert coverage.by_competence == {1: 2, 2: 2, 3: 0, 4: 0, 5: 0, 6: 1, 7: 0}
    assert coverage.competence_count(1) == 2, "1.2 and 1.3 on one reflection count once"
    assert (coverage.with_evidence, coverage.total) == (3, 6)
    assert coverage.gaps(1) == ("1.4", "1.5", "1.6", "1.7")
    assert len(coverage.gaps()) == 56 - 5
    assert coverage == Coverage.of(services.framework, portfolio.reflections)
    assert [i for i, _ in portfolio.by_indicator()] == ["1.1", "1.2", "1.3", "2.6", "6.9"]


def test_an_empty_period_has_an_empty_portfolio(services, ann):
    empty = Period(date(2020, 1, 1), date(2020, 12, 31), "2020")
    portfolio = services.exporting.portfolio(ann.user, empty)
    assert portfolio.reflections == () and portfolio.coverage.total == 0
    assert portfolio.hours.in_period == 0
    assert len(portfolio.goals) == 2, "goals are part of every portfolio"


def test_everything_starts_with_the_first_reflection(services, ann):
    everything = services.exporting.period_between(ann.user, None, None)
    ids = [r.id for r in services.exporting.portfolio(ann.user, everything).reflections]
    assert ids[0] == ann.before.id and ann.next_morning.id in ids
    assert len(ids) == 7


def test_a_reflection_of_a_session_since_removed_keeps_its_name(services, ann, clock):
    storage.remove_session(services.db, ann.club.id, clock())
    portfolio = services.exporting.portfolio(ann.user, PERIOD)
    assert reflection_in(portfolio, ann.guided).session == "Tuesday youth club"


def test_a_learning_activity_is_described_by_the_whole_activity_answer(services, ann):
    """LearningActivity.description is "the first answer, or the note's first line"."""
    answer = "A day course on trauma-informed practice.\nRun by NES, in Perth, with " + (
        "colleagues from three councils. " * 6
    )
    course = write(
        services,
        ANN,
        local(2026, 10, 13, 14, 0),
        "learning",
        [("activity", answer), ("learned", "Safety first"), ("impact", "Quieter rooms")],
    )
    services.learning.mark(ANN, course.id, "course", 6)
    portfolio = services.exporting.portfolio(ann.user, PERIOD)
    activity = reflection_in(portfolio, course).learning
    assert (activity.description, activity.impact) == (answer, "Safety first\n\nQuieter rooms")


def test_a_reflection_on_a_retired_question_set_keeps_its_answers(services, ann):
    db = services.db
    old = storage.start_reflection(
        db,
        ANN,
        kind="guided",
        question_set_id="retired-set",
        question_set_version=3,
        now=local(2026, 10, 4, 12, 0),
    )
    storage.save_answer(db, old.id, "q1", "An answer to a question no longer asked", old.started_at)
    storage.finish_reflection(db, old.id, "text", old.started_at, [], "m", old.started_at)
    portfolio = services.exporting.portfolio(ann.user, PERIOD)
    retired = reflection_in(portfolio, old)
    assert retired.set_name == "retired-set"
    assert retired.items == (QuestionAnswer("", "An answer to a question no longer asked"),)


async def test_the_learning_set_through_the_real_flow(services, ann, clock):
    """Answered one message at a time as the bot does: the first answer is the activity."""
    services.reflecting.discard(ANN, ann.unfinished.id)
    clock.now = local(2026, 10, 14, 18, 0)
    services.reflecting.start(ANN, "learning")
    for text in ("Read 'Youth work and trauma'", "It is about safety first", "Quieter rooms"):
        step = await services.reflecting.receive_text(ANN, text)
    reflection = step.reflection
    services.learning.mark(ANN, reflection.id, "reading", 2)
    portfolio = services.exporting.portfolio(ann.user, PERIOD)
    activity = reflection_in(portfolio, reflection).learning
    assert (activity.description, activity.impact) == (
        "Read 'Youth work and trauma'",
        "It is about safety first\n\nQuieter rooms",
    )


# -- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(FORMATS))
async def test_every_format_renders_a_safely_named_file(services, ann, key):
    made = await services.exporting.export(ann.user, PERIOD, key)
    assert made.reflections == 5
    assert made.mime == FORMATS[key].mime
    assert made.filename == f"portfolio-ann-morrison-2026-09-01-to-2026-10-25.{key}"
    assert SAFE_NAME.fullmatch(made.filename)
    content = made.content
    assert isinstance(content, bytes) and content
    if key == "pdf":
        assert content.startswith(b"%PDF-")
    elif key == "docx":
        assert content.startswith(b"PK")
    elif key == "json":
        data = json.loads(content)
        assert [r["id"] for r in data["reflections"]] == [
            ann.guided.id,
            ann.note.id,
            ann.weekly.id,
            ann.course.id,
            ann.last_evening.id,
        ]
    elif key == "csv":
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        assert {row["indicator_id"] for row in rows} == {"", "1.1", "1.2", "1.3", "2.6", "6.9"}
    else:
        assert "Ann Morrison" in content.decode()


@pytest.mark.parametrize("key", ["json", "csv", "md"])
async def test_export_now_makes_the_same_file(services, ann, key):
    later = await services.exporting.export(ann.user, PERIOD, key)
    now = services.exporting.export_now(ann.user, PERIOD, key)
    assert now == later


async def test_an_empty_period_makes_no_file(services, ann):
    empty = Period(date(2020, 1, 1), date(2020, 12, 31), "2020")
    assert await services.exporting.export(ann.user, empty, "pdf") is None
    assert services.exporting.export_now(ann.user, empty, "csv") is None
    assert await services.exporting.export(ann.user, PERIOD, "md") is not None, "not left busy"


async def test_an_unknown_format_is_a_key_error_and_leaves_nothing_busy(services, ann):
    with pytest.raises(KeyError):
        await services.exporting.export(ann.user, PERIOD, "xlsx")
    with pytest.raises(KeyError):
        services.exporting.export_now(ann.user, PERIOD, "xlsx")
    assert await services.exporting.export(ann.user, PERIOD, "md") is not None


async def test_a_file_too_big_for_telegram(services, ann, monkeypatch):
    monkeypatch.setattr(exporting_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(ExportTooBig):
        await services.exporting.export(ann.user, PERIOD, "md")
    monkeypatch.undo()
    made = await services.exporting.export(ann.user, PERIOD, "md")
    assert made is not None and len(made.content) > 100, "not left busy either"


class GatedRenderer(ThreadPoolExecutor):
    """Renders on threads; the first render waits until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.gate = threading.Event()
        self.first_started = threading.Event()
        self._held = False
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        with self._lock:
            hold, self._held = not self._held, True

        def run():
            if hold:
                self.first_started.set()
                assert self.gate.wait(10), "the test never opened the gate"
            return fn(*args, **kwargs)

        return super().submit(run)


async def until(event: threading.Event) -> None:
    for _ in range(500):
        if event.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


@pytest.fixture
def gated(services, clock):
    renderer = GatedRenderer()
    question_sets = {**QUESTION_SETS, WEEKLY.id: WEEKLY}
    service = ExportingService(
        services.db, services.framework, question_sets, services.learning, clock, renderer
    )
    yield service, renderer
    renderer.gate.set()
    renderer.shutdown(wait=True)


async def test_one_export_at_a_time_per_practitioner(services, ann, gated):
    exporting, renderer = gated
    bo = services.users.get(BO)
    first = asyncio.create_task(exporting.export(ann.user, PERIOD, "md"))
    await until(renderer.first_started)
    with pytest.raises(ExportBusy):
        await exporting.export(ann.user, PERIOD, "csv")
    with pytest.raises(ExportBusy), exporting.one_at_a_time(ANN):
        pass
    bos = await asyncio.wait_for(exporting.export(bo, PERIOD, "md"), 10)
    assert bos is not None and bos.reflections == 1, "Bo does not wait for Ann"
    assert not first.done()
    renderer.gate.set()
    made = await asyncio.wait_for(first, 10)
    assert made.reflections == 5
    again = await exporting.export(ann.user, PERIOD, "csv")
    assert again is not None and again.filename.endswith(".csv")


async def test_a_failed_render_leaves_the_practitioner_free_to_try_again(
    services, ann, monkeypatch
):
    import bot.portfolio

    def broken(portfolio, key):
        raise RuntimeError("renderer broke")

    real = bot.portfolio.render
    monkeypatch.setattr(bot.portfolio, "render", broken)
    with pytest.raises(RuntimeError):
        await services.exporting.export(ann.user, PERIOD, "md")
    monkeypatch.setattr(bot.portfolio, "render", real)
    assert await services.exporting.export(ann.user, PERIOD, "md") is not None


def test_one_at_a_time_is_per_practitioner(services):
    exporting = services.exporting
    with exporting.one_at_a_time(ANN):
        with pytest.raises(ExportBusy), exporting.one_at_a_time(ANN):
            pass
        with exporting.one_at_a_time(BO):
            pass
    with exporting.one_at_a_time(ANN):
        pass


async def test_the_default_process_pool_renders_files_and_charts(settings, clock, monkeypatch):
    """Built as the bot builds it: files are rendered in a spawned process, where the PDF
    renderer broken here in the test's process is whole."""
    import bot.portfolio.pdf

    def broken(*args):
        raise AssertionError("rendered in the test's own process")

    monkeypatch.setattr(bot.portfolio.pdf, "render", broken)
    services = build_services(
        settings, suggester=fake_suggester(), detector=FakeIdentifierDetector(), clock=clock
    )
    try:
        user = services.users.agree(ANN, "Ann Morrison")
        note = write(services, ANN, local(2026, 10, 1, 12), "quick", [("note", "pool night")])
        storage.set_tag(services.db, note.id, "2.6", "confirmed", clock())
        made = await asyncio.wait_for(services.exporting.export(user, PERIOD, "pdf"), 120)
        assert made.content.startswith(b"%PDF-") and made.reflections == 1
        coverage = services.exporting.portfolio(user, PERIOD).coverage
        chart = await asyncio.wait_for(services.exporting.chart(coverage, "Evidence"), 120)
        assert chart.startswith(b"\x89PNG\r\n\x1a\n")
    finally:
        services.close()


async def test_a_render_process_that_dies_is_replaced(settings, clock):
    """A render process killed mid-file (out of memory, say) loses that file only: the
    next export gets a new process rather than a broken pool for ever."""
    services = build_services(
        settings, suggester=fake_suggester(), detector=FakeIdentifierDetector(), clock=clock
    )
    try:
        user = services.users.agree(ANN, "Ann Morrison")
        write(services, ANN, local(2026, 10, 1, 12), "quick", [("note", "pool night")])
        with pytest.raises(BrokenProcessPool):
            await asyncio.wait_for(services.exporting._run(os._exit, 9), 120)
        made = await asyncio.wait_for(services.exporting.export(user, PERIOD, "md"), 120)
        assert made is not None and b"pool night" in made.content
    finally:
        services.close()


def test_coverage_alone_agrees_with_the_portfolio(services, ann):
    """/progress reads only the confirmed tags; the figures are the export's."""
    count, coverage = services.exporting.coverage(ann.user, PERIOD)
    portfolio = services.exporting.portfolio(ann.user, PERIOD)
    assert count == len(portfolio.reflections) > 0
    assert coverage.counts == portfolio.coverage.counts and coverage.total > 0
    assert coverage.by_competence == portfolio.coverage.by_competence
    assert coverage.with_evidence == portfolio.coverage.with_evidence
