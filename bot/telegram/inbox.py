"""The update queue between polling and handling, backed by the inbox in SQLite.

PTB's updater puts each batch of updates on this queue and only then tells Telegram,
with its next ``getUpdates``, that they arrived; with a webhook, PTB answers Telegram's
POST only once ``put`` has returned. Writing each update to the inbox inside ``put``
therefore happens before Telegram forgets it: a crash at any moment loses nothing. At
start-up, updates written down but never handled go first, in order; an update Telegram
sends again is recognised by its id and not handled twice. Updates from groups and
channels are never written down (nothing from a group is stored).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from telegram import Bot, Update
from telegram.error import NetworkError

from bot.services.inbox import InboxService
from bot.telegram.gate import is_private_person

log = logging.getLogger(__name__)

# Updates handled within this long are marked in one write: one commit, and one return
# of the GIL, for many. A crash in between only means they are handled again at start-up
# (handling is idempotent), and their text stays in the file this much longer.
MARK_DELAY_SECONDS = 0.05


class InboxUnavailable(NetworkError):
    """An update could not be written to the inbox (a full disk, a locked file).

    A Telegram network error as far as PTB is concerned: its polling loop then waits (1 s,
    growing to 30 s) and asks again from the same offset, so Telegram sends the update
    again, instead of the polling task stopping for good while the process lives on.
    With a webhook, Telegram is answered 500 and sends it again.
    """


class InboxQueue(asyncio.Queue):
    def __init__(self) -> None:
        super().__init__()
        self.inbox: InboxService | None = None  # set when the application is built
        self._handled: list[int] = []
        self._marking: asyncio.TimerHandle | None = None

    async def put(self, item: Any) -> None:
        if isinstance(item, Update) and self.inbox is not None and is_private_person(item):
            payload = json.dumps(item.to_dict(), ensure_ascii=False)
            try:
                fresh = self.inbox.receive(item.update_id, item.effective_user.id, payload)
            except Exception as error:
                # Telegram is not told the update arrived, so it sends it again; but with a
                # webhook nobody else says so (PTB logs the failed request at DEBUG only).
                log.exception("could not write update %s to the inbox", item.update_id)
                raise InboxUnavailable(f"update {item.update_id} not written down") from error
            if not fresh:
                log.info("update %s arrived again: already in hand", item.update_id)
                return
        await super().put(item)

    def replay(self, bot: Bot) -> int:
        """Queue the updates written down but never handled; how many."""
        if self.inbox is None:
            return 0
        payloads = self.inbox.unhandled()
        for payload in payloads:
            self.put_nowait(Update.de_json(json.loads(payload), bot))
        return len(payloads)

    def handled(self, update: object) -> None:
        """Called when the bot has dealt with an update (whatever the outcome); marked in
        the inbox within ``MARK_DELAY_SECONDS``, with the others handled meanwhile."""
        if not isinstance(update, Update) or self.inbox is None:
            return
        self._handled.append(update.update_id)
        if self._marking is None:
            self._marking = asyncio.get_running_loop().call_later(
                MARK_DELAY_SECONDS, self.mark_handled
            )

    def mark_handled(self) -> None:
        """Mark the updates handled so far (at once: the bot is stopping)."""
        if self._marking is not None:
            self._marking.cancel()
            self._marking = None
        handled, self._handled = self._handled, []
        if handled and self.inbox is not None:
            self.inbox.handled(*handled)
