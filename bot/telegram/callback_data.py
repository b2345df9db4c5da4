"""Button payloads: small typed actions encoded in Telegram's 64-byte callback data.

Anything can arrive here (old buttons, repeated taps, forged data), so :func:`parse`
accepts only well-formed payloads and returns None for everything else. Ownership and
existence are checked by the services, never assumed from the payload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

MAX_BYTES = 64


@dataclass(frozen=True)
class Consent:
    agree: bool


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
    """Set an indicator's state; ``picker``: tapped in the competence picker (re-render it)."""

    reflection_id: int
    indicator_id: str
    choice: Literal["confirm", "reject", "clear"]
    picker: bool = False


@dataclass(frozen=True)
class TagAction:
    reflection_id: int
    action: Literal["none", "done", "pick", "back"]


@dataclass(frozen=True)
class PickCompetence:
    reflection_id: int
    number: int


@dataclass(frozen=True)
class HistoryPageNav:
    page: int


@dataclass(frozen=True)
class HistoryTags:
    reflection_id: int


@dataclass(frozen=True)
class HistoryOpen:
    reflection_id: int


@dataclass(frozen=True)
class DeleteReflection:
    reflection_id: int
    step: Literal["ask", "yes", "no"]


@dataclass(frozen=True)
class EditAnswer:
    """Choose an answer of a reflection to rewrite (answer_id 0: show the choice)."""

    reflection_id: int
    answer_id: int


@dataclass(frozen=True)
class HeldChoice:
    """A decision about held text; ``token`` names the text it was shown for."""

    choice: Literal["initials", "keep", "rewrite"]
    token: int


@dataclass(frozen=True)
class ForgetChoice:
    """Delete everything, or not; ``shown`` is when the confirmation was shown (epoch s)."""

    confirm: bool
    shown: int


Action = (
    Consent
    | ChooseSet
    | OpenChoice
    | CancelChoice
    | NoteChoice
    | TagTap
    | TagAction
    | PickCompetence
    | HistoryPageNav
    | HistoryTags
    | HistoryOpen
    | DeleteReflection
    | EditAnswer
    | HeldChoice
    | ForgetChoice
)

_CHOICE_CODES = {"confirm": "c", "reject": "r", "clear": "x"}
_CODE_CHOICES = {code: choice for choice, code in _CHOICE_CODES.items()}
_NUMBER = r"(\d{1,12})"
_PATTERNS: list[tuple[re.Pattern[str], type]] = [
    (re.compile(r"ok:(yes|no)"), Consent),
    (re.compile(r"qs:([A-Za-z0-9_-]{1,20})"), ChooseSet),
    (re.compile(rf"op:(resume|restart|discard):{_NUMBER}"), OpenChoice),
    (re.compile(rf"cx:(keep|drop|continue):{_NUMBER}"), CancelChoice),
    (re.compile(rf"nt:(save|drop):{_NUMBER}"), NoteChoice),
    (re.compile(rf"tg:{_NUMBER}:(\d{{1,2}}\.\d{{1,2}}):([crx])(:p)?"), TagTap),
    (re.compile(rf"ta:{_NUMBER}:(none|done|pick|back)"), TagAction),
    (re.compile(rf"pc:{_NUMBER}:(\d{{1,2}})"), PickCompetence),
    (re.compile(r"hp:(\d{1,6})"), HistoryPageNav),
    (re.compile(rf"ht:{_NUMBER}"), HistoryTags),
    (re.compile(rf"ho:{_NUMBER}"), HistoryOpen),
    (re.compile(rf"dr:{_NUMBER}:(ask|yes|no)"), DeleteReflection),
    (re.compile(rf"ea:{_NUMBER}:{_NUMBER}"), EditAnswer),
    (re.compile(rf"hd:(initials|keep|rewrite):{_NUMBER}"), HeldChoice),
    (re.compile(rf"fg:(yes|no):{_NUMBER}"), ForgetChoice),
]


def encode(action: Action) -> str:
    """The callback data for an action (always within Telegram's 64 bytes)."""
    match action:
        case Consent(agree):
            data = f"ok:{'yes' if agree else 'no'}"
        case ChooseSet(set_id):
            data = f"qs:{set_id}"
        case OpenChoice(what, rid):
            data = f"op:{what}:{rid}"
        case CancelChoice(what, rid):
            data = f"cx:{what}:{rid}"
        case NoteChoice(what, rid):
            data = f"nt:{what}:{rid}"
        case TagTap(rid, indicator, choice, picker):
            data = f"tg:{rid}:{indicator}:{_CHOICE_CODES[choice]}{':p' if picker else ''}"
        case TagAction(rid, what):
            data = f"ta:{rid}:{what}"
        case PickCompetence(rid, number):
            data = f"pc:{rid}:{number}"
        case HistoryPageNav(page):
            data = f"hp:{page}"
        case HistoryTags(rid):
            data = f"ht:{rid}"
        case HistoryOpen(rid):
            data = f"ho:{rid}"
        case DeleteReflection(rid, step):
            data = f"dr:{rid}:{step}"
        case EditAnswer(rid, answer_id):
            data = f"ea:{rid}:{answer_id}"
        case HeldChoice(choice, token):
            data = f"hd:{choice}:{token}"
        case ForgetChoice(confirm, shown):
            data = f"fg:{'yes' if confirm else 'no'}:{shown}"
        case _:
            raise TypeError(f"not a button action: {action!r}")
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def parse(data: object) -> Action | None:
    """The action a button carries, or None if the data is not one of ours."""
    if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        return None
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(data)
        if match is None:
            continue
        parts = match.groups()
        if kind is Consent:
            return Consent(parts[0] == "yes")
        if kind is ChooseSet:
            return ChooseSet(parts[0])
        if kind in (OpenChoice, CancelChoice, NoteChoice):
            return kind(parts[0], int(parts[1]))
        if kind is TagTap:
            return TagTap(int(parts[0]), parts[1], _CODE_CHOICES[parts[2]], parts[3] is not None)
        if kind is TagAction:
            return TagAction(int(parts[0]), parts[1])  # type: ignore[arg-type]
        if kind is PickCompetence:
            return PickCompetence(int(parts[0]), int(parts[1]))
        if kind is HistoryPageNav:
            return HistoryPageNav(int(parts[0]))
        if kind is HistoryTags:
            return HistoryTags(int(parts[0]))
        if kind is HistoryOpen:
            return HistoryOpen(int(parts[0]))
        if kind is DeleteReflection:
            return DeleteReflection(int(parts[0]), parts[1])  # type: ignore[arg-type]
        if kind is EditAnswer:
            return EditAnswer(int(parts[0]), int(parts[1]))
        if kind is HeldChoice:
            return HeldChoice(parts[0], int(parts[1]))  # type: ignore[arg-type]
        return ForgetChoice(parts[0] == "yes", int(parts[1]))
    return None
