"""Rendering the practitioner's control over their data: /forget, /mydata, the identifier
guard's question, rewriting answers, and the one notice a group gets."""

from __future__ import annotations

import math
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.history import ReflectionDetail
from bot.services.intake import Held, findings_text
from bot.services.privacy import DataSummary
from bot.telegram import callback_data as cd
from bot.telegram.views import View, button, shorten
from prompts import t

PREVIEW_CHARS = 600
FINDINGS_SHOWN = 12  # a pasted contact list must not push the question past 4,096 characters
ANSWER_CHARS = 1500
QUESTION_BUTTON_CHARS = 40


def forget_confirm(summary: DataSummary) -> View:
    """What /forget deletes, and the buttons, which carry when it was counted (rounded up
    to the second, so nothing written before it looks newer)."""
    shown = math.ceil(summary.as_of.timestamp())
    text = t(
        "privacy.forget_confirm",
        reflections=summary.reflections,
        tags=summary.confirmed_tags,
        unfinished=summary.unfinished,
    )
    return text, InlineKeyboardMarkup(
        [
            [button(t("privacy.forget_yes_button"), cd.ForgetChoice(True, shown))],
            [button(t("privacy.forget_no_button"), cd.ForgetChoice(False, shown))],
        ]
    )


def held(result: Held) -> View:
    """What the guard found, the text as it would read with initials, and the choices."""
    text = t(
        "guard.held",
        findings=findings_text(result, escape, limit=FINDINGS_SHOWN),
        preview=escape(shorten(result.preview, PREVIEW_CHARS)),
    )
    if result.again:
        text = f"{t('guard.held_again')}\n\n{text}"
    token = result.token
    return text, InlineKeyboardMarkup(
        [
            [button(t("guard.initials_button"), cd.HeldChoice("initials", token))],
            [button(t("guard.keep_button"), cd.HeldChoice("keep", token))],
            [button(t("guard.rewrite_button"), cd.HeldChoice("rewrite", token))],
        ]
    )


def edit_choice(detail: ReflectionDetail) -> View:
    """One button per answer of a reflection, to choose which to rewrite."""
    rid = detail.reflection.id
    rows = [
        [
            button(
                t(
                    "edit.answer_button",
                    number=item.number,
                    question=shorten(
                        item.question or t("edit.note_question"), QUESTION_BUTTON_CHARS
                    ),
                ),
                cd.EditAnswer(rid, item.answer.id),
            )
        ]
        for item in detail.items
    ]
    rows.append([button(t("history.list_button"), cd.HistoryPageNav(0))])
    return t("edit.choose"), InlineKeyboardMarkup(rows)


def edit_prompt(question: str, answer: str) -> str:
    return t(
        "edit.prompt",
        question=escape(question or t("edit.note_question")),
        answer=escape(shorten(answer, ANSWER_CHARS)),
    )


def group_notice(bot_username: str) -> View:
    """The one reply a group gets: a button that opens a private chat with the bot."""
    link = f"https://t.me/{bot_username}?start=private"
    return t("errors.group_only"), InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("errors.group_button"), url=link)]]
    )
