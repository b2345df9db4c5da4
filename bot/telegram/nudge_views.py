"""Rendering nudges: (HTML text, inline keyboard)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.services.nudge_wording import nudge_choices, nudge_text
from bot.services.nudging import NudgeMessage
from bot.telegram import callback_data as cd
from bot.telegram.views import View, button


def nudge(message: NudgeMessage) -> View:
    """The nudge's text; its buttons on two rows: what to write, then later or snooze."""
    buttons = [
        button(label, cd.NudgeChoice(message.nudge.id, choice))
        for label, choice in nudge_choices(message.content)
    ]
    return nudge_text(message.content), InlineKeyboardMarkup([buttons[:-2], buttons[-2:]])
