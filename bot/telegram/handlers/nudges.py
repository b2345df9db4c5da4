"""Taps on a nudge: reflect now, quick note, not today, snooze an hour."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.error import BadRequest

from bot.services import NotAllowed, NotFound, QuestionStep
from bot.services.nudging import Dismissed, Snoozed
from bot.telegram import callback_data as cd
from bot.telegram import views
from bot.telegram.context import Context
from bot.telegram.handlers.common import button_handler, edit, reply
from bot.telegram.handlers.reflecting import offer_open_reflection
from prompts import t
from storage import User


@button_handler(cd.NudgeChoice)
async def nudge_choice(
    update: Update, context: Context, user: User, action: cd.NudgeChoice
) -> None:
    query, services = update.callback_query, context.services
    try:
        result = services.nudging.choose(user.id, action.nudge_id, action.choice)
    except NotFound:  # replaced by a newer nudge, or already answered
        await query.answer(t("nudge.passed"), show_alert=True)
        await _drop_buttons(query)
        return
    except NotAllowed:  # another reflection is open: settle that one first
        await query.answer()
        await offer_open_reflection(update, context, user)
        return
    await query.answer()
    match result:
        case QuestionStep():
            await _drop_buttons(query)
            text, markup = views.question(result)  # with how the set starts, as from /reflect
            await reply(update, (f"{result.question_set.intro()}\n\n{text}", markup))
        case Snoozed(until):
            services.nudge_settings.changed(user.id)  # a new time for their timer
            await edit(query, t("nudge.snoozed", time=until.strftime("%H:%M")))
        case Dismissed(nudge):
            await edit(query, t("nudge.later_weekly" if nudge.kind == "weekly" else "nudge.later"))


async def _drop_buttons(query: CallbackQuery) -> None:
    """Take the nudge's buttons away (already gone, or too old to edit: nothing to do)."""
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest:
        pass
