"""A practitioner's past reflections, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

import storage
from storage import Reflection


@dataclass(frozen=True)
class HistoryEntry:
    number: int  # position in the whole history, 1 = newest
    reflection: Reflection
    confirmed: list[str]


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    page: int  # 0-based
    pages: int
    total: int

    @property
    def has_newer(self) -> bool:
        return self.page > 0

    @property
    def has_older(self) -> bool:
        return self.page + 1 < self.pages


class HistoryService:
    def __init__(self, db: sqlite_utils.Database, page_size: int = 5) -> None:
        self._db = db
        self.page_size = page_size

    def page(self, user_id: int, page: int = 0) -> HistoryPage:
        """One page of history; an out-of-range page number shows the nearest real page."""
        total = storage.count_finished_reflections(self._db, user_id)
        pages = max(1, -(-total // self.page_size))
        page = min(max(page, 0), pages - 1)
        offset = page * self.page_size
        reflections = storage.recent_reflections(
            self._db, user_id, limit=self.page_size, offset=offset
        )
        entries = [
            HistoryEntry(offset + i + 1, r, storage.confirmed_indicators(self._db, r.id))
            for i, r in enumerate(reflections)
        ]
        return HistoryPage(entries, page, pages, total)
