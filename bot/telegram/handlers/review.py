"""Verified reviews: the practitioner's registration verifier records that they
discussed the practitioner's professional learning (a date, then an optional note); the
practitioner is asked to accept it; the verifier is told the answer."""

from __future__ import annotations

from datetime import date

from telegram import Update

from bot.services import ServiceError
from bot.services.nudge_settings import InvalidSetting
from bot.services.typed_settings import Awaiting
from bot.telegram import callback_data as cd
from bot.telegram import review_views
from bot.telegram.context import Context
from bot.telegram.handlers.common import button_handler, edit, reply
from bot.telegram.handlers.supervision import tell_view
from bot.telegram.views import View
from prompts import plain, t
from storage import User


async def _save(context: Context, verifier: User, link_id: int, on: date, note: str) -> View:
    verification = context.services.verification
    practitioner = verification.practitioner_of(verifier.id, link_id)
    review = verification.record(verifier, link_id, on, note)
    await tell_view(context, practitioner.id, review_views.told(review))
    return review_views.recorded(review, practitioner), None


@button_handler(cd.ReviewTap)
async def review_tap(update: Update, context: Context, user: User, action: cd.ReviewTap) -> None:
    try:
        await _review_step(update, context, user, action)
    except InvalidSetting as problem:  # a date out of range, from an old or forged button
        await update.callback_query.answer(plain(t(problem.key, typed="")), show_alert=True)


async def _review_step(update: Update, context: Context, user: User, action: cd.ReviewTap) -> None:
    query, services = update.callback_query, context.services
    verification = services.verification
    practitioner = verification.practitioner_of(user.id, action.link_id)  # their verifier?
    match action.step:
        case "ask":
            await query.answer()
            today = verification.today(user)
            await reply(update, review_views.date_ask(action.link_id, practitioner, today))
        case "type":
            services.typed_settings.expect(user.id, "review_date", target_id=action.link_id)
            await query.answer()
            await edit(query, review_views.date_typed_ask())
        case "date":
            assert action.on is not None
            verification.check_day(user, action.on)
            services.typed_settings.expect(
                user.id, "review_note", target_id=action.link_id, detail=action.on.isoformat()
            )
            await query.answer()
            await edit(query, review_views.note_ask(action.link_id, action.on))
        case "save":
            assert action.on is not None
            services.typed_settings.clear(user.id)
            view = await _save(context, user, action.link_id, action.on, "")
            await query.answer(t("settings.saved"))
            await edit(query, view)


async def typed(context: Context, user: User, awaiting: Awaiting, text: str) -> tuple[View, bool]:
    """A typed date (then the note is asked) or note (then it is saved)."""
    assert awaiting.target_id is not None
    verification = context.services.verification
    try:
        if awaiting.what == "review_date":
            on = verification.parse_day(user, text)  # InvalidSetting: they type it again
            verification.practitioner_of(user.id, awaiting.target_id)
            context.services.typed_settings.expect(
                user.id, "review_note", target_id=awaiting.target_id, detail=on.isoformat()
            )
            return review_views.note_ask(awaiting.target_id, on), False
        on = date.fromisoformat(awaiting.detail or "")
        return await _save(context, user, awaiting.target_id, on, text), True
    except ServiceError:  # the link ended, or they are no longer the verifier
        return (t("errors.stale_button"), None), True


@button_handler(cd.ReviewAnswer)
async def review_answer(
    update: Update, context: Context, user: User, action: cd.ReviewAnswer
) -> None:
    review = context.services.verification.answer(user.id, action.review_id, action.accept)
    await update.callback_query.answer(t("settings.saved"))
    await edit(update.callback_query, review_views.answered(review))
    if review.verifier_id is not None:
        told = review_views.told_answer(review, user.display_name)
        await tell_view(context, review.verifier_id, (told, None))
