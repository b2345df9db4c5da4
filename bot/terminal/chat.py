"""``reflectbot chat``: reflect in the terminal, on the same database as the bot.

It drives the same services as the Telegram handlers and prints the same texts from
``prompts/`` (with the Telegram formatting removed), so it is what a newcomer tries first.

Here: the chat's loop, consent, what each command does and how each service result is
shown. How a question is asked and what happens to a line that is not its answer:
``dialogue``. Reflecting, /cancel and the identifier guard: ``reflecting``. Tags:
``tags``. Nudges: ``nudges``. /history, /mydata, /export, /forget: ``my_data``.

"working…" is said before a call that may keep them waiting: the first text (a model
loads) and each save.
"""

from __future__ import annotations

import asyncio
import getpass
import html
from collections.abc import Awaitable
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.services import Finished, NoteOffer, QuestionStep
from bot.services.container import Services
from bot.services.intake import EmptyText, Held, RewriteInvited
from bot.services.reflecting import AlreadySaved, Continuation
from bot.terminal import my_data, nudges, reflecting, tags
from bot.terminal.dialogue import QUIT, Dialogue, Input, Output, command_of
from bot.terminal.pasted_input import terminal_input
from prompts import plain, t

__all__ = ["LOCAL_USER_ID", "TerminalChat", "plain", "run_chat", "terminal_input"]

LOCAL_USER_ID = 0  # Telegram never uses 0, so the terminal user cannot collide with one
T = TypeVar("T")

NAME_MAX_CHARS, NAME_MAX_WORDS = 40, 4


def looks_like_name(line: str) -> bool:
    """A short single line: a name, not a reflection typed at the name prompt."""
    return "\n" not in line and len(line) <= NAME_MAX_CHARS and len(line.split()) <= NAME_MAX_WORDS


class TerminalChat(Dialogue):
    """One practitioner (user 0 unless told) reflecting through the services."""

    def __init__(
        self,
        services: Services,
        read: Input = terminal_input,
        write: Output = print,
        user_id: int = LOCAL_USER_ID,
    ) -> None:
        super().__init__(read, write)
        self.services = services
        self.user_id = user_id
        self.name = ""
        self.forgotten = False
        self.models_used = False  # the first text loads the identifier model

    async def working(self, call: Awaitable[T], *, saving: bool) -> T:
        """Say "working…" before a call that may keep them waiting: one that saves a
        reflection (and suggests its indicators), or the first to load a model."""
        if saving or not self.models_used:
            self.say(t("chat.working"))
        result = await call
        self.models_used = True
        return result

    def answer_finishes(self) -> bool:
        """Whether the next answer is the last one of the open reflection (and saves it)."""
        step = self.services.reflecting.current_step(self.user_id)
        return step is not None and step.number >= step.total

    async def run(self) -> None:
        db_name = str(self.services.settings.db_path)
        self.services.privacy.purge_expired()
        self.say(t("chat.intro", db=db_name))
        if not await self.ensure_consent():
            return
        waiting = self.services.intake.waiting(self.user_id)
        if waiting is not None:  # left undecided last time: decide before anything new
            await reflecting.decide_held(self, waiting)
        while not (self.quitting or self.input_ended):
            if not self.queued:
                await nudges.offer_nudge(self)
            line = self.queued.pop(0) if self.queued else await self.ask()
            if line is None or command_of(line) in QUIT:
                break
            if line:
                await self.handle(line)
            if self.forgotten:  # a stranger again: nothing more is stored this session
                return
        if self.queued:
            self.say(t("chat.not_handled", lines="\n".join(html.escape(q) for q in self.queued)))
        self.say(t("chat.bye", db=db_name))

    async def ensure_consent(self) -> bool:
        """Greet a returning practitioner by name; ask a new one to agree, then their name."""
        users = self.services.users
        user = users.get(self.user_id)
        if user is not None:
            self.name = user.display_name
            consented = user.consented_at.astimezone(ZoneInfo(user.timezone))
            self.say(t("welcome.again", name=html.escape(self.name), date=f"{consented:%d %b %Y}"))
            return True
        self.say(t("welcome.body", name=t("chat.no_name")))
        agreed = await self.yes_no(
            f"{plain(t('welcome.agree_button'))}? [y/n] ", answer_first=True, before_consent=True
        )
        if not agreed:
            self.queued.clear()  # nothing is stored, or handled, without agreement
            self.say(t("welcome.declined"))
            return False
        self.name = await self.ask_name()
        users.agree(self.user_id, self.name)
        self.say(t("chat.greeting", name=html.escape(self.name or t("chat.no_name"))))
        self.say(t("welcome.agreed"))
        return True

    async def ask_name(self) -> str:
        """The name to greet them by ("" if they skip it)."""
        self.say(t("chat.ask_name"))
        while True:
            line = await self.reply(t("chat.name_prompt"), in_place=frozenset({"/help"}))
            if line is None:
                return ""
            if command_of(line) == "/cancel":
                return ""
            if command_of(line) is None and looks_like_name(line):
                return line
            self.keep_for_later(line, answer_first=True)
            self.say(t("chat.ask_name"))

    async def handle(self, line: str) -> None:
        command = command_of(line)
        if command == "/help":
            self.say(t("help.body"))
        elif command == "/reflect":
            await reflecting.reflect(self)
        elif command == "/skip":
            await reflecting.skip(self)
        elif command == "/cancel":
            await reflecting.cancel(self)
        elif command == "/history":
            my_data.history(self)
        elif command == "/mydata":
            my_data.my_data(self)
        elif command == "/export":
            my_data.export(self, line)
        elif command == "/forget":
            self.forgotten = await my_data.forget(self)
        elif command == "/start":
            self.say(t("welcome.agreed"))
        elif command is not None:
            self.say(t("errors.unknown_command", command=command))
        else:
            result = await self.working(
                self.services.intake.receive_text(
                    self.user_id, line, own_names=[n for n in (self.name, getpass.getuser()) if n]
                ),
                saving=self.answer_finishes(),
            )
            if isinstance(result, Held) and result.again:  # the earlier text waits first
                self.queued.insert(0, line)
            await self.show(result)

    async def show(self, result: object) -> None:
        """Show what a service returned, and ask what it needs asked."""
        match result:
            case EmptyText():
                self.say(t("errors.empty_text"))
            case AlreadySaved(step):
                self.say(t("reflect.already_saved"))
                if step is not None:
                    await self.show(step)
            case Held():
                await reflecting.decide_held(self, result)
            case RewriteInvited():
                self.say(t("guard.rewrite"))
            case QuestionStep(question_set=qs, question=question, number=n, total=total):
                key = "reflect.question_single" if total == 1 else "reflect.question"
                self.say(t(key, name=qs.name, number=n, total=total, question=question.text))
                self.say(t("reflect.controls_hint"))
            case Finished():
                await tags.show_finished(self, result)
            case NoteOffer(reflection, _):
                save = await self.yes_no(f"{plain(t('note.offer'))} [y/n] ", answer_first=True)
                if save:
                    self.say(t("note.saved"))
                    saving = self.services.reflecting.save_note(self.user_id, reflection.id)
                    await tags.show_finished(self, await self.working(saving, saving=True))
                else:  # n, or they left: only a yes stores a note
                    self.services.reflecting.discard(self.user_id, reflection.id)
                    self.say(t("note.dropped"))
            case Continuation(finished=finished):
                self.say(t("reflect.continued"))
                if finished is not None:
                    await tags.show_finished(self, finished)
            case None:
                self.say(t("reflect.all_skipped"))


def run_chat(services: Services) -> None:
    async def chat() -> None:
        await services.feedback.load()
        try:
            await TerminalChat(services).run()
        finally:
            await services.feedback.stop()

    asyncio.run(chat())
