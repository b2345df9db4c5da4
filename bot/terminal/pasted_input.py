"""Reading the terminal chat's input: one answer per Enter, a paste as one answer.

A terminal in its usual (canonical) mode hands over one line per read, so several
lines pasted at once would otherwise arrive as an answer followed by stray replies to
the prompts after it. After the first line, whatever further lines are already waiting
(they arrived with it) are read too and joined with newlines. Only a terminal is
drained: from a pipe or a file every line is its own answer, as a script expects.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import select
import sys
from collections.abc import Callable
from typing import TextIO

PASTE_WINDOW = 0.05  # seconds: lines arriving this close together came in one paste


def read_pasted(
    prompt: str,
    stdin: TextIO | None = None,
    read_line: Callable[[str], str] = input,
    window: float = PASTE_WINDOW,
) -> str:
    """The next line, with any lines pasted together with it; EOFError at end of input."""
    stdin = sys.stdin if stdin is None else stdin
    first = read_line(prompt)
    try:
        if not stdin.isatty():
            return first
        fd = stdin.fileno()
    except (AttributeError, OSError, ValueError):  # a replaced or closed stdin
        return first
    decoder = codecs.getincrementaldecoder(stdin.encoding or "utf-8")(errors="replace")
    more = ""
    while select.select([fd], [], [], window)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:  # end of input: what came before it still counts
            break
        more += decoder.decode(chunk)
    more += decoder.decode(b"", final=True)
    if not more:
        return first
    return "\n".join([first, *more.rstrip("\r\n").splitlines()])


async def terminal_input(prompt: str) -> str | None:
    """Read an answer without blocking the event loop; None at end of input."""
    try:
        return await asyncio.to_thread(read_pasted, prompt)
    except EOFError:
        return None
