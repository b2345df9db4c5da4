"""Typed handler context: handlers reach the services as ``context.services``."""

from __future__ import annotations

from dataclasses import dataclass

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.services.container import Services


@dataclass
class BotData:
    """Application-wide state: only the services, set once when the application is built."""

    services: Services | None = None


class Context(CallbackContext[ExtBot, dict, dict, BotData]):
    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("the application was built without services")
        return services


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)
