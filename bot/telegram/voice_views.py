"""What a voice note said, and the buttons to use, correct or discard it."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup

from bot.services import QuestionStep
from bot.telegram import callback_data as cd
from bot.telegram.views import View, button
from prompts import t
from storage import VoiceTranscript

SHOWN_CHARS = 3_000
"""Of a long transcript, this much is shown (a message holds 4,096); all of it is kept."""
COPY_CHARS = 4_000


def length(seconds: float) -> str:
    """A note's length as m:ss."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _shown(text: str) -> str:
    if len(text) <= SHOWN_CHARS:
        return escape(text)
    cut = text[:SHOWN_CHARS].rsplit(" ", 1)[0]
    return escape(cut) + t("voice.cut", words=len(text.split()))


def heard(transcript: VoiceTranscript, step: QuestionStep | None) -> View:
    """The transcript, what using it would do, and the three choices."""
    use_as = (
        t("voice.as_answer", question=escape(step.question.text))
        if step is not None
        else t("voice.as_note")
    )
    text = t(
        "voice.heard",
        length=length(transcript.seconds),
        text=_shown(transcript.text),
        use_as=use_as,
    )
    tid = transcript.id
    return text, InlineKeyboardMarkup(
        [
            [
                button(t("voice.use_button"), cd.VoiceChoice("use", tid)),
                button(t("voice.correct_button"), cd.VoiceChoice("correct", tid)),
            ],
            [button(t("voice.discard_button"), cd.VoiceChoice("discard", tid))],
        ]
    )


def used(transcript: VoiceTranscript) -> str:
    return t("voice.used", length=length(transcript.seconds), text=_shown(transcript.text))


def copyable(transcript: VoiceTranscript) -> list[str]:
    """The transcript in one or more tap-to-copy blocks, each within a message."""
    text = transcript.text
    parts = []
    while text:
        if len(text) <= COPY_CHARS:
            parts.append(text)
            break
        cut = text[:COPY_CHARS].rsplit(" ", 1)[0] or text[:COPY_CHARS]
        parts.append(cut)
        text = text[len(cut) :].lstrip()
    return [t("voice.copy", text=escape(part)) for part in parts]


def too_long(seconds: float | None, limit: float) -> str:
    """``seconds`` None: longer than Telegram said, and longer than the limit."""
    if seconds is None:
        return t("voice.too_long_unknown", limit=round(limit / 60))
    return t("voice.too_long", length=length(seconds), limit=round(limit / 60))
