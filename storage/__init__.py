"""Persistence for ReflectBot: one SQLite file, reached only through this package.

Everything else talks to the database through the functions exported here, which
take a :class:`sqlite_utils.Database` and return plain dataclasses.
"""

from storage.database import open_database
from storage.migrations import MIGRATIONS, apply_migrations, schema_version
from storage.records import (
    Answer,
    Reflection,
    ReflectionStatus,
    StoredSuggestion,
    Tag,
    TagStatus,
    User,
)
from storage.reflections import (
    answers_for,
    append_to_answer,
    count_finished_reflections,
    delete_reflection,
    finish_reflection,
    get_reflection,
    open_reflection_for,
    recent_reflections,
    save_answer,
    start_reflection,
)
from storage.tags import (
    FeedbackRow,
    clear_tag,
    confirmed_indicators,
    feedback_rows,
    save_suggestions,
    set_tag,
    suggestions_for,
    tags_for,
)
from storage.users import get_user, save_consent

__all__ = [
    "MIGRATIONS",
    "Answer",
    "FeedbackRow",
    "Reflection",
    "ReflectionStatus",
    "StoredSuggestion",
    "Tag",
    "TagStatus",
    "User",
    "answers_for",
    "append_to_answer",
    "apply_migrations",
    "clear_tag",
    "confirmed_indicators",
    "count_finished_reflections",
    "delete_reflection",
    "feedback_rows",
    "finish_reflection",
    "get_reflection",
    "get_user",
    "open_database",
    "open_reflection_for",
    "recent_reflections",
    "save_answer",
    "save_consent",
    "save_suggestions",
    "schema_version",
    "set_tag",
    "start_reflection",
    "suggestions_for",
    "tags_for",
]
