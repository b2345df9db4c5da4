"""A bare python-telegram-bot echo bot: the baseline that benchmarks/bench_load.py compares
ReflectBot with.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=... .venv/bin/python benchmarks/echo_bot.py

PTB's defaults throughout (``ApplicationBuilder().token().base_url()``: updates handled one
at a time, no rate limiter, no retries): a text is echoed with one button under it, and
a press of that button is answered and replied to. Stop it with Ctrl-C.
"""

from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler
from telegram.ext import filters as telegram_filters

AGAIN = InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data="again")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_chat.send_message(update.effective_message.text, reply_markup=AGAIN)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()
    await update.effective_chat.send_message(f"pressed {update.callback_query.data}")


def main() -> None:
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .build()
    )
    application.add_handler(MessageHandler(telegram_filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
