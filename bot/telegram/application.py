"""Building the PTB Application: handlers, command menu, error handler."""

from __future__ import annotations

from collections.abc import Callable

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.services.container import Services
from bot.telegram import callback_data as cd
from bot.telegram.context import CONTEXT_TYPES, BotData
from bot.telegram.handlers import fallbacks, history, onboarding, reflecting, tagging
from prompts import t

COMMANDS = ("start", "reflect", "skip", "cancel", "history", "help")
COMMAND_DESCRIPTION_KEYS = {
    "start": "commands.start",
    "reflect": "commands.reflect",
    "skip": "commands.skip",
    "cancel": "commands.cancel",
    "history": "commands.history",
    "help": "commands.help",
}


def _carries(kind: type) -> Callable[[object], bool]:
    """A callback-data pattern matching well-formed button data of one kind only."""
    return lambda data: isinstance(cd.parse(data), kind)


def build_application(services: Services) -> Application:
    """The bot, wired to ``services``, talking to the Bot API at the configured address."""
    settings = services.settings
    application = (
        ApplicationBuilder()
        .token(settings.token.get())
        .base_url(settings.api_base_url)
        .context_types(CONTEXT_TYPES)
        .post_init(_set_commands)
        .concurrent_updates(False)  # one update at a time keeps each user's answers in order
        .build()
    )
    bot_data: BotData = application.bot_data
    bot_data.services = services
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    new_messages = filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CommandHandler("start", onboarding.start),
            CommandHandler("help", onboarding.help_command),
            CommandHandler("reflect", reflecting.reflect),
            CommandHandler("skip", reflecting.skip),
            CommandHandler("cancel", reflecting.cancel),
            CommandHandler("history", history.history),
            MessageHandler(new_messages & filters.COMMAND, fallbacks.unknown_command),
            MessageHandler(new_messages & filters.TEXT, reflecting.text_message),
            MessageHandler(filters.UpdateType.EDITED_MESSAGE, fallbacks.edited_message),
            MessageHandler(new_messages & ~filters.TEXT, fallbacks.not_text),
            CallbackQueryHandler(onboarding.consent, pattern=_carries(cd.Consent)),
            CallbackQueryHandler(reflecting.choose_set, pattern=_carries(cd.ChooseSet)),
            CallbackQueryHandler(reflecting.open_choice, pattern=_carries(cd.OpenChoice)),
            CallbackQueryHandler(reflecting.cancel_choice, pattern=_carries(cd.CancelChoice)),
            CallbackQueryHandler(reflecting.note_choice, pattern=_carries(cd.NoteChoice)),
            CallbackQueryHandler(tagging.tag_tap, pattern=_carries(cd.TagTap)),
            CallbackQueryHandler(tagging.tag_action, pattern=_carries(cd.TagAction)),
            CallbackQueryHandler(tagging.pick_competence, pattern=_carries(cd.PickCompetence)),
            CallbackQueryHandler(history.history_page, pattern=_carries(cd.HistoryPageNav)),
            CallbackQueryHandler(history.history_tags, pattern=_carries(cd.HistoryTags)),
            CallbackQueryHandler(fallbacks.stale_button),
        ]
    )
    application.add_error_handler(fallbacks.on_error)


async def _set_commands(application: Application) -> None:
    await application.bot.set_my_commands(
        [BotCommand(name, t(COMMAND_DESCRIPTION_KEYS[name])) for name in COMMANDS]
    )


def run_polling(services: Services) -> None:
    """Run the bot with long polling until interrupted."""
    build_application(services).run_polling(allowed_updates=Update.ALL_TYPES)
