"""What ReflectBot decides, independent of Telegram.

Handlers (Telegram, the terminal chat, tests) parse input, call these services, and
render what they return. Services read and write through ``storage`` and tag through
``framework``; they never import ``telegram``.
"""

from bot.services.errors import NotAllowed, NotFound, ServiceError
from bot.services.history import (
    HistoryEntry,
    HistoryFilter,
    HistoryPage,
    HistoryService,
    IndicatorCount,
    history_filter,
)
from bot.services.reflecting import (
    Finished,
    NoteOffer,
    QuestionStep,
    ReflectingService,
)
from bot.services.tagging import TagChoice, TaggingService, TagView
from bot.services.users import UserService

__all__ = [
    "Finished",
    "HistoryEntry",
    "HistoryFilter",
    "HistoryPage",
    "HistoryService",
    "IndicatorCount",
    "NotAllowed",
    "NotFound",
    "NoteOffer",
    "QuestionStep",
    "ReflectingService",
    "ServiceError",
    "TagChoice",
    "TagView",
    "TaggingService",
    "UserService",
    "history_filter",
]
