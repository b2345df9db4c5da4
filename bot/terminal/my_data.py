"""What the practitioner has stored: /history, /mydata, /export and /forget.

/mydata and /export write their file to the current folder, readable by its owner only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.portfolio import FORMATS
from bot.private_files import write_private
from bot.services.about_wording import about_line
from prompts import plain, t

if TYPE_CHECKING:
    from bot.terminal.chat import TerminalChat


def history(chat: TerminalChat) -> None:
    page = chat.services.history.page(chat.user_id, 0)
    user = chat.services.users.get(chat.user_id)
    zone = ZoneInfo(user.timezone if user else chat.services.settings.timezone)
    if not page.entries:
        chat.say(t("history.empty"))
        return
    for entry in page.entries:
        moment = (entry.reflection.finished_at or entry.reflection.started_at).astimezone(zone)
        tags = ", ".join(entry.confirmed) or "-"
        chat.say(f"{entry.number}. {moment:%a %d %b %Y %H:%M}  [{tags}]")
        if (about := about_line(entry.reflection)) is not None:
            chat.say(f"   {plain(about)}")
        chat.say(f"   {' '.join(entry.reflection.text.split())[:160]}")


def my_data(chat: TerminalChat) -> None:
    export = chat.services.privacy.export(chat.user_id)
    path = Path(export.filename).resolve()
    write_private(path, export.content)
    chat.say(t("chat.mydata_written", path=str(path)))


def export(chat: TerminalChat, line: str) -> None:
    """/export [pdf|docx|csv|json|md]: the whole portfolio, written to this folder."""
    words = line.split()
    key = words[1].lower() if len(words) > 1 else "pdf"
    if key not in FORMATS:
        chat.say(t("chat.export_formats", formats=", ".join(FORMATS)))
        return
    exporting = chat.services.exporting
    user = chat.services.users.get(chat.user_id)
    period = exporting.period(user, "all")
    chat.say(t("export.making", format=FORMATS[key].name))
    made = exporting.export_now(user, period, key)
    if made is None:
        chat.say(plain(t("export.nothing", period=period.heading())))
        return
    path = Path(made.filename).resolve()
    write_private(path, made.content)
    chat.say(t("chat.export_written", path=str(path), reflections=made.reflections))


async def forget(chat: TerminalChat) -> bool:
    """Delete everything after a y/n confirmation; True if it was deleted."""
    summary = chat.services.privacy.summary(chat.user_id)
    chat.say(
        t(
            "privacy.forget_confirm",
            reflections=summary.reflections,
            tags=summary.confirmed_tags,
            unfinished=summary.unfinished,
        )
    )
    prompt = f"{plain(t('privacy.forget_yes_button'))}? [y/n] "
    if not await chat.yes_no(prompt, answer_first=False):  # anything else: kept
        chat.say(t("privacy.forget_kept"))
        return False
    chat.services.privacy.forget(chat.user_id)
    chat.say(t("privacy.forgotten"))
    return True
