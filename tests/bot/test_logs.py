"""The bot token never reaches the output: not in messages, tracebacks, stacks or URLs."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from bot.logs import OmitTraceback, RedactingFormatter, Redactor, configure_logging

TOKEN = "987654:WRONG-secret-value"
SECRET = "WRONG-secret-value"
LEAKS = [TOKEN, SECRET, "987654%3AWRONG-secret-value", "987654%3aWRONG-secret-value"]


def assert_redacted(output: str) -> None:
    for leak in LEAKS:
        assert leak not in output
    assert "***" in output


def make_record(
    msg: str, *args: object, exc_info=None, sinfo: str | None = None
) -> logging.LogRecord:
    return logging.getLogger("reflectbot.test").makeRecord(
        "reflectbot.test", logging.ERROR, __file__, 1, msg, args, exc_info, sinfo=sinfo
    )


def exc_info_of(error: BaseException):
    try:
        raise error
    except BaseException:
        return sys.exc_info()


@pytest.fixture
def formatter() -> RedactingFormatter:
    return RedactingFormatter(Redactor([TOKEN]))


@pytest.mark.parametrize(
    "message",
    [
        f"POST http://127.0.0.1/bot{TOKEN}/getMe failed",
        "POST http://127.0.0.1/bot987654%3AWRONG-secret-value/getMe failed",
        "POST http://127.0.0.1/bot987654%3aWRONG-secret-value/getMe failed",
        f"settings: token={TOKEN!r} failed",
        f"secret part on its own: {SECRET} failed",
    ],
)
def test_every_form_of_the_token_in_a_message_is_redacted(formatter, message):
    output = formatter.format(make_record(message))
    assert_redacted(output)
    assert "failed" in output and "ERROR reflectbot.test" in output


def test_the_token_in_args_is_redacted(formatter):
    output = formatter.format(make_record("calling %s with %r", f"bot{TOKEN}/getMe", (SECRET,)))
    assert_redacted(output)
    assert "calling bot***/getMe with ('***',)" in output


def test_the_token_in_a_traceback_is_redacted_including_chained_causes(formatter):
    try:
        try:
            raise ValueError(f"Unauthorized: {SECRET}")
        except ValueError as cause:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.") from cause
    except RuntimeError:
        record = make_record("start-up failed", exc_info=sys.exc_info())
    output = formatter.format(record)
    assert_redacted(output)
    assert "start-up failed" in output
    assert "Traceback (most recent call last)" in output
    assert "RuntimeError: The token `***` was rejected by the server." in output
    assert "ValueError: Unauthorized: ***" in output
    assert_redacted(record.exc_text)  # the cache other handlers would reuse


def test_the_token_in_stack_info_is_redacted(formatter):
    stack = (
        f'Stack (most recent call last):\n  File "x.py", line 1, in <module>\n    get("{TOKEN}")'
    )
    output = formatter.format(make_record("look here", sinfo=stack))
    assert_redacted(output)
    assert "look here" in output and 'get("***")' in output


def test_a_traceback_cached_unredacted_by_another_formatter_does_not_leak(formatter):
    record = make_record("failed", exc_info=exc_info_of(RuntimeError(f"bad token {TOKEN}")))
    plain = logging.Formatter().format(record)
    assert TOKEN in plain and TOKEN in record.exc_text  # what the plain formatter left behind

    output = formatter.format(record)
    assert_redacted(output)
    assert "RuntimeError: bad token ***" in output
    assert_redacted(record.exc_text)


def test_the_whole_token_is_replaced_not_just_its_secret_part(formatter):
    assert formatter.format(make_record(f"token {TOKEN}!")).endswith("token ***!")


def test_without_secrets_nothing_changes():
    output = RedactingFormatter(Redactor(["", ""])).format(make_record("plain text"))
    assert output.endswith("ERROR reflectbot.test: plain text")


def test_omit_traceback_keeps_the_line_and_drops_the_traceback(formatter):
    record = make_record("Invalid token. Aborting.", exc_info=exc_info_of(PermissionError(TOKEN)))
    assert OmitTraceback((PermissionError,)).filter(record)
    output = formatter.format(record)
    assert output.endswith("Invalid token. Aborting.")
    assert "Traceback" not in output and "***" not in output

    other = make_record("other", exc_info=exc_info_of(KeyError("x")))
    OmitTraceback((PermissionError,)).filter(other)
    assert "Traceback" in formatter.format(other)


@pytest.fixture
def restore_logging(monkeypatch):
    """configure_logging changes process-wide state: put it back after the test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    monkeypatch.setattr(threading, "excepthook", threading.__excepthook__)
    yield
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_configured_logging_redacts_log_lines_and_logging_errors(restore_logging, capsys):
    configure_logging("INFO", [TOKEN])
    log = logging.getLogger("reflectbot.test")
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected")
    except RuntimeError:
        log.exception("polling %s failed", f"/bot{TOKEN}/getUpdates")
    log.info("%s and %s", TOKEN)  # a broken log call: logging prints msg and args raw
    err = capsys.readouterr().err
    assert_redacted(err)
    assert "polling /bot***/getUpdates failed" in err
    assert "RuntimeError: The token `***` was rejected" in err
    assert "--- Logging error ---" in err and "Arguments: ('***',)" in err


def test_uncaught_exceptions_are_printed_redacted(restore_logging, capsys):
    def work() -> None:
        raise ConnectionError(f"worker lost /bot{TOKEN}/getUpdates")

    configure_logging("INFO", [TOKEN])
    sys.excepthook(*exc_info_of(RuntimeError(f"crashed with {TOKEN}")))
    thread = threading.Thread(target=work, name="worker")
    thread.start()
    thread.join()
    err = capsys.readouterr().err
    assert_redacted(err)
    assert "Traceback (most recent call last)" in err
    assert "RuntimeError: crashed with ***" in err
    assert "Exception in thread worker:" in err
    assert "ConnectionError: worker lost /bot***/getUpdates" in err


def test_a_hook_someone_else_installed_is_left_alone(restore_logging, monkeypatch):
    def debugger_hook(*args: object) -> None: ...

    monkeypatch.setattr(sys, "excepthook", debugger_hook)
    configure_logging("INFO", [TOKEN])
    assert sys.excepthook is debugger_hook
