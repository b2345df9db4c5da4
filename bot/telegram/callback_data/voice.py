"""Buttons under what the bot heard in a voice note: use it, correct it, or discard it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.telegram.callback_data.fields import NUMBER, Groups, Rule

VoiceAction = Literal["use", "correct", "discard"]


@dataclass(frozen=True)
class VoiceChoice:
    """A decision about transcript ``transcript_id`` (checked to be the presser's)."""

    action: VoiceAction
    transcript_id: int


def encode(action: object) -> str | None:
    """The payload of one of these actions, or None if it is not one of them."""
    match action:
        case VoiceChoice(what, tid):
            return f"vn:{what}:{tid}"
    return None


def _choice(groups: Groups) -> VoiceChoice:
    return VoiceChoice(groups[0], int(groups[1]))  # type: ignore[arg-type]


PATTERNS: list[Rule] = [
    (re.compile(rf"vn:(use|correct|discard):{NUMBER}"), _choice),
]
