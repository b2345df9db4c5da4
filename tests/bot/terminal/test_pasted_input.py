"""Lines pasted together into a terminal are one answer; lines from a pipe are not."""

import io
import os
import pty

import pytest

from bot.terminal.pasted_input import read_pasted


@pytest.fixture
def terminal():
    """A pseudo-terminal in its usual line mode: (what the keyboard writes to, stdin)."""
    keyboard, screen = pty.openpty()
    stdin = open(screen, encoding="utf-8")  # noqa: SIM115 (closed below)
    yield keyboard, stdin
    stdin.close()
    os.close(keyboard)


def first_line(stdin):
    return lambda prompt: stdin.readline().rstrip("\n")


def test_lines_pasted_together_into_a_terminal_are_one_answer(terminal):
    keyboard, stdin = terminal
    os.write(keyboard, "We ran the pool night.\n\nIt was loud – très.\nc1\n".encode())
    answer = read_pasted("you> ", stdin, first_line(stdin))
    assert answer == "We ran the pool night.\n\nIt was loud – très.\nc1"


def test_a_line_typed_alone_into_a_terminal_is_its_own_answer(terminal):
    keyboard, stdin = terminal
    os.write(keyboard, b"y\n")
    assert read_pasted("? ", stdin, first_line(stdin)) == "y"
    os.write(keyboard, b"next\n")
    assert read_pasted("? ", stdin, first_line(stdin)) == "next"


def unbuffered_line(stdin):
    """Read a line a byte at a time, leaving what follows it in the pipe."""

    def read(prompt):
        line = b""
        while not line.endswith(b"\n"):
            line += os.read(stdin.fileno(), 1)
        return line.decode().rstrip("\n")

    return read


def test_lines_from_a_pipe_are_each_their_own_answer():
    reading, writing = os.pipe()
    os.write(writing, b"y\nSam\n")  # both waiting in the pipe, as from printf
    with open(reading, encoding="utf-8") as stdin:
        assert read_pasted("? ", stdin, unbuffered_line(stdin)) == "y"
        assert read_pasted("? ", stdin, unbuffered_line(stdin)) == "Sam"
    os.close(writing)


def test_a_stdin_without_a_file_descriptor_still_reads():
    stdin = io.StringIO("one\ntwo\n")
    assert read_pasted("? ", stdin, first_line(stdin)) == "one"


def test_the_end_of_input_is_reported():
    def ended(prompt):
        raise EOFError

    with pytest.raises(EOFError):
        read_pasted("? ", io.StringIO(""), ended)
