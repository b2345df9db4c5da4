"""Confirming and rejecting indicators for a finished reflection, now or later."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlite_utils

import storage
from bot.services.errors import NotAllowed, NotFound
from bot.services.feedback import FeedbackService
from framework import Framework
from storage import Reflection, StoredSuggestion, TagStatus

# A tap sets a state explicitly (never flips one), so a second tap on a button whose
# message failed to update leaves the same state, not its opposite.
TagChoice = Literal["confirm", "reject", "clear"]


@dataclass(frozen=True)
class TagView:
    """A reflection's suggestions and the practitioner's decisions about them."""

    reflection: Reflection
    suggestions: list[StoredSuggestion]
    decisions: dict[str, TagStatus]

    def status(self, indicator_id: str) -> TagStatus | None:
        return self.decisions.get(indicator_id)

    @property
    def picked(self) -> list[str]:
        """Indicators confirmed that were not among the suggestions, in framework order."""
        suggested = {s.indicator_id for s in self.suggestions}
        return sorted(
            (
                i
                for i, status in self.decisions.items()
                if status == "confirmed" and i not in suggested
            ),
            key=lambda i: tuple(int(part) for part in i.split(".") if part.isdigit()),
        )

    @property
    def confirmed(self) -> list[str]:
        return [i for i, status in self.decisions.items() if status == "confirmed"]


class TaggingService:
    def __init__(
        self,
        db: sqlite_utils.Database,
        framework: Framework,
        clock: Callable[[], datetime],
        feedback: FeedbackService,
    ) -> None:
        self._db = db
        self._framework = framework
        self._clock = clock
        self._feedback = feedback

    def view(self, user_id: int, reflection_id: int) -> TagView:
        reflection = storage.get_reflection(self._db, reflection_id)
        if reflection is None or reflection.status != "done":
            raise NotFound(f"reflection {reflection_id} is not available for tagging")
        if reflection.user_id != user_id:
            raise NotAllowed(f"reflection {reflection_id} belongs to someone else")
        return TagView(
            reflection,
            storage.suggestions_for(self._db, reflection_id),
            {tag.indicator_id: tag.status for tag in storage.tags_for(self._db, reflection_id)},
        )

    def choose(
        self, user_id: int, reflection_id: int, indicator_id: str, choice: TagChoice
    ) -> TagView:
        """Confirm, reject, or clear (undecide) one indicator for a reflection."""
        view = self.view(user_id, reflection_id)
        if self._framework.get_indicator(indicator_id) is None:
            raise NotFound(f"no indicator {indicator_id!r} in the framework")
        if choice == "clear":
            storage.clear_tag(self._db, reflection_id, indicator_id)
        else:
            suggested = any(s.indicator_id == indicator_id for s in view.suggestions)
            storage.set_tag(
                self._db,
                reflection_id,
                indicator_id,
                "confirmed" if choice == "confirm" else "rejected",
                self._clock(),
                source="suggestion" if suggested else "picked",
            )
        self._feedback.changed(reflection_id)  # encoded in the background, once
        return self.view(user_id, reflection_id)

    def none_of_these(self, user_id: int, reflection_id: int) -> TagView:
        """Reject every suggestion the practitioner has not confirmed."""
        view = self.view(user_id, reflection_id)
        now = self._clock()
        for suggestion in view.suggestions:
            if view.status(suggestion.indicator_id) != "confirmed":
                storage.set_tag(self._db, reflection_id, suggestion.indicator_id, "rejected", now)
        self._feedback.changed(reflection_id)
        return self.view(user_id, reflection_id)
