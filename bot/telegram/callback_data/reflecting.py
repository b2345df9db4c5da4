"""Buttons of a reflection: consent, the question set, an open or cancelled reflection, a
quick note, tags and the competence picker, and the identifier guard's choice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.telegram.callback_data.fields import NUMBER, TOKEN, Groups, Rule


@dataclass(frozen=True)
class Consent:
    agree: bool
    invitation: str | None = None  # a supervision invitation to show once they agree


@dataclass(frozen=True)
class ChooseSet:
    set_id: str


@dataclass(frozen=True)
class OpenChoice:
    action: Literal["resume", "restart", "discard"]
    reflection_id: int


@dataclass(frozen=True)
class CancelChoice:
    action: Literal["keep", "drop", "continue"]
    reflection_id: int


@dataclass(frozen=True)
class NoteChoice:
    action: Literal["save", "drop"]
    reflection_id: int


@dataclass(frozen=True)
class TagTap:
    """Set an indicator's state; ``picker``: tapped in the competence picker (re-render it);
    ``past``: in a tag editor opened from /history (its heading names the reflection)."""

    reflection_id: int
    indicator_id: str
    choice: Literal["confirm", "reject", "clear"]
    picker: bool = False
    past: bool = False


@dataclass(frozen=True)
class TagAction:
    reflection_id: int
    action: Literal["none", "done", "pick", "back"]
    past: bool = False  # in a tag editor opened from /history


@dataclass(frozen=True)
class PickCompetence:
    reflection_id: int
    number: int
    past: bool = False  # in a tag editor opened from /history


@dataclass(frozen=True)
class HeldChoice:
    """A decision about held text; ``token`` names the text it was shown for."""

    choice: Literal["initials", "keep", "rewrite"]
    token: int


_CHOICE_CODES = {"confirm": "c", "reject": "r", "clear": "x"}
_CODE_CHOICES = {code: choice for choice, code in _CHOICE_CODES.items()}


def encode(action: object) -> str | None:
    """The payload of one of these actions, or None if it is not one of them."""
    match action:
        case Consent(agree, None):
            return f"ok:{'yes' if agree else 'no'}"
        case Consent(agree, str() as token):
            return f"ok:{'yes' if agree else 'no'}:{token}"
        case ChooseSet(set_id):
            return f"qs:{set_id}"
        case OpenChoice(what, rid):
            return f"op:{what}:{rid}"
        case CancelChoice(what, rid):
            return f"cx:{what}:{rid}"
        case NoteChoice(what, rid):
            return f"nt:{what}:{rid}"
        case TagTap(rid, indicator, choice, picker, past):
            flags = f"{':p' if picker else ''}{':h' if past else ''}"
            return f"tg:{rid}:{indicator}:{_CHOICE_CODES[choice]}{flags}"
        case TagAction(rid, what, past):
            return f"ta:{rid}:{what}{':h' if past else ''}"
        case PickCompetence(rid, number, past):
            return f"pc:{rid}:{number}{':h' if past else ''}"
        case HeldChoice(choice, token):
            return f"hd:{choice}:{token}"
    return None


def _consent(groups: Groups) -> Consent:
    agree, invitation = groups
    return Consent(agree == "yes", invitation)


def _choose_set(groups: Groups) -> ChooseSet:
    return ChooseSet(groups[0])  # type: ignore[arg-type]


def _open(groups: Groups) -> OpenChoice:
    return OpenChoice(groups[0], int(groups[1]))  # type: ignore[arg-type]


def _cancel(groups: Groups) -> CancelChoice:
    return CancelChoice(groups[0], int(groups[1]))  # type: ignore[arg-type]


def _note(groups: Groups) -> NoteChoice:
    return NoteChoice(groups[0], int(groups[1]))  # type: ignore[arg-type]


def _tag_tap(groups: Groups) -> TagTap:
    rid, indicator, code, picker, past = groups
    return TagTap(int(rid), indicator, _CODE_CHOICES[code], picker is not None, past is not None)  # type: ignore[arg-type,index]


def _tag_action(groups: Groups) -> TagAction:
    return TagAction(int(groups[0]), groups[1], groups[2] is not None)  # type: ignore[arg-type]


def _pick_competence(groups: Groups) -> PickCompetence:
    return PickCompetence(int(groups[0]), int(groups[1]), groups[2] is not None)  # type: ignore[arg-type]


def _held(groups: Groups) -> HeldChoice:
    return HeldChoice(groups[0], int(groups[1]))  # type: ignore[arg-type]


PATTERNS: list[Rule] = [
    (re.compile(rf"ok:(yes|no)(?::{TOKEN})?"), _consent),
    (re.compile(r"qs:([A-Za-z0-9_-]{1,20})"), _choose_set),
    (re.compile(rf"op:(resume|restart|discard):{NUMBER}"), _open),
    (re.compile(rf"cx:(keep|drop|continue):{NUMBER}"), _cancel),
    (re.compile(rf"nt:(save|drop):{NUMBER}"), _note),
    (re.compile(rf"tg:{NUMBER}:(\d{{1,2}}\.\d{{1,2}}):([crx])(:p)?(:h)?"), _tag_tap),
    (re.compile(rf"ta:{NUMBER}:(none|done|pick|back)(:h)?"), _tag_action),
    (re.compile(rf"pc:{NUMBER}:(\d{{1,2}})(:h)?"), _pick_competence),
    (re.compile(rf"hd:(initials|keep|rewrite):{NUMBER}"), _held),
]
