"""Rendering service results as Telegram messages: (HTML text, inline keyboard)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape, unescape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services import QuestionStep
from bot.telegram import callback_data as cd
from prompts import QuestionSet, t

View = tuple[str, InlineKeyboardMarkup | None]
# Telegram's limit: 4,096 characters of what a message shows (after HTML is parsed),
# counted in UTF-16 units; a little room is kept.
MESSAGE_CHARS = 4000
_TAG = re.compile(r"<[^>]+>")
EVIDENCE_CHARS = 200
EXCERPT_CHARS = 160
KIND_KEYS = {"note": "kinds.note", "guided": "kinds.guided"}


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def shown_units(html: str) -> int:
    """Length of what an HTML message shows, which is what Telegram's limit applies to."""
    return units(unescape(_TAG.sub("", html)))


def first_that_fits(renderings: Iterable[str]) -> str:
    """The first of these renderings of a message (fullest first) that fits Telegram's
    limit, else the last; later ones are only made if an earlier one is too long."""
    text = ""
    for text in renderings:
        if shown_units(text) <= MESSAGE_CHARS:
            break
    return text


def button(text: str, action: cd.Action) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cd.encode(action))


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def local_time(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %Y, %H:%M")


def consent(invitation: str | None = None) -> InlineKeyboardMarkup:
    """Agree or not; a supervision invitation the person came with rides along, to be
    shown once they agree (nothing is stored before that)."""
    return InlineKeyboardMarkup(
        [
            [button(t("welcome.agree_button"), cd.Consent(True, invitation))],
            [button(t("welcome.decline_button"), cd.Consent(False, invitation))],
        ]
    )


def choose_set(question_sets: Sequence[QuestionSet]) -> View:
    rows = [
        [button(t("reflect.set_button", name=s.name), cd.ChooseSet(s.id))] for s in question_sets
    ]
    lines = [t("reflect.choose"), ""]
    lines += [f"<b>{escape(s.name)}</b> – {escape(s.description)}" for s in question_sets]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def set_chosen(question_set: QuestionSet) -> str:
    """The start of a reflection: how many questions, and that a line or two is fine."""
    text = question_set.intro()
    if question_set.learning:
        text += "\n\n" + t("learning.learning_set_intro")
    return text


def open_reflection(name: str, started: str, reflection_id: int) -> View:
    return t("reflect.open_exists", name=escape(name), date=started), InlineKeyboardMarkup(
        [
            [button(t("reflect.resume_button"), cd.OpenChoice("resume", reflection_id))],
            [button(t("reflect.restart_button"), cd.OpenChoice("restart", reflection_id))],
            [button(t("reflect.discard_button"), cd.OpenChoice("discard", reflection_id))],
        ]
    )


def question(step: QuestionStep) -> View:
    name = escape(step.question_set.name)
    if step.total == 1:
        text = t("reflect.question_single", name=name, question=escape(step.question.text))
    else:
        text = t(
            "reflect.question",
            name=name,
            number=step.number,
            total=step.total,
            question=escape(step.question.text),
        )
    return f"{text}\n\n{t('reflect.controls_hint')}", None


def cancel_confirm(reflection_id: int, answered: int) -> View:
    return t("cancel.confirm", count=answered), InlineKeyboardMarkup(
        [
            [button(t("cancel.keep_button"), cd.CancelChoice("keep", reflection_id))],
            [button(t("cancel.drop_button"), cd.CancelChoice("drop", reflection_id))],
            [button(t("cancel.continue_button"), cd.CancelChoice("continue", reflection_id))],
        ]
    )


def note_offer(reflection_id: int, extended_chars: int | None = None) -> View:
    text = (
        t("note.offer")
        if extended_chars is None
        else t("note.extended", chars=f"{extended_chars:,}")
    )
    return text, InlineKeyboardMarkup(
        [
            [
                button(t("note.save_button"), cd.NoteChoice("save", reflection_id)),
                button(t("note.drop_button"), cd.NoteChoice("drop", reflection_id)),
            ]
        ]
    )
