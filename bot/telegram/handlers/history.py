"""/history: recent reflections a page at a time (all, or those evidencing a competence or an
indicator); open one whole, rewrite an answer, delete it."""

from __future__ import annotations

from telegram import Update

from bot.services import NotFound, history_filter
from bot.telegram import callback_data as cd
from bot.telegram import history_views, learning_views, privacy_views
from bot.telegram.context import Context
from bot.telegram.handlers import supervision
from bot.telegram.handlers.common import button_handler, consented_user, edit, reply
from bot.telegram.handlers.tagging import tag_editor
from prompts import t
from storage import User


async def history(update: Update, context: Context) -> None:
    user = await consented_user(update, context)
    if user is None:
        return
    services = context.services
    try:  # "/history 3" or "/history 2.3": only what evidences that competence or indicator
        chosen = history_filter(services.framework, " ".join(context.args or ()) or None)
    except NotFound:
        await reply(update, history_views.filter_help(services.framework))
        return
    page = services.history.page(user.id, 0, chosen)
    await reply(update, history_views.history(page, user.timezone))


@button_handler(cd.HistoryPageNav)
async def history_page(
    update: Update, context: Context, user: User, action: cd.HistoryPageNav
) -> None:
    services = context.services
    chosen = history_filter(services.framework, action.by)
    page = services.history.page(user.id, action.page, chosen)
    await update.callback_query.answer()
    await edit(update.callback_query, history_views.history(page, user.timezone))


@button_handler(cd.HistoryFilterMenu)
async def history_filter_menu(
    update: Update, context: Context, user: User, action: cd.HistoryFilterMenu
) -> None:
    """The competences to filter the list by, in place of the list."""
    framework = context.services.framework
    history_filter(framework, action.by)  # an old button's filter the framework lacks: stale
    await update.callback_query.answer()
    await edit(update.callback_query, history_views.filter_menu(framework, action))


@button_handler(cd.HistoryIndicatorMenu)
async def history_indicator_menu(
    update: Update, context: Context, user: User, action: cd.HistoryIndicatorMenu
) -> None:
    """The indicators of the filtered list's competence, to narrow it to one."""
    services = context.services
    competence = history_filter(services.framework, action.by).competence
    counts = services.history.indicator_counts(user.id, competence)
    await update.callback_query.answer()
    await edit(update.callback_query, history_views.indicator_menu(competence, counts, action))


@button_handler(cd.HistoryTags)
async def history_tags(
    update: Update, context: Context, user: User, action: cd.HistoryTags
) -> None:
    """Open the tag editor for one past reflection, in a new message."""
    view = context.services.tagging.view(user.id, action.reflection_id)
    await update.callback_query.answer()
    await reply(update, tag_editor(context, user, view, past=True))


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
