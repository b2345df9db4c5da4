"""Verified reviews: the registration verifier records that they discussed the
practitioner's professional learning on a date (with an optional note); the practitioner
accepts it (or says it is not right). Accepted and pending reviews appear in the
professional learning record of an export; declined ones do not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

import storage
from bot.services.errors import NotAllowed, NotFound
from bot.services.nudge_settings import InvalidSetting, parse_day
from storage import SupervisionLink, User, VerifiedReview

MAX_NOTE_CHARS = 1000
OLDEST_REVIEW = timedelta(days=3 * 366)  # a review older than a registration cycle


class VerificationService:
    def __init__(self, db: sqlite_utils.Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

    def _verifier_link(self, verifier_id: int, link_id: int) -> SupervisionLink:
        link = storage.get_link(self._db, link_id)
        if link is None or not link.active:
            raise NotFound(f"link {link_id} is not active")
        if link.supervisor_id != verifier_id or not link.verifier:
            raise NotAllowed("only the practitioner's registration verifier records a review")
        return link

    def practitioner_of(self, verifier_id: int, link_id: int) -> User:
        """The supervisee a verifier may record a review for (checked)."""
        link = self._verifier_link(verifier_id, link_id)
        practitioner = storage.get_user(self._db, link.practitioner_id)
        if practitioner is None:
            raise NotFound("the practitioner is gone")
        return practitioner

    def today(self, user: User) -> date:
        return self._clock().astimezone(ZoneInfo(user.timezone)).date()

    def check_day(self, verifier: User, day: date) -> date:
        """A discussion date: not in the future, not older than a registration cycle."""
        today = self.today(verifier)
        if day > today or day < today - OLDEST_REVIEW:
            raise InvalidSetting("review.date_out_of_range")
        return day

    def parse_day(self, verifier: User, text: str) -> date:
        day = parse_day(text, self.today(verifier), past=True)
        if day is None:
            raise InvalidSetting("settings.date_invalid")
        return self.check_day(verifier, day)

    def record(
        self, verifier: User, link_id: int, discussed_on: date, note: str = ""
    ) -> VerifiedReview:
        """The verifier's record of a discussion, waiting for the practitioner's answer."""
        link = self._verifier_link(verifier.id, link_id)
        self.check_day(verifier, discussed_on)
        return storage.add_verified_review(
            self._db,
            link.practitioner_id,
            verifier.id,
            verifier.display_name,
            discussed_on,
            note.strip()[:MAX_NOTE_CHARS],
            self._clock(),
        )

    def answer(self, practitioner_id: int, review_id: int, accept: bool) -> VerifiedReview:
        """The practitioner accepts the record (or says it is not right), once."""
        review = storage.get_verified_review(self._db, review_id)
        if review is None:
            raise NotFound(f"review {review_id} does not exist")
        if review.practitioner_id != practitioner_id:
            raise NotAllowed(f"review {review_id} is about someone else")
        if not storage.answer_verified_review(self._db, review_id, accept, self._clock()):
            raise NotFound(f"review {review_id} was answered already")
        answered = storage.get_verified_review(self._db, review_id)
        assert answered is not None
        return answered

    def reviews(self, practitioner_id: int) -> list[VerifiedReview]:
        return storage.verified_reviews_of(self._db, practitioner_id)
