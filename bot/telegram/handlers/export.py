"""/export: choose a period and a format, and the portfolio file arrives in the chat."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.constants import ChatAction, ParseMode

from bot.portfolio import FORMATS
from bot.services.exporting import ExportBusy, ExportTooBig
from bot.telegram import callback_data as cd
from bot.telegram import evidence_views
from bot.telegram.context import Context
from bot.telegram.handlers.common import button_handler, consented_user, edit, reply, showing
from prompts import plain, t
from storage import User


async def export(update: Update, context: Context) -> None:
    if await consented_user(update, context) is None:
        return
    await reply(update, evidence_views.export_periods())


@button_handler(cd.ExportTap)
async def export_tap(update: Update, context: Context, user: User, action: cd.ExportTap) -> None:
    """A period (then the formats), or a period and a format: the file, made in another
    process while "sending a file…" shows."""
    query, exporting = update.callback_query, context.services.exporting
    if action.period is None:
        await query.answer()
        await edit(query, evidence_views.export_periods())
        return
    period = exporting.period(user, action.period)
    if action.format is None:
        await query.answer()
        await edit(query, evidence_views.export_formats(period, action.period))
        return
    chosen = FORMATS[action.format]
    await query.answer(plain(t("export.making", format=chosen.name)))
    chat = update.effective_chat
    try:
        async with showing(chat, ChatAction.UPLOAD_DOCUMENT):
            made = await exporting.export(user, period, chosen.key)
    except ExportBusy:
        await reply(update, t("export.busy"))
        return
    except ExportTooBig as too_big:
        await reply(update, t("export.too_big", megabytes=round(too_big.args[0] / 1e6)))
        return
    if made is None:
        await reply(update, t("export.nothing", period=escape(period.heading())))
        return
    await chat.send_document(
        made.content,
        filename=made.filename,
        caption=t("export.caption", period=escape(period.heading()), reflections=made.reflections),
        parse_mode=ParseMode.HTML,
    )
