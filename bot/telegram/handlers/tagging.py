"""Confirming, rejecting and picking indicators for a saved reflection."""

from __future__ import annotations

from telegram import Update

from bot.telegram import callback_data as cd
from bot.telegram import views
from bot.telegram.context import Context
from bot.telegram.handlers.common import button_handler, edit
from prompts import t
from storage import User


@button_handler(cd.TagTap)
async def tag_tap(update: Update, context: Context, user: User, action: cd.TagTap) -> None:
    """One tap on an indicator: confirm, reject or clear it, then show the new state."""
    query, services = update.callback_query, context.services
    view = services.tagging.choose(
        user.id, action.reflection_id, action.indicator_id, action.choice
    )
    await query.answer()
    if action.picker:
        competence = services.framework.indicator(action.indicator_id).competence
        await edit(query, views.indicators(view, services.framework, competence))
    else:
        await edit(query, views.tags(view, services.framework))


@button_handler(cd.TagAction)
async def tag_action(update: Update, context: Context, user: User, action: cd.TagAction) -> None:
    """None of these, pick an indicator, back, or done."""
    query, services = update.callback_query, context.services
    if action.action == "none":
        view = services.tagging.none_of_these(user.id, action.reflection_id)
    else:
        view = services.tagging.view(user.id, action.reflection_id)
    if action.action == "pick":
        await query.answer()
        await edit(query, views.competences(view, services.framework))
    elif action.action == "done":
        await query.answer()  # the message says it: no toast saying it again
        await edit(query, views.tags(view, services.framework, done=True))
    else:
        await query.answer(t("saved.none_chosen") if action.action == "none" else None)
        await edit(query, views.tags(view, services.framework))


@button_handler(cd.PickCompetence)
async def pick_competence(
    update: Update, context: Context, user: User, action: cd.PickCompetence
) -> None:
    """Show one competence's indicators to pick from."""
    query, services = update.callback_query, context.services
    view = services.tagging.view(user.id, action.reflection_id)
    if action.number not in {c.number for c in services.framework.competences}:
        await query.answer(t("errors.stale_button"), show_alert=True)
        return
    await query.answer()
    await edit(query, views.indicators(view, services.framework, action.number))
