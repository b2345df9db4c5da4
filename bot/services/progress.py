"""Progress: confirmed evidence per competence (and per indicator of one) over a period,
and professional learning hours against the requirement, for ``/progress``."""

from __future__ import annotations

from dataclasses import dataclass

from bot.portfolio import Coverage, Hours, Period
from bot.services.exporting import ExportingService
from bot.services.learning import LearningService
from storage import User


@dataclass(frozen=True)
class Progress:
    period: Period
    coverage: Coverage
    hours: Hours
    reflections: int  # finished in the period, evidence or not


class ProgressService:
    def __init__(self, exporting: ExportingService, learning: LearningService) -> None:
        self._exporting = exporting
        self._learning = learning

    def progress(self, user: User, period_key: str) -> Progress:
        """Where the practitioner stands over a period offered on a button."""
        period = self._exporting.period(user, period_key)
        reflections, coverage = self._exporting.coverage(user, period)
        return Progress(period, coverage, self._learning.hours(user, period), reflections)

    async def chart(self, progress: Progress, competence: int | None = None) -> bytes:
        """The PNG: reflections evidencing each competence, or each indicator of one."""
        title = f"Confirmed evidence, {progress.period.describe()}"
        if competence is not None:
            title = f"Competence {competence}: {title[0].lower()}{title[1:]}"
        return await self._exporting.chart(progress.coverage, title, competence)
