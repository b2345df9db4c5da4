"""The inbox queue's own failure: an update it cannot write down is refused loudly."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest
from telegram import Update

from bot.telegram.inbox import MARK_DELAY_SECONDS, InboxQueue, InboxUnavailable


class FullDisk:
    def receive(self, update_id: int, user_id: int | None, payload: str) -> bool:
        raise sqlite3.OperationalError("database or disk is full")


async def test_an_update_it_cannot_write_down_is_refused_and_logged_without_its_text(caplog):
    queue = InboxQueue()
    queue.inbox = FullDisk()
    person = {"id": 7, "is_bot": False, "first_name": "Ann"}
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 7, "type": "private", "first_name": "Ann"},
        "from": person,
        "text": "a private reflection",
    }
    update = Update.de_json({"update_id": 5, "message": message}, None)
    with caplog.at_level(logging.ERROR), pytest.raises(InboxUnavailable) as refused:
        await queue.put(update)  # PTB's webhook then answers 500: Telegram sends it again
    assert isinstance(refused.value.__cause__, sqlite3.OperationalError)
    assert queue.empty()
    [record] = caplog.records
    assert record.getMessage() == "could not write update 5 to the inbox" and record.exc_info
    assert "private reflection" not in caplog.text


class Recording:
    def __init__(self) -> None:
        self.marked: list[tuple[int, ...]] = []

    def receive(self, update_id: int, user_id: int | None, payload: str) -> bool:
        return True

    def handled(self, *update_ids: int) -> None:
        self.marked.append(update_ids)


async def test_updates_handled_together_are_marked_in_one_write_soon_after():
    queue = InboxQueue()
    queue.inbox = Recording()
    updates = [Update.de_json({"update_id": n}, None) for n in (1, 2, 3)]
    for update in updates:
        queue.handled(update)
    assert queue.inbox.marked == []  # not yet: within MARK_DELAY_SECONDS
    await asyncio.sleep(MARK_DELAY_SECONDS * 3)
    assert queue.inbox.marked == [(1, 2, 3)]
    queue.handled(Update.de_json({"update_id": 4}, None))
    queue.mark_handled()  # the bot is stopping: at once
    assert queue.inbox.marked == [(1, 2, 3), (4,)]
    await asyncio.sleep(MARK_DELAY_SECONDS * 3)
    assert queue.inbox.marked == [(1, 2, 3), (4,)]  # and not twice
