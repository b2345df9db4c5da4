"""/history: recent reflections with their confirmed indicators, a page at a time."""

from __future__ import annotations

from telegram import Update

from bot.telegram import callback_data as cd
from bot.telegram import views
from bot.telegram.context import Context
from bot.telegram.handlers.common import button_handler, consented_user, edit, reply
from storage import User


async def history(update: Update, context: Context) -> None:
    user = await consented_user(update, context)
    if user is None:
        return
    page = context.services.history.page(user.id, 0)
    await reply(update, views.history(page, user.timezone))


@button_handler(cd.HistoryPageNav)
async def history_page(
    update: Update, context: Context, user: User, action: cd.HistoryPageNav
) -> None:
    page = context.services.history.page(user.id, action.page)
    await update.callback_query.answer()
    await edit(update.callback_query, views.history(page, user.timezone))


@button_handler(cd.HistoryTags)
async def history_tags(
    update: Update, context: Context, user: User, action: cd.HistoryTags
) -> None:
    """Open the tag editor for one past reflection, in a new message."""
    services = context.services
    view = services.tagging.view(user.id, action.reflection_id)
    await update.callback_query.answer()
    heading = views.reflection_heading(view, user.timezone)
    await reply(update, views.tags(view, services.framework, heading=heading))
