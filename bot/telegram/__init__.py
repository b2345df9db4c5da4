"""The Telegram front end: parse updates, call services, render replies."""
