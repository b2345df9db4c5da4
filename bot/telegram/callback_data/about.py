"""Buttons saying what a reflection is about: a session, group or programme, and the
session's date (see bot.services.about)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.telegram.callback_data.fields import NUMBER, Groups, Rule, yyyymmdd

AboutWhat = Literal["open", "back", "clear", "name", "date", "session", "named", "day"]
# One letter each in the payload; "session" and "named" carry an id, "day" a date.
_CODES: dict[str, str] = {
    "open": "o",
    "back": "b",
    "clear": "x",
    "name": "n",
    "date": "t",
    "session": "s",
    "named": "r",
    "day": "d",
}
_WHATS = {code: what for what, code in _CODES.items()}


@dataclass(frozen=True)
class AboutTap:
    """On reflection ``reflection_id``: open the chooser, go back to its tags, clear what
    it is about, ask for a name or a date to be typed, or choose a regular session
    (``number``: its id), a name given before (``number``: the reflection it was given
    to) or a date (``day``). ``past``: the tag editor it came from was opened from
    /history."""

    reflection_id: int
    what: AboutWhat
    number: int | None = None
    day: date | None = None
    past: bool = False


def encode(action: object) -> str | None:
    """The payload of one of these actions, or None if it is not one of them."""
    match action:
        case AboutTap(rid, what, number, day, past):
            value = f"{number}" if number is not None else ""
            if day is not None:
                value = f"{day:%Y%m%d}"
            return f"ab:{rid}:{_CODES[what]}{value}{':h' if past else ''}"
    return None


def _about(groups: Groups) -> AboutTap | None:
    rid, plain, with_id, number, digits, past = groups
    reflection_id, shown_past = int(rid), past is not None  # type: ignore[arg-type]
    if digits is not None:
        day = yyyymmdd(digits)
        return None if day is None else AboutTap(reflection_id, "day", day=day, past=shown_past)
    if with_id is not None:
        what = _WHATS[with_id]
        return AboutTap(reflection_id, what, int(number), past=shown_past)  # type: ignore[arg-type]
    return AboutTap(reflection_id, _WHATS[plain], past=shown_past)  # type: ignore[arg-type,index]


PATTERNS: list[Rule] = [
    (re.compile(rf"ab:{NUMBER}:(?:([obxnt])|([sr])(\d{{1,12}})|d(\d{{8}}))(:h)?"), _about),
]
# Kinds with open values are parsed back once written (a day that does not exist is refused).
PARSED_BACK = (AboutTap,)
