"""Logging set-up: secrets never reach a log line, and neither does message text.

Redaction applies to everything the process prints about itself: each log line whole
(message, traceback, stack), logging's own error reports, and uncaught exceptions.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from urllib.parse import quote

REDACTED = "***"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class Redactor:
    """Replaces each secret with '***', in every form it is likely to be printed in.

    For a bot token ``123:abc`` that is the token itself, its secret part ``abc`` on its
    own, and both URL-encoded (``123%3Aabc``), since the token is part of every request URL.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        for secret in filter(None, secrets):
            for value in (secret, secret.partition(":")[2]):
                if value:
                    encoded = quote(value, safe="")
                    lower_escapes = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), encoded)
                    forms.update((value, encoded, lower_escapes))
        # Longest first, so the whole token becomes '***' rather than '123:***'.
        ordered = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def redact(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if self._pattern else text


class RedactingFormatter(logging.Formatter):
    """Formats a record, then redacts the whole output: message, traceback and stack."""

    def __init__(self, redactor: Redactor, fmt: str = LOG_FORMAT) -> None:
        super().__init__(fmt)
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_text:  # cached by another formatter: make the cache safe for everyone
            record.exc_text = self._redactor.redact(record.exc_text)
        return self._redactor.redact(super().format(record))

    def formatException(self, ei: ExcInfo) -> str:
        # Formatter.format caches this on the record (exc_text): cache it redacted.
        return self._redactor.redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return self._redactor.redact(super().formatStack(stack_info))


class OmitTraceback(logging.Filter):
    """Logs records carrying one of ``kinds`` of exception as one line, without traceback.

    For errors the command explains itself in a sentence (e.g. a rejected token).
    """

    def __init__(self, kinds: tuple[type[BaseException], ...]) -> None:
        super().__init__()
        self._kinds = kinds

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], self._kinds):
            record.exc_info, record.exc_text = None, None
        return True


class _RedactingStreamHandler(logging.StreamHandler):
    """A StreamHandler whose report of a failed log call is redacted too.

    logging's default report prints the record's raw ``msg`` and ``args``.
    """

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor
        self.setFormatter(RedactingFormatter(redactor))

    def handleError(self, record: logging.LogRecord) -> None:
        if not (logging.raiseExceptions and sys.stderr):
            return
        report = "".join(
            [
                "--- Logging error ---\n",
                *traceback.format_exception(sys.exc_info()[1]),
                f"Message: {record.msg!r}\nArguments: {record.args!r}\n",
            ]
        )
        sys.stderr.write(self._redactor.redact(report))


class _RedactingExcepthook:
    """Prints uncaught exceptions as Python does, with the secrets redacted."""

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor

    def __call__(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if sys.stderr is not None:
            text = "".join(traceback.format_exception(kind, error, tb))
            sys.stderr.write(self._redactor.redact(text))

    def in_thread(self, args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit) or sys.stderr is None:
            return
        name = args.thread.name if args.thread is not None else threading.get_ident()
        text = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        )
        sys.stderr.write(self._redactor.redact(f"Exception in thread {name}:\n{text}"))


def _install_excepthooks(redactor: Redactor) -> None:
    """Replace Python's default excepthooks (or ours), never one someone else installed
    (a debugger's, pytest's)."""
    hook = _RedactingExcepthook(redactor)
    if sys.excepthook is sys.__excepthook__ or isinstance(sys.excepthook, _RedactingExcepthook):
        sys.excepthook = hook
    current = getattr(threading.excepthook, "__self__", None)
    if threading.excepthook is threading.__excepthook__ or isinstance(
        current, _RedactingExcepthook
    ):
        threading.excepthook = hook.in_thread


def configure_logging(
    level: str,
    secrets: list[str],
    *,
    without_traceback: tuple[type[BaseException], ...] = (),
) -> None:
    """Log to stderr at ``level`` with ``secrets`` redacted, and print uncaught exceptions
    redacted too. Exceptions of the ``without_traceback`` kinds are logged as one line."""
    redactor = Redactor(secrets)
    handler = _RedactingStreamHandler(redactor)
    if without_traceback:
        handler.addFilter(OmitTraceback(without_traceback))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    _install_excepthooks(redactor)
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # APScheduler logs each nudge timer set and run: thousands of lines a week.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # At DEBUG, python-telegram-bot logs every update and every request's parameters,
    # i.e. the text of reflections: never below INFO, whatever the bot's own level.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level)))
