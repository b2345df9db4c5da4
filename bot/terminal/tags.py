"""A saved reflection's suggested indicators, and the answers that tag it (c1 r2 2.6 none)
or say what it was about (@1, @ a name: see ``about``)."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from bot.services import Finished, ServiceError
from bot.services.tagging import TagView
from bot.terminal.about import apply_about, show_about
from bot.terminal.dialogue import command_of
from prompts import t

if TYPE_CHECKING:
    from bot.terminal.chat import TerminalChat

TAG_TOKEN = re.compile(r"none|[cr]\d+|\d+\.\d+")


def tag_tokens(answer: str) -> list[str] | None:
    """The tag answers in a line ("c1 r2, 2.6" or pasted one a line), or None if it is
    not made of them: a command or new text."""
    tokens = re.split(r"[\s,;]+", answer.lower().strip())
    return tokens if all(TAG_TOKEN.fullmatch(token) for token in tokens) else None


async def show_finished(chat: TerminalChat, finished: Finished | None) -> None:
    """Print the suggestions and take confirm/reject/pick answers until Enter.

    A command or new text typed here ends the tagging (as Enter would, the tags
    chosen so far are stored) and is handled next, so a new note is not lost.
    """
    if finished is None:
        chat.say(t("cancel.stopped_empty"))
        return
    rid = finished.reflection.id
    chat.say(t("saved.heading"))
    view = show_tags(chat, rid)
    while True:
        answer = await chat.reply("tags> ", again=lambda: show_tags(chat, rid))
        if not answer or command_of(answer) == "/cancel":  # or the input ended, or /quit
            chat.say(t("saved.done"))
            return
        if answer.startswith("@"):  # what it was about
            await apply_about(chat, rid, answer[1:])
            view = show_tags(chat, rid)
            continue
        tokens = tag_tokens(answer)
        if tokens is None:
            chat.say(t("saved.done"))
            chat.keep_for_later(answer, answer_first=False)
            return
        wrong = apply_tags(chat, rid, tokens, view)
        if wrong:
            chat.say(t("chat.tag_unknown", answer=html.escape(", ".join(wrong))))
        view = show_tags(chat, rid)


def show_tags(chat: TerminalChat, rid: int) -> TagView:
    """The reflection's suggestions with what was decided, and the tags prompt."""
    framework = chat.services.framework
    view = chat.services.tagging.view(chat.user_id, rid)
    if view.suggestions:
        chat.say(t("saved.suggest_heading"))
        for number, suggestion in enumerate(view.suggestions, start=1):
            indicator = framework.get_indicator(suggestion.indicator_id)
            if indicator is None:
                continue
            mark = {"confirmed": "[confirmed]", "rejected": "[rejected]"}.get(
                view.status(indicator.id) or "", "[ ]"
            )
            chat.say(f"  {number}. {mark} {indicator.id} {indicator.text}")
            if suggestion.evidence:
                chat.say(f"       “{suggestion.evidence}”")
    else:
        chat.say(t("saved.none_found"))
    for indicator_id in view.picked:
        chat.say(f"  + [confirmed] {indicator_id} {framework.indicator(indicator_id).text}")
    chat.say(t("chat.tag_prompt"))
    show_about(chat, rid)
    return view


def apply_tags(chat: TerminalChat, rid: int, tokens: list[str], view: TagView) -> list[str]:
    """Apply tag answers (c1, r2, 2.6, none); the ones that name nothing here, if
    any, and then none is applied."""
    count = len(view.suggestions)
    wrong = [
        token
        for token in tokens
        if (token[0] in "cr" and not 1 <= int(token[1:]) <= count)
        or (token[0].isdigit() and chat.services.framework.get_indicator(token) is None)
    ]
    if wrong:
        return wrong
    tagging = chat.services.tagging
    for token in tokens:
        try:
            if token == "none":
                tagging.none_of_these(chat.user_id, rid)
                chat.say(t("saved.none_chosen"))
            elif token[0] in "cr":
                indicator_id = view.suggestions[int(token[1:]) - 1].indicator_id
                choice = "confirm" if token[0] == "c" else "reject"
                tagging.choose(chat.user_id, rid, indicator_id, choice)
            else:
                picked = view.status(token) == "confirmed"
                tagging.choose(chat.user_id, rid, token, "clear" if picked else "confirm")
        except ServiceError:
            wrong.append(token)
    return wrong
