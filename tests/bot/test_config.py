import re
from pathlib import Path

import pytest

from bot.config import SETTINGS, ConfigError, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"
TOKEN = "123456789:AAE-abc_DEF"


def test_every_setting_is_documented_in_the_readme():
    readme = README.read_text()
    missing = [name for name in SETTINGS if f"`{name}`" not in readme]
    assert not missing, f"README.md does not document {missing}"


def test_every_setting_read_is_listed():
    source = Path(__file__).resolve().parents[2].joinpath("bot", "config.py").read_text()
    read = set(re.findall(r'get\("([A-Z_]+)"\)', source))
    assert read == set(SETTINGS)


def test_defaults():
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.db_path == Path("data/reflectbot.sqlite3")
    assert settings.timezone == "Europe/London"
    assert settings.model is None and settings.admins == frozenset()
    assert settings.embedding_cache_dir == Path("data/cache")


def test_values_are_read():
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "REFLECTBOT_DB": "/tmp/x.db",
            "REFLECTBOT_MODEL": "/models/mine",
            "REFLECTBOT_TIMEZONE": "Europe/Paris",
            "REFLECTBOT_ADMINS": "12, 34",
        }
    )
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.model == "/models/mine" and settings.admins == {12, 34}
    assert settings.token.get() == TOKEN


def test_the_token_never_shows():
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)


def test_all_problems_are_reported_at_once_with_what_to_set():
    with pytest.raises(ConfigError) as error:
        load_settings(
            {
                "TELEGRAM_API_BASE_URL": "ftp://x",
                "REFLECTBOT_TIMEZONE": "Mars/Olympus",
                "REFLECTBOT_ADMINS": "12,bob",
                "REFLECTBOT_FRAMEWORK": "/no/such/file.toml",
            }
        )
    message = str(error.value)
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "@BotFather",
        "TELEGRAM_API_BASE_URL",
        "REFLECTBOT_TIMEZONE",
        "REFLECTBOT_ADMINS",
        "REFLECTBOT_FRAMEWORK",
    ):
        assert name in message


def test_a_malformed_token_is_refused():
    with pytest.raises(ConfigError, match="does not look like a bot token"):
        load_settings({"TELEGRAM_BOT_TOKEN": "not a token"})


def test_the_terminal_chat_needs_no_token():
    assert not load_settings({}, require_token=False).token


def test_a_dotenv_file_is_read_and_the_environment_wins(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nREFLECTBOT_TIMEZONE=Europe/Paris\n")
    monkeypatch.setenv("REFLECTBOT_TIMEZONE", "Europe/Dublin")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    settings = load_settings(dotenv_path=env_file)
    assert settings.token.get() == TOKEN
    assert settings.timezone == "Europe/Dublin"


def test_a_webhook_secret_is_read_and_checked_against_telegrams_rule():
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "REFLECTBOT_WEBHOOK_SECRET": "a-Z_9"})
    assert settings.webhook_secret.get() == "a-Z_9" and "a-Z_9" not in repr(settings)
    assert not load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}).webhook_secret
    for bad in ("has:colon", "x" * 257, "spaces inside"):
        with pytest.raises(ConfigError, match="REFLECTBOT_WEBHOOK_SECRET must be") as error:
            load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "REFLECTBOT_WEBHOOK_SECRET": bad})
        assert bad not in str(error.value)  # a secret is never repeated


@pytest.mark.parametrize(
    ("api_base_url", "file_base_url"),
    [
        ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
        ("http://127.0.0.1:8081/bot/", "http://127.0.0.1:8081/file/bot/"),  # same form
        ("https://proxy.example/telegram/bot", "https://proxy.example/telegram/file/bot"),
        ("http://h/bot{token}", "http://h/file/bot{token}"),  # PTB's insertion, kept
        ("http://bot/bot", "http://bot/file/bot"),  # only the path's final /bot
        # Not ending in /bot: taken as the server's root.
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081/file/bot"),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/file/bot"),
        ("http://bot", "http://bot/file/bot"),
        ("http://h/api/mybot", "http://h/api/mybot/file/bot"),
    ],
)
def test_the_file_address_is_the_api_address_with_file_before_its_final_bot(
    api_base_url, file_base_url
):
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api_base_url})
    assert settings.file_base_url == file_base_url


def test_the_file_address_is_what_ptb_expects():
    from telegram import Bot

    default = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert Bot(TOKEN, base_file_url=default.file_base_url).base_file_url == (
        Bot(TOKEN).base_file_url  # PTB's own default: https://api.telegram.org/file/bot<token>
    )
    templated = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "http://h:8081/bot{token}"}
    )
    bot = Bot(TOKEN, base_url=templated.api_base_url, base_file_url=templated.file_base_url)
    assert (bot.base_url, bot.base_file_url) == (
        f"http://h:8081/bot{TOKEN}",
        f"http://h:8081/file/bot{TOKEN}",
    )
