"""``reflectbot chat``: reflect in the terminal, on the same database as the bot.

It drives the same services as the Telegram handlers and prints the same texts from
``prompts/`` (with the Telegram formatting removed), so it is what a newcomer tries first.

Nudges: before it asks for the next line, the chat asks whether a nudge has come due
for the terminal's practitioner (user 0) and, if one has, shows it with its choices as
numbered options. A nudge waits for the line being typed to be handled first (input is
read in a thread that cannot be interrupted without losing what was typed, so no timer
breaks in), and a line typed instead of a choice is handled as usual.
"""

from __future__ import annotations

import asyncio
import getpass
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.portfolio import FORMATS
from bot.private_files import write_private
from bot.services import Finished, NotAllowed, NoteOffer, QuestionStep, ServiceError
from bot.services.container import Services
from bot.services.intake import EmptyText, Held, RewriteInvited, findings_text
from bot.services.nudge_wording import nudge_choices, nudge_text
from bot.services.nudging import Choice, Dismissed, NudgeMessage, Snoozed
from bot.services.reflecting import AlreadySaved, Continuation
from prompts import plain, t

LOCAL_USER_ID = 0  # Telegram never uses 0, so the terminal user cannot collide with one
Input = Callable[[str], Awaitable[str | None]]
Output = Callable[[str], None]


async def terminal_input(prompt: str) -> str | None:
    """Read a line without blocking the event loop; None at end of input."""
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


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
        self.forgotten = False

    def say(self, text: str) -> None:
        self.write(plain(text))

    async def ask(self, prompt: str = "") -> str | None:
        line = await self.read(prompt or t("chat.prompt"))
        return None if line is None else line.strip()

    async def run(self) -> None:
        db_name = str(self.services.settings.db_path)
        self.services.privacy.purge_expired()
        self.say(t("chat.intro", db=db_name))
        if not await self.ensure_consent():
            return
        while True:
            line = await self.offer_nudge()
            if line is None:
                line = await self.ask()
            if line is None or line in ("/quit", "/exit"):
                self.say(t("chat.bye", db=db_name))
                return
            if line:
                await self.handle(line)
            if self.forgotten:  # a stranger again: nothing more is stored this session
                return

    async def ensure_consent(self) -> bool:
        users = self.services.users
        if users.get(self.user_id) is not None:
            return True
        self.say(t("welcome.body", name=getpass.getuser()))
        answer = await self.ask(f"{plain(t('welcome.agree_button'))}? [y/n] ")
        if answer is not None and answer.lower() in ("y", "yes"):
            users.agree(self.user_id, getpass.getuser())
            self.say(t("welcome.agreed"))
            return True
        self.say(t("welcome.declined"))
        return False

    async def handle(self, line: str) -> None:
        reflecting = self.services.reflecting
        command = line.split()[0].lower() if line.startswith("/") else None
        if command == "/help":
            self.say(t("help.body"))
        elif command == "/reflect":
            await self.reflect()
        elif command == "/skip":
            if reflecting.open_reflection(self.user_id) is None:
                self.say(t("reflect.nothing_to_skip"))
                return
            self.say(t("reflect.skipped"))
            await self.show(await reflecting.skip(self.user_id))
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
            result = await self.services.intake.receive_text(
                self.user_id, line, own_names=[getpass.getuser()]
            )
            await self.show(result)

    async def choose(self, options: list[str]) -> int | None:
        for number, option in enumerate(options, start=1):
            self.say(f"  {number}. {option}")
        while True:
            answer = await self.ask(t("chat.choose_number") + " ")
            if answer is None:
                return None
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return int(answer) - 1
            self.say(t("chat.invalid_choice"))

    async def reflect(self) -> None:
        if not await self.settle_open_reflection():
            return
        reflecting = self.services.reflecting
        sets = reflecting.question_sets()
        self.say(t("reflect.choose"))
        choice = await self.choose([f"{s.name} – {s.description}" for s in sets])
        if choice is not None:
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
            await self.show(step if step else await reflecting.keep(self.user_id, open_one.id))
            return False
        if choice == 1:
            await self.show_finished(await reflecting.keep(self.user_id, open_one.id))
        else:
            reflecting.discard(self.user_id, open_one.id)
            self.say(t("cancel.dropped"))
        return True

    async def offer_nudge(self) -> str | None:
        """Show the nudge that has come due, if any, with its choices as numbered options.

        A number acts on the nudge. Anything else typed is not thrown away: it is returned,
        to be handled like any line at the chat's prompt, and the nudge is left unanswered
        (the next one replaces it). None: no nudge, a choice made, or the input ended.
        """
        nudging = self.services.nudging
        message = nudging.due(self.user_id)
        if message is None:
            return None
        self.say(nudge_text(message.content))
        nudging.sent(message.nudge, message_id=0)  # shown: what follows is the "tap"
        options = nudge_choices(message.content)
        for number, (label, _) in enumerate(options, start=1):
            self.say(f"  {number}. {label}")
        while True:
            answer = await self.ask(t("chat.choose_number") + " ")
            if answer is None:
                return None
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                await self.nudge_chosen(message, options[int(answer) - 1][1])
                return None
            if answer:
                return answer
            self.say(t("chat.invalid_choice"))

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
            await self.show_finished(await reflecting.keep(self.user_id, open_one.id))
        elif choice == 1:
            reflecting.discard(self.user_id, open_one.id)
            self.say(t("cancel.dropped"))
        else:
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
                answer = await self.ask(f"{plain(t('note.offer'))} [y/n] ")
                if answer is not None and answer.lower() in ("y", "yes"):
                    self.say(t("note.saved"))
                    await self.show_finished(
                        await self.services.reflecting.save_note(self.user_id, reflection.id)
                    )
                else:
                    self.services.reflecting.discard(self.user_id, reflection.id)
                    self.say(t("note.dropped"))
            case Continuation(finished=finished):
                self.say(t("reflect.continued"))
                if finished is not None:
                    await self.show_finished(finished)
            case None:
                self.say(t("reflect.all_skipped"))

    async def show_finished(self, finished: Finished | None) -> None:
        """Print the suggestions and take confirm/reject/pick commands until Enter."""
        if finished is None:
            self.say(t("cancel.stopped_empty"))
            return
        framework = self.services.framework
        tagging = self.services.tagging
        rid = finished.reflection.id
        self.say(t("saved.heading"))
        while True:
            view = tagging.view(self.user_id, rid)
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
            answer = await self.ask("tags> ")
            if not answer:
                self.say(t("saved.done"))
                return
            if not await self.apply_tag_command(rid, answer, len(view.suggestions), view):
                self.say(t("chat.tag_unknown"))

    async def apply_tag_command(self, rid: int, answer: str, count: int, view) -> bool:
        tagging = self.services.tagging
        answer = answer.lower()
        try:
            if answer == "none":
                tagging.none_of_these(self.user_id, rid)
                self.say(t("saved.none_chosen"))
                return True
            match = re.fullmatch(r"([cr])([1-9])", answer)
            if match and int(match[2]) <= count:
                indicator_id = view.suggestions[int(match[2]) - 1].indicator_id
                choice = "confirm" if match[1] == "c" else "reject"
                tagging.choose(self.user_id, rid, indicator_id, choice)
                return True
            if re.fullmatch(r"\d\.\d{1,2}", answer):
                picked = view.status(answer) == "confirmed" if view else False
                tagging.choose(self.user_id, rid, answer, "clear" if picked else "confirm")
                return True
        except ServiceError:
            return False
        return False

    async def decide_held(self, held: Held) -> None:
        """The identifier guard's question, answered by number."""
        found = findings_text(held)
        self.say(t("guard.held", findings=found, preview=held.preview))
        choice = await self.choose(
            [t("guard.initials_button"), t("guard.keep_button"), t("guard.rewrite_button")]
        )
        decision = ("initials", "keep", "rewrite")[choice if choice is not None else 2]
        await self.show(await self.services.intake.resolve(self.user_id, decision))

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
        answer = await self.ask(f"{plain(t('privacy.forget_yes_button'))}? [y/n] ")
        if answer is None or answer.lower() not in ("y", "yes"):
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
