"""Everything ReflectBot says: reflective question sets and user-facing text, as data.

Question sets live in ``prompts/questions/*.toml`` (adding a set means adding a file);
messages live in ``prompts/messages.toml`` and are looked up by dotted key with :func:`t`;
the weekly nudge's questions, a few per competence, live in ``prompts/weekly.toml``.
"""

from prompts.questions import Question, QuestionSet, QuestionSetError, load_question_sets
from prompts.texts import MESSAGES_PATH, Texts, plain, t
from prompts.weekly import (
    WEEKLY_PATH,
    WeeklyPrompts,
    WeeklyPromptsError,
    WeeklyQuestion,
    load_weekly_prompts,
    running_week,
)

__all__ = [
    "MESSAGES_PATH",
    "Question",
    "QuestionSet",
    "QuestionSetError",
    "Texts",
    "WEEKLY_PATH",
    "WeeklyPrompts",
    "WeeklyPromptsError",
    "WeeklyQuestion",
    "load_question_sets",
    "load_weekly_prompts",
    "running_week",
    "plain",
    "t",
]
