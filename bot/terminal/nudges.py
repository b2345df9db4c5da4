"""A nudge that has come due, shown in the terminal with its choices as numbered options.

Before it asks for the next line, the chat asks whether a nudge has come due for the
terminal's practitioner (user 0) and, if one has, shows it. A nudge waits for the line
being typed to be handled first (input is read in a thread that cannot be interrupted
without losing what was typed, so no timer breaks in), and a line typed instead of a
choice is handled as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.services import NotAllowed, QuestionStep, ServiceError
from bot.services.nudge_wording import nudge_choices, nudge_text
from bot.services.nudging import Choice, Dismissed, NudgeMessage, Snoozed
from bot.terminal.reflecting import settle_open_reflection
from prompts import t

if TYPE_CHECKING:
    from bot.terminal.chat import TerminalChat


async def offer_nudge(chat: TerminalChat) -> None:
    """Show the nudge that has come due, if any, with its choices as numbered options.

    A number acts on the nudge. Anything else typed is not thrown away: it is queued,
    to be handled like any line at the chat's prompt, and the nudge is left unanswered
    (the next one replaces it).
    """
    nudging = chat.services.nudging
    message = nudging.due(chat.user_id)
    if message is None:
        return
    chat.say(nudge_text(message.content))
    nudging.sent(message.nudge, message_id=0)  # shown: what follows is the "tap"
    options = nudge_choices(message.content)
    choice = await chat.choose([label for label, _ in options])
    if choice is not None:
        await nudge_chosen(chat, message, options[choice][1])


async def nudge_chosen(chat: TerminalChat, message: NudgeMessage, choice: Choice) -> None:
    nudging = chat.services.nudging
    try:
        try:
            result = nudging.choose(chat.user_id, message.nudge.id, choice)
        except NotAllowed:  # another reflection is open: settle it first
            if not await settle_open_reflection(chat):
                return
            result = nudging.choose(chat.user_id, message.nudge.id, choice)
    except ServiceError:
        chat.say(t("nudge.passed"))
        result = None
    match result:
        case QuestionStep():
            await chat.show(result)
            return
        case Snoozed(until):
            chat.say(t("nudge.snoozed", time=until.strftime("%H:%M")))
        case Dismissed(nudge):
            chat.say(t("nudge.later_weekly" if nudge.kind == "weekly" else "nudge.later"))
    step = chat.services.reflecting.current_step(chat.user_id)
    if step is not None:  # the reflection that was going on carries on
        await chat.show(step)
