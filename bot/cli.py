"""The ``reflectbot`` command: run the bot, chat in the terminal, and more."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.config import ConfigError, load_settings
from bot.logs import configure_logging


def _run(args: argparse.Namespace) -> int:
    settings = load_settings(require_token=True)
    configure_logging(settings.log_level, [settings.token.get()])
    from bot.services.container import build_services
    from bot.telegram.application import run_polling

    services = build_services(settings)
    try:
        run_polling(services)
    finally:
        services.close()
    return 0


def _chat(args: argparse.Namespace) -> int:
    settings = load_settings(require_token=False)
    configure_logging("WARNING", [settings.token.get()])
    from bot.services.container import build_services
    from bot.terminal.chat import run_chat

    services = build_services(settings)
    try:
        run_chat(services)
    finally:
        services.close()
    return 0


def _warm(args: argparse.Namespace) -> int:
    """Load the model and compute the indicator embeddings, so the first reflection is quick."""
    settings = load_settings(require_token=False)
    configure_logging(settings.log_level, [settings.token.get()])
    from bot.services.container import build_services

    services = build_services(settings)
    try:
        services.suggester.prepare()
        print(f"ready: {services.suggester.model_id}, cache in {settings.embedding_cache_dir}")
    finally:
        services.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reflectbot",
        description="ReflectBot: reflective practice for CLD practitioners, on Telegram.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="run the Telegram bot (long polling)")
    run.set_defaults(handler=_run)
    chat = commands.add_parser("chat", help="reflect in the terminal, without Telegram")
    chat.set_defaults(handler=_chat)
    warm = commands.add_parser("warm", help="load the model and cache indicator embeddings")
    warm.set_defaults(handler=_warm)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
