"""Settings, read once from the environment (and a .env file) and validated at start-up."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DB = "data/reflectbot.sqlite3"
DEFAULT_TIMEZONE = "Europe/London"
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
# The final "bot" of a Bot API address (with PTB's {token} insertion, if any, and a
# trailing slash): where the file address puts "file/" in front.
_FINAL_BOT_SEGMENT = re.compile(r"/(bot(?:\{[A-Za-z_-]+\})?/?)$")
# Telegram's rule for a webhook's secret token (setWebhook's secret_token).
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

# Every setting, with what it means; the README documents each (a test checks).
SETTINGS: dict[str, str] = {
    "TELEGRAM_BOT_TOKEN": "the token @BotFather gave you (needed for `reflectbot run`)",
    "TELEGRAM_API_BASE_URL": (
        f"Bot API address, default {DEFAULT_API_BASE_URL}; files (voice notes) are downloaded"
        " from the same address with its final /bot replaced by /file/bot (an address not"
        " ending in /bot: with /file/bot appended)"
    ),
    "REFLECTBOT_DB": f"SQLite database file, default {DEFAULT_DB}",
    "REFLECTBOT_MODEL": (
        "'stock' (the stock all-MiniLM-L6-v2) or a sentence-transformers model name or "
        "path; default: the bundled all-MiniLM-L6-v2 tuned on the framework's examples"
    ),
    "REFLECTBOT_TIMEZONE": f"default time zone for new users, default {DEFAULT_TIMEZONE}",
    "REFLECTBOT_ADMINS": "comma-separated Telegram user ids of the bot's administrators",
    "REFLECTBOT_FRAMEWORK": "competence framework file (TOML); default: the packaged CLD framework",
    "REFLECTBOT_EXAMPLES": "worked examples per indicator (TOML); default: the packaged ones",
    "REFLECTBOT_CACHE_DIR": (
        "where indicator embeddings and the joined speech model are cached; default: cache/"
        " beside the DB"
    ),
    "REFLECTBOT_VOICE": (
        "'on' (default): voice notes are transcribed on this machine; 'off': the bot asks"
        " for text instead"
    ),
    "REFLECTBOT_LOG_LEVEL": "logging level, default INFO",
    "REFLECTBOT_WEBHOOK_SECRET": (
        "webhook mode: the secret Telegram sends with every update; default: a new random one"
        " at each start"
    ),
}


class ConfigError(ValueError):
    """One or more settings are missing or invalid; the message says what to set."""


class Secret:
    """A string that never shows itself in logs, reprs or tracebacks."""

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    token: Secret = field(default_factory=lambda: Secret(""))
    api_base_url: str = DEFAULT_API_BASE_URL
    db_path: Path = Path(DEFAULT_DB)
    model: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    admins: frozenset[int] = frozenset()
    framework_path: Path | None = None
    examples_path: Path | None = None
    cache_dir: Path | None = None
    log_level: str = "INFO"
    webhook_secret: Secret = field(default_factory=lambda: Secret(""))
    voice: bool = True

    @property
    def file_base_url(self) -> str:
        """Where the Bot API serves files, for PTB's ``base_file_url`` (PTB appends the
        token, then ``/`` and the file_path that getFile gave).

        Telegram serves the API at ``<root>/bot<token>/<method>`` and files at
        ``<root>/file/bot<token>/<file_path>``, and so does a self-hosted Bot API server: the
        final ``/bot`` of ``api_base_url`` becomes ``/file/bot``. A trailing slash, and
        PTB's ``{token}`` insertion right after ``bot``, are kept, so that the two addresses
        keep the same form (``http://h/bot/`` gives ``http://h/file/bot/``). An address that
        does not end in ``/bot`` is taken as the server's root and gets ``/file/bot``
        appended (``http://127.0.0.1:8081`` gives ``http://127.0.0.1:8081/file/bot``).
        """
        parts = urlsplit(self.api_base_url)  # only the path: a host may be called "bot"
        match = _FINAL_BOT_SEGMENT.search(parts.path)
        if match is not None:
            path = f"{parts.path[: match.start()]}/file/{match.group(1)}"
        else:
            path = parts.path.rstrip("/") + "/file/bot"
        return urlunsplit(parts._replace(path=path))

    @property
    def embedding_cache_dir(self) -> Path:
        return self.cache_dir or self.db_path.parent / "cache"


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    require_token: bool = True,
    dotenv_path: str | Path | None = ".env",
) -> Settings:
    """Read settings from ``environ`` (default: os.environ plus a .env file) and validate.

    All problems are reported together, each naming the variable to set.
    """
    if environ is None:
        environ = dict(os.environ)
        if dotenv_path is not None and Path(dotenv_path).is_file():
            from dotenv import dotenv_values

            for key, value in dotenv_values(dotenv_path).items():
                if value is not None:
                    environ.setdefault(key, value)

    def get(name: str) -> str:
        return environ.get(name, "").strip()

    problems: list[str] = []

    token = get("TELEGRAM_BOT_TOKEN")
    if not token and require_token:
        problems.append(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram and set"
            " TELEGRAM_BOT_TOKEN to the token it gives you (in the environment or in .env)"
        )
    elif token and not TOKEN_PATTERN.match(token):
        problems.append(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected digits, a colon,"
            " then letters, e.g. 123456789:AAE...): copy it again from @BotFather"
        )

    base_url = get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL
    if not re.match(r"^https?://[^/\s]+", base_url):
        problems.append(
            f"TELEGRAM_API_BASE_URL={base_url!r} is not an http(s) address,"
            f" e.g. {DEFAULT_API_BASE_URL} or http://127.0.0.1:8081/bot"
        )

    timezone = get("REFLECTBOT_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            f"REFLECTBOT_TIMEZONE={timezone!r} is not a known time zone: use an IANA name"
            " such as Europe/London"
        )

    admins: set[int] = set()
    for part in filter(None, (p.strip() for p in get("REFLECTBOT_ADMINS").split(","))):
        if part.lstrip("-").isdigit():
            admins.add(int(part))
        else:
            problems.append(
                f"REFLECTBOT_ADMINS contains {part!r}: it must be a comma-separated list of"
                " numeric Telegram user ids, e.g. 12345678,87654321"
            )

    framework_path = Path(get("REFLECTBOT_FRAMEWORK")) if get("REFLECTBOT_FRAMEWORK") else None
    if framework_path is not None and not framework_path.is_file():
        problems.append(f"REFLECTBOT_FRAMEWORK={str(framework_path)!r}: no such file")

    examples_path = Path(get("REFLECTBOT_EXAMPLES")) if get("REFLECTBOT_EXAMPLES") else None
    if examples_path is not None and not examples_path.is_file():
        problems.append(f"REFLECTBOT_EXAMPLES={str(examples_path)!r}: no such file")

    log_level = (get("REFLECTBOT_LOG_LEVEL") or "INFO").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        problems.append(f"REFLECTBOT_LOG_LEVEL={log_level!r} must be DEBUG, INFO, WARNING or ERROR")

    webhook_secret = get("REFLECTBOT_WEBHOOK_SECRET")
    if webhook_secret and not WEBHOOK_SECRET_PATTERN.match(webhook_secret):
        problems.append(  # the value is a secret: never repeated
            "REFLECTBOT_WEBHOOK_SECRET must be 1 to 256 characters, each a letter A-Z or a-z,"
            " a digit, _ or - (Telegram's rule); e.g. python -c 'import secrets;"
            " print(secrets.token_urlsafe(32))' makes one"
        )

    voice = (get("REFLECTBOT_VOICE") or "on").lower()
    if voice not in {"on", "off"}:
        problems.append(f"REFLECTBOT_VOICE={voice!r} must be on or off")

    if problems:
        raise ConfigError("ReflectBot is not configured correctly:\n  - " + "\n  - ".join(problems))

    return Settings(
        token=Secret(token),
        api_base_url=base_url,
        db_path=Path(get("REFLECTBOT_DB") or DEFAULT_DB),
        model=get("REFLECTBOT_MODEL") or None,
        timezone=timezone,
        admins=frozenset(admins),
        framework_path=framework_path,
        examples_path=examples_path,
        cache_dir=Path(get("REFLECTBOT_CACHE_DIR")) if get("REFLECTBOT_CACHE_DIR") else None,
        log_level=log_level,
        webhook_secret=Secret(webhook_secret),
        voice=voice == "on",
    )
