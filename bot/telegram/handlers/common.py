"""Small helpers shared by handlers: replying, and the consent gate."""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.telegram.context import Context
from bot.telegram.views import View
from prompts import t
from storage import User


async def reply(update: Update, view: View | str) -> Message:
    """Send a new message in the update's chat."""
    text, markup = (view, None) if isinstance(view, str) else view
    return await update.effective_chat.send_message(
        text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def edit(query: CallbackQuery, view: View | str) -> None:
    """Replace the text and buttons of the message a button belongs to."""
    text, markup = (view, None) if isinstance(view, str) else view
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        # A repeated tap re-renders the same content: nothing to change, nothing wrong.
        if "not modified" not in str(error).lower():
            raise


async def consented_user(update: Update, context: Context) -> User | None:
    """The user if they agreed to storage; otherwise ask them to /start and return None."""
    user = context.services.users.get(update.effective_user.id)
    if user is None:
        if update.callback_query is not None:
            await update.callback_query.answer(t("welcome.needed"), show_alert=True)
        else:
            await reply(update, t("welcome.needed"))
    return user
