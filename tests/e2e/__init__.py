"""End-to-end tests: the real PTB Application against a local fake Telegram Bot API."""
