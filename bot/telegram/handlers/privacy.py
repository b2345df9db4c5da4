"""/forget (delete everything, after a clear confirmation) and /mydata (a copy of it all)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from html import escape

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.telegram import callback_data as cd
from bot.telegram import privacy_views
from bot.telegram.context import Context
from bot.telegram.handlers import supervision
from bot.telegram.handlers.common import edit, reply
from prompts import t

log = logging.getLogger(__name__)


async def forget(update: Update, context: Context) -> None:
    """Say exactly what would be deleted, and ask."""
    privacy = context.services.privacy
    user_id = update.effective_user.id
    if context.services.users.get(user_id) is None:
        await reply(update, t("privacy.nothing_held"))
        return
    await reply(update, privacy_views.forget_confirm(privacy.summary(user_id)))


async def forget_choice(update: Update, context: Context) -> None:
    """Delete everything, or nothing. Works without consent checks: it only removes."""
    query = update.callback_query
    action = cd.parse(query.data)
    assert isinstance(action, cd.ForgetChoice)  # routed here by pattern
    user_id = update.effective_user.id
    if not action.confirm:
        await query.answer()
        await edit(query, t("privacy.forget_kept"))
        return
    if context.services.users.get(user_id) is None:
        await query.answer()
        await edit(query, t("privacy.nothing_held"))
        return
    shown = datetime.fromtimestamp(action.shown, UTC)
    if not context.services.privacy.unchanged_since(user_id, shown):
        await query.answer()
        await edit(query, t("privacy.forget_stale"))
        return
    links = context.services.supervision.links(user_id)  # before they go with the rest
    name = context.services.users.get(user_id).display_name
    context.services.privacy.forget(user_id)
    # Everything is gone now: whatever Telegram does next, the practitioner must hear so
    # (the general error message would wrongly say their writing is safe).
    try:
        await query.answer()
        await edit(query, t("privacy.forgotten"))
    except TelegramError:
        log.warning("could not edit the /forget confirmation; sending the outcome instead")
        await reply(update, t("privacy.forgotten"))
    # Their supervisors and supervisees: the links ended with everything else.
    for view in links.supervisors:
        told = t("supervision.told_forgot_practitioner", name=escape(name))
        await supervision.tell(context, view.other.id, told)
    for view in links.supervisees:
        told = t("supervision.told_forgot_supervisor", name=escape(name))
        await supervision.tell(context, view.other.id, told)


async def mydata(update: Update, context: Context) -> None:
    """Send everything stored about the practitioner as a JSON document."""
    user_id = update.effective_user.id
    if context.services.users.get(user_id) is None:
        await reply(update, t("privacy.nothing_held"))
        return
    await update.effective_chat.send_chat_action(ChatAction.UPLOAD_DOCUMENT)
    privacy = context.services.privacy
    export = privacy.export(user_id)
    summary = privacy.summary(user_id)
    await update.effective_chat.send_document(
        export.content,
        filename=export.filename,
        caption=t("privacy.mydata_caption", reflections=summary.reflections),
    )
