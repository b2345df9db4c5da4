"""Confirming, rejecting and picking indicators for a saved reflection."""

from __future__ import annotations

from telegram import Update

from bot.services import NotAllowed, ServiceError
from bot.telegram import callback_data as cd
from bot.telegram import views
from bot.telegram.context import Context
from bot.telegram.handlers.common import consented_user, edit
from prompts import t


async def tag_tap(update: Update, context: Context) -> None:
    """One tap on an indicator: confirm, reject, or toggle a picked one."""
    query = update.callback_query
    user = await consented_user(update, context)
    if user is None:
        return
    action = cd.parse(query.data)
    assert isinstance(action, cd.TagTap)
    services = context.services
    try:
        view = services.tagging.choose(
            user.id, action.reflection_id, action.indicator_id, action.choice
        )
    except NotAllowed:
        await query.answer(t("errors.not_yours"), show_alert=True)
        return
    except ServiceError:
        await query.answer(t("errors.stale_button"), show_alert=True)
        return
    await query.answer()
    if action.choice == "toggle":
        competence = services.framework.indicator(action.indicator_id).competence
        await edit(query, views.indicators(view, services.framework, competence))
    else:
        await edit(query, views.tags(view, services.framework))


async def tag_action(update: Update, context: Context) -> None:
    """None of these, pick an indicator, back, or done."""
    query = update.callback_query
    user = await consented_user(update, context)
    if user is None:
        return
    action = cd.parse(query.data)
    assert isinstance(action, cd.TagAction)
    services = context.services
    try:
        if action.action == "none":
            view = services.tagging.none_of_these(user.id, action.reflection_id)
        else:
            view = services.tagging.view(user.id, action.reflection_id)
    except NotAllowed:
        await query.answer(t("errors.not_yours"), show_alert=True)
        return
    except ServiceError:
        await query.answer(t("errors.stale_button"), show_alert=True)
        return
    if action.action == "pick":
        await query.answer()
        await edit(query, views.competences(view, services.framework))
    elif action.action == "done":
        await query.answer(t("saved.done"))
        text, _ = views.tags(view, services.framework)
        await edit(query, (text.replace(t("saved.instructions"), t("saved.done")), None))
    else:
        await query.answer(t("saved.none_chosen") if action.action == "none" else None)
        await edit(query, views.tags(view, services.framework))


async def pick_competence(update: Update, context: Context) -> None:
    query = update.callback_query
    user = await consented_user(update, context)
    if user is None:
        return
    action = cd.parse(query.data)
    assert isinstance(action, cd.PickCompetence)
    services = context.services
    try:
        view = services.tagging.view(user.id, action.reflection_id)
        services.framework.competence(action.number)
    except NotAllowed:
        await query.answer(t("errors.not_yours"), show_alert=True)
        return
    except (ServiceError, KeyError):
        await query.answer(t("errors.stale_button"), show_alert=True)
        return
    await query.answer()
    await edit(query, views.indicators(view, services.framework, action.number))
