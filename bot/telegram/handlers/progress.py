"""/progress: a chart of confirmed evidence per competence over a period (and, on a
second tap, per indicator of one competence), hours against the requirement, and gaps."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction, ParseMode

from bot.services import NotFound
from bot.telegram import callback_data as cd
from bot.telegram import evidence_views
from bot.telegram.context import Context
from bot.telegram.handlers.common import button_handler, consented_user, edit, reply, showing
from storage import User


async def progress(update: Update, context: Context) -> None:
    if await consented_user(update, context) is None:
        return
    await reply(update, evidence_views.progress_periods())


@button_handler(cd.ProgressTap)
async def progress_tap(
    update: Update, context: Context, user: User, action: cd.ProgressTap
) -> None:
    """The chart (drawn off the event loop) and, below it, what it shows in words."""
    query, services = update.callback_query, context.services
    if action.period is None:
        await query.answer()
        await edit(query, evidence_views.progress_periods())
        return
    number = action.competence or None
    if number is not None and number not in {c.number for c in services.framework.competences}:
        raise NotFound(f"no competence {number}")
    report = services.progress.progress(user, action.period)
    await query.answer()
    if report.reflections == 0:
        await reply(update, evidence_views.progress_summary(report, action.period))
        return
    chat = update.effective_chat
    async with showing(chat, ChatAction.UPLOAD_PHOTO):
        png = await services.progress.chart(report, number)
    caption = evidence_views.chart_caption(report, number)
    await chat.send_photo(png, caption=caption, parse_mode=ParseMode.HTML)
    if number is None:
        await reply(update, evidence_views.progress_summary(report, action.period))
    else:
        await reply(update, evidence_views.competence_summary(report, action.period, number))
