"""/start (welcome and consent) and /help."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.telegram import callback_data as cd
from bot.telegram import settings_views, views
from bot.telegram.context import Context
from bot.telegram.handlers import supervision
from bot.telegram.handlers.common import edit, reply
from prompts import t


async def start(update: Update, context: Context) -> None:
    """Explain what is stored and ask for agreement; safe to run again. From a supervision
    invitation's link (``/start TOKEN``), the invitation is shown, after agreement for
    someone new."""
    tg_user = update.effective_user
    user = context.services.users.get(tg_user.id)
    invitation = supervision.invitation_in(update)
    if user is not None and invitation is not None:
        await supervision.offer_invitation(update, context, user, invitation)
        return
    if user is not None:
        await reply(
            update,
            t(
                "welcome.again",
                name=escape(user.display_name),
                date=views.local_time(user.consented_at, user.timezone),
            ),
        )
        return
    welcome = t("welcome.body", name=escape(tg_user.first_name or "there"))
    await reply(update, (welcome, views.consent(invitation)))


async def consent(update: Update, context: Context) -> None:
    query = update.callback_query
    action = cd.parse(query.data)
    assert isinstance(action, cd.Consent)  # routed here by pattern
    if action.agree:  # stored before anything is sent: a failed reply loses no consent
        context.services.users.agree(
            update.effective_user.id, update.effective_user.first_name or ""
        )
        context.services.nudge_settings.changed(update.effective_user.id)  # the weekly nudge
    await query.answer()
    if not action.agree:
        user = context.services.users.get(update.effective_user.id)
        if user is None:
            await edit(query, t("welcome.declined"))
        else:  # they agreed earlier: say how to withdraw, rather than nothing
            date = views.local_time(user.consented_at, user.timezone)
            await edit(query, t("welcome.declined_after_agreeing", date=date))
        return
    # Reminders come with agreeing (a weekly one): say so, and offer to set them up.
    nudge_settings = context.services.nudge_settings.settings(update.effective_user.id)
    text = f"{t('welcome.agreed')}\n\n{settings_views.onboarding_line(nudge_settings)}"
    if action.invitation is not None:  # they came with a supervision invitation: first,
        user = context.services.users.get(update.effective_user.id)  # so it is never lost
        await supervision.offer_invitation(update, context, user, action.invitation)
    await edit(query, (text, settings_views.setup_offer()))


async def help_command(update: Update, context: Context) -> None:
    await reply(update, t("help.body"))
