"""ReflectBot: the application (Telegram bot, terminal chat, command line) and its services."""
