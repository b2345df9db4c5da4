"""Rendering nudges: (HTML text, inline keyboard)."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup

from bot.services.nudging import Gap, NudgeMessage
from bot.telegram import callback_data as cd
from bot.telegram.views import View, button
from prompts import t


def reason(gap: Gap) -> str:
    """One line on why this week's question: the competence not evidenced for longest."""
    if gap.weeks is None:
        return t("nudge.reason_never", topic=escape(gap.topic))
    if gap.weeks >= 2:
        return t("nudge.reason_weeks", topic=escape(gap.topic), weeks=gap.weeks)
    topic = gap.topic[:1].upper() + gap.topic[1:]
    return t("nudge.reason_recent", topic_capitalised=escape(topic))


def nudge(message: NudgeMessage) -> View:
    content, nudge_id = message.content, message.nudge.id
    later = button(t("nudge.later_button"), cd.NudgeChoice(nudge_id, "later"))
    snooze = button(t("nudge.snooze_button"), cd.NudgeChoice(nudge_id, "snooze"))
    if content.session is not None:
        return t("nudge.session", name=escape(content.session.name)), InlineKeyboardMarkup(
            [
                [
                    button(t("nudge.now_button"), cd.NudgeChoice(nudge_id, "now")),
                    button(t("nudge.note_button"), cd.NudgeChoice(nudge_id, "note")),
                ],
                [later, snooze],
            ]
        )
    later = button(t("nudge.later_weekly_button"), cd.NudgeChoice(nudge_id, "later"))
    if content.softened or content.question is None or content.gap is None:
        return t("nudge.softened"), InlineKeyboardMarkup(
            [[button(t("nudge.add_button"), cd.NudgeChoice(nudge_id, "note"))], [later, snooze]]
        )
    text = t("nudge.weekly", question=escape(content.question.text), reason=reason(content.gap))
    return text, InlineKeyboardMarkup(
        [[button(t("nudge.answer_button"), cd.NudgeChoice(nudge_id, "now"))], [later, snooze]]
    )
