"""The terminal chat: the same reflection flow as on Telegram, without Telegram."""
