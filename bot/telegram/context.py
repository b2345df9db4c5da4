"""Typed handler context: handlers reach the services as ``context.services``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.services.container import Services
from bot.telegram.flood import FloodGate

if TYPE_CHECKING:
    from bot.telegram.bulk import BulkSender
    from bot.telegram.digest_jobs import DigestJobs
    from bot.telegram.nudge_jobs import NudgeJobs


@dataclass
class BotData:
    """Application-wide state, set once when the application is built: the services, and
    the flood gate's counts (the only per-user state kept in memory)."""

    services: Services | None = None
    nudge_jobs: NudgeJobs | None = None
    digest_jobs: DigestJobs | None = None
    sender: BulkSender | None = None  # messages to someone other than the one writing
    flood: FloodGate = field(default_factory=FloodGate)


class Context(CallbackContext[ExtBot, dict, dict, BotData]):
    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("the application was built without services")
        return services


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)
