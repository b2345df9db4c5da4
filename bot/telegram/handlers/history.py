"""/history: recent reflections a page at a time; open one whole, rewrite an answer, delete it."""

from __future__ import annotations

from telegram import Update

from bot.telegram import callback_data as cd
from bot.telegram import history_views, learning_views, privacy_views, views
from bot.telegram.context import Context
from bot.telegram.handlers import supervision
from bot.telegram.handlers.common import button_handler, consented_user, edit, reply
from prompts import t
from storage import User


async def history(update: Update, context: Context) -> None:
    user = await consented_user(update, context)
    if user is None:
        return
    page = context.services.history.page(user.id, 0)
    await reply(update, history_views.history(page, user.timezone))


@button_handler(cd.HistoryPageNav)
async def history_page(
    update: Update, context: Context, user: User, action: cd.HistoryPageNav
) -> None:
    page = context.services.history.page(user.id, action.page)
    await update.callback_query.answer()
    await edit(update.callback_query, history_views.history(page, user.timezone))


@button_handler(cd.HistoryTags)
async def history_tags(
    update: Update, context: Context, user: User, action: cd.HistoryTags
) -> None:
    """Open the tag editor for one past reflection, in a new message."""
    services = context.services
    view = services.tagging.view(user.id, action.reflection_id)
    await update.callback_query.answer()
    heading = history_views.reflection_heading(view, user.timezone)
    await reply(update, views.tags(view, services.framework, heading=heading))


@button_handler(cd.HistoryOpen)
async def history_open(
    update: Update, context: Context, user: User, action: cd.HistoryOpen
) -> None:
    """Show one whole reflection (in several messages if it is long), with what can be
    done with it."""
    services = context.services
    detail = services.history.detail(user.id, action.reflection_id)
    rid = detail.reflection.id
    notes = learning_views.reflection_notes(
        services.learning.mark_of(user.id, rid),
        None
        if detail.reflection.goal_id is None
        else services.learning.goal(user.id, detail.reflection.goal_id),
    )
    shared, share = supervision.sharing_on_history(context, user, rid)
    notes += shared
    await update.callback_query.answer()
    for page in history_views.reflection_detail(detail, user.timezone, notes, share):
        await reply(update, page)


@button_handler(cd.DeleteReflection)
async def delete_reflection(
    update: Update, context: Context, user: User, action: cd.DeleteReflection
) -> None:
    """Ask, then delete a reflection (or keep it)."""
    query, services = update.callback_query, context.services
    detail = services.history.detail(user.id, action.reflection_id)
    await query.answer()
    if action.step == "ask":
        await reply(update, history_views.delete_confirm(detail, user.timezone))
    elif action.step == "yes":
        services.editing.delete(user.id, action.reflection_id)
        await edit(query, t("history.deleted"))
    else:
        await edit(query, t("history.delete_kept"))


@button_handler(cd.EditAnswer)
async def edit_answer(update: Update, context: Context, user: User, action: cd.EditAnswer) -> None:
    """Choose an answer to rewrite (a one-answer note needs no choice), then ask for it."""
    query, services = update.callback_query, context.services
    detail = services.history.detail(user.id, action.reflection_id)
    answer_id = action.answer_id
    if answer_id == 0 and len(detail.items) == 1:
        answer_id = detail.items[0].answer.id
    if answer_id == 0:
        await query.answer()
        await reply(update, privacy_views.edit_choice(detail))
        return
    item = services.editing.start_edit(user.id, action.reflection_id, answer_id)
    await query.answer()
    await reply(update, privacy_views.edit_prompt(item.question, item.answer.text))
