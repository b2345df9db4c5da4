"""How the terminal chat asks: a line, a numbered choice, a y/n question.

No prompt traps you, and nothing typed is thrown away. At every prompt (a choice, a
y/n question, the tags prompt) the commands that only show something (/help, /history,
/mydata, /export) run in place and the question is asked again, and /quit leaves. Any
other line that is not an answer there is kept: a question that can be left without
changing anything (which question set, the tags, a nudge, /cancel's or /forget's
confirmation) is left and the line handled as if typed at the chat's prompt; one that
needs its answer first (consent, your name, the identifier guard, saving a note) asks
again and handles the line afterwards. /cancel answers "never mind": it leaves a choice,
says no to a y/n question, skips the name, ends tagging, and drops text the identifier
guard holds (as its message says, and as on Telegram).

Several lines pasted at once are one answer (see ``pasted_input``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.terminal.pasted_input import terminal_input
from prompts import plain, t

Input = Callable[[str], Awaitable[str | None]]
Output = Callable[[str], None]

QUIT = frozenset({"/quit", "/exit"})
SHOW_ONLY = frozenset({"/help", "/history", "/mydata", "/export", "/start"})  # run in place
COMMANDS = QUIT | SHOW_ONLY | {"/reflect", "/skip", "/cancel", "/forget"}
YES = frozenset({"y", "yes"})
NO = frozenset({"n", "no"})


def command_of(line: str) -> str | None:
    """The command a line starts with (lower case), or None for text."""
    return line.split()[0].lower() if line.startswith("/") else None


class Dialogue:
    """The terminal's input and output, and the lines kept for later.

    ``handle`` (the chat's) runs a command typed at a question that runs in place.
    """

    def __init__(self, read: Input = terminal_input, write: Output = print) -> None:
        self.read = read
        self.write = write
        self.queued: list[str] = []  # typed at a prompt that did not take them: handled next
        self.input_ended = False
        self.quitting = False

    async def handle(self, line: str) -> None:
        raise NotImplementedError

    def say(self, text: str) -> None:
        self.write(plain(text))

    async def ask(self, prompt: str = "") -> str | None:
        """The next line, stripped; None once the input has ended or /quit was typed."""
        if self.input_ended or self.quitting:
            return None
        line = await self.read(prompt or t("chat.prompt"))
        if line is None:
            self.input_ended = True
            return None
        return line.strip()

    async def reply(
        self,
        prompt: str,
        again: Callable[[], None] | None = None,
        in_place: frozenset[str] = SHOW_ONLY,
    ) -> str | None:
        """A line for a question: commands that only show something run here and the
        question is asked again (``again`` shows it again); /quit and the end of input
        give None. Unknown commands are answered here too."""
        while True:
            line = await self.ask(prompt)
            command = None if line is None else command_of(line)
            if line is None or command in QUIT:
                self.quitting = self.quitting or command in QUIT
                return None
            if command is None or (command in COMMANDS and command not in in_place):
                return line
            await self.handle(line)
            if again is not None:
                again()

    def keep_for_later(self, line: str, *, answer_first: bool) -> None:
        """Queue a line the question could not take, to be handled after it."""
        self.queued.append(line)
        if answer_first:
            self.say(t("chat.answer_first"))

    async def yes_no(
        self, prompt: str, *, answer_first: bool, before_consent: bool = False
    ) -> bool | None:
        """y or n. Anything else typed is kept (see ``choose``); None: the question was
        left, or the input ended, or /quit."""
        in_place = frozenset({"/help"}) if before_consent else SHOW_ONLY
        while True:
            line = await self.reply(prompt, in_place=in_place)
            if line is None:
                return None
            if line.lower() in YES | NO or command_of(line) == "/cancel":
                return line.lower() in YES
            if not line:
                self.say(t("chat.yes_or_no"))
                continue
            self.keep_for_later(line, answer_first=answer_first)
            if not answer_first:
                return None

    def list_options(self, options: list[str]) -> None:
        for number, option in enumerate(options, start=1):
            self.say(f"  {number}. {option}")

    async def choose(
        self, options: list[str], *, answer_first: bool = False, on_cancel: int | None = None
    ) -> int | None:
        """The index of the option whose number is typed (/cancel: ``on_cancel``).

        Anything else typed is kept: with ``answer_first``, to be handled after the
        choice, which is asked for again; without, the question is left (changing
        nothing) and the line handled next at the chat's prompt. None: left (/cancel
        leaves it too), or the input ended, or /quit.
        """
        self.list_options(options)
        while True:
            line = await self.reply(
                t("chat.choose_number") + " ", again=lambda: self.list_options(options)
            )
            if line is None:
                return None
            if line.isdigit() and 1 <= int(line) <= len(options):
                return int(line) - 1
            if command_of(line) == "/cancel" and (on_cancel is not None or not answer_first):
                return on_cancel
            if not line or line.isdigit():
                self.say(t("chat.invalid_choice"))
                continue
            self.keep_for_later(line, answer_first=answer_first)
            if not answer_first:
                return None
