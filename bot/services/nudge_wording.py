"""What a nudge says and offers, as HTML from ``prompts/``: one wording for the Telegram
views (text and buttons) and the terminal chat (text and numbered choices)."""

from __future__ import annotations

import html

from bot.services.nudging import Choice, Content, Gap
from prompts import t


def reason(gap: Gap) -> str:
    """The one line that says why the weekly question is about this competence."""
    if gap.weeks is None:
        return t("nudge.reason_never", topic=html.escape(gap.topic))
    if gap.weeks >= 2:
        return t("nudge.reason_weeks", topic=html.escape(gap.topic), weeks=gap.weeks)
    topic = gap.topic[:1].upper() + gap.topic[1:]
    return t("nudge.reason_recent", topic_capitalised=html.escape(topic))


def nudge_text(content: Content) -> str:
    """What a nudge says: how a session went, the weekly question, or the softened line."""
    if content.session is not None:
        return t("nudge.session", name=html.escape(content.session.name))
    if content.question is not None and content.gap is not None:
        why = reason(content.gap)
        return t("nudge.weekly", question=html.escape(content.question.text), reason=why)
    return t("nudge.softened")


def nudge_choices(content: Content) -> list[tuple[str, Choice]]:
    """The nudge's choices, as (label, choice), in the order they are shown."""
    if content.session is not None:
        return [
            (t("nudge.now_button"), "now"),
            (t("nudge.note_button"), "note"),
            (t("nudge.later_button"), "later"),
            (t("nudge.snooze_button"), "snooze"),
        ]
    if content.question is not None:
        return [
            (t("nudge.answer_button"), "now"),
            (t("nudge.later_weekly_button"), "later"),
            (t("nudge.snooze_button"), "snooze"),
        ]
    return [  # softened: a note is all there is to add
        (t("nudge.add_button"), "note"),
        (t("nudge.later_weekly_button"), "later"),
        (t("nudge.snooze_button"), "snooze"),
    ]
