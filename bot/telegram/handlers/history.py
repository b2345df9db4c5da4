"""/history: recent reflections with their confirmed indicators, a page at a time."""

from __future__ import annotations

from telegram import Update

from bot.services import NotAllowed, ServiceError
from bot.telegram import callback_data as cd
from bot.telegram import views
from bot.telegram.context import Context
from bot.telegram.handlers.common import consented_user, edit, reply
from prompts import t


async def history(update: Update, context: Context) -> None:
    user = await consented_user(update, context)
    if user is None:
        return
    page = context.services.history.page(user.id, 0)
    await reply(update, views.history(page, user.timezone))


async def history_page(update: Update, context: Context) -> None:
    query = update.callback_query
    user = await consented_user(update, context)
    if user is None:
        return
    action = cd.parse(query.data)
    assert isinstance(action, cd.HistoryPageNav)
    page = context.services.history.page(user.id, action.page)
    await query.answer()
    await edit(query, views.history(page, user.timezone))


async def history_tags(update: Update, context: Context) -> None:
    """Open the tag editor for one past reflection, in a new message."""
    query = update.callback_query
    user = await consented_user(update, context)
    if user is None:
        return
    action = cd.parse(query.data)
    assert isinstance(action, cd.HistoryTags)
    services = context.services
    try:
        view = services.tagging.view(user.id, action.reflection_id)
    except NotAllowed:
        await query.answer(t("errors.not_yours"), show_alert=True)
        return
    except ServiceError:
        await query.answer(t("errors.stale_button"), show_alert=True)
        return
    await query.answer()
    await reply(
        update,
        views.tags(view, services.framework, heading=views.reflection_heading(view, user.timezone)),
    )
