"""Nudge timers: one PTB job per practitioner, at their next nudge, rebuilt from SQLite.

PTB does not keep jobs across restarts, so the schedule lives in SQLite and each
practitioner's job (named ``nudge-<user id>``, so setting it again replaces it) is set
at start-up, after every change to their settings, and after each nudge. At start-up a
nudge missed while the bot was down (less than 3 hours ago) is sent first. What is due
and what it says is :class:`bot.services.nudging.NudgingService`'s; this module only
keeps time and sends, through the bulk sender.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import Application, Job

from bot.services.container import Services
from bot.telegram import nudge_views
from bot.telegram.bulk import Blocked, BulkSender, Delivered
from bot.telegram.context import Context

log = logging.getLogger(__name__)

JOB_PREFIX = "nudge-"


class NudgeJobs:
    def __init__(self, application: Application, services: Services, sender: BulkSender) -> None:
        self._application = application
        self._services = services
        self.sender = sender
        services.nudge_settings.on_change(self.schedule)

    def schedule(self, user_id: int) -> Job | None:
        """Set (or replace) the practitioner's timer for their next nudge, if any."""
        job_queue = self._application.job_queue
        name = f"{JOB_PREFIX}{user_id}"
        due = self._services.nudging.next_due(user_id)
        if due is None:
            # Found by id (PTB's lookup by name goes through every job).
            if (old := job_queue.scheduler.get_job(name)) is not None:
                old.remove()
            return None
        # Relative to the services' clock (tests run on an injected one); run however
        # late the loop gets to it: the service drops what is more than 3 hours late.
        delay = max(0.0, (due - self._services.nudging.now()).total_seconds())
        return job_queue.run_once(
            self._fire,
            when=delay,
            data=user_id,
            name=name,
            job_kwargs={"id": name, "replace_existing": True, "misfire_grace_time": None},
        )

    async def start(self) -> None:
        """At start-up: a timer for everybody, and any nudge missed while the bot was down."""
        # Telegram's user ids are positive; 0 is the terminal chat's practitioner.
        user_ids = [uid for uid in self._services.nudging.practitioners() if uid > 0]
        missed = []
        for user_id in user_ids:
            self.schedule(user_id)
            if self._services.nudging.pending(user_id):
                missed.append(asyncio.create_task(self.deliver(user_id)))
            await asyncio.sleep(0)  # replies go on meanwhile, however many practitioners
        sent = await asyncio.gather(*missed)
        if any(sent):
            log.info("start-up: sent %d nudges missed while the bot was stopped", sum(sent))

    async def _fire(self, context: Context) -> None:
        user_id = context.job.data
        assert isinstance(user_id, int)
        try:
            await self.deliver(user_id)
        finally:
            self.schedule(user_id)

    async def deliver(self, user_id: int) -> bool:
        """Send the practitioner's nudge if one is due now; True if one was sent."""
        nudging = self._services.nudging
        async with self.sender.turn():
            message = nudging.due(user_id)
            if message is None:
                return False
            text, markup = nudge_views.nudge(message)
            outcome = await self.sender.send(user_id, text, markup)
        if isinstance(outcome, Delivered):
            nudging.sent(message.nudge, outcome.message_id)
        else:
            nudging.failed(message.nudge)
            if not isinstance(outcome, Blocked):
                log.warning("a %s nudge could not be sent: %s", message.nudge.kind, outcome.reason)
        for old in message.replaces:  # at most one outstanding: the last one's buttons go
            if old.message_id is not None:
                await self.sender.remove_buttons(user_id, old.message_id)
        return isinstance(outcome, Delivered)
