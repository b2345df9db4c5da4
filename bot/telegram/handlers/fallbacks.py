"""Everything else: media, unknown commands, edits, stale buttons, and errors."""

from __future__ import annotations

import logging
from html import escape

from telegram import ChatMember, Update
from telegram.constants import ChatAction
from telegram.error import Forbidden

from bot.services.intake import EmptyText
from bot.telegram import views
from bot.telegram.context import Context
from bot.telegram.handlers.common import SLOW_WORK, consented_user, reply, showing
from bot.telegram.handlers.reflecting import own_names, show_result
from prompts import t

log = logging.getLogger(__name__)


async def not_text(update: Update, context: Context) -> None:
    """Stickers, photos, videos, files...: explain kindly; nothing is stored or lost.
    (Voice notes and audio files have a handler of their own.)"""
    message = update.message
    if message.sticker:
        what = t("media.sticker")
    elif message.photo:
        what = t("media.photo")
    elif message.video or message.animation or message.video_note:
        what = t("media.video")
    elif message.document:
        what = t("media.document")
    else:
        what = t("media.other")
    await reply(update, t("errors.not_text", what=what))
    step = context.services.reflecting.current_step(update.effective_user.id)
    if step is not None:
        await reply(update, views.question(step))


async def unknown_command(update: Update, context: Context) -> None:
    command = (update.message.text or "").split()[0] if update.message.text else "/"
    await reply(update, t("errors.unknown_command", command=escape(command[:64])))


async def edited_message(update: Update, context: Context) -> None:
    """An edited text message updates the answer it gave (after the identifier check)."""
    user = await consented_user(update, context)
    if user is None:
        return
    message = update.edited_message
    if message.text is None:
        return  # an edited caption: captions are never stored
    async with showing(update.effective_chat, ChatAction.TYPING, after=SLOW_WORK):
        result = await context.services.intake.receive_edit(  # a saved one: the model runs
            user.id, message.message_id, message.text, own_names(update)
        )
    if isinstance(result, EmptyText):
        await reply(update, t("edit.empty"))
        return
    await show_result(update, context, result)


async def stale_button(update: Update, context: Context) -> None:
    """Button data that is not ours (very old, forged, or empty)."""
    data = update.callback_query.data
    key = "errors.empty_callback" if not data else "errors.stale_button"
    await update.callback_query.answer(t(key), show_alert=True)


async def on_error(update: object, context: Context) -> None:
    """Log the failure (never the message text) and tell the user what happened."""
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, Forbidden):
        log.info("update %s: the user has blocked the bot", update_id)
        if isinstance(update, Update) and update.effective_user is not None:
            context.services.users.blocked(update.effective_user.id)
        return
    log.error("update %s failed", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(t("errors.internal"), show_alert=True)
            else:
                await update.effective_chat.send_message(t("errors.internal"))
        except Exception:  # the error report itself failed: logged, nothing more to do
            log.exception("could not tell the user about the failure of update %s", update_id)


async def chat_member_changed(update: Update, context: Context) -> None:
    """The practitioner blocked the bot (or unblocked it) in their private chat."""
    change = update.my_chat_member
    users = context.services.users
    if change.new_chat_member.status == ChatMember.BANNED:
        users.blocked(update.effective_user.id)
    else:
        user = users.get(update.effective_user.id)
        if user is not None:
            users.wrote(user)
