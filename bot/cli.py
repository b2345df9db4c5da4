"""The ``reflectbot`` command: run the bot, chat in the terminal, and more."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import DEFAULT_API_BASE_URL, ConfigError, Settings, load_settings
from bot.logs import Redactor, configure_logging
from bot.webhook import (
    DEFAULT_LISTEN,
    DEFAULT_PORT,
    Webhook,
    cannot_listen,
    listen_failed,
    webhook_options,
)
from framework.dataset import DatasetError

if TYPE_CHECKING:
    from bot.services.container import Services

# How often `run` retries its first calls to the Bot API (getMe, then deleteWebhook to poll
# or setWebhook in webhook mode) after a network error, a timeout or a 5xx, before it gives
# up and exits 1. PTB waits 1.5 s after the first failure, then half as long again each
# time, up to 30 s: about three minutes in all. A token Telegram rejects is never retried
# (PTB retries a webhook Telegram refuses like a network error).
BOOTSTRAP_RETRIES = 12
# `health` gives the Bot API this long to answer getMe (each HTTP step: 3 s).
HEALTH_TIMEOUT_SECONDS = 5.0
# `nudges --due HOURS` looks at most this far ahead (365 days).
MAX_DUE_HOURS = 24 * 365
log = logging.getLogger(__name__)


def _token_rejected(settings: Settings) -> str:
    """What to do when the Bot API answers that the token is not valid."""
    message = (
        "Telegram rejected TELEGRAM_BOT_TOKEN: copy the token again from @BotFather"
        " (/mybots, your bot, API Token) and set TELEGRAM_BOT_TOKEN to it"
    )
    if settings.api_base_url != DEFAULT_API_BASE_URL:
        message += f"; if it is right, check TELEGRAM_API_BASE_URL={settings.api_base_url}"
    return message


def _run(args: argparse.Namespace) -> int:
    settings = load_settings(require_token=True)
    webhook = webhook_options(
        args.webhook_url,
        args.listen,
        args.port,
        secret=settings.webhook_secret,
        api_base_url=settings.api_base_url,
    )
    if webhook is not None and (problem := cannot_listen(webhook.listen, webhook.port)):
        print(problem, file=sys.stderr)
        return 1
    from telegram import Update
    from telegram.error import BadRequest, InvalidToken, TelegramError

    # The rejected token is explained below in one line: PTB's own log of it needs no traceback.
    configure_logging(
        settings.log_level,
        [settings.token.get(), webhook.secret.get() if webhook else ""],
        without_traceback=(InvalidToken,),
    )
    from bot.services.container import build_services
    from bot.telegram.application import build_application

    services = build_services(settings)
    # PTB logs each retry at DEBUG only, and its loggers stay at INFO (see bot/logs.py).
    log.info(
        "connecting to the Bot API at %s (start-up errors are retried for about three minutes)",
        settings.api_base_url,
    )
    try:
        application = build_application(services)
        # Bootstrap retries cover Application.initialize (getMe) and deleteWebhook (polling)
        # or setWebhook (webhook mode).
        if webhook is None:
            application.run_polling(
                allowed_updates=Update.ALL_TYPES, bootstrap_retries=BOOTSTRAP_RETRIES
            )
        else:
            _log_webhook(webhook)
            # The webhook stays set when the bot stops: Telegram keeps the updates that
            # arrive meanwhile and delivers them once the bot is back.
            application.run_webhook(
                listen=webhook.listen,
                port=webhook.port,
                url_path=webhook.url_path,
                webhook_url=webhook.url,
                secret_token=webhook.secret.get(),
                allowed_updates=Update.ALL_TYPES,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
    except InvalidToken:
        print(_token_rejected(settings), file=sys.stderr)
        return 2
    except TelegramError as error:
        if webhook is not None and isinstance(error, BadRequest):  # setWebhook refused
            reason = Redactor([settings.token.get()]).redact(str(error))
            print(f"Telegram refused the webhook ({reason}): check --webhook-url", file=sys.stderr)
            return 2
        print(f"{_bot_api_failed(settings, error)}, then start again", file=sys.stderr)
        return 1
    except OSError as error:  # the port was taken since cannot_listen looked
        if webhook is None:
            raise
        print(listen_failed(webhook.listen, webhook.port, error), file=sys.stderr)
        return 1
    finally:
        services.close()
    return 0


def _log_webhook(webhook: Webhook) -> None:
    log.info(
        "webhook mode: Telegram delivers updates to %s, the bot listens on %s:%d",
        webhook.url,
        webhook.listen,
        webhook.port,
    )
    if webhook.secret_is_new:
        log.info("webhook secret token: a new random one (REFLECTBOT_WEBHOOK_SECRET is not set)")


def _bot_api_failed(settings: Settings, error: Exception) -> str:
    """What to check when the Bot API fails (a network error, a timeout, a 5xx)."""
    reason = Redactor([settings.token.get()]).redact(str(error))
    return (
        f"the Bot API at {settings.api_base_url} did not answer ({reason}):"
        " check the network connection and TELEGRAM_API_BASE_URL"
    )


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
    """Load the models and cache the example embeddings, so the first reflection is quick;
    join the speech model into the cache and load it once, to prove it runs (unless voice
    notes are off).

    Only the suggester, the identifier guard and the speech model are built: the database
    is not touched (the Docker build runs this, and the database belongs in the /data
    volume, not the image). Loading the models here also proves the image has them.
    """
    settings = load_settings(require_token=False)
    configure_logging(settings.log_level, [settings.token.get()])
    from bot.identifiers import SpacyIdentifierDetector
    from bot.services.container import build_suggester

    suggester = build_suggester(settings)
    suggester.prepare()
    detector = SpacyIdentifierDetector()
    detector.warm()
    print(f"ready: {suggester.model_id}, cache in {settings.embedding_cache_dir}")
    print(f"ready: identifier guard {detector.model_id}")
    if not settings.voice:
        print("voice notes: off (REFLECTBOT_VOICE=off)")
        return 0
    from bot.voice import VoiceUnavailable, WhisperTranscriber

    try:
        WhisperTranscriber(settings.embedding_cache_dir).warm()
    except VoiceUnavailable as error:
        print(f"voice notes cannot be transcribed: {error}", file=sys.stderr)
        return 2
    print(f"ready: speech model joined in {settings.embedding_cache_dir}")
    return 0


def _transcribe(args: argparse.Namespace) -> int:
    """Print the text the speech model hears in an audio file (a Telegram voice note, or
    any audio PyAV reads). No token needed; the model is joined into the cache folder on
    first use. Exit 1 for a file that is not audio, 2 if speech-to-text cannot run here."""
    settings = load_settings(require_token=False)
    configure_logging("WARNING", [settings.token.get()])
    from bot.voice import UnreadableAudio, VoiceUnavailable, WhisperTranscriber

    transcriber = WhisperTranscriber(settings.embedding_cache_dir)
    try:
        transcript = transcriber.transcribe(args.file)
    except UnreadableAudio as error:
        print(error, file=sys.stderr)
        return 1
    except VoiceUnavailable as error:
        print(f"speech-to-text is unavailable: {error}", file=sys.stderr)
        return 2
    print(transcript.text)
    return 0


def _suggest(args: argparse.Namespace) -> int:
    """Write what the bot would show for each reflection in a JSONL file."""
    settings = load_settings(require_token=False)
    configure_logging("WARNING", [settings.token.get()])
    from bot.services.container import build_suggester
    from framework.dataset import read_jsonl
    from framework.evaluation import predict, prediction_record

    suggester = build_suggester(settings)
    items = read_jsonl(args.jsonl)
    output = open(args.out, "w", encoding="utf-8") if args.out != "-" else sys.stdout
    try:
        for item, (suggestions, ranking) in zip(items, predict(suggester, items), strict=True):
            output.write(json.dumps(prediction_record(item.id, suggestions, ranking)) + "\n")
    finally:
        if output is not sys.stdout:
            output.close()
    return 0


def _eval(args: argparse.Namespace) -> int:
    """Score the suggester (or a predictions file) against a labelled JSONL file."""
    settings = load_settings(require_token=False)
    configure_logging("WARNING", [settings.token.get()])
    from bot.services.container import build_suggester
    from framework import Suggester, load_framework
    from framework.dataset import read_jsonl
    from framework.evaluation import (
        as_prediction,
        evaluate,
        format_report,
        predict,
        predictions_from_records,
    )

    framework = load_framework(settings.framework_path)
    items = read_jsonl(args.path, framework)
    if args.predictions:
        predictions = predictions_from_records(args.predictions)
    else:
        suggester = build_suggester(settings, framework)
        if args.method != "full":
            suggester = Suggester(
                framework,
                suggester.encoder,
                examples=suggester.examples if args.method == "examples" else None,
                cache_dir=settings.embedding_cache_dir,
            )
        predictions = [
            as_prediction(item.id, shown, ranking)
            for item, (shown, ranking) in zip(items, predict(suggester, items), strict=True)
        ]
    report = evaluate(items, predictions)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(format_report(report, framework))
    return 0


def _health(args: argparse.Namespace) -> int:
    """Exit 0 if the database opens (read-only) and the Bot API answers getMe with the
    token; else exit 1 with one line saying what is wrong. For Docker's HEALTHCHECK, so
    never 2 (Docker reserves it)."""
    try:
        settings = load_settings(require_token=True)
    except ConfigError as error:
        print(f"unhealthy: {_one_line(str(error))}", file=sys.stderr)
        return 1
    configure_logging("ERROR", [settings.token.get()])
    from storage import DatabaseFileError, check_database

    problems: list[str] = []
    version = 0
    try:
        version = check_database(settings.db_path)
    except DatabaseFileError as error:
        problems.append(str(error))
    bot_username, api_problem = asyncio.run(_ask_bot_api(settings))
    if api_problem:
        problems.append(api_problem)
    if problems:
        print(f"unhealthy: {'; '.join(problems)}", file=sys.stderr)
        return 1
    print(
        f"healthy: database {settings.db_path} (schema {version}),"
        f" Bot API answers as @{bot_username}"
    )
    return 0


def _one_line(message: str) -> str:
    """A multi-line message ('heading:' then '  - problem' lines) on one line."""
    heading, *items = [line.strip().removeprefix("- ") for line in message.splitlines()]
    return f"{heading} {'; '.join(items)}" if items else heading


async def _ask_bot_api(settings: Settings) -> tuple[str | None, str | None]:
    """Call getMe with the configured token: the bot's username, or what is wrong."""
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError
    from telegram.request import HTTPXRequest

    def request() -> HTTPXRequest:
        return HTTPXRequest(connect_timeout=3, read_timeout=3, write_timeout=3, pool_timeout=1)

    bot = Bot(
        settings.token.get(),
        base_url=settings.api_base_url,
        request=request(),
        get_updates_request=request(),
    )
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
            await bot.initialize()  # calls getMe
        return bot.username, None
    except InvalidToken:  # its message holds the token: never print it
        return None, _token_rejected(settings)
    except TelegramError as error:
        return None, _bot_api_failed(settings, error)
    except TimeoutError:
        return None, (
            f"the Bot API at {settings.api_base_url} did not answer getMe within"
            f" {HEALTH_TIMEOUT_SECONDS:g} s: check the network connection"
        )
    finally:
        await bot.shutdown()


def _backup(args: argparse.Namespace) -> int:
    """Copy the live database with SQLite's online backup, safe while the bot runs."""
    settings = load_settings(require_token=False)
    configure_logging("WARNING", [settings.token.get()])
    from storage import DatabaseFileError, backup_database

    try:
        size = backup_database(settings.db_path, args.file, overwrite=args.force)
    except DatabaseFileError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"backed up {settings.db_path} to {args.file} ({size:,} bytes, readable by you only)")
    return 0


def _services_of_existing_database(**options: bool) -> Services | None:
    """The services, for a command that reads the bot's database without Telegram (no
    token needed); None, with one line on stderr, if the database is missing or not
    ReflectBot's (it is never created)."""
    settings = load_settings(require_token=False)
    configure_logging("WARNING", [settings.token.get()])
    from storage import DatabaseFileError, check_database

    try:
        check_database(settings.db_path)
    except DatabaseFileError as error:
        print(error, file=sys.stderr)
        return None
    from bot.services.container import build_services

    return build_services(settings, **options)


def _nudges(args: argparse.Namespace) -> int:
    """Print every nudge due in the next ``--due`` hours, soonest first, one a line:
    Telegram user id, due time (ISO 8601, in the practitioner's time zone, with its UTC
    offset) and kind. Nothing is sent and no token is needed; a missing database is
    reported, never created."""
    services = _services_of_existing_database()
    if services is None:
        return 1
    try:
        for nudge in services.nudging.upcoming(args.due):
            print(f"{nudge.user_id} {nudge.due.isoformat(timespec='seconds')} {nudge.kind}")
    finally:
        services.close()
    return 0


def _export(args: argparse.Namespace) -> int:
    """Write one practitioner's portfolio to a file (for administrators): the same file the
    bot sends for /export. Exit 1 for an unknown practitioner or an empty period."""
    if args.start and args.end and args.start > args.end:
        print(f"--from {args.start} is after --to {args.end}", file=sys.stderr)
        return 2
    from bot.private_files import write_private

    services = _services_of_existing_database(render_in_process=True)
    if services is None:
        return 1
    try:
        user = services.users.get(args.user)
        if user is None:
            print(
                f"no practitioner with Telegram id {args.user} in {services.settings.db_path}",
                file=sys.stderr,
            )
            return 1
        period = services.exporting.period_between(user, args.start, args.end)
        if period.start is not None and period.start > period.end:
            print(f"--from {period.start} is after today, {period.end}", file=sys.stderr)
            return 2
        made = services.exporting.export_now(user, period, args.format)
        if made is None:
            print(f"{args.user} has no reflections in {period.describe()}", file=sys.stderr)
            return 1
        write_private(args.out, made.content)
    finally:
        services.close()
    print(
        f"wrote {args.out}: {made.reflections} reflection(s), {period.describe()},"
        f" {len(made.content):,} bytes",
        file=sys.stderr,
    )
    return 0


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-04-01, not {text!r}") from None


def _digest(args: argparse.Namespace) -> int:
    """Print the digest a supervisor would receive now, as plain text: nothing is sent or
    recorded, and no token is needed. Exit 1 for someone unknown to the bot; someone who
    supervises nobody gets the line that says so (exit 0). A missing database is
    reported, never created."""
    from bot.services.digest_wording import digest_text
    from prompts import plain

    services = _services_of_existing_database()
    if services is None:
        return 1
    try:
        if services.users.get(args.preview) is None:
            print(
                f"no user with Telegram id {args.preview} in {services.settings.db_path}"
                " (they have not started the bot, or have left it)",
                file=sys.stderr,
            )
            return 1
        print(plain(digest_text(services.digests.preview(args.preview))))
    finally:
        services.close()
    return 0


def _hours(text: str) -> float:
    """A positive number of hours, up to a year (argparse's type for ``--due``)."""
    try:
        hours = float(text)
    except ValueError:
        hours = math.nan
    if not math.isfinite(hours) or not 0 < hours <= MAX_DUE_HOURS:
        raise argparse.ArgumentTypeError(
            f"HOURS must be a positive number of hours, at most {MAX_DUE_HOURS} (a year),"
            f" such as 24 or 0.5, not {text!r}"
        )
    return hours


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reflectbot",
        description="ReflectBot: reflective practice for CLD practitioners, on Telegram.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="run the Telegram bot (long polling, or a webhook with --webhook-url)",
        description="Run the Telegram bot. By default it polls Telegram for updates; with"
        " --webhook-url, Telegram delivers them to the bot's own HTTP server instead, each"
        " carrying the secret token (REFLECTBOT_WEBHOOK_SECRET, or a new random one).",
    )
    run.add_argument(
        "--webhook-url",
        metavar="URL",
        help="webhook mode: the public https address Telegram POSTs updates to (usually a"
        " reverse proxy that forwards the same path to --listen and --port)",
    )
    run.add_argument(
        "--listen",
        metavar="ADDR",
        help=f"webhook mode: the IP address the bot's HTTP server listens on (default"
        f" {DEFAULT_LISTEN}: this machine only; 0.0.0.0 for every interface, e.g. in Docker)",
    )
    run.add_argument(
        "--port",
        type=int,
        metavar="N",
        help=f"webhook mode: the port the bot's HTTP server listens on (default {DEFAULT_PORT})",
    )
    run.set_defaults(handler=_run)
    chat = commands.add_parser("chat", help="reflect in the terminal, without Telegram")
    chat.set_defaults(handler=_chat)
    suggest = commands.add_parser(
        "suggest", help="write the suggestions for each reflection in a JSONL file"
    )
    suggest.add_argument("--jsonl", required=True, type=Path, help="input: one JSON object a line")
    suggest.add_argument("--out", required=True, help="output JSONL file ('-' for stdout)")
    suggest.set_defaults(handler=_suggest)
    evaluate = commands.add_parser("eval", help="measure suggestion quality on a labelled file")
    evaluate.add_argument("path", type=Path, help="labelled JSONL (id, text, labels)")
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.add_argument(
        "--predictions", type=Path, help="score this `reflectbot suggest` output instead"
    )
    evaluate.add_argument(
        "--method",
        choices=["full", "examples", "wording"],
        default="full",
        help="full: examples and trained head (what the bot uses); examples: without the head;"
        " wording: each indicator's own wording only (the zero-shot baseline)",
    )
    evaluate.set_defaults(handler=_eval)
    warm = commands.add_parser("warm", help="load the model and cache indicator embeddings")
    warm.set_defaults(handler=_warm)
    health = commands.add_parser(
        "health", help="exit 0 if the database opens and the Bot API answers, else 1"
    )
    health.set_defaults(handler=_health)
    backup = commands.add_parser(
        "backup", help="copy the live database to FILE (safe while the bot runs)"
    )
    backup.add_argument("file", type=Path, metavar="FILE", help="the copy to write (mode 0600)")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(handler=_backup)
    nudges = commands.add_parser(
        "nudges",
        help="list the nudges due in the next HOURS hours, without sending anything",
        description="Print one line per nudge due in the next HOURS hours, soonest first:"
        " the practitioner's Telegram user id, the due time in ISO 8601 with its UTC offset"
        " (in the practitioner's time zone), and the kind of nudge (session or weekly),"
        " separated by spaces. Nothing is sent and no token is needed. Blocked and paused"
        " practitioners have none; a nudge already sent is not listed.",
    )
    nudges.add_argument(
        "--due",
        required=True,
        type=_hours,
        metavar="HOURS",
        help="how far ahead to look, in hours (a positive number, e.g. 168 for a week)",
    )
    nudges.set_defaults(handler=_nudges)
    export = commands.add_parser(
        "export",
        help="write a practitioner's portfolio to a file (PDF, Word, CSV, JSON or Markdown)",
        description="Write the portfolio of one practitioner, as /export sends it: their"
        " reflections between --from and --to (both included; by default everything up to"
        " today), confirmed indicators, goals and professional learning. No token needed.",
    )
    export.add_argument(
        "--user", required=True, type=int, metavar="TELEGRAM_ID", help="the practitioner"
    )
    export.add_argument(
        "--format", required=True, choices=["pdf", "docx", "csv", "json", "md"], help="file format"
    )
    export.add_argument("--from", dest="start", type=_iso_date, metavar="YYYY-MM-DD")
    export.add_argument("--to", dest="end", type=_iso_date, metavar="YYYY-MM-DD")
    export.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="the file to write (mode 0600)"
    )
    export.set_defaults(handler=_export)
    digest = commands.add_parser(
        "digest",
        help="print the weekly digest a supervisor would receive now, without sending it",
        description="Print, as plain text, the weekly digest the supervisor would receive"
        " now: for each supervisee (first names included), the last 7 days' reflections,"
        " indicators newly evidenced, competences not evidenced for 8 weeks or more, hours"
        " of professional learning, reflections to discuss and those shared in full."
        " Nothing is sent or recorded, and no token is needed.",
    )
    digest.add_argument(
        "--preview",
        required=True,
        type=int,
        metavar="SUPERVISOR_TELEGRAM_ID",
        help="the supervisor's Telegram user id",
    )
    digest.set_defaults(handler=_digest)
    transcribe = commands.add_parser(
        "transcribe",
        help="print the text of a voice note (or any audio file), transcribed on this machine",
        description="Print what the speech model (Whisper base, on this machine) hears in"
        " FILE, such as a Telegram voice note. No token needed. The model's files are"
        " joined into the cache folder (REFLECTBOT_CACHE_DIR) on first use.",
    )
    transcribe.add_argument("file", type=Path, metavar="FILE", help="the audio file")
    transcribe.set_defaults(handler=_transcribe)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ConfigError, DatasetError) as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
