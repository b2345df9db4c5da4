"""Everything ReflectBot says: reflective question sets and user-facing text, as data.

Question sets live in ``prompts/questions/*.toml`` (adding a set means adding a file);
messages live in ``prompts/messages.toml`` and are looked up by dotted key with :func:`t`.
"""

from prompts.questions import Question, QuestionSet, QuestionSetError, load_question_sets
from prompts.texts import MESSAGES_PATH, Texts, t

__all__ = [
    "MESSAGES_PATH",
    "Question",
    "QuestionSet",
    "QuestionSetError",
    "Texts",
    "load_question_sets",
    "t",
]
