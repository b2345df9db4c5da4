"""Confirming, rejecting and picking indicators for a saved reflection."""

from __future__ import annotations

from telegram import Update

from bot.services import TagView
from bot.telegram import callback_data as cd
from bot.telegram import tag_views
from bot.telegram.context import Context
from bot.telegram.handlers.common import button_handler, edit
from bot.telegram.views import View
from prompts import t
from storage import User


def tag_editor(
    context: Context, user: User, view: TagView, *, past: bool = False, done: bool = False
) -> View:
    """A reflection's tag editor, with what it is about. ``past``: opened from /history,
    so its heading names the reflection."""
    reflection = view.reflection
    return tag_views.tags(
        view,
        context.services.framework,
        heading=tag_views.past_heading(reflection, user.timezone) if past else None,
        about=context.services.about.about(user.id, reflection.id),
        past=past,
        done=done,
    )


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
        await edit(query, tag_views.indicators(view, services.framework, competence, action.past))
    else:
        await edit(query, tag_editor(context, user, view, past=action.past))


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
        await edit(query, tag_views.competences(view, services.framework, action.past))
    elif action.action == "done":
        await query.answer()  # the message says it: no toast saying it again
        await edit(query, tag_editor(context, user, view, past=action.past, done=True))
    else:
        await query.answer(t("saved.none_chosen") if action.action == "none" else None)
        await edit(query, tag_editor(context, user, view, past=action.past))


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
    await edit(query, tag_views.indicators(view, services.framework, action.number, action.past))
