"""The composition root: builds every service from settings, once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

import storage
from bot.config import Settings
from bot.services.history import HistoryService
from bot.services.reflecting import ReflectingService
from bot.services.tagging import TaggingService
from bot.services.users import UserService
from framework import Encoder, Framework, SentenceTransformerEncoder, Suggester, load_framework
from prompts import load_question_sets


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    db: sqlite_utils.Database
    framework: Framework
    suggester: Suggester
    users: UserService
    reflecting: ReflectingService
    tagging: TaggingService
    history: HistoryService
    settings: Settings

    def close(self) -> None:
        self.db.close()


def build_services(
    settings: Settings,
    *,
    encoder: Encoder | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Services:
    """Open the database (running migrations), load the framework and question sets.

    The embedding model is not loaded here: it loads on first use, off the event loop.
    Tests pass a fake ``encoder`` and a fake ``clock``.
    """
    db = storage.open_database(settings.db_path)
    framework = load_framework(settings.framework_path)
    question_sets = load_question_sets()
    suggester = Suggester(
        framework,
        encoder if encoder is not None else SentenceTransformerEncoder(settings.model),
        cache_dir=settings.embedding_cache_dir,
    )
    return Services(
        db=db,
        framework=framework,
        suggester=suggester,
        users=UserService(db, clock, settings.timezone),
        reflecting=ReflectingService(db, suggester, question_sets, clock),
        tagging=TaggingService(db, framework, clock),
        history=HistoryService(db),
        settings=settings,
    )
