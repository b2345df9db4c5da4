"""Reflecting in the terminal: /reflect, /skip, /cancel, an open reflection to settle
first, and the identifier guard's question about text it holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.services import Finished
from bot.services.intake import Held, HoldChoice, findings_text
from bot.terminal.tags import show_finished
from prompts import t

if TYPE_CHECKING:
    from bot.terminal.chat import TerminalChat


async def reflect(chat: TerminalChat) -> None:
    if not await settle_open_reflection(chat):
        return
    reflecting = chat.services.reflecting
    sets = reflecting.question_sets()
    chat.say(t("reflect.choose"))
    choice = await chat.choose([f"{s.name} – {s.description}" for s in sets])
    if choice is not None:
        chat.say(sets[choice].intro())
        await chat.show(reflecting.start(chat.user_id, sets[choice].id))


async def skip(chat: TerminalChat) -> None:
    reflecting = chat.services.reflecting
    if reflecting.open_reflection(chat.user_id) is None:
        chat.say(t("reflect.nothing_to_skip"))
        return
    chat.say(t("reflect.skipped"))
    saving = chat.answer_finishes()
    await chat.show(await chat.working(reflecting.skip(chat.user_id), saving=saving))


async def settle_open_reflection(chat: TerminalChat) -> bool:
    """Before a new reflection: carry on with the open one (False), or keep or delete
    it (True). True at once if none is open; False if the input ended."""
    reflecting = chat.services.reflecting
    open_one = reflecting.open_reflection(chat.user_id)
    if open_one is None:
        return True
    chat.say(
        t(
            "reflect.open_exists",
            name=reflecting.question_set_of(open_one).name,
            date=open_one.started_at.strftime("%a %d %b %Y, %H:%M"),
        )
    )
    choice = await chat.choose(
        [
            t("reflect.resume_button"),
            t("reflect.restart_button"),
            t("reflect.discard_button"),
        ]
    )
    if choice is None:
        return False
    if choice == 0:
        step = reflecting.current_step(chat.user_id)
        if step is None:
            step = await chat.working(reflecting.keep(chat.user_id, open_one.id), saving=True)
        await chat.show(step)
        return False
    if choice == 1:
        await show_finished(chat, await keep(chat, open_one.id))
    else:
        reflecting.discard(chat.user_id, open_one.id)
        chat.say(t("cancel.dropped"))
    return True


async def keep(chat: TerminalChat, reflection_id: int) -> Finished | None:
    """Stop an open reflection and save what was written."""
    keeping = chat.services.reflecting.keep(chat.user_id, reflection_id)
    return await chat.working(keeping, saving=True)


async def cancel(chat: TerminalChat) -> None:
    reflecting = chat.services.reflecting
    open_one = reflecting.open_reflection(chat.user_id)
    if open_one is None:
        chat.say(t("cancel.nothing"))
        return
    answered = reflecting.answered_count(open_one.id)
    if answered == 0:
        reflecting.discard(chat.user_id, open_one.id)
        chat.say(t("cancel.stopped_empty"))
        return
    chat.say(t("cancel.confirm", count=answered))
    choice = await chat.choose(
        [t("cancel.keep_button"), t("cancel.drop_button"), t("cancel.continue_button")]
    )
    if choice == 0:
        chat.say(t("cancel.kept"))
        await show_finished(chat, await keep(chat, open_one.id))
    elif choice == 1:
        reflecting.discard(chat.user_id, open_one.id)
        chat.say(t("cancel.dropped"))
    elif not chat.quitting:  # carry on (a line typed instead is handled next)
        await chat.show(reflecting.current_step(chat.user_id))


async def decide_held(chat: TerminalChat, held: Held) -> None:
    """The identifier guard's question, answered by number. Anything else typed waits
    until it is answered; if they leave, the text stays held for the next time."""
    found = findings_text(held)
    chat.say(t("guard.held", findings=found, preview=held.preview))
    choice = await chat.choose(
        [t("guard.initials_button"), t("guard.keep_button"), t("guard.rewrite_button")],
        answer_first=True,
        on_cancel=2,  # "/cancel to drop this message", as on Telegram
    )
    if choice is None:
        chat.say(t("chat.held_kept"))
        return
    decision: HoldChoice = ("initials", "keep", "rewrite")[choice]
    resolving = chat.services.intake.resolve(chat.user_id, decision)
    await chat.show(await chat.working(resolving, saving=chat.answer_finishes()))
