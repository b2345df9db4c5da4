"""The weekly nudge's reflective questions, one small set per competence, as data.

The nudge asks about the competence a practitioner has evidenced least recently; this
module only knows the questions and topics (``prompts/weekly.toml``), not the framework.
A test checks that they cover exactly the framework's competences.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from prompts.questions import Question, QuestionSet

WEEKLY_SET_ID = "weekly"  # the question set id of reflections answering a weekly question
WEEKLY_PATH = Path(__file__).with_name("weekly.toml")
TOPIC_LIMIT = 30
"""Longest topic, in characters: it goes into a one-line reason on a phone."""
ID_LIMIT = 20

_ID_PATTERN = re.compile(r"^[a-z0-9-]+$")
_TOP_LEVEL_KEYS = {"competences"}
_COMPETENCE_KEYS = {"number", "topic", "questions"}
_QUESTION_KEYS = {"id", "text"}
_FIRST_MONDAY = date(1970, 1, 5)


class WeeklyPromptsError(ValueError):
    """The weekly prompts file is malformed; the message names the file and the problem."""


_Fail = Callable[[str], WeeklyPromptsError]
"""Makes the error for one problem, prefixed with the file's name."""


@dataclass(frozen=True)
class WeeklyQuestion:
    """One reflective question aimed at one competence."""

    id: str
    competence: int
    text: str


@dataclass(frozen=True)
class WeeklyPrompts:
    """Topics and questions by competence number, as loaded from ``path``."""

    path: Path
    topics: tuple[tuple[int, str], ...]
    """(competence number, topic) pairs in number order."""
    all_questions: tuple[WeeklyQuestion, ...]
    """Every question, by competence number and then in file order."""
    _topic: dict[int, str] = field(init=False, repr=False, compare=False)
    _by_competence: dict[int, tuple[WeeklyQuestion, ...]] = field(
        init=False, repr=False, compare=False
    )
    _by_id: dict[str, WeeklyQuestion] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_topic", dict(self.topics))
        by_competence = {
            number: tuple(q for q in self.all_questions if q.competence == number)
            for number, _ in self.topics
        }
        object.__setattr__(self, "_by_competence", by_competence)
        object.__setattr__(self, "_by_id", {q.id: q for q in self.all_questions})

    @property
    def competences(self) -> tuple[int, ...]:
        """The competence numbers covered, in order."""
        return tuple(self._topic)

    def topic(self, competence: int) -> str:
        """The short phrase for a competence, e.g. "partnership working"."""
        return self._topic[self._known(competence)]

    def questions(self, competence: int) -> tuple[WeeklyQuestion, ...]:
        """A competence's questions in the order they are asked."""
        return self._by_competence[self._known(competence)]

    def question(self, question_id: str) -> WeeklyQuestion | None:
        """The question with this id, or None (e.g. for an id stored before it was retired)."""
        return self._by_id.get(question_id)

    def pick(self, competence: int, week_number: int) -> WeeklyQuestion:
        """This week's question for a competence, going round its questions one per week.

        ``week_number`` must go up by one each week without restarting (see
        :func:`running_week`), so consecutive weeks on the same gap never repeat.
        """
        questions = self.questions(competence)
        return questions[week_number % len(questions)]

    def as_question_set(self) -> QuestionSet:
        """All the weekly questions as one set, so a reflection answering one of them
        (``prompt_id``) is stored and shown like any other."""
        return QuestionSet(
            id=WEEKLY_SET_ID,
            version=1,
            name="Weekly reflection",
            description="One question a week, on what you have evidenced least recently.",
            kind="weekly",
            order=0,
            questions=tuple(Question(id=q.id, text=q.text) for q in self.all_questions),
        )

    def _known(self, competence: int) -> int:
        if competence not in self._topic:
            raise KeyError(f"no weekly prompts for competence {competence!r} in {self.path}")
        return competence


def running_week(day: date) -> int:
    """Whole weeks (Monday to Sunday) since 1970, for :meth:`WeeklyPrompts.pick`.

    Unlike the ISO week of the year, it does not restart in January, where week 52 and
    week 1 could otherwise pick the same question twice running.
    """
    return (day - _FIRST_MONDAY).days // 7


def load_weekly_prompts(path: Path = WEEKLY_PATH) -> WeeklyPrompts:
    """Read and check the weekly prompts file (the packaged one by default)."""
    path = Path(path)

    def fail(problem: str) -> WeeklyPromptsError:
        return WeeklyPromptsError(f"weekly prompts file {path}: {problem}")

    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise fail("file not found") from None
    except UnicodeDecodeError as error:
        raise fail(f"not valid UTF-8 (byte {error.start})") from error
    except tomllib.TOMLDecodeError as error:
        raise fail(f"not valid TOML ({error})") from error

    _reject_unknown_keys(data, _TOP_LEVEL_KEYS, "", fail)
    tables = data.get("competences")
    if not isinstance(tables, list) or not tables:
        raise fail("needs at least one [[competences]] table")
    topics: dict[int, str] = {}
    questions: list[WeeklyQuestion] = []
    seen_ids: dict[str, int] = {}
    for position, table in enumerate(tables, start=1):
        where = f"competence #{position} in file"
        if not isinstance(table, dict):
            raise fail(f"{where}: must be a table")
        number = table.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise fail(f"{where}: 'number' must be a whole number, 1 or more, not {number!r}")
        where = f"competence {number}"
        if number in topics:
            raise fail(f"{where}: number is used by more than one [[competences]] table")
        _reject_unknown_keys(table, _COMPETENCE_KEYS, where, fail)
        topic = _required_text(table, "topic", where, fail)
        if len(topic) > TOPIC_LIMIT:
            raise fail(f"{where}: 'topic' is {len(topic)} characters; the limit is {TOPIC_LIMIT}")
        raw_questions = table.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            raise fail(f"{where}: has no questions ([[competences.questions]])")
        topics[number] = topic
        for index, raw in enumerate(raw_questions, start=1):
            question = _parse_question(raw, number, f"{where}, question #{index}", fail)
            if question.id in seen_ids:
                raise fail(
                    f"question id {question.id!r} is used twice "
                    f"(competences {seen_ids[question.id]} and {number})"
                )
            seen_ids[question.id] = number
            questions.append(question)

    return WeeklyPrompts(
        path=path,
        topics=tuple(sorted(topics.items())),
        all_questions=tuple(sorted(questions, key=lambda q: q.competence)),
    )


def _parse_question(raw: Any, competence: int, where: str, fail: _Fail) -> WeeklyQuestion:
    if not isinstance(raw, dict):
        raise fail(f"{where}: must be a table")
    question_id = _required_text(raw, "id", where, fail)
    if len(question_id) > ID_LIMIT or not _ID_PATTERN.match(question_id):
        raise fail(f"{where}: id {question_id!r} must be at most {ID_LIMIT} of a-z, 0-9 and '-'")
    where = f"question {question_id}"
    _reject_unknown_keys(raw, _QUESTION_KEYS, where, fail)
    text = _required_text(raw, "text", where, fail)
    return WeeklyQuestion(id=question_id, competence=competence, text=text)


def _required_text(table: dict[str, Any], key: str, where: str, fail: _Fail) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise fail(f"{where}: '{key}' must be non-empty text")
    return value.strip()


def _reject_unknown_keys(table: dict[str, Any], allowed: set[str], where: str, fail: _Fail) -> None:
    """Catch typos such as ``txt = ...``, which would otherwise be silently ignored."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        prefix = f"{where}: " if where else ""
        raise fail(
            f"{prefix}unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(allowed))}"
        )
