"""Reflective question sets, one TOML file each."""

from __future__ import annotations

import html
import tomllib
from dataclasses import dataclass
from pathlib import Path

from prompts.texts import t

QUESTIONS_DIR = Path(__file__).with_name("questions")
KINDS = ("note", "guided")


class QuestionSetError(ValueError):
    """A question set file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str


@dataclass(frozen=True)
class QuestionSet:
    id: str
    version: int
    name: str
    description: str
    kind: str
    order: int
    questions: tuple[Question, ...]
    learning: bool = False  # a reflection on it is a professional learning activity

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def intro(self) -> str:
        """How a reflection on this set starts (HTML): its name, how many questions, and
        that a line or two is fine."""
        name, count = html.escape(self.name), len(self.questions)
        if count == 1:
            return t("reflect.chosen_single", name=name)
        return t("reflect.chosen", name=name, count=count)


def _load_one(path: Path) -> QuestionSet:
    def fail(problem: str) -> QuestionSetError:
        return QuestionSetError(f"question set file {path}: {problem}")

    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise fail(f"not valid TOML ({error})") from error
    for field in ("id", "name", "description", "kind"):
        if not isinstance(data.get(field), str) or not data[field].strip():
            raise fail(f"'{field}' must be non-empty text")
    if not isinstance(data.get("version"), int) or data["version"] < 1:
        raise fail("'version' must be a whole number, 1 or more")
    if data["kind"] not in KINDS:
        raise fail(f"'kind' must be one of {', '.join(KINDS)}")
    if len(data["id"]) > 20 or not data["id"].replace("-", "").replace("_", "").isalnum():
        raise fail("'id' must be at most 20 letters, digits, '-' or '_'")
    raw_questions = data.get("questions")
    if not isinstance(data.get("learning", False), bool):
        raise fail("'learning' must be true or false")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise fail("needs at least one [[questions]] entry")
    questions = []
    for position, raw in enumerate(raw_questions, start=1):
        qid, text = raw.get("id"), raw.get("text")
        if not isinstance(qid, str) or not qid.strip():
            raise fail(f"question {position}: 'id' must be non-empty text")
        if not isinstance(text, str) or not text.strip():
            raise fail(f"question {qid}: 'text' must be non-empty text")
        if any(q.id == qid for q in questions):
            raise fail(f"question id {qid!r} is used twice")
        questions.append(Question(id=qid, text=text.strip()))
    return QuestionSet(
        id=data["id"],
        version=data["version"],
        name=data["name"],
        description=data["description"],
        kind=data["kind"],
        order=int(data.get("order", 100)),
        questions=tuple(questions),
        learning=data.get("learning", False),
    )


def load_question_sets(directory: Path = QUESTIONS_DIR) -> dict[str, QuestionSet]:
    """All question sets in ``directory``, by id, in display order."""
    sets = [_load_one(path) for path in sorted(directory.glob("*.toml"))]
    if not sets:
        raise QuestionSetError(f"no question set files (*.toml) in {directory}")
    by_id: dict[str, QuestionSet] = {}
    for question_set in sorted(sets, key=lambda s: (s.order, s.name)):
        if question_set.id in by_id:
            raise QuestionSetError(f"question set id {question_set.id!r} is used by two files")
        by_id[question_set.id] = question_set
    return by_id
