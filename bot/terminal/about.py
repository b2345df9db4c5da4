"""What a reflection is about, at the terminal's tags prompt: ``@1`` chooses the first name
offered, ``@ Thursday ESOL`` gives a new one, ``@-`` clears it. The date is the one the
bot would choose (the day a regular session was last held, else the day written)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from bot.services.about import InvalidName, NameOffered
from bot.services.about_wording import about_line
from prompts import t

if TYPE_CHECKING:
    from bot.terminal.chat import TerminalChat

CLEAR = "-"


def show_about(chat: TerminalChat, rid: int) -> None:
    """What the reflection is about, if anything, and how to say it."""
    about = chat.services.about.about(chat.user_id, rid)
    line = about_line(about.reflection)
    if line is not None:
        chat.say(line)
    names = ", ".join(f"@{n} {o.name}" for n, o in enumerate(about.offered, start=1))
    chat.say(t("chat.about_prompt", names=html.escape(names)) if names else t("chat.about_new"))


async def apply_about(chat: TerminalChat, rid: int, answer: str) -> None:
    """An ``@`` answer at the tags prompt (``answer`` without its ``@``)."""
    services, wanted = chat.services, answer.strip()
    about = services.about.about(chat.user_id, rid)
    try:
        if wanted == CLEAR:
            services.about.clear(chat.user_id, rid)
        elif wanted.isdigit() and 1 <= int(wanted) <= len(about.offered):
            _choose(chat, rid, about.offered[int(wanted) - 1])
        elif await services.intake.identifiers_in(wanted, [chat.name or ""]):
            chat.say(t("about.name_identifies", typed=html.escape(wanted)))
        else:
            services.about.name(chat.user_id, rid, wanted)
    except InvalidName:
        chat.say(t("about.name_invalid"))


def _choose(chat: TerminalChat, rid: int, offered: NameOffered) -> None:
    about = chat.services.about
    if offered.session_id is not None:
        about.choose_session(chat.user_id, rid, offered.session_id)
    else:
        about.choose_name_of(chat.user_id, rid, offered.reflection_id or 0)
