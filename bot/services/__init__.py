"""What ReflectBot decides, independent of Telegram.

Handlers (Telegram, the terminal chat, tests) parse input, call these services, and
render what they return. Services read and write through ``storage`` and tag through
``framework``; they never import ``telegram``.
"""

from bot.services.errors import NotAllowed, NotFound, ServiceError
from bot.services.history import HistoryEntry, HistoryPage, HistoryService
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
    "HistoryPage",
    "HistoryService",
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
]
