"""Telegram handlers, split by what the practitioner is doing."""
