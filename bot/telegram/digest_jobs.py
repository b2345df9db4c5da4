"""Digest timers: one PTB job per supervisor, at their next weekly digest, rebuilt from
SQLite at start-up and set again after each digest, each change of their digest settings
and each new link. What is due and what it says is
:class:`bot.services.digests.DigestService`'s (which records a week before it is sent, so
a digest never goes twice); this module keeps time and sends through the bulk sender."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardMarkup
from telegram.ext import Application, Job

from bot.services.container import Services
from bot.services.digest_wording import digest_text, read_buttons
from bot.telegram import callback_data as cd
from bot.telegram.bulk import BulkSender, Delivered
from bot.telegram.context import Context
from bot.telegram.views import button

log = logging.getLogger(__name__)

JOB_PREFIX = "digest-"


class DigestJobs:
    def __init__(self, application: Application, services: Services, sender: BulkSender) -> None:
        self._application = application
        self._services = services
        self._sender = sender
        services.digests.on_change(self.schedule)

    def schedule(self, supervisor_id: int) -> Job | None:
        """Set (or replace) the supervisor's timer for their next digest, if any."""
        job_queue = self._application.job_queue
        name = f"{JOB_PREFIX}{supervisor_id}"
        digests = self._services.digests
        due = digests.next_due(supervisor_id)
        if due is None:
            if (old := job_queue.scheduler.get_job(name)) is not None:
                old.remove()
            return None
        delay = max(0.0, (due - digests.now()).total_seconds())
        return job_queue.run_once(
            self._fire,
            when=delay,
            data=supervisor_id,
            name=name,
            job_kwargs={"id": name, "replace_existing": True, "misfire_grace_time": None},
        )

    async def start(self) -> None:
        """At start-up: a digest missed while the bot was down (less than a day late), and
        a timer for every supervisor."""
        for supervisor_id in self._services.digests.supervisors():
            if supervisor_id <= 0:
                continue
            await self.deliver(supervisor_id)
            self.schedule(supervisor_id)
            await asyncio.sleep(0)

    async def _fire(self, context: Context) -> None:
        supervisor_id = context.job.data
        assert isinstance(supervisor_id, int)
        try:
            await self.deliver(supervisor_id)
        finally:
            self.schedule(supervisor_id)

    async def deliver(self, supervisor_id: int) -> bool:
        """Send the supervisor's digest if one is due now; True if it was sent."""
        digests = self._services.digests
        async with self._sender.turn():
            message = digests.due(supervisor_id)
            if message is None:
                return False
            buttons = [
                button(label, cd.ReadShared(reflection_id))
                for label, reflection_id in read_buttons(message.digest)
            ]
            markup = (
                InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])
                if buttons
                else None
            )
            outcome = await self._sender.send(supervisor_id, digest_text(message.digest), markup)
        if isinstance(outcome, Delivered):
            digests.sent(supervisor_id, message.week)
            return True
        digests.failed(supervisor_id, message.week)
        log.warning("a digest could not be sent: %s", type(outcome).__name__)
        return False
