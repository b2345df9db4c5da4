"""For the service tests: services that make export files and charts on the test's own
thread, two practitioners' ids, London wall-clock times, and reflections written
straight to storage as the services leave them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

import storage
from bot.config import Settings
from bot.identifiers import FakeIdentifierDetector
from bot.services.container import Services, build_services
from prompts import QuestionSet, load_question_sets, load_weekly_prompts
from tests.conftest import FakeClock, fake_suggester

ANN, BO = 101, 202
LONDON = ZoneInfo("Europe/London")
QUESTION_SETS = load_question_sets()
WEEKLY = load_weekly_prompts().as_question_set()


@pytest.fixture
def services(settings: Settings, clock: FakeClock) -> Iterator[Services]:
    """As the root fixture, but rendering in process: no process is spawned for a file
    (test_exporting builds the default process pool once, to test it)."""
    built = build_services(
        settings,
        suggester=fake_suggester(),
        detector=FakeIdentifierDetector(),
        clock=clock,
        render_in_process=True,
    )
    yield built
    built.close()


def local(*args: int) -> datetime:
    """A London wall-clock time, in UTC."""
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def question_set(set_id: str) -> QuestionSet:
    """A question set by id, the weekly prompts' one included."""
    return WEEKLY if set_id == "weekly" else QUESTION_SETS[set_id]


def write(
    services: Services,
    user_id: int,
    started: datetime,
    set_id: str,
    answers: list[tuple[str, str | None]],
    *,
    kind: str | None = None,
    confirmed: tuple[str, ...] = (),
    rejected: tuple[str, ...] = (),
    status: str = "done",
    session_id: int | None = None,
    prompt_id: str | None = None,
) -> storage.Reflection:
    """A reflection as the services store one: answers (None: skipped) in the order
    given, finished unless ``status`` says otherwise, with these tags."""
    db = services.db
    chosen = question_set(set_id)
    made = storage.start_reflection(
        db,
        user_id,
        kind=kind or chosen.kind,
        question_set_id=set_id,
        question_set_version=chosen.version,
        now=started,
        status="open" if status == "done" else status,
        session_id=session_id,
        prompt_id=prompt_id,
    )
    for question_id, text in answers:
        storage.save_answer(db, made.id, question_id, text or "", started, skipped=text is None)
    if status == "done":
        text = "\n\n".join(t for _, t in answers if t)
        storage.finish_reflection(db, made.id, text, started, [], "test-model", started)
    for indicator_id in confirmed:
        storage.set_tag(db, made.id, indicator_id, "confirmed", started)
    for indicator_id in rejected:
        storage.set_tag(db, made.id, indicator_id, "rejected", started)
    return storage.get_reflection(db, made.id)
