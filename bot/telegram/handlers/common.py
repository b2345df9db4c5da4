"""Small helpers shared by handlers: replying, and the consent gate."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from telegram import CallbackQuery, Chat, Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, TelegramError

from bot.services import ServiceError
from bot.telegram import callback_data as cd
from bot.telegram.context import Context
from bot.telegram.views import View
from prompts import t
from storage import User

A = TypeVar("A", bound=cd.Action)
ButtonHandler = Callable[[Update, Context], Awaitable[None]]


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


async def working(update: Update) -> None:
    """Answer the button at once and show "typing…" before slow work (the model): a late
    answer is refused by Telegram, and nobody should think the bot hung."""
    await update.callback_query.answer()
    await update.effective_chat.send_chat_action(ChatAction.TYPING)


# Telegram shows a chat action for 5 seconds, or until the bot's next message.
CHAT_ACTION_EVERY = 4.0


# Work that may or may not be slow (an answer that finishes a reflection runs the model)
# shows "typing…" only once it has taken this long: quick replies cost no extra request.
SLOW_WORK = 0.5


@contextlib.asynccontextmanager
async def showing(chat: Chat, action: ChatAction, *, after: float = 0.0) -> AsyncIterator[None]:
    """Keep a chat action ("sending a file…") on show while slow work runs; ``after``:
    only once the work has run that many seconds."""

    async def keep_showing() -> None:
        await asyncio.sleep(after)
        while True:
            with contextlib.suppress(TelegramError):  # only a courtesy: never fail for it
                await chat.send_chat_action(action)
            await asyncio.sleep(CHAT_ACTION_EVERY)

    task = asyncio.create_task(keep_showing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def consented_user(update: Update, context: Context) -> User | None:
    """The user if they agreed to storage; otherwise ask them to /start and return None."""
    user = context.services.users.get(update.effective_user.id)
    if user is None:
        if update.callback_query is not None:
            await update.callback_query.answer(t("welcome.needed"), show_alert=True)
        else:
            await reply(update, t("welcome.needed"))
    return user


def button_handler(
    kind: type[A],
) -> Callable[[Callable[[Update, Context, User, A], Awaitable[None]]], ButtonHandler]:
    """Wrap a button callback: consent gate, typed payload, and refused buttons answered.

    The wrapped function gets the update, the context, the user and the parsed action.
    A service refusing the request (someone else's reflection, or one that no longer
    exists) is answered with the same short alert either way, so a forged button cannot
    tell whether another practitioner's reflection exists; nothing is changed.
    """

    def wrap(handler: Callable[[Update, Context, User, A], Awaitable[None]]) -> ButtonHandler:
        @functools.wraps(handler)
        async def run(update: Update, context: Context) -> None:
            query = update.callback_query
            user = await consented_user(update, context)
            if user is None:
                return
            action = cd.parse(query.data)
            if not isinstance(action, kind):  # routing matched the kind; anything else is stale
                await query.answer(t("errors.stale_button"), show_alert=True)
                return
            try:
                await handler(update, context, user, action)
            except ServiceError:  # gone, or someone else's: one answer, which reveals nothing
                await query.answer(t("errors.stale_button"), show_alert=True)

        return run

    return wrap
