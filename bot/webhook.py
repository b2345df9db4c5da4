"""Webhook mode of `reflectbot run`: its options, checked once before anything starts.

Telegram POSTs each update to the public ``--webhook-url``, with the secret token in the
``X-Telegram-Bot-Api-Secret-Token`` header; the bot's own plain-HTTP server listens on
``--listen``/``--port``, normally behind a reverse proxy that terminates TLS. The server
answers on the path of the webhook URL, so the proxy forwards requests unchanged.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config import DEFAULT_API_BASE_URL, ConfigError, Secret

# Loopback by default: the server speaks plain HTTP and is meant to sit behind a reverse
# proxy on the same machine; listening on every interface is a choice (e.g. in Docker).
DEFAULT_LISTEN = "127.0.0.1"
DEFAULT_PORT = 8443
# The only ports Telegram's own servers deliver webhook updates to.
TELEGRAM_WEBHOOK_PORTS = (443, 80, 88, 8443)


@dataclass(frozen=True)
class Webhook:
    url: str  # the public address Telegram POSTs updates to
    listen: str  # where the bot's own HTTP server listens
    port: int
    url_path: str  # the path it answers on: the URL's, as a regular expression (PTB's form)
    secret: Secret  # the X-Telegram-Bot-Api-Secret-Token every update must carry
    secret_is_new: bool  # made up at this start (REFLECTBOT_WEBHOOK_SECRET unset)


def webhook_options(
    url: str | None,
    listen: str | None,
    port: int | None,
    *,
    secret: Secret,
    api_base_url: str = DEFAULT_API_BASE_URL,
) -> Webhook | None:
    """The webhook `reflectbot run` was asked for, or None to poll (no --webhook-url).

    Raises ``ConfigError`` with one line for a combination that cannot work. Plain
    ``http://`` is accepted only with a Bot API server of one's own (TELEGRAM_API_BASE_URL
    set), which allows it; Telegram's servers need https on one of their four ports.
    """
    if url is None:
        given = [
            name for name, value in (("--listen", listen), ("--port", port)) if value is not None
        ]
        if given:
            verb = "apply" if len(given) > 1 else "applies"
            raise ConfigError(
                f"{' and '.join(given)} only {verb} to webhook mode: add --webhook-url"
                " (without it, `reflectbot run` polls Telegram and listens on no port)"
            )
        return None
    parts = urlsplit(url)
    telegram = api_base_url == DEFAULT_API_BASE_URL
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(f"--webhook-url {url!r} is not an address like https://example.org/tg")
    if parts.scheme == "http" and telegram:
        raise ConfigError(
            f"--webhook-url {url!r} is plain http: Telegram delivers updates over https only"
            " (put a reverse proxy with a certificate in front of the bot)"
        )
    try:
        url_port = parts.port
    except ValueError:
        raise ConfigError(f"--webhook-url {url!r} has an invalid port") from None
    if telegram and url_port is not None and url_port not in TELEGRAM_WEBHOOK_PORTS:
        raise ConfigError(
            f"--webhook-url {url!r}: Telegram delivers only to ports 443, 80, 88 and 8443"
            " (the bot itself may listen on any --port behind a reverse proxy)"
        )
    if parts.fragment:
        raise ConfigError(f"--webhook-url {url!r} must not have a #fragment")
    listen = DEFAULT_LISTEN if listen is None else listen.strip()
    if not listen or not _is_address(listen):
        raise ConfigError(f"--listen {listen!r} is not an IP address, e.g. 127.0.0.1 or 0.0.0.0")
    port = DEFAULT_PORT if port is None else port
    if not 1 <= port <= 65535:
        raise ConfigError(f"--port {port} is not a TCP port (1 to 65535)")
    return Webhook(
        url=url,
        listen=listen,
        port=port,
        url_path=re.escape(parts.path.rstrip("/")),
        secret=secret if secret else Secret(secrets.token_urlsafe(32)),
        secret_is_new=not secret,
    )


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return value == "localhost"
    return True


def cannot_listen(listen: str, port: int) -> str | None:
    """Why the bot's server could not listen on ``listen:port`` now, or None. Checked before
    Telegram is given the webhook's address, so a port in use fails at once."""
    family = socket.AF_INET6 if ":" in listen else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind((listen, port))
        except OSError as error:
            return listen_failed(listen, port, error)
    return None


def listen_failed(listen: str, port: int, error: OSError) -> str:
    return (
        f"cannot listen on {listen}:{port} ({error.strerror or error}): choose another --port"
        " or --listen address, or stop what is using it"
    )
