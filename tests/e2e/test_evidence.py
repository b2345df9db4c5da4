"""Professional learning, /goals, /progress and /export end to end: the real bot (PTB
Application over HTTP, files rendered in its own process) against the fake Bot API, on a
fake clock stopped at Monday 23 November 2026, 18:30 in London."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

import storage
from tests.conftest import FakeClock

from .fake_bot_api import BotMessage, FakeUser
from .players import agree, answer_to, now_of, reflect_with, running_bot, say, tap

ANN, BEN = 1001, 1002
NOW = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
LEARNING_ANSWERS = [
    "Trauma-informed practice, a one-day course run by the council's CLD team.",
    "How stress shows up as behaviour, and that predictability and choice help.",
    "I will put the plan for each club night on the wall and offer two choices.",
]


@pytest.fixture
async def running(fake_telegram, bot_settings):
    async with running_bot(fake_telegram, bot_settings, FakeClock(NOW)) as bot:
        yield bot


@pytest.fixture
async def ann(fake_telegram, running) -> FakeUser:
    user = fake_telegram.user(ANN, "Ann")
    await agree(user)
    return user


def db(running):
    return running.services.db


def seed_reflection(running, user_id: int, text: str, indicators: list[str], days_ago: int):
    """A finished note with confirmed indicators, written straight to the database."""
    moment = NOW - timedelta(days=days_ago)
    reflection = storage.start_reflection(
        db(running),
        user_id,
        kind="note",
        question_set_id="quick",
        question_set_version=1,
        now=moment,
    )
    storage.save_answer(db(running), reflection.id, "note", text, moment)
    storage.finish_reflection(db(running), reflection.id, text, moment, [], "seed", moment)
    for indicator in indicators:
        storage.set_tag(db(running), reflection.id, indicator, "confirmed", moment)
    return reflection


# -- professional learning ---------------------------------------------------------------


async def learning_reflection(ann: FakeUser) -> BotMessage:
    """A reflection on the professional learning set; returns the "what kind" question."""
    first = await reflect_with(ann, "Professional learning")
    assert "question 1 of 3" in first.text and "What was the learning?" in first.text
    chosen = ann.messages[-2]
    assert "what kind of learning it was and how long it took" in chosen.text
    await say(ann, LEARNING_ANSWERS[0])
    await say(ann, LEARNING_ANSWERS[1])
    saved = await say(ann, LEARNING_ANSWERS[2])
    assert "Saved." in saved.text
    kinds = await ann.next_message()
    assert "Professional learning</b>: what kind was it?" in kinds.source_text
    assert kinds.button_texts[:3] == ["Training", "Course", "Reading"]
    return kinds


async def test_a_learning_reflection_asks_kind_and_hours(ann, running):
    kinds = await learning_reflection(ann)
    hours = await tap(ann, kinds, "Course")
    assert "Course</b>: how long did it take" in hours.source_text
    assert "A day (7 h)" in hours.button_texts
    marked = await tap(ann, hours, "2 h")
    assert "Recorded as professional learning: Course, 2 h." in marked.text
    assert "Set your weekly CLD hours in /settings" in marked.text
    [reflection] = storage.recent_reflections(db(running), ANN, limit=1)
    mark = storage.learning_mark(db(running), reflection.id)
    assert (mark.kind, mark.hours) == ("course", 2)
    assert marked.button_texts == []  # no goals yet: nothing to link to


async def test_hours_can_be_typed_and_a_wrong_amount_asked_again(ann, running):
    kinds = await learning_reflection(ann)
    hours = await tap(ann, kinds, "Reading")
    prompt = await tap(ann, hours, "Another amount…")
    assert "Type the time it took" in prompt.text
    wrong = await say(ann, "a while")
    assert "I couldn't read “a while” as a time" in wrong.text
    marked = await say(ann, "1h30")
    assert "Recorded as professional learning: Reading, 1.5 h." in marked.text
    [reflection] = storage.recent_reflections(db(running), ANN, limit=1)
    assert storage.learning_mark(db(running), reflection.id).hours == 1.5
    # The typed amount was a setting: nothing was saved as a note.
    assert storage.count_finished_reflections(db(running), ANN) == 1


async def test_any_reflection_can_be_marked_from_history_and_unmarked(ann, running):
    note = seed_reflection(running, ANN, "Shadowed a detached youth worker.", ["2.1"], 3)
    await ann.send_command("/history")
    listing = await ann.next_message()
    await ann.press(listing, "📖 1")
    detail = await ann.next_message()
    assert "📚 Professional learning" in detail.button_texts
    await ann.press(detail, "📚 Professional learning")
    kinds = await ann.next_message()
    hours = await tap(ann, kinds, "Shadowing")
    await tap(ann, hours, "3 h")
    assert storage.learning_mark(db(running), note.id).hours == 3
    await ann.press(listing, "📖 1")
    detail = await ann.next_message()
    assert "📚 Professional learning: Shadowing, 3 h" in detail.text
    await ann.press(detail, "📚 Professional learning")
    kinds = await ann.next_message()
    assert "recorded as <b>Shadowing</b>, 3 h" in kinds.source_text
    gone = await tap(ann, kinds, "It isn't professional learning")
    assert "no longer counted" in gone.text
    assert storage.learning_mark(db(running), note.id) is None


async def test_someone_elses_reflection_cannot_be_marked_or_linked(fake_telegram, ann, running):
    storage.save_consent(db(running), BEN, "Ben", "Europe/London", NOW)
    bens = seed_reflection(running, BEN, "Ben's own reflection.", [], 1)
    for data in (f"pl:{bens.id}", f"pl:{bens.id}:course:8", f"pl:{bens.id}:-", f"gk:{bens.id}"):
        answer = await answer_to(ann, ann.press_raw(1, data))
        assert answer.show_alert and "expired" in answer.text, data
    assert storage.learning_mark(db(running), bens.id) is None


# -- goals ---------------------------------------------------------------------------------


async def test_goals_set_linked_reviewed_and_closed(ann, running):
    await ann.send_command("/goals")
    goals = await ann.next_message()
    assert "no open goals yet" in goals.text
    ask = await tap(ann, goals, "➕ New goal")
    assert "Type your goal in a sentence" in ask.text
    created = await say(ann, "Get better at evaluating sessions with the group, not for them.")
    assert "Goal set." in created.text and "evaluating sessions" in created.text
    [goal] = storage.goals_of(db(running), ANN)
    competences = await tap(ann, created, "🧭 Competences")
    competences = await tap(ann, competences, "4 Facilitate and promote")
    assert storage.get_goal(db(running), goal.id).competences == (4,)
    detail = await tap(ann, competences, "Done")
    assert "Competences: 4" in detail.text

    note = seed_reflection(running, ANN, "Body-map evaluation with the parents.", ["4.5"], 2)
    storage.mark_learning(db(running), note.id, ANN, "peer", 1.5, NOW)
    await ann.send_command("/history")
    listing = await ann.next_message()
    await ann.press(listing, "📖 1")
    reflection = await ann.next_message()
    await ann.press(reflection, "🎯 Link to a goal")
    choose = await ann.next_message()
    linked = await tap(ann, choose, "Get better at evaluating")
    assert "Linked to your goal" in linked.text
    assert storage.get_reflection(db(running), note.id).goal_id == goal.id

    await ann.send_command("/goals")
    goals = await ann.next_message()
    assert "1 reflection(s), 1.5 h of learning · competences 4" in goals.text
    detail = await tap(ann, goals, "🎯 1")
    ask = await tap(ann, detail, "✍️ Review note")
    assert "How is this goal going?" in ask.text
    reviewed = await say(ann, "Two sessions evaluated with the group so far.")
    assert "Review note saved." in reviewed.text and "Two sessions evaluated" in reviewed.text
    closed = await tap(ann, reviewed, "✅ Achieved")
    assert "Achieved on 23 Nov 2026" in closed.text
    assert closed.button_texts == ["↩️ Open again", "‹ All goals"]
    assert ann.callback_answers[-1].text.startswith("✅ Well done!")
    assert storage.get_goal(db(running), goal.id).outcome == "achieved"


async def test_someone_elses_goal_is_refused(fake_telegram, ann, running):
    storage.save_consent(db(running), BEN, "Ben", "Europe/London", NOW)
    bens = storage.add_goal(db(running), BEN, "Ben's goal", (), NOW)
    for data in (f"gl:{bens.id}:open", f"gl:{bens.id}:achieved", f"gl:{bens.id}:c2"):
        answer = await answer_to(ann, ann.press_raw(1, data))
        assert answer.show_alert and "expired" in answer.text, data
    assert storage.get_goal(db(running), bens.id).closed_at is None


# -- registration details in /settings -------------------------------------------------


async def test_weekly_hours_and_cycle_start_in_settings(ann, running):
    await ann.send_command("/settings")
    summary = await ann.next_message()
    assert "Professional learning: not set yet" in summary.text
    menu = await tap(ann, summary, "📚 Registration")
    assert "Weekly CLD hours: not set yet" in menu.text
    ask = await tap(ann, menu, "⏱ Weekly CLD hours")
    assert "How many hours a week" in ask.text
    assert "at most 80" in (await say(ann, "120")).text
    saved = await say(ann, "17.5")
    assert "Weekly CLD hours: 17.5 h a week" in saved.text
    assert "Last 12 months: 0 h of 17.5 h.\nLast 3 years: 0 h of 52.5 h." in saved.text
    ask = await tap(ann, saved, "📅 Start of my cycle")
    saved = await say(ann, "1 Apr 2025")
    assert "This cycle began: 1 Apr 2025" in saved.text
    assert "This registration year: 0 h of 17.5 h." in saved.text  # from 1 Apr 2026
    assert "This registration cycle: 0 h of 52.5 h." in saved.text
    details = storage.registration(db(running), ANN)
    assert (details.weekly_hours, str(details.cycle_start)) == (17.5, "2025-04-01")


# -- /progress ----------------------------------------------------------------------------


async def test_progress_sends_a_chart_hours_and_gaps(fake_telegram, ann, running):
    seed_reflection(running, ANN, "Club planning handed over.", ["2.3", "3.4"], 10)
    seed_reflection(running, ANN, "Partnership meeting.", ["6.1"], 200)  # outside 3 months
    storage.save_registration(db(running), storage.Registration(ANN, 35, None), NOW)
    await ann.send_command("/progress")
    periods = await ann.next_message()
    assert periods.button_texts == [
        "Last 3 months",
        "Last 12 months",
        "This registration cycle",
        "Everything",
    ]
    await ann.press(periods, "Last 3 months")
    chart = await ann.next_message(timeout=30)  # the first chart starts the render process
    assert chart.photo is not None and chart.photo.content.startswith(b"\x89PNG")
    assert "Last 3 months" in chart.caption
    summary = await ann.next_message()
    assert "1 reflection(s), 1 with confirmed evidence; 2 of 56 indicators evidenced" in (
        summary.text
    )
    assert "Last 12 months: 0 h of 35 h.\nLast 3 years: 0 h of 105 h." in summary.text
    assert (
        "6 Develop and support collaborative…: nothing yet\n" in summary.text
    )  # 6.1: too long ago
    assert "2 Build and maintain relationships…: nothing yet for 2.1, 2.2, 2.4" in summary.text
    assert "upload_photo" in ann.chat_actions
    await ann.press(summary, "2")
    chart = await ann.next_message(timeout=30)
    assert chart.photo is not None and "Competence 2" in chart.caption
    detail = await ann.next_message()
    assert "Competence 2: Build and maintain relationships" in detail.text
    assert "1 reflection(s) evidence it" in detail.text
    assert "• 2.1 " in detail.text and "• 2.3 " not in detail.text


async def test_progress_over_an_empty_period_says_so(ann, running):
    await ann.send_command("/progress")
    periods = await ann.next_message()
    await ann.press(periods, "Last 12 months")
    nothing = await ann.next_message()
    assert "Nothing saved in that period" in nothing.text
    assert nothing.photo is None


# -- /export --------------------------------------------------------------------------------


async def test_export_a_pdf_and_a_csv(ann, running):
    kinds = await learning_reflection(ann)
    await tap(ann, await tap(ann, kinds, "Course"), "A day (7 h)")
    seed_reflection(running, ANN, "Ролева гра, 谢谢, مرحبا 🙂 at the ESOL class.", ["3.6"], 5)
    await ann.send_command("/export")
    periods = await ann.next_message()
    formats = await tap(ann, periods, "Last 3 months")
    assert "Last 3 months (24 Aug 2026 – 23 Nov 2026)</b>: which format?" in formats.source_text
    assert formats.button_texts == ["PDF", "Word", "CSV", "JSON", "Markdown", "‹ Another period"]
    answer = await answer_to(ann, ann.press(formats, "PDF"))
    assert answer.text == "📦 Making your PDF file…"
    sent = await ann.next_message(timeout=60)
    assert sent.document is not None and sent.document.filename.endswith(".pdf")
    assert sent.document.filename.startswith("portfolio-ann-2026-08-24-to-2026-11-23")
    assert "2 reflection(s)" in sent.caption
    assert "upload_document" in ann.chat_actions
    pdf = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(sent.document.content)).pages
    )
    assert "Ann" in pdf and "Trauma-informed practice" in pdf
    assert "谢谢" in pdf and "🙂" in pdf and "Ролева гра" in pdf

    await ann.press(formats, "CSV")
    sent = await ann.next_message(timeout=60)
    rows = list(csv.DictReader(io.StringIO(sent.document.content.decode("utf-8-sig"))))
    assert {row["indicator_id"] for row in rows} >= {"3.6"}
    learning = [row for row in rows if row["learning_kind"]]
    assert learning and learning[0]["learning_kind"] == "Course"
    assert learning[0]["learning_hours"] in {"7", "7.0"}


async def test_export_of_an_empty_period_sends_no_file(ann, running):
    seed_reflection(running, ANN, "Long ago.", ["1.1"], 400)
    await ann.send_command("/export")
    periods = await ann.next_message()
    formats = await tap(ann, periods, "Last 12 months")
    await ann.press(formats, "JSON")
    nothing = await ann.next_message(timeout=30)
    assert "nothing saved in that period" in nothing.text and nothing.document is None
    formats = await tap(ann, now_of(ann, formats), "‹ Another period")
    formats = await tap(ann, formats, "Everything")
    await ann.press(formats, "JSON")
    sent = await ann.next_message(timeout=60)
    data = json.loads(sent.document.content)
    assert [r["items"][0]["answer"] for r in data["reflections"]] == ["Long ago."]


async def test_export_needs_consent_and_a_private_chat(fake_telegram, running):
    cy = fake_telegram.user(1003, "Cy")
    await cy.send_command("/export")
    assert "Please send /start first" in (await cy.next_message()).text
    answer = await answer_to(cy, cy.press_raw(1, "ex:all:pdf"))
    assert answer.show_alert and "/start" in answer.text
    ann = fake_telegram.user(ANN, "Ann")
    await agree(ann)
    seed_reflection(running, ANN, "Private words.", ["1.1"], 1)
    team = fake_telegram.group(-1001234, "Youth team")
    await team.add_bot(ann)
    await team.next_message()  # the bot works only in private chats, it says once
    await team.send_text(ann, "/export")
    await team.send_text(ann, "/progress")
    await team.press_raw(ann, 1, "ex:all:pdf")
    await fake_telegram.wait_idle()
    assert len(team.messages) == 1
    assert not any(m.document or m.photo for m in team.messages)
