"""The webhook options of `reflectbot run`: what is accepted, and a one-line refusal (exit
2) for what cannot work. The webhook itself runs in tests/e2e/test_webhook.py."""

from __future__ import annotations

import re
import socket

import pytest

from bot.cli import main
from bot.config import DEFAULT_API_BASE_URL, ConfigError, Secret
from bot.webhook import cannot_listen, webhook_options

OWN_SERVER = "http://127.0.0.1:8081/bot"  # a Bot API server of one's own allows http


def options(url, listen=None, port=None, *, secret="", api=DEFAULT_API_BASE_URL):
    return webhook_options(url, listen, port, secret=Secret(secret), api_base_url=api)


def test_without_a_webhook_url_the_bot_polls():
    assert options(None) is None


def test_the_defaults_listen_on_this_machine_only_with_a_new_secret_each_time():
    first, second = options("https://bot.example.org/tg"), options("https://bot.example.org/tg")
    assert (first.listen, first.port, first.url_path) == ("127.0.0.1", 8443, "/tg")
    assert first.secret_is_new and re.fullmatch(r"[A-Za-z0-9_-]{43}", first.secret.get())
    assert first.secret.get() != second.secret.get()


def test_a_configured_secret_and_the_given_address_are_used():
    webhook = options("https://bot.example.org:8443/a.b/", "0.0.0.0", 9000, secret="s-1")
    assert (webhook.listen, webhook.port) == ("0.0.0.0", 9000)
    assert webhook.secret.get() == "s-1" and not webhook.secret_is_new
    assert webhook.url == "https://bot.example.org:8443/a.b/"
    assert webhook.url_path == r"/a\.b"  # PTB matches it as a regular expression
    assert options("https://bot.example.org").url_path == ""


def test_plain_http_and_any_port_only_with_a_bot_api_server_of_ones_own():
    assert options("http://10.0.0.5:9000/hook", api=OWN_SERVER).url_path == "/hook"
    with pytest.raises(ConfigError, match="plain http: Telegram delivers updates over https"):
        options("http://bot.example.org/hook")
    with pytest.raises(ConfigError, match="only to ports 443, 80, 88 and 8443"):
        options("https://bot.example.org:9000/hook")


@pytest.mark.parametrize(
    ("url", "listen", "port", "problem"),
    [
        (None, "0.0.0.0", None, "--listen only applies to webhook mode: add --webhook-url"),
        (None, None, 8443, "--port only applies to webhook mode"),
        (None, "::", 1, "--listen and --port only apply"),
        ("bot.example.org/hook", None, None, "is not an address like https://"),
        ("ftp://bot.example.org/hook", None, None, "is not an address like https://"),
        ("https://bot.example.org:99999/", None, None, "has an invalid port"),
        ("https://bot.example.org/#x", None, None, "must not have a #fragment"),
        ("https://bot.example.org/", "bot.example.org", None, "is not an IP address"),
        ("https://bot.example.org/", None, 0, "is not a TCP port"),
        ("https://bot.example.org/", None, 70000, "is not a TCP port"),
    ],
)
def test_combinations_that_cannot_work_are_refused(url, listen, port, problem):
    with pytest.raises(ConfigError, match=re.escape(problem)):
        options(url, listen, port)


def test_run_refuses_them_in_one_line_with_exit_status_2(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-part")
    monkeypatch.delenv("TELEGRAM_API_BASE_URL", raising=False)
    monkeypatch.delenv("REFLECTBOT_WEBHOOK_SECRET", raising=False)
    assert main(["run", "--listen", "0.0.0.0"]) == 2
    assert main(["run", "--webhook-url", "http://bot.example.org/tg"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and lines[0].startswith("--listen only applies to webhook mode")
    assert "Telegram delivers updates over https only" in lines[1]
    assert not (tmp_path / "data").exists()  # refused before the database was opened


def test_a_port_in_use_is_found_before_telegram_is_told_the_address():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert f"cannot listen on 127.0.0.1:{port} (Address already in use)" in cannot_listen(
            "127.0.0.1", port
        )
    assert cannot_listen("127.0.0.1", port) is None
