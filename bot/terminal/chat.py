"""``reflectbot chat``: reflect in the terminal, on the same database as the bot.

It drives the same services as the Telegram handlers and prints the same texts from
``prompts/`` (with the Telegram formatting removed), so it is what a newcomer tries first.

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

Several lines pasted at once are one answer (see ``pasted_input``). "working…" is said
before a call that may keep them waiting: the first text (a model loads) and each save.

Nudges: before it asks for the next line, the chat asks whether a nudge has come due
for the terminal's practitioner (user 0) and, if one has, shows it with its choices as
numbered options. A nudge waits for the line being typed to be handled first (input is
read in a thread that cannot be interrupted without losing what was typed, so no timer
breaks in), and a line typed instead of a choice is handled as usual.
"""

from __future__ import annotations

import asyncio
import getpass
import html
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.portfolio import FORMATS
from bot.private_files import write_private
from bot.services import Finished, NotAllowed, NoteOffer, QuestionStep, ServiceError
from bot.services.container import Services
from bot.services.intake import EmptyText, Held, HoldChoice, RewriteInvited, findings_text
from bot.services.nudge_wording import nudge_choices, nudge_text
from bot.services.nudging import Choice, Dismissed, NudgeMessage, Snoozed
from bot.services.reflecting import AlreadySaved, Continuation
from bot.services.tagging import TagView
from bot.terminal.pasted_input import terminal_input
from prompts import plain, t

__all__ = ["LOCAL_USER_ID", "TerminalChat", "plain", "run_chat", "terminal_input"]

LOCAL_USER_ID = 0  # Telegram never uses 0, so the terminal user cannot collide with one
Input = Callable[[str], Awaitable[str | None]]
Output = Callable[[str], None]
T = TypeVar("T")

QUIT = frozenset({"/quit", "/exit"})
SHOW_ONLY = frozenset({"/help", "/history", "/mydata", "/export", "/start"})  # run in place
COMMANDS = QUIT | SHOW_ONLY | {"/reflect", "/skip", "/cancel", "/forget"}
YES = frozenset({"y", "yes"})
NO = frozenset({"n", "no"})
TAG_TOKEN = re.compile(r"none|[cr]\d+|\d+\.\d+")
NAME_MAX_CHARS, NAME_MAX_WORDS = 40, 4


def command_of(line: str) -> str | None:
    """The command a line starts with (lower case), or None for text."""
    return line.split()[0].lower() if line.startswith("/") else None


def tag_tokens(answer: str) -> list[str] | None:
    """The tag answers in a line ("c1 r2, 2.6" or pasted one a line), or None if it is
    not made of them: a command or new text."""
    tokens = re.split(r"[\s,;]+", answer.lower().strip())
    return tokens if all(TAG_TOKEN.fullmatch(token) for token in tokens) else None


def looks_like_name(line: str) -> bool:
    """A short single line: a name, not a reflection typed at the name prompt."""
    return "\n" not in line and len(line) <= NAME_MAX_CHARS and len(line.split()) <= NAME_MAX_WORDS


class TerminalChat:
    def __init__(
        self,
        services: Services,
        read: Input = terminal_input,
        write: Output = print,
        user_id: int = LOCAL_USER_ID,
    ) -> None:
        self.services = services
        self.read = read
        self.write = write
        self.user_id = user_id
        self.name = ""
        self.forgotten = False
        self.queued: list[str] = []  # typed at a prompt that did not take them: handled next
        self.input_ended = False
        self.quitting = False
        self.models_used = False  # the first text loads the identifier model

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
            await self.decide_held(waiting)
        while not (self.quitting or self.input_ended):
            if not self.queued:
                await self.offer_nudge()
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

    async def handle(self, line: str) -> None:
        reflecting = self.services.reflecting
        command = command_of(line)
        if command == "/help":
            self.say(t("help.body"))
        elif command == "/reflect":
            await self.reflect()
        elif command == "/skip":
            if reflecting.open_reflection(self.user_id) is None:
                self.say(t("reflect.nothing_to_skip"))
                return
            self.say(t("reflect.skipped"))
            saving = self.answer_finishes()
            await self.show(await self.working(reflecting.skip(self.user_id), saving=saving))
        elif command == "/cancel":
            await self.cancel()
        elif command == "/history":
            self.history()
        elif command == "/mydata":
            self.my_data()
        elif command == "/export":
            self.export(line)
        elif command == "/forget":
            self.forgotten = await self.forget()
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

    async def reflect(self) -> None:
        if not await self.settle_open_reflection():
            return
        reflecting = self.services.reflecting
        sets = reflecting.question_sets()
        self.say(t("reflect.choose"))
        choice = await self.choose([f"{s.name} – {s.description}" for s in sets])
        if choice is not None:
            self.say(sets[choice].intro())
            await self.show(reflecting.start(self.user_id, sets[choice].id))

    async def settle_open_reflection(self) -> bool:
        """Before a new reflection: carry on with the open one (False), or keep or delete
        it (True). True at once if none is open; False if the input ended."""
        reflecting = self.services.reflecting
        open_one = reflecting.open_reflection(self.user_id)
        if open_one is None:
            return True
        self.say(
            t(
                "reflect.open_exists",
                name=reflecting.question_set_of(open_one).name,
                date=open_one.started_at.strftime("%a %d %b %Y, %H:%M"),
            )
        )
        choice = await self.choose(
            [
                t("reflect.resume_button"),
                t("reflect.restart_button"),
                t("reflect.discard_button"),
            ]
        )
        if choice is None:
            return False
        if choice == 0:
            step = reflecting.current_step(self.user_id)
            if step is None:
                step = await self.working(reflecting.keep(self.user_id, open_one.id), saving=True)
            await self.show(step)
            return False
        if choice == 1:
            await self.show_finished(await self.keep(open_one.id))
        else:
            reflecting.discard(self.user_id, open_one.id)
            self.say(t("cancel.dropped"))
        return True

    async def offer_nudge(self) -> None:
        """Show the nudge that has come due, if any, with its choices as numbered options.

        A number acts on the nudge. Anything else typed is not thrown away: it is queued,
        to be handled like any line at the chat's prompt, and the nudge is left unanswered
        (the next one replaces it).
        """
        nudging = self.services.nudging
        message = nudging.due(self.user_id)
        if message is None:
            return
        self.say(nudge_text(message.content))
        nudging.sent(message.nudge, message_id=0)  # shown: what follows is the "tap"
        options = nudge_choices(message.content)
        choice = await self.choose([label for label, _ in options])
        if choice is not None:
            await self.nudge_chosen(message, options[choice][1])

    async def keep(self, reflection_id: int) -> Finished | None:
        """Stop an open reflection and save what was written."""
        keeping = self.services.reflecting.keep(self.user_id, reflection_id)
        return await self.working(keeping, saving=True)

    async def nudge_chosen(self, message: NudgeMessage, choice: Choice) -> None:
        nudging = self.services.nudging
        try:
            try:
                result = nudging.choose(self.user_id, message.nudge.id, choice)
            except NotAllowed:  # another reflection is open: settle it first
                if not await self.settle_open_reflection():
                    return
                result = nudging.choose(self.user_id, message.nudge.id, choice)
        except ServiceError:
            self.say(t("nudge.passed"))
            result = None
        match result:
            case QuestionStep():
                await self.show(result)
                return
            case Snoozed(until):
                self.say(t("nudge.snoozed", time=until.strftime("%H:%M")))
            case Dismissed(nudge):
                self.say(t("nudge.later_weekly" if nudge.kind == "weekly" else "nudge.later"))
        step = self.services.reflecting.current_step(self.user_id)
        if step is not None:  # the reflection that was going on carries on
            await self.show(step)

    async def cancel(self) -> None:
        reflecting = self.services.reflecting
        open_one = reflecting.open_reflection(self.user_id)
        if open_one is None:
            self.say(t("cancel.nothing"))
            return
        answered = reflecting.answered_count(open_one.id)
        if answered == 0:
            reflecting.discard(self.user_id, open_one.id)
            self.say(t("cancel.stopped_empty"))
            return
        self.say(t("cancel.confirm", count=answered))
        choice = await self.choose(
            [t("cancel.keep_button"), t("cancel.drop_button"), t("cancel.continue_button")]
        )
        if choice == 0:
            self.say(t("cancel.kept"))
            await self.show_finished(await self.keep(open_one.id))
        elif choice == 1:
            reflecting.discard(self.user_id, open_one.id)
            self.say(t("cancel.dropped"))
        elif not self.quitting:  # carry on (a line typed instead is handled next)
            await self.show(reflecting.current_step(self.user_id))

    async def show(self, result: object) -> None:
        match result:
            case EmptyText():
                self.say(t("errors.empty_text"))
            case AlreadySaved(step):
                self.say(t("reflect.already_saved"))
                if step is not None:
                    await self.show(step)
            case Held():
                await self.decide_held(result)
            case RewriteInvited():
                self.say(t("guard.rewrite"))
            case QuestionStep(question_set=qs, question=question, number=n, total=total):
                key = "reflect.question_single" if total == 1 else "reflect.question"
                self.say(t(key, name=qs.name, number=n, total=total, question=question.text))
                self.say(t("reflect.controls_hint"))
            case Finished():
                await self.show_finished(result)
            case NoteOffer(reflection, _):
                save = await self.yes_no(f"{plain(t('note.offer'))} [y/n] ", answer_first=True)
                if save:
                    self.say(t("note.saved"))
                    saving = self.services.reflecting.save_note(self.user_id, reflection.id)
                    await self.show_finished(await self.working(saving, saving=True))
                else:  # n, or they left: only a yes stores a note
                    self.services.reflecting.discard(self.user_id, reflection.id)
                    self.say(t("note.dropped"))
            case Continuation(finished=finished):
                self.say(t("reflect.continued"))
                if finished is not None:
                    await self.show_finished(finished)
            case None:
                self.say(t("reflect.all_skipped"))

    async def show_finished(self, finished: Finished | None) -> None:
        """Print the suggestions and take confirm/reject/pick answers until Enter.

        A command or new text typed here ends the tagging (as Enter would, the tags
        chosen so far are stored) and is handled next, so a new note is not lost.
        """
        if finished is None:
            self.say(t("cancel.stopped_empty"))
            return
        rid = finished.reflection.id
        self.say(t("saved.heading"))
        view = self.show_tags(rid)
        while True:
            answer = await self.reply("tags> ", again=lambda: self.show_tags(rid))
            if not answer or command_of(answer) == "/cancel":  # or the input ended, or /quit
                self.say(t("saved.done"))
                return
            tokens = tag_tokens(answer)
            if tokens is None:
                self.say(t("saved.done"))
                self.keep_for_later(answer, answer_first=False)
                return
            wrong = self.apply_tags(rid, tokens, view)
            if wrong:
                self.say(t("chat.tag_unknown", answer=html.escape(", ".join(wrong))))
            view = self.show_tags(rid)

    def show_tags(self, rid: int) -> TagView:
        """The reflection's suggestions with what was decided, and the tags prompt."""
        framework = self.services.framework
        view = self.services.tagging.view(self.user_id, rid)
        if view.suggestions:
            self.say(t("saved.suggest_heading"))
            for number, suggestion in enumerate(view.suggestions, start=1):
                indicator = framework.get_indicator(suggestion.indicator_id)
                if indicator is None:
                    continue
                mark = {"confirmed": "[confirmed]", "rejected": "[rejected]"}.get(
                    view.status(indicator.id) or "", "[ ]"
                )
                self.say(f"  {number}. {mark} {indicator.id} {indicator.text}")
                if suggestion.evidence:
                    self.say(f"       “{suggestion.evidence}”")
        else:
            self.say(t("saved.none_found"))
        for indicator_id in view.picked:
            self.say(f"  + [confirmed] {indicator_id} {framework.indicator(indicator_id).text}")
        self.say(t("chat.tag_prompt"))
        return view

    def apply_tags(self, rid: int, tokens: list[str], view: TagView) -> list[str]:
        """Apply tag answers (c1, r2, 2.6, none); the ones that name nothing here, if
        any, and then none is applied."""
        count = len(view.suggestions)
        wrong = [
            token
            for token in tokens
            if (token[0] in "cr" and not 1 <= int(token[1:]) <= count)
            or (token[0].isdigit() and self.services.framework.get_indicator(token) is None)
        ]
        if wrong:
            return wrong
        tagging = self.services.tagging
        for token in tokens:
            try:
                if token == "none":
                    tagging.none_of_these(self.user_id, rid)
                    self.say(t("saved.none_chosen"))
                elif token[0] in "cr":
                    indicator_id = view.suggestions[int(token[1:]) - 1].indicator_id
                    choice = "confirm" if token[0] == "c" else "reject"
                    tagging.choose(self.user_id, rid, indicator_id, choice)
                else:
                    picked = view.status(token) == "confirmed"
                    tagging.choose(self.user_id, rid, token, "clear" if picked else "confirm")
            except ServiceError:
                wrong.append(token)
        return wrong

    async def decide_held(self, held: Held) -> None:
        """The identifier guard's question, answered by number. Anything else typed waits
        until it is answered; if they leave, the text stays held for the next time."""
        found = findings_text(held)
        self.say(t("guard.held", findings=found, preview=held.preview))
        choice = await self.choose(
            [t("guard.initials_button"), t("guard.keep_button"), t("guard.rewrite_button")],
            answer_first=True,
            on_cancel=2,  # "/cancel to drop this message", as on Telegram
        )
        if choice is None:
            self.say(t("chat.held_kept"))
            return
        decision: HoldChoice = ("initials", "keep", "rewrite")[choice]
        resolving = self.services.intake.resolve(self.user_id, decision)
        await self.show(await self.working(resolving, saving=self.answer_finishes()))

    def my_data(self) -> None:
        export = self.services.privacy.export(self.user_id)
        path = Path(export.filename).resolve()
        write_private(path, export.content)
        self.say(t("chat.mydata_written", path=str(path)))

    def export(self, line: str) -> None:
        """/export [pdf|docx|csv|json|md]: the whole portfolio, written to this folder."""
        words = line.split()
        key = words[1].lower() if len(words) > 1 else "pdf"
        if key not in FORMATS:
            self.say(t("chat.export_formats", formats=", ".join(FORMATS)))
            return
        exporting = self.services.exporting
        user = self.services.users.get(self.user_id)
        period = exporting.period(user, "all")
        self.say(t("export.making", format=FORMATS[key].name))
        made = exporting.export_now(user, period, key)
        if made is None:
            self.say(plain(t("export.nothing", period=period.heading())))
            return
        path = Path(made.filename).resolve()
        write_private(path, made.content)
        self.say(t("chat.export_written", path=str(path), reflections=made.reflections))

    async def forget(self) -> bool:
        """Delete everything after a y/n confirmation; True if it was deleted."""
        summary = self.services.privacy.summary(self.user_id)
        self.say(
            t(
                "privacy.forget_confirm",
                reflections=summary.reflections,
                tags=summary.confirmed_tags,
                unfinished=summary.unfinished,
            )
        )
        prompt = f"{plain(t('privacy.forget_yes_button'))}? [y/n] "
        if not await self.yes_no(prompt, answer_first=False):  # anything else: kept
            self.say(t("privacy.forget_kept"))
            return False
        self.services.privacy.forget(self.user_id)
        self.say(t("privacy.forgotten"))
        return True

    def history(self) -> None:
        page = self.services.history.page(self.user_id, 0)
        user = self.services.users.get(self.user_id)
        zone = ZoneInfo(user.timezone if user else self.services.settings.timezone)
        if not page.entries:
            self.say(t("history.empty"))
            return
        for entry in page.entries:
            moment = (entry.reflection.finished_at or entry.reflection.started_at).astimezone(zone)
            tags = ", ".join(entry.confirmed) or "-"
            self.say(f"{entry.number}. {moment:%a %d %b %Y %H:%M}  [{tags}]")
            self.say(f"   {' '.join(entry.reflection.text.split())[:160]}")


def run_chat(services: Services) -> None:
    async def chat() -> None:
        await services.feedback.load()
        try:
            await TerminalChat(services).run()
        finally:
            await services.feedback.stop()

    asyncio.run(chat())
